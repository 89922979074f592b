//! Liveness, readiness and build info (40 §4). Never call 12go.

use actix_web::web::Data;
use actix_web::HttpResponse;

use crate::adapters::http::json_bytes;
use crate::adapters::http::state::Shared;

/// Liveness: 200 while the process runs.
#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, description = "Alive", example = json!({"status":"ok"}))))]
pub async fn health() -> HttpResponse {
    json_bytes(200, br#"{"status":"ok"}"#.to_vec())
}

/// Readiness: 200 once configuration, the client registry and (when enabled)
/// the first master-data snapshot are loaded; 503 before that and while draining.
#[utoipa::path(get, path = "/ready", tag = "service", responses(
    (status = 200, description = "Ready", example = json!({"status":"ready"})),
    (status = 503, description = "Not ready yet, or draining", example = json!({"status":"not_ready","reason":"master data not loaded"}))))]
pub async fn ready(shared: Data<Shared>) -> HttpResponse {
    if shared.is_draining() {
        json_bytes(503, br#"{"status":"draining"}"#.to_vec())
    } else if !shared.master_data.is_ready() {
        json_bytes(
            503,
            br#"{"status":"not_ready","reason":"master data not loaded"}"#.to_vec(),
        )
    } else {
        json_bytes(200, br#"{"status":"ready"}"#.to_vec())
    }
}

/// Version, git sha and build time (admin port).
pub async fn build(shared: Data<Shared>) -> HttpResponse {
    json_bytes(200, serde_json::to_vec(&shared.build).unwrap_or_default())
}
