//! What can go wrong when calling 12go, independent of the HTTP client used.

use std::fmt;

/// A failed 12go call, as the outbound adapter classifies it. `Display` never
/// contains a URL, a key or a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamError {
    /// The call did not finish within its timeout (after the retries allowed).
    Timeout,
    /// Connection refused or reset, DNS or TLS failure (after the retries allowed).
    Connect,
    /// 12go answered with a non-2xx status.
    Status {
        status: u16,
        /// The body was exactly `{}` (with a 400 this means our key is wrong).
        empty_object_body: bool,
        /// `Retry-After` in seconds, when 12go sent one.
        retry_after: Option<u64>,
        /// What a 4xx body said (empty for other statuses or unparsable bodies).
        rejection: Rejection,
    },
    /// A 2xx whose body does not parse or lacks required fields.
    Decode,
    /// The answer exceeded the body size cap.
    TooLarge,
    /// A recheck URL that is not on the configured 12go host; nothing was sent.
    ForeignUrl,
    /// The circuit breaker is open; nothing was sent.
    BreakerOpen { retry_after: u64 },
}

/// The parts of a 12go error body the booking funnel maps (00 §12, 20 §12):
/// `{"fields":{key:msg},"messages":[…],"data":{"reasons":[{"reason_code":…}]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejection {
    /// The keys of `fields` (12go's messages are not passed on).
    pub fields: Vec<String>,
    pub messages: Vec<String>,
    pub reason_codes: Vec<String>,
}

impl Rejection {
    /// Reads an error body leniently; anything unexpected is just left out.
    pub fn parse(body: &[u8]) -> Self {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Self::default();
        };
        let fields = crate::domain::checkout::reserve::error_field_keys(&v);
        let messages = match v.get("messages") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(m)) => vec![m.clone()],
            _ => Vec::new(),
        };
        let reason_codes = v
            .pointer("/data/reasons")
            .and_then(|r| r.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("reason_code")?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            fields,
            messages,
            reason_codes,
        }
    }

    /// 12go's "Trip is no longer available" (case-insensitive).
    pub fn trip_unavailable(&self) -> bool {
        self.messages.iter().any(|m| {
            m.to_ascii_lowercase()
                .contains("trip is no longer available")
        })
    }

    pub fn has_reason(&self, code: &str) -> bool {
        self.reason_codes.iter().any(|c| c == code)
    }
}

/// How a call ended, in the vocabulary of the failure mapping (00 §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamClass {
    /// 404.
    NotFound,
    /// 401, or 400 with body `{}`: our 12go key is wrong or inactive.
    Auth,
    /// Any other 400 or 422.
    Rejected,
    /// 429.
    Throttled,
    Timeout,
    /// 5xx, bad body, connection failure, other statuses.
    Failed,
    BreakerOpen,
}

impl UpstreamError {
    pub fn class(&self) -> UpstreamClass {
        match self {
            Self::Timeout => UpstreamClass::Timeout,
            Self::BreakerOpen { .. } => UpstreamClass::BreakerOpen,
            Self::Connect | Self::Decode | Self::TooLarge | Self::ForeignUrl => {
                UpstreamClass::Failed
            }
            Self::Status {
                status,
                empty_object_body,
                ..
            } => match *status {
                401 => UpstreamClass::Auth,
                400 if *empty_object_body => UpstreamClass::Auth,
                400 | 422 => UpstreamClass::Rejected,
                404 => UpstreamClass::NotFound,
                429 => UpstreamClass::Throttled,
                _ => UpstreamClass::Failed,
            },
        }
    }

    /// The metric tag `error_type` (40 §7.3).
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Connect | Self::ForeignUrl | Self::BreakerOpen { .. } => "connect",
            Self::Decode | Self::TooLarge => "parse",
            Self::Status { .. } => match self.class() {
                UpstreamClass::Auth => "auth",
                UpstreamClass::Rejected | UpstreamClass::NotFound => "rejected",
                UpstreamClass::Throttled => "throttled",
                _ => "5xx",
            },
        }
    }

    /// Whether the GET rule (00 §12) allows another attempt.
    pub fn is_retryable_read(&self) -> bool {
        match self {
            Self::Timeout | Self::Connect => true,
            Self::Status { status, .. } => matches!(status, 502 | 504),
            _ => false,
        }
    }
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("12go call timed out"),
            Self::Connect => f.write_str("could not connect to 12go"),
            Self::Status { status, .. } => write!(f, "12go answered {status}"),
            Self::Decode => f.write_str("12go answer could not be parsed"),
            Self::TooLarge => f.write_str("12go answer exceeded the size cap"),
            Self::ForeignUrl => f.write_str("URL is not on the 12go host"),
            Self::BreakerOpen { .. } => f.write_str("12go circuit breaker is open"),
        }
    }
}

impl std::error::Error for UpstreamError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(status: u16, empty: bool) -> UpstreamError {
        UpstreamError::Status {
            status,
            empty_object_body: empty,
            retry_after: None,
            rejection: Rejection::default(),
        }
    }

    #[test]
    fn rejection_reads_fields_messages_and_reasons() {
        let r = Rejection::parse(br#"{"fields":{"passenger[1][id_no]":"Invalid","contact[email]":"x"},"messages":["Trip is no longer available"],"data":{"reasons":[{"reason_code":"bad_trip_details","reason_message":"m"}]}}"#);
        assert_eq!(r.fields, ["passenger[1][id_no]", "contact[email]"]);
        assert!(r.trip_unavailable());
        assert!(r.has_reason("bad_trip_details"));
        assert_eq!(Rejection::parse(b"not json"), Rejection::default());
        assert_eq!(Rejection::parse(b"{}"), Rejection::default());
    }

    #[test]
    fn classification_follows_the_failure_mapping() {
        assert_eq!(st(401, false).class(), UpstreamClass::Auth);
        assert_eq!(st(400, true).class(), UpstreamClass::Auth);
        assert_eq!(st(400, false).class(), UpstreamClass::Rejected);
        assert_eq!(st(422, false).class(), UpstreamClass::Rejected);
        assert_eq!(st(404, false).class(), UpstreamClass::NotFound);
        assert_eq!(st(429, false).class(), UpstreamClass::Throttled);
        assert_eq!(st(500, false).class(), UpstreamClass::Failed);
        assert_eq!(st(503, false).class(), UpstreamClass::Failed);
        assert_eq!(UpstreamError::Decode.class(), UpstreamClass::Failed);
        assert_eq!(UpstreamError::Timeout.class(), UpstreamClass::Timeout);
    }

    #[test]
    fn only_connection_errors_timeouts_502_and_504_are_retried() {
        assert!(UpstreamError::Timeout.is_retryable_read());
        assert!(UpstreamError::Connect.is_retryable_read());
        assert!(st(502, false).is_retryable_read());
        assert!(st(504, false).is_retryable_read());
        for s in [400, 401, 404, 429, 500, 503] {
            assert!(!st(s, false).is_retryable_read(), "{s}");
        }
        assert!(!UpstreamError::Decode.is_retryable_read());
    }
}
