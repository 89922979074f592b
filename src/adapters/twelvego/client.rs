//! One 12go GET: the attempt loop, error classification and its telemetry.

use awc::error::{ConnectError, PayloadError, SendRequestError};
use awc::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;
use std::time::{Duration, Instant};
use tracing::field::Empty;
use tracing::Instrument;
use url::Url;

use super::redact::redact_url;
use super::{retry, AwcTwelveGo};
use crate::adapters::telemetry::propagation;
use crate::domain::upstream::{Rejection, UpstreamError};
use crate::ports::twelvego::CallContext;

const CORRELATION_HEADER: HeaderName = HeaderName::from_static("x-correlation-id");
const LOG_BODY_MAX: usize = 2048;

/// How a GET is timed and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Policy {
    /// `read_timeout` capped by the deadline, the GET retry rule.
    Read,
    /// `recheck_timeout`, never retried; runs after the response, so the
    /// inbound deadline does not apply.
    Recheck,
}

/// A complete answer of any status.
struct RawAnswer {
    status: u16,
    retry_after: Option<u64>,
    body: Bytes,
}

impl AwcTwelveGo {
    /// GETs `url` under `policy` and returns the body of a 2xx answer.
    pub(super) async fn get(
        &self,
        url: Url,
        endpoint: &'static str,
        ctx: &CallContext,
        policy: Policy,
    ) -> Result<Bytes, UpstreamError> {
        let span = tracing::info_span!(
            "12go.request",
            endpoint,
            resource.name = format!("GET {endpoint}"),
            http.status_code = Empty,
            retry = 0u32,
            upstream.error_type = Empty,
        );
        let started = Instant::now();
        let result = self
            .run(&url, endpoint, ctx, policy)
            .instrument(span.clone())
            .await;
        let name = metric_endpoint(endpoint);
        self.metrics.histogram(
            "upstream.duration",
            ms(started.elapsed()),
            &[("endpoint", name)],
        );
        if let Err(err) = &result {
            span.record("upstream.error_type", err.error_type());
            self.metrics.count(
                "upstream.errors",
                1,
                &[("endpoint", name), ("error_type", err.error_type())],
            );
        }
        result
    }

    async fn run(
        &self,
        url: &Url,
        endpoint: &'static str,
        ctx: &CallContext,
        policy: Policy,
    ) -> Result<Bytes, UpstreamError> {
        let redacted = redact_url(url.as_str());
        let span = tracing::Span::current();
        let endpoint = metric_endpoint(endpoint);
        let mut attempt_no = 0u32;
        loop {
            let timeout = match policy {
                Policy::Read => {
                    retry::attempt_timeout(self.cfg.read_timeout, ctx.deadline, Instant::now())
                }
                Policy::Recheck => Some(self.cfg.recheck_timeout),
            };
            let Some(timeout) = timeout else {
                tracing::warn!(url = %redacted, "no time left before the deadline; 12go not called");
                return Err(UpstreamError::Timeout);
            };
            if attempt_no > 0 {
                span.record("retry", attempt_no);
                self.metrics
                    .count("upstream.retries", 1, &[("endpoint", endpoint)]);
            }
            let started = Instant::now();
            let outcome = self.attempt(url, timeout, ctx).await;
            let elapsed_ms = started.elapsed().as_millis();
            let err = match outcome {
                Ok(answer) => {
                    span.record("http.status_code", answer.status);
                    let status = answer.status.to_string();
                    self.metrics.count(
                        "upstream.count",
                        1,
                        &[("endpoint", endpoint), ("status_code", &status)],
                    );
                    tracing::debug!(url = %redacted, status = answer.status, elapsed_ms, "12go answered");
                    match classify_answer(answer) {
                        Ok(body) => return Ok(body),
                        Err(err) => err,
                    }
                }
                Err(err) => {
                    tracing::debug!(url = %redacted, error_type = err.error_type(), elapsed_ms, "12go call failed");
                    err
                }
            };
            if policy == Policy::Read && attempt_no < self.cfg.retry_max && err.is_retryable_read()
            {
                let backoff = retry::jittered(retry::base_backoff(attempt_no + 1));
                if retry::time_allows(Instant::now(), backoff, self.cfg.read_timeout, ctx.deadline)
                {
                    attempt_no += 1;
                    tracing::warn!(
                        error = %err,
                        retry = attempt_no,
                        backoff_ms = backoff.as_millis(),
                        "retrying 12go GET"
                    );
                    actix_rt::time::sleep(backoff).await;
                    continue;
                }
            }
            log_failure(&err);
            return Err(err);
        }
    }

    /// Sends once and reads the whole body within `timeout`.
    async fn attempt(
        &self,
        url: &Url,
        timeout: Duration,
        ctx: &CallContext,
    ) -> Result<RawAnswer, UpstreamError> {
        let exchange = async {
            let mut req = self
                .http
                .get(url.as_str())
                .insert_header((header::ACCEPT, "application/json"))
                .insert_header((header::ACCEPT_ENCODING, "gzip"))
                .insert_header((header::USER_AGENT, self.cfg.user_agent.as_str()));
            match HeaderValue::from_str(&ctx.correlation_id) {
                Ok(value) => req = req.insert_header((CORRELATION_HEADER, value)),
                Err(_) => tracing::debug!("correlation id is not a valid header value; not sent"),
            }
            // 12go runs Datadog APM: its spans join this trace (40 §7.1).
            for (name, value) in propagation::outbound_headers() {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::try_from(name.as_str()),
                    HeaderValue::from_str(&value),
                ) {
                    req = req.insert_header((n, v));
                }
            }
            let mut res = req.send().await.map_err(classify_send_error)?;
            let status = res.status().as_u16();
            let retry_after = retry_after_secs(res.headers());
            let body = res
                .body()
                .limit(self.cfg.max_body_bytes)
                .await
                .map_err(classify_payload_error)?;
            Ok(RawAnswer {
                status,
                retry_after,
                body,
            })
        };
        actix_rt::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(UpstreamError::Timeout))
    }
}

/// The stable metric name of a 12go route template (40 §7.3).
fn metric_endpoint(template: &str) -> &'static str {
    if template.starts_with("/search/") {
        "search"
    } else {
        "recheck"
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

/// 2xx → the body; anything else → `Status`, with the body logged at DEBUG.
fn classify_answer(answer: RawAnswer) -> Result<Bytes, UpstreamError> {
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
fn log_failure(err: &UpstreamError) {
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

fn classify_send_error(err: SendRequestError) -> UpstreamError {
    tracing::debug!(error = %err, "awc send error");
    match err {
        SendRequestError::Timeout | SendRequestError::Connect(ConnectError::Timeout) => {
            UpstreamError::Timeout
        }
        _ => UpstreamError::Connect,
    }
}

fn classify_payload_error(err: PayloadError) -> UpstreamError {
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
fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
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
