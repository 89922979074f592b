//! The client Booking object (30 §2), built from 12go's booking details (B), and
//! the one booking-status mapping (00 §13).

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::money::Money;
use crate::domain::time::parse_lenient_datetime;
use crate::domain::twelvego::{BookingAnswer, Price};

/// The client status enum. `declined` and `failed` are never produced today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Reserved,
    Pending,
    Declined,
    Approved,
    Cancelled,
    Failed,
}

impl BookingStatus {
    /// 00 §13. `None` in the second member means the raw value was recognized;
    /// `Some(raw)` means it fell through to `pending` and must be logged at WARN.
    pub fn from_12go(raw: Option<&str>) -> (Self, Option<String>) {
        let v = raw
            .map(|r| r.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match v.as_str() {
            "pending_client_confirmation" => (Self::Reserved, None),
            "confirmed" => (Self::Approved, None),
            "cancelled" | "canceled" => (Self::Cancelled, None),
            "pending" => (Self::Pending, None),
            _ => (Self::Pending, Some(raw.unwrap_or("<missing>").to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Pending => "pending",
            Self::Declined => "declined",
            Self::Approved => "approved",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }
}

/// Returned by CreateBooking, ConfirmBooking, booking details and notifications.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Booking {
    /// The id exactly as the client sent it (CreateBooking: the bid).
    pub id: String,
    pub status: BookingStatus,
    pub from_station: String,
    pub to_station: String,
    /// Local `YYYY-MM-DDTHH:MM:SS`.
    pub departure_time: String,
    pub passenger_count: i64,
    /// Always `onetwogo`.
    pub integration: &'static str,
    pub integration_booking_id: String,
    pub operator_booking_id: Option<String>,
    pub voucher_url: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub updated_at: String,
    pub total_price: Money,
}

/// What the Booking object needs beyond B itself.
#[derive(Debug, Clone, Copy)]
pub struct BookingView<'a> {
    /// The id as the client sent it.
    pub id: &'a str,
    /// The 12go base URL relative ticket URLs are resolved against.
    pub twelvego_base: &'a str,
}

/// Facts worth a WARN when building the object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingWarnings {
    /// The unmapped raw status (00 §13).
    pub unknown_status: Option<String>,
    /// `netprice` was null: the account lacks `api_pass_netprice_sysfee`.
    pub gross_price_used: bool,
}

/// B lacked a field the object cannot do without (→ 502 `upstream_error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("12go booking details lack `{0}`")]
pub struct IncompleteBooking(pub &'static str);

fn money(p: &Option<Price>) -> Option<Money> {
    let p = p.as_ref()?;
    Some(Money::new(p.value?, p.fxcode.clone()))
}

fn rfc3339(unix: i64) -> Option<String> {
    Timestamp::from_second(unix)
        .ok()
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn resolve_url(url: &str, base: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        return url.to_string();
    }
    let base = base.trim_end_matches('/');
    // Only the scheme and host of the base count for a root-relative URL.
    let origin = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| &base[..i + 3 + j]))
        .unwrap_or(base);
    if url.starts_with('/') {
        format!("{origin}{url}")
    } else {
        format!("{base}/{url}")
    }
}

impl Booking {
    /// 30 §2.
    ///
    /// # Errors
    /// [`IncompleteBooking`] when a required member is missing or unparsable.
    pub fn from_answer(
        b: &BookingAnswer,
        view: BookingView<'_>,
    ) -> Result<(Self, BookingWarnings), IncompleteBooking> {
        let (status, unknown_status) = BookingStatus::from_12go(b.status.as_deref());
        let mut warnings = BookingWarnings {
            unknown_status,
            gross_price_used: false,
        };
        let total_price = match money(&b.netprice) {
            Some(m) => m,
            None => {
                warnings.gross_price_used = true;
                money(&b.price).ok_or(IncompleteBooking("netprice"))?
            }
        };
        let departure = b
            .dep_date_time
            .as_deref()
            .and_then(parse_lenient_datetime)
            .ok_or(IncompleteBooking("dep_date_time"))?;
        let created_at = b
            .created_on
            .and_then(rfc3339)
            .ok_or(IncompleteBooking("created_on"))?;
        let updated_at = b
            .stamp
            .filter(|s| *s > 0)
            .and_then(rfc3339)
            .unwrap_or_else(|| created_at.clone());
        let voucher_url = b
            .ticket_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty() && status == BookingStatus::Approved)
            .map(|u| resolve_url(u, view.twelvego_base));
        let booking = Self {
            id: view.id.to_string(),
            status,
            from_station: b.from_id.ok_or(IncompleteBooking("from_id"))?.to_string(),
            to_station: b.to_id.ok_or(IncompleteBooking("to_id"))?.to_string(),
            departure_time: departure.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            passenger_count: b.seats.unwrap_or(0),
            integration: "onetwogo",
            integration_booking_id: b.bid.clone(),
            operator_booking_id: b
                .tracker
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            voucher_url,
            created_at,
            updated_at,
            total_price,
        };
        Ok((booking, warnings))
    }
}

#[cfg(test)]
#[path = "booking_tests.rs"]
mod tests;
