//! Inbound HTTP (actix-web): routes, the request pipeline and the error body.

pub mod admin_auth;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod pipeline;
pub mod routes;
pub mod search_json;
pub mod sliced_body;
pub mod state;
pub mod telemetry;

use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};

use error::ApiError;

pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// Client request bodies (00 §2).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON answer from already-serialized bytes; one larger than a slice is handed
/// to actix in slices, so the connection does not keep a buffer of its size
/// (`sliced_body`).
pub fn json_bytes(status: u16, body: Vec<u8>) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    res.insert_header((actix_web::http::header::CONTENT_TYPE, JSON_CONTENT_TYPE));
    match body.len() > sliced_body::SLICE {
        true => res.body(sliced_body::Sliced::new(body)),
        false => res.body(body),
    }
}

/// A GET-only resource whose other methods answer 405 with `Allow: GET`.
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::method_not_allowed("GET"))
        }))
}

/// A POST-only resource whose other methods answer 405 with `Allow: POST`.
fn post<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::post().to(handler))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::method_not_allowed("POST"))
        }))
}

/// The public API routes under `base_path`.
pub fn configure_api(cfg: &mut ServiceConfig, base_path: &str) {
    cfg.app_data(json_config())
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .service(
            web::scope(base_path)
                .service(get("/health", routes::health::health))
                .service(get("/ready", routes::health::ready))
                .service(get("/openapi.json", openapi::openapi_json))
                .service(get("/v1/{client_id}/itineraries", routes::search::search))
                .service(post(
                    "/v1/notifications/{integration}",
                    routes::webhook::webhook,
                ))
                .service(post(
                    "/v1/notifications/{integration}/{rest:.*}",
                    routes::webhook::webhook,
                ))
                .configure(configure_master_data)
                .configure(configure_funnel),
        );
}

/// Master data (10 §5.1), only under `/v1`; the kind is a literal in each
/// template so that request metrics get a stable endpoint name.
fn configure_master_data(cfg: &mut ServiceConfig) {
    use routes::masterdata;
    for kind in ["stations", "operating_carriers", "pois"] {
        cfg.service(get(&format!("/v1/{{client_id}}/{kind}"), masterdata::link))
            .service(get(
                &format!("/v1/{{client_id}}/{kind}/GetList"),
                masterdata::get_list,
            ))
            .service(get(
                &format!("/v1/{{client_id}}/snapshots/{kind}/{{locale}}"),
                masterdata::snapshot,
            ));
    }
}

/// The booking routes (funnel and after), each under `/v1` and as an alias
/// without it (00 §2).
fn configure_funnel(cfg: &mut ServiceConfig) {
    use routes::funnel;
    for prefix in ["/v1", ""] {
        cfg.service(get(
            &format!("{prefix}/{{client_id}}/itineraries/{{itinerary_id}}"),
            funnel::get_itinerary,
        ))
        .service(get(
            &format!("{prefix}/{{client_id}}/incomplete_results/{{incomplete_results_id}}"),
            funnel::incomplete_result,
        ))
        .service(post(
            &format!("{prefix}/{{client_id}}/bookings/lock_seats"),
            funnel::lock_seats,
        ))
        .service(post(
            &format!("{prefix}/{{client_id}}/seats"),
            funnel::lock_seats,
        ))
        .service(post(
            &format!("{prefix}/{{client_id}}/bookings/{{booking_id}}/confirm"),
            funnel::confirm_booking,
        ))
        .service(post(
            &format!("{prefix}/{{client_id}}/bookings"),
            funnel::create_booking,
        ))
        .service(get(
            &format!("{prefix}/{{client_id}}/bookings/{{booking_id}}/ticket"),
            routes::post_booking::ticket,
        ))
        .service(post(
            &format!("{prefix}/{{client_id}}/bookings/{{booking_id}}/cancel"),
            routes::post_booking::cancel,
        ))
        .service(get(
            &format!("{prefix}/{{client_id}}/bookings/{{booking_id}}"),
            routes::post_booking::booking_details,
        ));
    }
}

/// The admin routes (private port). Every route goes inside the scope: it needs
/// the admin token except `/health`, `/ready` and `/build` (see `admin_auth`).
pub fn configure_admin(cfg: &mut ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(
                admin_auth::require_admin_token,
            ))
            .service(get("/health", routes::health::health))
            .service(get("/ready", routes::health::ready))
            .service(get("/build", routes::health::build))
            .service(get("/openapi.json", openapi::openapi_json))
            .service(get("/debug/pprof/profile", routes::debug::profile))
            .service(get("/debug/pprof/flamegraph", routes::debug::flamegraph))
            .service(get("/debug/tasks", routes::debug::tasks))
            .service(get("/admin/stats", routes::admin_stats::admin_stats))
            .service(get(
                "/admin/notifications/pending",
                routes::admin_notifications::pending,
            ))
            .service(get(
                "/admin/notifications/dead-letters",
                routes::admin_notifications::dead_letters,
            ))
            .service(post(
                "/admin/notifications/dead-letters/requeue",
                routes::admin_notifications::requeue_all,
            ))
            .service(post(
                "/admin/notifications/dead-letters/{notification_id}/requeue",
                routes::admin_notifications::requeue,
            )),
    );
}

/// Unknown routes: 404 `not_found`.
pub async fn not_found(_: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// JSON bodies: 1 MiB, errors in the common body.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        // 00 §2: `Content-Type` is not enforced.
        .content_type_required(false)
        .error_handler(|err, _| {
            let e = match &err {
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    ApiError::payload_too_large()
                }
                _ => ApiError::invalid_body("The body is not valid JSON."),
            };
            e.into()
        })
}
