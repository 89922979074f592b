//! Business events of the funnel (40 §7.4): structured INFO lines with
//! `log_type=business_event`, routed to analytics by the Datadog log pipeline.

use serde::Serialize;

use crate::domain::booking::Booking;
use crate::domain::money::Money;

/// What a booking event is built from.
pub struct BookingFacts<'a> {
    pub correlation_id: &'a str,
    pub client_id: &'a str,
    pub booking: &'a Booking,
    pub itinerary_id: Option<String>,
    /// The quoted net price (CreateBooking only).
    pub net_price: Option<&'a Money>,
}

#[derive(Serialize)]
struct BookingEvent<'a> {
    event_type: &'static str,
    event_version: u8,
    timestamp: String,
    correlation_id: &'a str,
    client_id: &'a str,
    service: &'static str,
    service_version: &'static str,
    booking_id: &'a str,
    twelvego_bid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    itinerary_id: Option<String>,
    status: &'static str,
    total_price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    net_price: Option<&'a Money>,
    error: Option<()>,
}

fn emit(event_type: &'static str, f: BookingFacts<'_>) {
    let e = BookingEvent {
        event_type,
        event_version: 1,
        timestamp: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        correlation_id: f.correlation_id,
        client_id: f.client_id,
        service: "connect-api",
        service_version: env!("CARGO_PKG_VERSION"),
        booking_id: &f.booking.id,
        twelvego_bid: &f.booking.integration_booking_id,
        itinerary_id: f.itinerary_id,
        status: f.booking.status.as_str(),
        total_price: &f.booking.total_price,
        net_price: f.net_price,
        error: None,
    };
    match serde_json::to_string(&e) {
        Ok(json) => {
            tracing::info!(log_type = "business_event", business_event = %json, "{event_type}")
        }
        Err(err) => tracing::warn!(error = %err, "business event not serialized"),
    }
}

/// `connect.booking.created`: CreateBooking succeeded.
pub fn booking_created(f: BookingFacts<'_>) {
    emit("connect.booking.created", f);
}

/// `connect.booking.confirmed`: ConfirmBooking answered `approved` or `pending`.
pub fn booking_confirmed(f: BookingFacts<'_>) {
    emit("connect.booking.confirmed", f);
}

/// `connect.booking.cancelled`: a cancel succeeded.
pub fn booking_cancelled(
    correlation_id: &str,
    client_id: &str,
    bid: &str,
    c: &super::cancel::Cancelled,
) {
    let event = serde_json::json!({
        "event_type": "connect.booking.cancelled",
        "event_version": 1,
        "timestamp": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "correlation_id": correlation_id,
        "client_id": client_id,
        "service": "connect-api",
        "service_version": env!("CARGO_PKG_VERSION"),
        "booking_id": c.booking_id,
        "twelvego_bid": bid,
        "refund": c.refund,
        "outcome": c.booking_status,
        "error": null,
    });
    tracing::info!(log_type = "business_event", business_event = %event, "connect.booking.cancelled");
}
