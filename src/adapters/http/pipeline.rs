//! The request pipeline shared by every route (00 §3, §6): in-flight cap,
//! correlation id, echoed headers, the version header on every answer, the error
//! body with its correlation id, and one summary log line per request.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage, ResponseError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

use super::direct_route;
use super::error::ApiError;
use super::route_table::RouteTable;
use super::state::{InFlightGuard, InFlightLimit, Shared};
use super::telemetry;
use crate::domain::field_error::FieldError;
use crate::domain::version::ResolvedVersion;

pub const CORRELATION: &str = "x-correlation-id";
const ECHOED: [&str; 2] = ["x-api-experiment", "x-request-id"];

/// Per-request facts handlers need.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub correlation_id: String,
    pub deadline: Instant,
}

/// The matched route template, found once per request here (from the
/// [`RouteTable`] when the app has one; `match_pattern` runs actix's regex router
/// again, ~2.5 % of a small search's CPU).
pub struct RouteTemplate(pub Option<Arc<str>>);

/// A new correlation id: a random (v4) UUID from the thread's generator
/// (`Uuid::new_v4` asks the kernel for every one, a system call per request).
pub fn new_correlation_id() -> String {
    let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    let mut buf = uuid::Uuid::encode_buffer();
    id.hyphenated().encode_lower(&mut buf).to_owned()
}

/// `^[A-Za-z0-9\-=]{1,100}$`.
pub fn valid_correlation_id(v: &str) -> bool {
    (1..=100).contains(&v.len())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'=')
}

pub async fn pipeline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let Some(shared) = req.app_data::<Data<Shared>>().cloned() else {
        return Ok(req.into_response(ApiError::internal().error_response()));
    };
    let supplied = req
        .headers()
        .get(CORRELATION)
        .map(|v| v.to_str().map(str::to_owned));
    let (correlation_id, bad_correlation) = match supplied {
        Some(Ok(v)) if valid_correlation_id(&v) => (v, false),
        None => (new_correlation_id(), false),
        Some(_) => (new_correlation_id(), true),
    };
    let echoed: Vec<(HeaderName, HeaderValue)> = ECHOED
        .iter()
        .filter_map(|n| {
            req.headers()
                .get(*n)
                .map(|v| (HeaderName::from_static(n), v.clone()))
        })
        .collect();
    let route: Option<Arc<str>> = match req.app_data::<Data<RouteTable>>() {
        Some(table) => table.find(req.path()).cloned(),
        None => req.match_pattern().map(Arc::from),
    };
    let template = route.as_deref().unwrap_or("unmatched");
    let span = tracing::info_span!(
        "http.request",
        route = template,
        http.method = %req.method(),
        correlation_id = %correlation_id,
        client_id = tracing::field::Empty,
        resource.name = format!("{} {template}", req.method()),
        http.status_code = tracing::field::Empty,
    );
    telemetry::continue_request_trace(&span, req.headers());
    req.extensions_mut().insert(RequestCtx {
        correlation_id: correlation_id.clone(),
        deadline: started + shared.request_timeout,
    });
    req.extensions_mut().insert(RouteTemplate(route.clone()));
    let limit = req.app_data::<Data<InFlightLimit>>().cloned();
    let guard = match &limit {
        Some(l) => InFlightGuard::acquire(l).map(Some),
        None => Some(None),
    };
    let res = match guard {
        None => {
            shared.metrics.count("overload.rejected", 1, &[]);
            req.into_response(ApiError::overloaded().error_response())
        }
        Some(_guard) if bad_correlation && route.is_some() => req.into_response(
            ApiError::invalid_parameter(vec![FieldError::new(
                "header.x-correlation-id",
                "Must be 1 to 100 letters, digits, '-' or '='.",
            )])
            .error_response(),
        ),
        // Inner services answer errors as responses; an `Err` here (none of ours
        // produce one) is left to actix. The request must not be cloned before routing.
        Some(_guard) => {
            match direct_route::search_client_id(route.as_deref(), &req).map(str::to_owned) {
                Some(client_id) => {
                    direct_route::serve_search(req, client_id)
                        .instrument(span.clone())
                        .await
                }
                None => next
                    .call(req)
                    .instrument(span.clone())
                    .await?
                    .map_into_boxed_body(),
            }
        }
    };
    let res = finish(res, &correlation_id, &echoed, &shared);
    let status = res.status().as_u16();
    span.record("http.status_code", status);
    let client_id = res
        .request()
        .match_info()
        .get("client_id")
        .map(str::to_owned)
        .or_else(|| {
            res.request()
                .extensions()
                .get::<super::routes::webhook::WebhookClient>()
                .map(|c| c.0.clone())
        });
    if let Some(id) = &client_id {
        span.record("client_id", id.as_str());
    }
    if let Some(endpoint) = route.as_deref().and_then(telemetry::endpoint_name) {
        telemetry::request_metrics(
            &*shared.metrics,
            endpoint,
            client_id.as_deref(),
            status,
            started,
        );
    }
    span.in_scope(|| {
        tracing::info!(
            http_status = status,
            duration_ms = duration_ms(started.elapsed()),
            "request completed"
        )
    });
    Ok(res)
}

fn duration_ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

/// Renders an error body if the answer is an [`ApiError`] and adds the common headers.
fn finish(
    res: ServiceResponse<BoxBody>,
    correlation_id: &str,
    echoed: &[(HeaderName, HeaderValue)],
    shared: &Shared,
) -> ServiceResponse<BoxBody> {
    let api_error = res.response().extensions().get::<ApiError>().cloned();
    let version = res
        .request()
        .extensions()
        .get::<ResolvedVersion>()
        .cloned()
        .unwrap_or_else(|| shared.versions.latest());
    let mut res = match api_error {
        Some(e) => {
            let body = serde_json::to_vec(&e.body(correlation_id)).unwrap_or_default();
            res.map_body(|_, _| BoxBody::new(body))
        }
        None => res,
    };
    let headers: &mut HeaderMap = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(correlation_id) {
        headers.insert(HeaderName::from_static(CORRELATION), v);
    }
    if let Ok(v) = HeaderValue::from_str(&version.version) {
        headers.insert(HeaderName::from_static("travelier-version"), v);
    }
    if let Some(dep) = version
        .deprecated_on
        .as_deref()
        .and_then(|d| HeaderValue::from_str(d).ok())
    {
        headers.insert(HeaderName::from_static("deprecation"), dep);
    }
    for (name, value) in echoed {
        headers.insert(name.clone(), value.clone());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::{new_correlation_id, valid_correlation_id};

    #[test]
    fn new_correlation_ids_are_distinct_v4_uuids_that_pass_our_own_check() {
        let a = new_correlation_id();
        let b = new_correlation_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            let parsed = uuid::Uuid::parse_str(id).map(|u| (u.get_version_num(), u.get_variant()));
            assert_eq!(parsed.ok(), Some((4, uuid::Variant::RFC4122)), "{id}");
            assert_eq!(id.len(), 36);
            assert_eq!(id.to_ascii_lowercase(), *id);
            assert!(valid_correlation_id(id));
        }
    }
}
