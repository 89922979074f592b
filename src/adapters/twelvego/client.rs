//! One 12go exchange (GET or POST): the attempt loop, error classification and
//! its telemetry, shared by every call.

use actix_web::HttpMessage as _;
use awc::error::PayloadError;
use awc::http::header::{self, HeaderName, HeaderValue};
use awc::http::Method;
use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};
use std::time::{Duration, Instant};
use tracing::field::Empty;
use tracing::Instrument;
use url::Url;

use super::booking::{BOOKING, CART, CHECKOUT, CONFIRM, REFUND, REFUND_OPTIONS, RESERVE, TRIP};
use super::classify::{
    classify_answer, classify_payload_error, classify_send_error, log_failure, retry_after_secs,
    RawAnswer,
};
use super::masterdata::{OPERATORS, PROVINCES, STATIONS};
use super::redact::Redacted;
use super::{retry, AwcTwelveGo, SEARCH};
use crate::adapters::telemetry::propagation;
use crate::domain::upstream::UpstreamError;
use crate::ports::twelvego::CallContext;

const CORRELATION_HEADER: HeaderName = HeaderName::from_static("x-correlation-id");

/// How a call is sent, timed and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Policy {
    /// GET; `read_timeout` capped by the deadline, the GET retry rule.
    Read,
    /// GET; `recheck_timeout`, never retried; runs after the response, so the
    /// inbound deadline does not apply.
    Recheck,
    /// POST; exactly one attempt whatever happens, running to this timeout
    /// regardless of the inbound deadline (00 §12).
    Post(Duration),
}

impl Policy {
    fn method(self) -> Method {
        match self {
            Self::Read | Self::Recheck => Method::GET,
            Self::Post(_) => Method::POST,
        }
    }

    /// Whether the GET retry rule applies. Only reads: a POST is never sent twice.
    fn retries(self) -> bool {
        self == Self::Read
    }
}

/// One outbound request: where, under which route template, with which body.
pub(super) struct Outbound {
    pub url: Url,
    /// The route template (`/reserve/{cart_id}`): span resource and metric tag.
    pub endpoint: &'static str,
    pub policy: Policy,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub json: Option<Bytes>,
}

impl AwcTwelveGo {
    /// GETs `url` under `policy` and returns the body of a 2xx answer.
    pub(super) async fn get(
        &self,
        url: Url,
        endpoint: &'static str,
        ctx: &CallContext,
        policy: Policy,
    ) -> Result<Vec<u8>, UpstreamError> {
        debug_assert!(policy.method() == Method::GET);
        let out = Outbound {
            url,
            endpoint,
            policy,
            json: None,
        };
        self.exchange(&out, ctx).await
    }

