//! `GET /openapi.json`: OpenAPI 3.1 generated from the handlers and types.

use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::adapters::http::json_bytes;

/// Search query parameters (repeated ones accept `x[]=`, `x%5B%5D=` and `x=`).
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// `YYYY-MM-DD` (a full ISO date-time is accepted; its date is kept); not before today (UTC).
    #[param(example = "2026-12-24")]
    departure_date: String,
    /// Validated (≥ departure_date) and ignored: 12go searches one direction.
    return_date: Option<String>,
    /// Passengers, 1–100.
    #[param(minimum = 1, maximum = 100)]
    pax: u8,
    /// Passenger ages, each 0–120; ignored.
    #[param(rename = "pax_ages[]")]
    pax_ages: Option<Vec<u8>>,
    /// Origin station ids (`^[A-Z0-9]{1,16}$`); exactly one of this and `departure_poi`.
    #[param(rename = "departures[]")]
    departures: Option<Vec<String>>,
    /// Destination station ids; exactly one of this and `arrival_poi`.
    #[param(rename = "arrivals[]")]
    arrivals: Option<Vec<String>>,
    /// Origin POI (12go province id).
    departure_poi: Option<String>,
    /// Destination POI (12go province id).
    arrival_poi: Option<String>,
    /// 3 uppercase letters; ignored (prices come in 12go's currency).
    currency: Option<String>,
    /// Ignored.
    locale: Option<String>,
    /// 0–1; ignored.
    confidence_score: Option<f64>,
    /// Ignored.
    cache_only: Option<bool>,
    /// Seconds (0–MAX_TIMEOUT) to keep re-polling partial routes before answering.
    timeout: Option<u32>,
}

/// Headers every client route accepts.
#[allow(dead_code)]
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct CommonHeaders {
    /// Your API key.
    #[param(rename = "x-api-key")]
    x_api_key: String,
    /// `YYYY-MM-DD`; absent = latest. Echoed in the answer; deprecated versions add `Deprecation`.
    #[param(rename = "Travelier-Version")]
    travelier_version: Option<String>,
    /// `^[A-Za-z0-9\-=]{1,100}$`; generated when absent; echoed.
    #[param(rename = "x-correlation-id")]
    x_correlation_id: Option<String>,
    /// Echoed.
    #[param(rename = "x-api-experiment")]
    x_api_experiment: Option<String>,
    /// Echoed.
    #[param(rename = "X-Request-Id")]
    x_request_id: Option<String>,
}

/// The master-data list kinds (the `{kind}` path segment; any other value is 404).
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ListKind {
    Stations,
    OperatingCarriers,
    Pois,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Travelier Connect API", description = "Search, book, ticket and cancel bus, train, ferry and flight trips."),
    paths(
        crate::adapters::http::routes::search::search,
        crate::adapters::http::routes::funnel::get_itinerary,
        crate::adapters::http::routes::funnel::lock_seats,
        crate::adapters::http::routes::funnel::create_booking,
        crate::adapters::http::routes::funnel::confirm_booking,
        crate::adapters::http::routes::funnel::incomplete_result,
        crate::adapters::http::routes::post_booking::booking_details,
        crate::adapters::http::routes::post_booking::ticket,
        crate::adapters::http::routes::post_booking::cancel,
        crate::adapters::http::routes::masterdata::link,
        crate::adapters::http::routes::masterdata::get_list,
        crate::adapters::http::routes::masterdata::snapshot,
        crate::adapters::http::routes::webhook::webhook,
        crate::adapters::http::routes::health::health,
        crate::adapters::http::routes::health::ready,
    ),
    components(schemas(crate::adapters::http::error::ErrorBody, crate::domain::field_error::FieldError, ListKind)),
    modifiers(&ApiKeyScheme, &PipelineResponses)
)]
pub struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "api_key",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
            );
        }
    }
}

/// Answers the request pipeline (00 §3) can give on any route, before or around the
/// handler, added to every operation that does not document them itself: the
/// in-flight cap everywhere; on client routes (`x-api-key`) also the correlation and
/// version headers, authentication and the per-client rate limit; on master-data
/// routes an unknown `{kind}`.
struct PipelineResponses;

const OVERLOADED: (&str, &str) = ("503", "overloaded (in-flight cap, `Retry-After: 1`)");
const CLIENT_ROUTE: [(&str, &str); 3] = [
    (
        "400",
        "invalid_parameter (`x-correlation-id`), invalid_version, unsupported_version",
    ),
    ("401", "unauthorized"),
    ("429", "rate_limited (`Retry-After`)"),
];
const UNKNOWN_KIND: (&str, &str) = ("404", "not_found: `{kind}` is not a list kind");

impl Modify for PipelineResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let master_data = path.contains("{kind}");
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                let client_route = op.security.as_ref().is_some_and(|s| !s.is_empty());
                add_missing(op, OVERLOADED);
                if client_route {
                    CLIENT_ROUTE.into_iter().for_each(|r| add_missing(op, r));
                }
                if master_data {
                    add_missing(op, UNKNOWN_KIND);
                }
            }
        }
    }
}

fn add_missing(op: &mut Operation, (status, description): (&str, &str)) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        });
}

/// The document as JSON, built once.
pub fn document() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .map(String::into_bytes)
            .unwrap_or_default()
    })
}

pub async fn openapi_json() -> HttpResponse {
    json_bytes(200, document().to_vec())
}
