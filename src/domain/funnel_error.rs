//! The booking funnel's failures (20 §4–§6, §12) with their client status and
//! code. Stored as-is in `incomplete_results` records, so they serialize.

use serde::{Deserialize, Serialize};

use super::booking_token::TokenError;
use super::checkout::{map_field_errors, ClassifiedForm};
use super::field_error::FieldError;
use super::upstream::{UpstreamClass, UpstreamError};

/// The 12go funnel calls (00 §1), for the per-call rules of 20 §12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Trip,
    Cart,
    Checkout,
    Reserve,
    Confirm,
    Booking,
}

impl Call {
    /// The metric/log name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trip => "trip",
            Self::Cart => "cart",
            Self::Checkout => "checkout",
            Self::Reserve => "reserve",
            Self::Confirm => "confirm",
            Self::Booking => "booking",
        }
    }
}

/// A funnel answer other than success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelError {
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<StoredField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `Location` header (409 `already_reserved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// [`FieldError`] in stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredField {
    pub field: String,
    pub message: String,
}

impl FunnelError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            location: None,
        }
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields
            .into_iter()
            .map(|f| StoredField {
                field: f.field,
                message: f.message,
            })
            .collect();
        self
    }

    pub fn field_errors(&self) -> Vec<FieldError> {
        self.fields
            .iter()
            .map(|f| FieldError::new(f.field.clone(), f.message.clone()))
            .collect()
    }

    pub fn invalid_body(message: &str) -> Self {
        Self::new(400, "invalid_body", message)
    }
    pub fn invalid_itinerary_id() -> Self {
        Self::new(400, "invalid_parameter", "Some parameters are invalid.").with_fields(vec![
            FieldError::new("itinerary_id", "Not a valid itinerary id."),
        ])
    }
    pub fn validation_failed(fields: Vec<FieldError>) -> Self {
        Self::new(422, "validation_failed", "Some booking data is invalid.").with_fields(fields)
    }
    pub fn cost_mismatch() -> Self {
        Self::new(
            422,
            "cost_mismatch",
            "total_price differs from the current price of this booking.",
        )
    }
    pub fn trip_unavailable() -> Self {
        Self::new(
            422,
            "trip_unavailable",
            "This trip can no longer be booked.",
        )
    }
    pub fn seats_unavailable(fields: Vec<FieldError>) -> Self {
        Self::new(422, "seats_unavailable", "Some seats are not available.").with_fields(fields)
    }
    pub fn seat_selection_not_supported() -> Self {
        Self::new(
            422,
            "seat_selection_not_supported",
            "This trip does not offer seat selection.",
        )
    }
    pub fn upstream_rejected() -> Self {
        Self::new(
            422,
            "upstream_rejected",
            "The travel platform rejected this request.",
        )
    }
    pub fn booking_cancelled() -> Self {
        Self::new(422, "booking_cancelled", "The booking is cancelled.")
    }
    pub fn already_reserved(bid: &str, location: String) -> Self {
        let mut e = Self::new(
            409,
            "already_reserved",
            format!("This booking token was already used for booking {bid}."),
        );
        e.location = Some(location);
        e
    }
    pub fn already_confirmed() -> Self {
        Self::new(
            409,
            "already_confirmed",
            "The booking is already confirmed.",
        )
    }
    pub fn booking_outcome_unknown() -> Self {
        Self::new(
            409,
            "booking_outcome_unknown",
            "A previous booking attempt with this token has an unknown outcome; check your bookings or start again from GetItinerary.",
        )
    }
    pub fn itinerary_not_found() -> Self {
        Self::new(404, "itinerary_not_found", "No such itinerary.")
    }
    pub fn booking_token_not_found() -> Self {
        Self::new(
            404,
            "booking_token_not_found",
            "The booking token has expired or is unknown; call GetItinerary again.",
        )
    }
    pub fn booking_not_found() -> Self {
        Self::new(404, "booking_not_found", "No such booking.")
    }
    pub fn incomplete_results_not_found() -> Self {
        Self::new(
            404,
            "incomplete_results_not_found",
            "No such pending result.",
        )
    }
    pub fn incomplete_results_expired() -> Self {
        Self::new(
            504,
            "incomplete_results_expired",
            "The pending result expired before it completed.",
        )
    }
    pub fn store_unavailable() -> Self {
        let mut e = Self::new(
            503,
            "store_unavailable",
            "State storage is unavailable; retry shortly.",
        );
        e.retry_after = Some(1);
        e
    }
    pub fn upstream_error() -> Self {
        Self::new(
            502,
            "upstream_error",
            "The travel platform failed to answer.",
        )
    }
    pub fn upstream_timeout() -> Self {
        Self::new(
            504,
            "upstream_timeout",
            "The travel platform did not answer in time.",
        )
    }
    pub fn booking_not_cancellable() -> Self {
        Self::new(
            422,
            "booking_not_cancellable",
            "This booking cannot be cancelled.",
        )
    }
    pub fn no_refund_option() -> Self {
        Self::new(
            422,
            "no_refund_option",
            "No refund option is available for this booking.",
        )
    }
    pub fn cancel_not_supported() -> Self {
        Self::new(
            422,
            "cancel_not_supported",
            "Cancellation is not enabled for this client.",
        )
    }
    pub fn cancel_in_progress() -> Self {
        Self::new(
            409,
            "cancel_in_progress",
            "Another cancellation of this booking is still running.",
        )
    }
    pub fn refund_failed() -> Self {
        Self::new(
            502,
            "refund_failed",
            "The travel platform declined the refund.",
        )
    }
    pub fn ticket_not_available() -> Self {
        Self::new(
            405,
            "ticket_not_available",
            "The ticket is available once the booking is approved.",
        )
    }
    pub fn internal() -> Self {
        Self::new(500, "internal_error", "Internal error.")
    }

    pub fn token(e: TokenError) -> Self {
        match e.status() {
            404 => Self::booking_token_not_found(),
            _ => Self::new(400, e.code(), "The booking token is invalid."),
        }
    }

    /// 00 §10, then 20 §12, for a failed `call`. `form` reverse-maps R field errors.
    pub fn upstream(call: Call, e: &UpstreamError, form: Option<&ClassifiedForm>) -> Self {
        let retry = |mut x: Self, s: u64| {
            x.retry_after = Some(s.max(1));
            x
        };
        match e.class() {
            UpstreamClass::Auth => Self::new(
                502,
                "upstream_auth_failed",
                "The travel platform rejected this client's credentials.",
            ),
            UpstreamClass::Throttled => {
                let s = match e {
                    UpstreamError::Status { retry_after, .. } => retry_after.unwrap_or(1),
                    _ => 1,
                };
                retry(
                    Self::new(429, "rate_limited", "Too many requests; retry later."),
                    s,
                )
            }
            UpstreamClass::BreakerOpen => {
                let s = match e {
                    UpstreamError::BreakerOpen { retry_after } => *retry_after,
                    _ => 1,
                };
                retry(
                    Self::new(
                        503,
                        "upstream_unavailable",
                        "The travel platform is unavailable; retry later.",
                    ),
                    s,
                )
            }
            UpstreamClass::Timeout => Self::upstream_timeout(),
            UpstreamClass::Failed => match e {
                // 403 on B/C: presumably another agent's booking (30 §6).
                UpstreamError::Status { status: 403, .. }
                    if matches!(call, Call::Booking | Call::Confirm) =>
                {
                    Self::booking_not_found()
                }
                UpstreamError::Status { status, .. } if (400..500).contains(status) => {
                    Self::upstream_rejected()
                }
                _ => Self::upstream_error(),
            },
            UpstreamClass::NotFound => match call {
                Call::Trip => Self::itinerary_not_found(),
                Call::Cart | Call::Checkout | Call::Reserve => Self::booking_token_not_found(),
                Call::Confirm | Call::Booking => Self::booking_not_found(),
            },
            UpstreamClass::Rejected => {
                let UpstreamError::Status {
                    status, rejection, ..
                } = e
                else {
                    return Self::upstream_rejected();
                };
                if !matches!(status, 400 | 422) {
                    return Self::upstream_rejected();
                }
                if rejection.trip_unavailable() {
                    return Self::trip_unavailable();
                }
                if call == Call::Checkout && rejection.has_reason("bad_trip_details") {
                    return Self::booking_token_not_found();
                }
                match call {
                    // A malformed bid (30 §6): the booking cannot be found.
                    Call::Booking => Self::booking_not_found(),
                    Call::Reserve if !rejection.fields.is_empty() => {
                        let keys: Vec<&str> = rejection.fields.iter().map(String::as_str).collect();
                        let empty = ClassifiedForm::default();
                        let form = form.unwrap_or(&empty);
                        Self::validation_failed(map_field_errors(form, keys))
                    }
                    Call::Trip | Call::Cart | Call::Checkout => Self::trip_unavailable(),
                    _ => Self::upstream_rejected(),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "funnel_error_tests.rs"]
mod tests;