    /// Sends `out` (retrying only as its policy allows) and returns the body of a
    /// 2xx answer, recording the span and the `upstream.*` metrics.
    pub(super) async fn exchange(
        &self,
        out: &Outbound,
        ctx: &CallContext,
    ) -> Result<Vec<u8>, UpstreamError> {
        let endpoint = out.endpoint;
        let span = tracing::info_span!(
            "12go.request",
            endpoint,
            resource.name = resource_name(out.policy, endpoint),
            http.status_code = Empty,
            retry = 0u32,
            upstream.error_type = Empty,
        );
        let started = Instant::now();
        let result = self.run(out, ctx).instrument(span.clone()).await;
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

    async fn run(&self, out: &Outbound, ctx: &CallContext) -> Result<Vec<u8>, UpstreamError> {
        let redacted = Redacted(out.url.as_str());
        let span = tracing::Span::current();
        let endpoint = metric_endpoint(out.endpoint);
        let mut attempt_no = 0u32;
        loop {
            let timeout = match out.policy {
                Policy::Read => {
                    retry::attempt_timeout(self.cfg.read_timeout, ctx.deadline, Instant::now())
                }
                Policy::Recheck => Some(self.cfg.recheck_timeout),
                Policy::Post(timeout) => Some(timeout),
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
            let outcome = self.attempt(out, timeout, ctx).await;
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
            if out.policy.retries() && attempt_no < self.cfg.retry_max && err.is_retryable_read() {
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
            if matches!(out.policy, Policy::Post(_))
                && matches!(err, UpstreamError::Timeout | UpstreamError::Connect)
            {
                tracing::warn!(
                    endpoint = out.endpoint,
                    error_type = err.error_type(),
                    "12go POST outcome unknown; not retried"
                );
            }
            log_failure(&err);
            return Err(err);
        }
    }

    /// Sends once and reads the whole body within `timeout`.
    async fn attempt(
        &self,
        out: &Outbound,
        timeout: Duration,
        ctx: &CallContext,
    ) -> Result<RawAnswer, UpstreamError> {
        let exchange = async {
            let mut req = self
                .http
                .request(out.policy.method(), out.url.as_str())
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
            let sent = match (&out.json, out.policy) {
                (Some(json), _) => {
                    req.insert_header((header::CONTENT_TYPE, "application/json"))
                        .send_body(json.clone())
                        .await
                }
                // An empty POST still says `Content-Length: 0`.
                (None, Policy::Post(_)) => req.send_body(Bytes::new()).await,
                (None, _) => req.send().await,
            };
            let mut res = sent.map_err(classify_send_error)?;
            let status = res.status().as_u16();
            let retry_after = retry_after_secs(res.headers());
            let body = read_body(&mut res, self.cfg.max_body_bytes, self.body_budget())
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

/// The whole body within `limit` bytes, with the errors of awc's `ClientResponse::body`
/// (`UnknownLength` for a bad `Content-Length`, `Overflow` past the limit), but read
/// into one `Vec` sized from `Content-Length` (awc's grows from empty, copying a
/// 230 KB search answer about ten times) that the caller owns, so a search answer
/// can borrow its strings from it.
///
/// The read first takes its estimated size from the worker's `budget` (all at once,
/// so two reads can never hold halves and wait on each other) and gives it back when
/// the body is complete; the caller parses it before it next yields, so at most the
/// budget of unparsed answers is held per worker, while later answers wait in
/// their sockets.
async fn read_body<S>(
    res: &mut awc::ClientResponse<S>,
    limit: usize,
    budget: (&tokio::sync::Semaphore, u32),
) -> Result<Vec<u8>, PayloadError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let length = match res.headers().get(header::CONTENT_LENGTH) {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .ok_or(PayloadError::UnknownLength)?,
        ),
        None => None,
    };
    if length.is_some_and(|len| len > limit) {
        return Err(PayloadError::Overflow);
    }
    let encoded = res.headers().contains_key(header::CONTENT_ENCODING);
    let _permit = budget
        .0
        .acquire_many(budget_share(length, encoded, budget.1))
        .await
        .map_err(|_| PayloadError::Io(std::io::Error::other("body budget closed")))?;
    let mut payload = res.take_payload();
    // Copied into a buffer of its own, sized from the length: a chunk is a slice of
    // the connection's read buffer, and turning it into a `Vec` in place would shift
    // it down with `memmove`, which musl does a word at a time (6 % of a large search).
    let hint = length.unwrap_or(0).min(limit);
    let mut buf = Vec::with_capacity(hint);
    while let Some(chunk) = payload.next().await.transpose()? {
        if buf.len() + chunk.len() > limit {
            return Err(PayloadError::Overflow);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// The share of a budget of `total` bytes that a body takes: its `Content-Length`;
/// eight times that when compressed (it is inflated as it is read); a quarter of
/// the budget when the length is unknown. Never more than the whole budget, so an
/// answer larger than the budget is read alone rather than refused.
fn budget_share(length: Option<usize>, encoded: bool, total: u32) -> u32 {
    let estimate = match length {
        Some(len) if encoded => len.saturating_mul(8),
        Some(len) => len,
        None => total as usize / 4,
    };
    u32::try_from(estimate)
        .unwrap_or(u32::MAX)
        .clamp(1, total.max(1))
}

/// The span resource: method and route template (`POST /reserve/{cart_id}`),
/// never a URL.
fn resource_name(policy: Policy, template: &str) -> String {
    format!("{} {template}", policy.method())
}

/// The stable metric name of a 12go route template (40 §7.3).
fn metric_endpoint(template: &str) -> &'static str {
    match template {
        SEARCH => "search",
        "/searchr" | "/searchpm" | "/recheckpa" | "/recheck/other" => "recheck",
        TRIP => "trip",
        CART => "cart",
        CHECKOUT => "checkout",
        RESERVE => "reserve",
        CONFIRM => "confirm",
        BOOKING => "booking",
        REFUND_OPTIONS => "refund_options",
        REFUND => "refund",
        STATIONS | OPERATORS | PROVINCES => "masterdata",
        _ => "other",
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_endpoints_are_explicit_per_route() {
        for (template, name) in [
            ("/search/{from}/{to}/{date}", "search"),
            ("/searchr", "recheck"),
            ("/searchpm", "recheck"),
            ("/recheckpa", "recheck"),
            ("/recheck/other", "recheck"),
            ("/recheck/elsewhere", "other"),
            ("/trip/{trip_key}/{dt}", "trip"),
            ("/cart/{trip_key}/{dt}", "cart"),
            ("/checkout/{cart_id}", "checkout"),
            ("/reserve/{cart_id}", "reserve"),
            ("/confirm/{bid}", "confirm"),
            ("/booking/{bid}", "booking"),
            ("/booking/{bid}/refund-options", "refund_options"),
            ("/booking/{bid}/refund", "refund"),
            ("/booking/{bid}/refunds", "other"),
            ("/stations", "masterdata"),
            ("/tourOperators", "masterdata"),
            ("/provinces", "masterdata"),
            ("/somewhere", "other"),
        ] {
            assert_eq!(metric_endpoint(template), name, "{template}");
        }
    }

    #[test]
    fn resource_names_are_method_and_template() {
        let post = Policy::Post(Duration::from_secs(60));
        assert_eq!(
            resource_name(post, "/reserve/{cart_id}"),
            "POST /reserve/{cart_id}"
        );
        assert_eq!(
            resource_name(Policy::Read, "/booking/{bid}"),
            "GET /booking/{bid}"
        );
        assert_eq!(resource_name(Policy::Recheck, "/searchr"), "GET /searchr");
        assert_eq!(
            resource_name(Policy::Read, REFUND_OPTIONS),
            "GET /booking/{bid}/refund-options"
        );
        assert_eq!(
            resource_name(Policy::Post(Duration::from_secs(15)), REFUND),
            "POST /booking/{bid}/refund"
        );
    }

    #[test]
    fn only_reads_are_retried_and_posts_are_posts() {
        assert!(Policy::Read.retries());
        assert!(!Policy::Recheck.retries());
        assert!(!Policy::Post(Duration::from_secs(1)).retries());
        assert_eq!(Policy::Read.method(), Method::GET);
        assert_eq!(Policy::Post(Duration::from_secs(1)).method(), Method::POST);
    }

    #[test]
    fn a_body_takes_its_estimated_share_of_the_budget_and_never_more_than_all_of_it() {
        let total = 1_048_576;
        assert_eq!(budget_share(Some(229_280), false, total), 229_280);
        assert_eq!(budget_share(Some(20_000), true, total), 160_000);
        assert_eq!(budget_share(None, false, total), 262_144);
        assert_eq!(budget_share(Some(5_000_000), false, total), total);
        assert_eq!(budget_share(Some(usize::MAX), true, total), total);
        assert_eq!(budget_share(Some(0), false, total), 1);
        assert_eq!(budget_share(Some(10), false, 0), 1);
    }
}
