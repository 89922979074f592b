//! The outbound notification (30 §8): built from the webhook event and the
//! re-fetched booking, serialized once to the exact bytes that are signed and sent.

use jiff::Timestamp;
use serde::Serialize;

use super::webhook::WebhookEvent;
use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::booking_id::BookingIdMap;

/// The JSON body; field order is the spec's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    pub notification_id: String,
    pub event: &'static str,
    /// RFC 3339 UTC.
    pub occurred_at: String,
    pub booking_id: String,
    pub previous_status: Option<BookingStatus>,
    pub booking: Booking,
}

/// A notification ready for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `{bid}-{stamp}-{type}`: deterministic, so enqueue and clients can deduplicate.
    pub notification_id: String,
    pub bid: String,
    /// The serialized [`Envelope`], sent and signed as is.
    pub body: Vec<u8>,
    /// `previous_data.status` fell through to `pending` (00 §13): log at WARN.
    pub unknown_previous_status: Option<String>,
}

/// 12go's type → the client event.
pub fn event_name(kind: &str) -> &'static str {
    match kind {
        "booking_confirmed" => "booking.confirmed",
        // 12go spells it `canceled`; the other spelling costs nothing.
        "booking_canceled" | "booking_cancelled" => "booking.cancelled",
        _ => "booking.updated",
    }
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Builds the notification. `booking` is the §2 object from the re-fetched B
/// (stations already in the client's id space); `booking_stamp` is B's `stamp`.
/// Its `id` is replaced by `booking_id`.
///
/// # Errors
/// Serialization failure (not expected for these types).
pub fn build_notification(
    event: &WebhookEvent,
    mut booking: Booking,
    booking_stamp: Option<i64>,
    id_map: Option<&BookingIdMap>,
    now: Timestamp,
) -> Result<Notification, serde_json::Error> {
    // B's stamp is 0 for a booking never changed; 0 still gives a stable id.
    let stamp = event
        .stamp
        .or(booking_stamp.filter(|s| *s >= 0))
        .unwrap_or(0);
    let notification_id = format!("{}-{stamp}-{}", event.bid, event.kind);
    let occurred_at = Some(stamp)
        .filter(|s| *s > 0)
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(now);
    let booking_id = id_map
        .and_then(|m| m.id_of(&event.bid))
        .unwrap_or(&event.bid)
        .to_string();
    let (previous_status, unknown_previous_status) = match event.previous_status.as_deref() {
        Some(raw) => {
            let (s, unknown) = BookingStatus::from_12go(Some(raw));
            (Some(s), unknown)
        }
        None => (None, None),
    };
    booking.id.clone_from(&booking_id);
    let envelope = Envelope {
        notification_id: notification_id.clone(),
        event: event_name(&event.kind),
        occurred_at: rfc3339(occurred_at),
        booking_id,
        previous_status,
        booking,
    };
    Ok(Notification {
        notification_id,
        bid: event.bid.clone(),
        body: serde_json::to_vec(&envelope)?,
        unknown_previous_status,
    })
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
