//! The inbound 12go webhook (30 §7): `POST /v1/notifications/{integration}[/{rest}]`.
//! A service route: no `x-api-key`; the client comes from `?client_id=` or the
//! first segment after the integration, and authenticates with its webhook secrets.

use actix_web::web::{self, Data};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::adapters::http::error::ApiError;
use crate::adapters::http::pipeline::RequestCtx;
use crate::adapters::http::state::{Shared, Worker};
use crate::adapters::telemetry::events::{notification_received, NotificationReceived};
use crate::app::notifications::{authenticate, Inbound, Outcome};
use crate::app::rate_limit::ClientRateLimits;
use crate::domain::clients::{Client, IdMode};
use crate::domain::notification::InboundAuthHeaders;

/// Webhook bodies are capped at 64 KiB (40 §6).
pub const MAX_WEBHOOK_BODY: usize = 64 * 1024;

/// The authenticated webhook client, for the request metrics' `client_id` tag.
#[derive(Debug, Clone)]
pub struct WebhookClient(pub String);

/// What one call reports (metric and business event).
#[derive(Default)]
struct Report {
    client_id: Option<String>,
    bid: Option<String>,
    kind: Option<String>,
    authenticated: bool,
    ip_allowlisted: Option<bool>,
    outcome: &'static str,
    /// Why a call was not accepted, finer than `outcome` (auth failure,
    /// `rate_limited`, `unknown_client`, `too_large`, an error code).
    reason: Option<&'static str>,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `?client_id=`, else the first segment of `{rest}`.
fn client_id(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned())
        .or_else(|| {
            req.match_info()
                .get("rest")
                .and_then(|r| r.split('/').next())
                .map(str::to_owned)
        })
        .filter(|id| !id.is_empty())
}

