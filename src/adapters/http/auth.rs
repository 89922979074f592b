//! The `Authed` extractor: authentication (00 §4), then the version header (00 §5).

use actix_web::dev::Payload;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::ApiError;
use super::pipeline::{RequestCtx, RouteTemplate};
use super::state::Shared;
use crate::app::auth::AuthedClient;
use crate::app::rate_limit::ClientRateLimits;
use crate::domain::clients::IdMode;
use crate::domain::field_error::FieldError;
use crate::domain::idmap::IdMaps;
use crate::domain::rate_limit::RateClass;
use crate::domain::version::VersionError;
use crate::ports::twelvego::CallContext;

/// An authenticated client request.
pub struct Authed {
    pub client: AuthedClient,
    pub ctx: RequestCtx,
    /// `mapped` clients: the id maps of this request, taken once (10 §6).
    pub id_maps: Option<Arc<IdMaps>>,
}

impl Authed {
    /// Runs a handler body within the request deadline (`REQUEST_TIMEOUT_MS`);
    /// past it the answer is 504 `upstream_timeout`.
    pub async fn within<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        tokio::time::timeout_at(self.ctx.deadline.into(), fut)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!("request deadline reached; answering 504");
                Err(ApiError::upstream_timeout())
            })
    }

    /// The context for 12go calls made for this request.
    pub fn call_context(&self) -> CallContext {
        CallContext {
            key: self.client.twelvego_key.clone(),
            correlation_id: self.ctx.correlation_id.clone(),
            deadline: self.ctx.deadline,
        }
    }
}

impl FromRequest for Authed {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(extract(req))
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).map(|v| v.to_str().unwrap_or(""))
}

fn extract(req: &HttpRequest) -> Result<Authed, ApiError> {
    let shared = req
        .app_data::<Data<Shared>>()
        .ok_or_else(ApiError::internal)?;
    let ctx = req
        .extensions()
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_else(|| RequestCtx {
            correlation_id: super::pipeline::new_correlation_id(),
            deadline: Instant::now() + Duration::from_secs(30),
        });
    let client_id = req.match_info().get("client_id").unwrap_or("");
    let client = shared
        .authenticator
        .authenticate(client_id, header(req, "x-api-key"))
        .map_err(|e| {
            shared
                .metrics
                .count("auth.failed", 1, &[("reason", e.reason())]);
            ApiError::unauthorized()
        })?;
    let version = shared
        .versions
        .resolve(
            header(req, "travelier-version"),
            header(req, "x-travelier-version"),
        )
        .map_err(|e| match e {
            VersionError::Invalid => {
                ApiError::new(400, "invalid_version", "The version header is malformed.")
                    .with_fields(vec![FieldError::new(
                        "header.travelier-version",
                        "Must be a date YYYY-MM-DD; both headers must agree.",
                    )])
            }
            VersionError::Unsupported => ApiError::new(
                400,
                "unsupported_version",
                "This API version is not supported.",
            )
            .with_fields(vec![FieldError::new(
                "header.travelier-version",
                "Not a supported version.",
            )]),
        })?;
    req.extensions_mut().insert(version);
    rate_limit(req, shared, &client)?;
    let id_maps = (client.client.id_mode == IdMode::Mapped).then(|| shared.id_maps.current());
    Ok(Authed {
        client,
        ctx,
        id_maps,
    })
}

/// Step 6 of the pipeline (00 §3): the client's token bucket for this route's class.
fn rate_limit(req: &HttpRequest, shared: &Shared, client: &AuthedClient) -> Result<(), ApiError> {
    let class = match req.extensions().get::<RouteTemplate>() {
        Some(RouteTemplate(route)) => route.as_deref().and_then(RateClass::of_route),
        None => req.match_pattern().and_then(|p| RateClass::of_route(&p)),
    };
    let Some(class) = class else {
        return Ok(());
    };
    let Some(limits) = req.app_data::<Data<ClientRateLimits>>() else {
        return Ok(());
    };
    let id = client.client.id.as_str();
    limits
        .check(id, &client.client.rate_limit, class)
        .map_err(|retry_after| {
            shared.metrics.count(
                "ratelimit.rejected",
                1,
                &[("client_id", id), ("class", class.as_str())],
            );
            ApiError::rate_limited(retry_after)
        })
}
