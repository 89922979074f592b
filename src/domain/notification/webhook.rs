//! The inbound 12go webhook body (30 §7), parsed leniently: unknown fields are
//! ignored and only `bid` is required. The 64 KiB cap is the route's job.

use serde_json::Value;

/// `type` when 12go leaves it out.
pub const DEFAULT_TYPE: &str = "booking_updated";

/// What the service uses of a webhook call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The 12go booking id, as a decimal string (the form every other bid takes).
    pub bid: String,
    /// 12go's event type, lowercased; `booking_updated` when missing or unusable.
    pub kind: String,
    /// Event time, unix seconds; `None` when missing, unparsable or not positive.
    pub stamp: Option<i64>,
    /// `previous_data.status`, raw (mapped per 00 §13 when the envelope is built).
    pub previous_status: Option<String>,
}

/// Why a body is refused (→ 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebhookBodyError {
    #[error("the webhook body is not a JSON object")]
    BadJson,
    #[error("the webhook body has no `bid`")]
    MissingBid,
    #[error("the webhook `bid` is not a 12go booking id")]
    InvalidBid,
}

impl WebhookBodyError {
    /// Short label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadJson => "bad_json",
            Self::MissingBid => "missing_bid",
            Self::InvalidBid => "invalid_bid",
        }
    }
}

/// A positive int64, given as a JSON integer or a string of digits.
fn int64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        }
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// Integral floats such as `1775390400.0` also count (the format is unverified).
fn lenient_stamp(v: &Value) -> Option<i64> {
    int64(v).or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && f.fract() == 0.0 && *f > 0.0 && *f < 1e15)
            .map(|f| f as i64)
    })
}

/// The type goes into `notification_id` and a header, so only a plain token is
/// kept; anything else is treated as missing.
fn kind(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        })
        .unwrap_or_else(|| DEFAULT_TYPE.to_string())
}

/// Parses the raw body.
///
/// # Errors
/// [`WebhookBodyError`] for a body that is not a JSON object, lacks `bid`, or
/// whose `bid` is not a positive int64.
pub fn parse_webhook(body: &[u8]) -> Result<WebhookEvent, WebhookBodyError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| WebhookBodyError::BadJson)?;
    let Value::Object(obj) = value else {
        return Err(WebhookBodyError::BadJson);
    };
    let bid = match obj.get("bid") {
        None | Some(Value::Null) => return Err(WebhookBodyError::MissingBid),
        Some(v) => int64(v).ok_or(WebhookBodyError::InvalidBid)?,
    };
    let previous_status = obj
        .get("previous_data")
        .and_then(|p| p.get("status"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(WebhookEvent {
        bid: bid.to_string(),
        kind: kind(obj.get("type")),
        stamp: obj.get("stamp").and_then(lenient_stamp),
        previous_status,
    })
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