/// The raw body, at most [`MAX_WEBHOOK_BODY`] bytes (else 413).
async fn read_body(req: &HttpRequest, mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let declared = header(req, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_WEBHOOK_BODY) {
        return Err(ApiError::payload_too_large());
    }
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::invalid_body("The body could not be read."))?;
        if buf.len() + chunk.len() > MAX_WEBHOOK_BODY {
            return Err(ApiError::payload_too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// 12go reports a booking change.
#[utoipa::path(
    post,
    path = "/v1/notifications/{integration}",
    tag = "notifications",
    description = "12go's booking webhook (30 §7). Authenticated per client with `X-Webhook-Timestamp` + `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, ts + \".\" + body)>` (preferred) or `X-Webhook-Key`; no `x-api-key`. Also served as `/v1/notifications/12go/{client_id}`.",
    params(
        ("integration" = String, Path, description = "`onetwogo` or `12go`"),
        ("client_id" = String, Query, description = "The registry client the webhook is for"),
        ("X-Webhook-Timestamp" = Option<String>, Header, description = "Unix seconds, within WEBHOOK_TOLERANCE_SECS of now"),
        ("X-Webhook-Signature" = Option<String>, Header, description = "`sha256=<hex>`"),
        ("X-Webhook-Key" = Option<String>, Header, description = "The client's shared webhook key"),
    ),
    request_body(content = String, content_type = "application/json", description = "`{\"bid\": 87654321, \"type\": \"booking_canceled\", \"stamp\": 1775390400, \"new_data\": {…}, \"previous_data\": {…}}`; at most 64 KiB"),
    responses(
        (status = 200, description = "Accepted (empty body): queued for the partner, or acknowledged and dropped"),
        (status = 400, description = "invalid_body: not JSON or no `bid`", body = crate::adapters::http::error::ErrorBody),
        (status = 401, description = "unauthorized: no valid signature or key, stale timestamp, or a source outside WEBHOOK_ALLOWED_CIDRS", body = crate::adapters::http::error::ErrorBody),
        (status = 404, description = "not_found: unknown integration or client", body = crate::adapters::http::error::ErrorBody),
        (status = 413, description = "payload_too_large", body = crate::adapters::http::error::ErrorBody),
        (status = 429, description = "rate_limited (50/s per client)", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error, upstream_auth_failed: the booking could not be re-read", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "store_unavailable (outbox full or unreachable), upstream_unavailable", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody)))]
pub async fn webhook(
    req: HttpRequest,
    payload: web::Payload,
    shared: Data<Shared>,
    limits: Data<ClientRateLimits>,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let ctx = req.extensions().get::<RequestCtx>().cloned();
    let correlation_id = ctx
        .as_ref()
        .map(|c| c.correlation_id.clone())
        .unwrap_or_default();
    let deadline = ctx
        .map(|c| c.deadline)
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(30));
    let mut report = Report {
        outcome: "error",
        ..Report::default()
    };
    let result = handle(
        &req,
        payload,
        &shared,
        &limits,
        &worker,
        &mut report,
        &correlation_id,
        deadline,
    )
    .await;
    let kind = report.kind.as_deref().unwrap_or("unknown");
    let client_tag = report.client_id.as_deref().unwrap_or("unknown");
    shared.metrics.count(
        "webhook.received",
        1,
        &[
            ("client_id", client_tag),
            ("type", kind),
            ("outcome", report.outcome),
        ],
    );
    if report.outcome != "accepted" {
        let reason = match (report.reason, &result) {
            (Some(r), _) => r,
            (None, Err(e)) if report.outcome == "error" => error_reason(&e.code),
            (None, _) => report.outcome,
        };
        shared.metrics.count(
            "notification.rejected",
            1,
            &[("client_id", client_tag), ("reason", reason)],
        );
    }
    notification_received(&NotificationReceived {
        correlation_id: &correlation_id,
        client_id: client_tag,
        twelvego_bid: report.bid.as_deref(),
        kind: report.kind.as_deref(),
        authenticated: report.authenticated,
        ip_allowlisted: report.ip_allowlisted,
        outcome: report.outcome,
        error: result
            .as_ref()
            .err()
            .map(|e| (&*e.code, e.message.as_str())),
        total_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    });
    result
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    req: &HttpRequest,
    payload: web::Payload,
    shared: &Shared,
    limits: &ClientRateLimits,
    worker: &Worker,
    report: &mut Report,
    correlation_id: &str,
    deadline: Instant,
) -> Result<HttpResponse, ApiError> {
    let integration = req.match_info().get("integration").unwrap_or_default();
    if !["onetwogo", "12go"]
        .iter()
        .any(|i| i.eq_ignore_ascii_case(integration))
    {
        return Err(ApiError::not_found());
    }
    let client: Arc<Client> =
        match client_id(req).and_then(|id| shared.authenticator.enabled_client(&id)) {
            Some(c) => c,
            None => {
                tracing::error!(
                "webhook for an unknown, disabled or missing client; check 12go's subscriber entry"
            );
                report.reason = Some("unknown_client");
                return Err(ApiError::not_found());
            }
        };
    let id = client.id.as_str().to_string();
    report.client_id = Some(id.clone());
    let body = read_body(req, payload).await.inspect_err(|e| {
        report.outcome = "bad_request";
        if e.status.as_u16() == 413 {
            report.reason = Some("too_large");
        }
    })?;
    let headers = InboundAuthHeaders {
        timestamp: header(req, "x-webhook-timestamp"),
        signature: header(req, "x-webhook-signature"),
        key: header(req, "x-webhook-key"),
    };
    let now = jiff::Timestamp::now();
    if let Err(reason) = authenticate(&client, &headers, &body, now, shared.webhook_tolerance) {
        tracing::warn!(client_id = %id, reason = reason.as_str(), "webhook authentication failed");
        shared
            .metrics
            .count("auth.failed", 1, &[("reason", reason.as_str())]);
        report.outcome = "unauthorized";
        report.reason = Some(reason.as_str());
        return Err(ApiError::unauthorized());
    }
    report.authenticated = true;
    if let Some(allowed) = &shared.webhook_sources {
        // The TCP peer: 12go's egress, or the ingress in front of us.
        let ok = req.peer_addr().is_some_and(|p| allowed.allows(p.ip()));
        report.ip_allowlisted = Some(ok);
        if !ok {
            tracing::warn!(client_id = %id, peer = ?req.peer_addr(), "webhook from a source outside WEBHOOK_ALLOWED_CIDRS");
            shared
                .metrics
                .count("auth.failed", 1, &[("reason", "source_not_allowed")]);
            report.outcome = "unauthorized";
            report.reason = Some("source_not_allowed");
            return Err(ApiError::unauthorized());
        }
    }
    req.extensions_mut().insert(WebhookClient(id.clone()));
    if let Err(wait) = limits.check_webhook(&id) {
        shared.metrics.count(
            "ratelimit.rejected",
            1,
            &[("client_id", &id), ("class", "webhook")],
        );
        report.reason = Some("rate_limited");
        return Err(ApiError::rate_limited(wait));
    }
    let inbound = Inbound {
        booking: &worker.booking,
        outbox: &*shared.outbox,
        metrics: &*shared.metrics,
        id_maps: (client.id_mode == IdMode::Mapped).then(|| shared.id_maps.current()),
        correlation_id: correlation_id.to_string(),
        deadline,
    };
    let processed = inbound.process(&client, &body, now).await;
    report.outcome = processed.outcome.tag();
    if let Some(e) = &processed.event {
        report.bid = Some(e.bid.clone());
        report.kind = Some(e.kind.clone());
    }
    match processed.outcome {
        Outcome::BadRequest(e) => Err(ApiError::invalid_body(match e {
            crate::domain::notification::WebhookBodyError::BadJson => "The body is not valid JSON.",
            _ => "The body has no valid `bid`.",
        })),
        Outcome::Failed(e) => Err(e.into()),
        Outcome::Accepted { duplicate: false } => {
            // Deliver now rather than at the worker's next poll.
            shared.outbox_wake.notify_one();
            Ok(HttpResponse::Ok().finish())
        }
        Outcome::Accepted { duplicate: true } | Outcome::Dropped | Outcome::NotOwned => {
            Ok(HttpResponse::Ok().finish())
        }
    }
}

/// A static metric tag for an error code (codes outside the list are `error`).
fn error_reason(code: &str) -> &'static str {
    const KNOWN: [&str; 6] = [
        "upstream_error",
        "upstream_timeout",
        "upstream_unavailable",
        "upstream_auth_failed",
        "store_unavailable",
        "internal_error",
    ];
    KNOWN.into_iter().find(|k| *k == code).unwrap_or("error")
}
