//! Booking-funnel routes (20): GetItinerary, SeatLock, CreateBooking,
//! ConfirmBooking and the `incomplete_results` poll. Each is served under `/v1`
//! and as an alias without it; `Location` headers keep the form the client used.

use actix_web::http::header;
use actix_web::web::{Data, Json};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::adapters::http::auth::Authed;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::adapters::http::state::Worker;
use crate::app::booking::create::CreateRequest;
use crate::app::booking::itinerary::ItineraryRequest;
use crate::app::booking::state::Outcome;
use crate::app::booking::{Answer, Caller};
use crate::domain::checkout::parse_booking_data;
use crate::domain::field_error::FieldError;
use crate::domain::funnel_error::FunnelError;
use crate::domain::money::{parse_decimal, Currency, Money};

/// Everything before `/{client_id}/` in the request path: `BASE_PATH` and `/v1`
/// when the client used them.
fn prefix(req: &HttpRequest, client_id: &str) -> String {
    let path = req.path();
    let needle = format!("/{client_id}/");
    path.find(&needle)
        .map(|i| path[..i].to_string())
        .unwrap_or_default()
}

pub(super) fn caller(authed: &Authed) -> Caller {
    Caller {
        client_id: authed.client.client.id.as_str().to_string(),
        ctx: authed.call_context(),
        id_maps: authed.id_maps.clone(),
    }
}

/// A `v{digits}` first segment is a version, never a client id (00 §2).
pub(super) fn reject_version_as_client(req: &HttpRequest) -> Result<(), ApiError> {
    let id = req.match_info().get("client_id").unwrap_or_default();
    let is_version =
        id.len() > 1 && id.starts_with('v') && id[1..].bytes().all(|b| b.is_ascii_digit());
    if is_version {
        return Err(ApiError::not_found());
    }
    Ok(())
}

/// `currency` must be 3 uppercase letters when given, then is ignored (00 §2).
pub(super) fn check_currency(req: &HttpRequest) -> Result<(), ApiError> {
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k == "currency" && !(v.len() == 3 && v.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(ApiError::invalid_parameter(vec![FieldError::new(
                "currency",
                "Must be 3 uppercase letters.",
            )]));
        }
    }
    Ok(())
}

/// A final outcome: 200 with its body, or the error.
pub(super) fn render_outcome(outcome: Outcome) -> Result<HttpResponse, ApiError> {
    match outcome {
        Outcome::Booking(body) => {
            let bytes = serde_json::to_vec(&body).map_err(|_| ApiError::internal())?;
            Ok(json_bytes(200, bytes))
        }
        Outcome::Error(e) => Err(e.into()),
    }
}

fn render(req: &HttpRequest, client_id: &str, answer: Answer) -> Result<HttpResponse, ApiError> {
    match answer {
        Answer::Done(outcome) => render_outcome(outcome),
        Answer::Accepted(id) => Ok(HttpResponse::Accepted()
            .insert_header((
                header::LOCATION,
                format!(
                    "{}/{client_id}/incomplete_results/{id}",
                    prefix(req, client_id)
                ),
            ))
            .insert_header((header::RETRY_AFTER, "2"))
            .finish()),
    }
}

fn pax(req: &HttpRequest) -> Result<Option<u8>, ApiError> {
    let bad = || {
        ApiError::invalid_parameter(vec![FieldError::new(
            "pax",
            "Must be an integer from 1 to 100.",
        )])
    };
    match form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "pax") {
        None => Ok(None),
        Some((_, v)) => v
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .map(Some)
            .ok_or_else(bad),
    }
}

/// Get one itinerary with its booking schema and a booking token.
#[utoipa::path(
    get,
    path = "/v1/{client_id}/itineraries/{itinerary_id}",
    tag = "booking",
    params(
        ("client_id" = String, Path, description = "Your client id"),
        ("itinerary_id" = String, Path, description = "From search: `{trip_key}-{YYYY-MM-DD}-{HH:mm}-{seats}`; the short form without seats takes `pax`"),
        ("pax" = Option<u8>, Query, description = "Seat count for the short id form (default 1)"),
        crate::adapters::http::openapi::CommonHeaders,
    ),
    responses(
        (status = 200, description = "`{itineraries:[1], segments, vehicles}`; the itinerary carries `booking_token`, `booking_schema` (JSON Schema) and `extras`"),
        (status = 400, description = "invalid_parameter", body = crate::adapters::http::error::ErrorBody),
        (status = 404, description = "itinerary_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 422, description = "trip_unavailable", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error, upstream_auth_failed", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "upstream_unavailable", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_itinerary(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    check_currency(&req)?;
    let caller = caller(&authed);
    let request = ItineraryRequest {
        itinerary_id: req
            .match_info()
            .get("itinerary_id")
            .unwrap_or_default()
            .to_string(),
        pax: pax(&req)?,
    };
    let body = authed
        .within(async {
            worker
                .booking
                .get_itinerary(&caller, &request)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    let bytes = serde_json::to_vec(&body).map_err(|_| ApiError::internal())?;
    Ok(json_bytes(200, bytes))
}

fn member<'a>(body: &'a Value, name: &str) -> Result<&'a Value, ApiError> {
    body.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ApiError::invalid_body(format!("`{name}` is required.")))
}

/// `booking_data`, which must be a JSON object.
fn booking_data_of(body: &Value) -> Result<&Value, ApiError> {
    let data = member(body, "booking_data")?;
    if !data.is_object() {
        return Err(ApiError::invalid_body("`booking_data` must be an object."));
    }
    Ok(data)
}

fn token_of(body: &Value) -> Result<String, ApiError> {
    member(body, "booking_token")?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ApiError::invalid_body("`booking_token` must be a string."))
}

