//! Classifying a 12go exchange: statuses, awc errors, and what gets logged.

use awc::error::{ConnectError, PayloadError, SendRequestError};
use awc::http::header::{self, HeaderMap};

use crate::domain::upstream::{Rejection, UpstreamError};

const LOG_BODY_MAX: usize = 2048;

/// A complete answer of any status.
pub(super) struct RawAnswer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: Vec<u8>,
}

/// 2xx → the body; anything else → `Status`, with the body logged at DEBUG.
pub(super) fn classify_answer(answer: RawAnswer) -> Result<Vec<u8>, UpstreamError> {
    if (200..300).contains(&answer.status) {
        return Ok(answer.body);
    }
    let snippet = body_snippet(&answer.body);
    tracing::debug!(status = answer.status, body = %snippet, "12go error body");
    let err = UpstreamError::Status {
        status: answer.status,
        empty_object_body: answer.body.trim_ascii() == b"{}",
        retry_after: answer.retry_after,
        rejection: if (400..500).contains(&answer.status) {
            Rejection::parse(&answer.body)
        } else {
            Rejection::default()
        },
    };
    // 4xx are final: log the (truncated) reason here; auth is logged as ERROR later.
    if (400..500).contains(&answer.status) && answer.status != 404 && err.error_type() != "auth" {
        tracing::warn!(status = answer.status, body = %snippet, "12go rejected the request");
    }
    Err(err)
}

/// The final log line of a failed call (retries were logged as they happened).
pub(super) fn log_failure(err: &UpstreamError) {
    match (err.error_type(), err) {
        ("auth", _) => tracing::error!(error = %err, "12go refused our key"),
        (_, UpstreamError::Status { status: 404, .. }) => {
            tracing::debug!("12go answered 404");
        }
        // Other 4xx were logged with their body in `classify_answer`.
        (_, UpstreamError::Status { status, .. }) if *status < 500 => {}
        _ => tracing::warn!(error = %err, error_type = err.error_type(), "12go call failed"),
    }
}

pub(super) fn classify_send_error(err: SendRequestError) -> UpstreamError {
    tracing::debug!(error = %err, "awc send error");
    match err {
        SendRequestError::Timeout | SendRequestError::Connect(ConnectError::Timeout) => {
            UpstreamError::Timeout
        }
        _ => UpstreamError::Connect,
    }
}

pub(super) fn classify_payload_error(err: PayloadError) -> UpstreamError {
    match err {
        PayloadError::Overflow => UpstreamError::TooLarge,
        PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => UpstreamError::Timeout,
        other => {
            tracing::debug!(error = %other, "awc body error");
            UpstreamError::Connect
        }
    }
}

/// `Retry-After` in whole seconds (the HTTP-date form is ignored).
pub(super) fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// At most `LOG_BODY_MAX` bytes of the body, cut on a character boundary.
fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= LOG_BODY_MAX {
        return text.into_owned();
    }
    let mut end = LOG_BODY_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use awc::http::header::HeaderValue;

    #[test]
    fn body_snippet_is_capped_on_a_char_boundary() {
        assert_eq!(body_snippet(b"{}"), "{}");
        let long = "é".repeat(3000);
        let s = body_snippet(long.as_bytes());
        assert!(s.len() <= LOG_BODY_MAX + '…'.len_utf8());
        assert!(s.ends_with('…'));
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after_secs(&h), None);
        h.insert(header::RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after_secs(&h), Some(7));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after_secs(&h), None);
    }
}
