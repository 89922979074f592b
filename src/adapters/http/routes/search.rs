//! `GET /v1/{client_id}/itineraries`.

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

use crate::adapters::http::auth::Authed;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::adapters::http::search_json::search_result_json;
use crate::adapters::http::state::{Shared, Worker};
use crate::adapters::telemetry::events::{EventError, SearchCompleted, SearchFacts, SearchRequest};
use crate::app::search::SearchError;
use crate::domain::search_query::QueryParams;
use std::time::Instant;

/// Search itineraries for one or more routes on one date.
#[utoipa::path(
    get,
    path = "/v1/{client_id}/itineraries",
    tag = "search",
    params(
        ("client_id" = String, Path, description = "Your client id", pattern = "^[a-z0-9_-]{1,50}$"),
        crate::adapters::http::openapi::SearchParams,
        crate::adapters::http::openapi::CommonHeaders,
    ),
    responses(
        (status = 200, description = "Complete results", body = crate::domain::itinerary::SearchResult,
            headers(("x-correlation-id" = String), ("Travelier-Version" = String))),
        (status = 206, description = "Partial results: 12go is still completing its data or some routes failed; repeat in ~0.5 s for more", body = crate::domain::itinerary::SearchResult),
        (status = 400, description = "invalid_parameter, invalid_version, unsupported_version, search_rejected", body = crate::adapters::http::error::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::adapters::http::error::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error, upstream_auth_failed", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "upstream_unavailable, overloaded", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn search(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
    shared: Data<Shared>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let params =
        QueryParams::from_pairs(form_urlencoded::parse(req.query_string().as_bytes()).into_owned());
    let ctx = authed.call_context();
    let result = authed
        .within(async {
            worker
                .search
                .search_with_ids(&params, &ctx, authed.id_maps.as_deref())
                .await
                .map_err(to_api_error)
        })
        .await;
    let client_id = req.match_info().get("client_id").unwrap_or_default();
    let answer = result.map(|out| {
        // Sized for the answer (about 870 bytes an itinerary with its segment and
        // vehicle) so the buffer is not regrown and copied a dozen times.
        let capacity = 1024 + 1024 * out.result.itineraries.len();
        let body = search_result_json(&out.result, capacity);
        (out, body)
    });
    let metrics = &*shared.metrics;
    let event = SearchCompleted::wanted();
    let (status, ids, routes, error) = match &answer {
        Ok((out, _)) => {
            let ids: Vec<String> = match event {
                true => out
                    .result
                    .itineraries
                    .iter()
                    .map(|i| i.id.clone())
                    .collect(),
                false => Vec::new(),
            };
            if out.result.itineraries.is_empty() {
                metrics.count("search.empty_results", 1, &[("client_id", client_id)]);
            }
            if out.partial {
                metrics.count("search.partial", 1, &[("client_id", client_id)]);
            }
            for (kind, n) in out.misses.counts() {
                let tags = [("client_id", client_id), ("kind", kind.as_str())];
                metrics.count("idmap.miss", i64::from(n), &tags);
            }
            (if out.partial { 206 } else { 200 }, ids, out.routes, None)
        }
        Err(e) => {
            let error = EventError {
                code: e.code.to_string(),
                message: e.message.clone(),
            };
            (e.status.as_u16(), Vec::new(), 0, Some(error))
        }
    };
    if !event {
        let (_, body) = answer?;
        return Ok(json_bytes(status, body));
    }
    SearchCompleted::new(SearchFacts {
        correlation_id: &authed.ctx.correlation_id,
        client_id,
        api_key: req.headers().get("x-api-key").and_then(|v| v.to_str().ok()),
        request: SearchRequest {
            routes,
            departure_date: params.all("departure_date").next().map(str::to_owned),
            pax: params.all("pax").next().map(str::to_owned),
        },
        status,
        itinerary_ids: ids,
        total_ms: (started.elapsed().as_micros() as f64) / 1000.0,
        error,
    })
    .emit();
    let (_, body) = answer?;
    Ok(json_bytes(status, body))
}

fn to_api_error(e: SearchError) -> ApiError {
    match e {
        SearchError::Invalid(fields) => ApiError::invalid_parameter(fields),
        SearchError::Rejected => ApiError::new(
            400,
            "search_rejected",
            "The travel platform rejected this search.",
        ),
        SearchError::AuthFailed => ApiError::upstream_auth_failed(),
        SearchError::Timeout => ApiError::upstream_timeout(),
        SearchError::Throttled { retry_after } => ApiError::rate_limited(retry_after),
        SearchError::Unavailable { retry_after } => ApiError::upstream_unavailable(retry_after),
        SearchError::Failed => ApiError::upstream_error(),
    }
}