/// Lock seats for a booking token (validated against the current seat map).
#[utoipa::path(
    post,
    path = "/v1/{client_id}/bookings/lock_seats",
    tag = "booking",
    params(("client_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    request_body(description = "`{booking_token, booking_data:{seat_selection:[…]}}`; also served at `/v1/{client_id}/seats`", content_type = "application/json"),
    responses(
        (status = 200, description = "`{passenger_count, status:\"reserved\", total_price}`"),
        (status = 400, description = "invalid_body, invalid_booking_token", body = crate::adapters::http::error::ErrorBody),
        (status = 404, description = "booking_token_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 422, description = "validation_failed, seat_selection_not_supported, seats_unavailable", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn lock_seats(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
    body: Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let token = token_of(&body)?;
    let data = booking_data_of(&body)?;
    let seats: Vec<String> = match data.get("seat_selection") {
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        _ => {
            return Err(FunnelError::validation_failed(vec![FieldError::new(
                "booking_data.seat_selection",
                "Must be an array of seat ids.",
            )])
            .into())
        }
    };
    let caller = caller(&authed);
    let locked = authed
        .within(async {
            worker
                .booking
                .lock_seats(&caller, &token, &seats)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    let bytes = serde_json::to_vec(&locked).map_err(|_| ApiError::internal())?;
    Ok(json_bytes(200, bytes))
}

fn total_price(body: &Value) -> Result<Option<Money>, ApiError> {
    let Some(v) = body.get("total_price").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let amount = v
        .get("amount")
        .and_then(Value::as_str)
        .and_then(parse_decimal);
    let currency = v
        .get("currency")
        .and_then(Value::as_str)
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()));
    match (amount, currency) {
        (Some(a), Some(c)) if a >= rust_decimal::Decimal::ZERO => {
            Ok(Some(Money::new(a, Currency::new(c))))
        }
        _ => Err(FunnelError::validation_failed(vec![FieldError::new(
            "total_price",
            "Must be {\"amount\": decimal string, \"currency\": 3-letter code}.",
        )])
        .into()),
    }
}

/// Reserve a booking (idempotent per booking token).
#[utoipa::path(
    post,
    path = "/v1/{client_id}/bookings",
    tag = "booking",
    params(("client_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    request_body(description = "`{booking_token, booking_data, total_price?}`; `booking_data` follows the itinerary's `booking_schema`", content_type = "application/json"),
    responses(
        (status = 200, description = "The Booking, status `reserved`", body = crate::domain::booking::Booking),
        (status = 202, description = "Still running: poll `Location` (`…/incomplete_results/{id}`) after `Retry-After` seconds"),
        (status = 400, description = "invalid_body, invalid_booking_token", body = crate::adapters::http::error::ErrorBody),
        (status = 404, description = "booking_token_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 409, description = "already_reserved (with `Location`), booking_outcome_unknown", body = crate::adapters::http::error::ErrorBody),
        (status = 422, description = "validation_failed, cost_mismatch, trip_unavailable, upstream_rejected", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error, upstream_auth_failed", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "upstream_unavailable, store_unavailable", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create_booking(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
    body: Json<Value>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let token = token_of(&body)?;
    let data = booking_data_of(&body)?;
    let total = total_price(&body);
    let parsed = parse_booking_data(data);
    let (booking_data, total_price) = match (parsed, total) {
        (Ok(d), Ok(t)) => (d, t),
        (parsed, total) => {
            let mut fields = parsed.err().unwrap_or_default();
            if let Err(e) = &total {
                fields.extend(e.fields.clone());
            }
            return Err(FunnelError::validation_failed(fields).into());
        }
    };
    let caller = caller(&authed);
    let request = CreateRequest {
        booking_token: token,
        booking_data,
        total_price,
        prefix: prefix(&req, &caller.client_id),
    };
    let answer = worker.booking.create_booking(&caller, request).await;
    render(&req, &caller.client_id, answer)
}

/// Confirm a reserved booking.
#[utoipa::path(
    post,
    path = "/v1/{client_id}/bookings/{booking_id}/confirm",
    tag = "booking",
    params(("client_id" = String, Path), ("booking_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "The Booking, status `approved` or `pending`", body = crate::domain::booking::Booking),
        (status = 202, description = "Still running: poll `Location`"),
        (status = 404, description = "booking_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 409, description = "already_confirmed", body = crate::adapters::http::error::ErrorBody),
        (status = 422, description = "booking_cancelled, upstream_rejected", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn confirm_booking(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let caller = caller(&authed);
    let booking_id = req
        .match_info()
        .get("booking_id")
        .unwrap_or_default()
        .to_string();
    let answer = worker.booking.confirm_booking(&caller, &booking_id).await;
    render(&req, &caller.client_id, answer)
}

/// Poll the outcome of a CreateBooking or ConfirmBooking that answered 202.
#[utoipa::path(
    get,
    path = "/v1/{client_id}/incomplete_results/{incomplete_results_id}",
    tag = "booking",
    params(("client_id" = String, Path), ("incomplete_results_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "Done: the Booking", body = crate::domain::booking::Booking),
        (status = 202, description = "Still running; poll again after `Retry-After`"),
        (status = 404, description = "incomplete_results_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "incomplete_results_expired", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn incomplete_result(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let caller = caller(&authed);
    let id = req
        .match_info()
        .get("incomplete_results_id")
        .unwrap_or_default();
    let answer = worker
        .booking
        .incomplete_result(&caller.client_id, id)
        .await;
    render(&req, &caller.client_id, answer)
}
