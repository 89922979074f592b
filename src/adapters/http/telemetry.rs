//! Inbound request telemetry: the parent trace from the request headers, the
//! stable endpoint name and the `request.*` metrics (40 §7).

use actix_web::http::header::HeaderMap;
use std::time::Instant;

use crate::adapters::telemetry::propagation::{continue_trace, INBOUND};
use crate::ports::metrics::Metrics;

/// Makes the request span a child of a Datadog or W3C parent, if one was sent.
pub fn continue_request_trace(span: &tracing::Span, headers: &HeaderMap) {
    let pairs: Vec<(&str, &str)> = INBOUND
        .iter()
        .filter_map(|n| Some((*n, headers.get(*n)?.to_str().ok()?)))
        .collect();
    continue_trace(span, &pairs);
}

/// Route templates (the part after `{client_id}`) and their stable `endpoint`
/// tag (40 §7.3). The `/v1` and unversioned forms share one name.
const ENDPOINTS: &[(&str, &str)] = &[
    ("/itineraries", "search"),
    ("/itineraries/{itinerary_id}", "get_itinerary"),
    ("/bookings/lock_seats", "lock_seats"),
    ("/seats", "lock_seats"),
    ("/bookings", "create_booking"),
    ("/bookings/{booking_id}/confirm", "confirm_booking"),
    (
        "/incomplete_results/{incomplete_results_id}",
        "incomplete_results",
    ),
    ("/bookings/{booking_id}", "booking_details"),
    ("/bookings/{booking_id}/ticket", "ticket"),
    ("/bookings/{booking_id}/cancel", "cancel"),
    ("/stations", "stations"),
    ("/stations/GetList", "stations"),
    ("/snapshots/stations/{locale}", "stations"),
    ("/operating_carriers", "operating_carriers"),
    ("/operating_carriers/GetList", "operating_carriers"),
    (
        "/snapshots/operating_carriers/{locale}",
        "operating_carriers",
    ),
    ("/pois", "pois"),
    ("/pois/GetList", "pois"),
    ("/snapshots/pois/{locale}", "pois"),
];

/// The stable `endpoint` tag of a route template (`BASE_PATH` and `/v1` ignored).
pub fn endpoint_name(template: &str) -> Option<&'static str> {
    if template.contains("/v1/notifications/{integration}") {
        return Some("webhook");
    }
    let (_, rest) = template.split_once("{client_id}")?;
    ENDPOINTS
        .iter()
        .find(|(suffix, _)| *suffix == rest)
        .map(|(_, name)| *name)
}

/// `request.count` and `request.duration`.
pub fn request_metrics(
    metrics: &dyn Metrics,
    endpoint: &'static str,
    client_id: Option<&str>,
    status: u16,
    started: Instant,
) {
    // A path id that did not authenticate is not a client: no unbounded tags.
    let client_id = match client_id {
        Some(id) if status != 401 => id,
        _ => "unauthenticated",
    };
    let status = status.to_string();
    metrics.count(
        "request.count",
        1,
        &[
            ("client_id", client_id),
            ("endpoint", endpoint),
            ("status_code", &status),
        ],
    );
    metrics.histogram(
        "request.duration",
        (started.elapsed().as_micros() as f64) / 1000.0,
        &[("client_id", client_id), ("endpoint", endpoint)],
    );
}

#[cfg(test)]
mod tests {
    use super::endpoint_name;

    #[test]
    fn endpoint_names_are_stable() {
        assert_eq!(endpoint_name("/v1/{client_id}/itineraries"), Some("search"));
        assert_eq!(
            endpoint_name("/base/v1/{client_id}/itineraries"),
            Some("search")
        );
        assert_eq!(endpoint_name("/health"), None);
        assert_eq!(
            endpoint_name("/{client_id}/bookings/{booking_id}/confirm"),
            Some("confirm_booking")
        );
        assert_eq!(
            endpoint_name("/v1/{client_id}/snapshots/pois/{locale}"),
            Some("pois")
        );
        assert_eq!(
            endpoint_name("/v1/{client_id}/operating_carriers/GetList"),
            Some("operating_carriers")
        );
        assert_eq!(endpoint_name("/v1/{client_id}/nope"), None);
    }
}
