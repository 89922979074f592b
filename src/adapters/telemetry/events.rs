//! Business events (40 §7.4): one INFO line with `"log_type":"business_event"`.
//! The event is serialized here and merged into the log line by the JSON layer.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use super::ServiceTags;

/// The log field whose JSON value is merged into the line.
pub const EVENT_FIELD: &str = "business_event";
const MAX_IDS: usize = 100;

static TAGS: OnceLock<ServiceTags> = OnceLock::new();

/// Set once by the telemetry install; later calls keep the first.
pub(super) fn set_tags(tags: ServiceTags) {
    let _ = TAGS.set(tags);
}

fn tags() -> ServiceTags {
    TAGS.get().cloned().unwrap_or_else(|| ServiceTags {
        service: "connect-api".into(),
        env: "dev".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// First 8 hex characters of the SHA-256 of the presented key.
pub fn api_key_hash(key: &str) -> String {
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    digest[..8].to_owned()
}

#[derive(Debug, Serialize)]
pub struct SearchRequest {
    pub routes: usize,
    pub departure_date: Option<String>,
    pub pax: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub status: u16,
    pub itinerary_count: usize,
    pub itinerary_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EventError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Timing {
    pub total_ms: f64,
}

/// `connect.search.completed`.
#[derive(Debug, Serialize)]
pub struct SearchCompleted {
    pub event_type: &'static str,
    pub event_version: u32,
    pub timestamp: String,
    pub correlation_id: String,
    pub trace_id: Option<String>,
    pub client_id: String,
    pub environment: String,
    pub service: String,
    pub service_version: String,
    pub request: SearchRequest,
    pub response: SearchResponse,
    pub api_key_hash: Option<String>,
    pub timing: Timing,
    pub error: Option<EventError>,
}

/// What the search route knows when it answers.
pub struct SearchFacts<'a> {
    pub correlation_id: &'a str,
    pub client_id: &'a str,
    pub api_key: Option<&'a str>,
    pub request: SearchRequest,
    pub status: u16,
    pub itinerary_ids: Vec<String>,
    pub total_ms: f64,
    pub error: Option<EventError>,
}

impl SearchCompleted {
    /// Whether the event would be logged: when INFO is off for this module, the
    /// route skips building it (the key hash, the id list, the JSON) altogether.
    pub fn wanted() -> bool {
        tracing::enabled!(tracing::Level::INFO)
    }

    pub fn new(facts: SearchFacts<'_>) -> Self {
        let tags = tags();
        let count = facts.itinerary_ids.len();
        let mut ids = facts.itinerary_ids;
        ids.truncate(MAX_IDS);
        Self {
            event_type: "connect.search.completed",
            event_version: 1,
            timestamp: format!("{:.3}", jiff::Timestamp::now()),
            correlation_id: facts.correlation_id.to_owned(),
            trace_id: super::propagation::current_trace_id(),
            client_id: facts.client_id.to_owned(),
            environment: tags.env,
            service: tags.service,
            service_version: tags.version,
            request: facts.request,
            response: SearchResponse {
                status: facts.status,
                itinerary_count: count,
                itinerary_ids: ids,
            },
            api_key_hash: facts.api_key.map(api_key_hash),
            timing: Timing {
                total_ms: facts.total_ms,
            },
            error: facts.error,
        }
    }

    /// Logs the event at INFO.
    pub fn emit(&self) {
        match serde_json::to_string(self) {
            Ok(json) => tracing::info!(
                log_type = "business_event",
                business_event = %json,
                "connect.search.completed"
            ),
            Err(e) => tracing::warn!(error = %e, "business event not serialized"),
        }
    }
}

/// What `connect.notification.received` reports (40 §7.4).
pub struct NotificationReceived<'a> {
    pub correlation_id: &'a str,
    pub client_id: &'a str,
    pub twelvego_bid: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub authenticated: bool,
    /// `None` without `WEBHOOK_ALLOWED_CIDRS`.
    pub ip_allowlisted: Option<bool>,
    pub outcome: &'a str,
    /// `(code, message)` of a failed call.
    pub error: Option<(&'a str, &'a str)>,
    pub total_ms: u64,
}

/// Logs `connect.notification.received` at INFO: every webhook call.
pub fn notification_received(f: &NotificationReceived<'_>) {
    let t = tags();
    let event = serde_json::json!({
        "event_type": "connect.notification.received",
        "event_version": 1,
        "timestamp": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "correlation_id": f.correlation_id,
        "client_id": f.client_id,
        "environment": t.env,
        "service": t.service,
        "service_version": t.version,
        "twelvego_bid": f.twelvego_bid,
        "type": f.kind,
        "authenticated": f.authenticated,
        "ip_allowlisted": f.ip_allowlisted,
        "outcome": f.outcome,
        "timing": {"total_ms": f.total_ms},
        "error": f.error.map(|(code, message)| serde_json::json!({"code": code, "message": message})),
    });
    tracing::info!(log_type = "business_event", business_event = %event, "connect.notification.received");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hash_is_eight_hex_chars_of_sha256() {
        // sha256("acme-key") starts with these characters.
        let h = api_key_hash("acme-key");
        assert_eq!(h.len(), 8);
        assert_eq!(h, &hex::encode(Sha256::digest(b"acme-key"))[..8]);
    }

    #[test]
    fn ids_are_capped_at_100_and_counted_in_full() {
        let e = SearchCompleted::new(SearchFacts {
            correlation_id: "c",
            client_id: "acme",
            api_key: Some("k"),
            request: SearchRequest {
                routes: 1,
                departure_date: None,
                pax: None,
            },
            status: 200,
            itinerary_ids: (0..150).map(|i| i.to_string()).collect(),
            total_ms: 1.0,
            error: None,
        });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["response"]["itinerary_count"], 150);
        assert_eq!(
            v["response"]["itinerary_ids"].as_array().unwrap().len(),
            100
        );
        assert_eq!(v["event_version"], 1);
        assert!(v["error"].is_null());
    }
}
