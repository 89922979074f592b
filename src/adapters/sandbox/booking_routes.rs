//! The funnel over HTTP: `GET /trip/{key}/{dt}?seats=&k=`, `POST /cart/{key}/{dt}?seats=`,
//! `GET /checkout/{cart_id}`, `POST /reserve/{cart_id}` (flat JSON body),
//! `POST /confirm/{bid}`, `GET /booking/{bid}`, `GET /booking/{bid}/refund-options`,
//! `POST /booking/{bid}/refund` (`{"hash","refund_fxcode","refund_amount"}`). Only parsing and serializing here;
//! the logic is [`super::booking`]. Every route needs a non-empty `k` (else 401).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

use super::booking::FunnelError;
use super::Sandbox;
use crate::domain::twelvego::refund::Amount;
use crate::domain::twelvego::RefundRequest;
use crate::ports::twelvego::TripCall;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/trip/{key}/{dt}", web::get().to(trip))
        .route("/cart/{key}/{dt}", web::post().to(cart))
        .route("/checkout/{cart}", web::get().to(checkout))
        .route("/reserve/{cart}", web::post().to(reserve))
        .route("/confirm/{bid}", web::post().to(confirm))
        .route("/booking/{bid}", web::get().to(booking))
        .route(
            "/booking/{bid}/refund-options",
            web::get().to(refund_options),
        )
        .route("/booking/{bid}/refund", web::post().to(refund));
}

fn param(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn authorized(req: &HttpRequest) -> Result<(), FunnelError> {
    match param(req, "k") {
        Some(k) if !k.is_empty() => Ok(()),
        _ => Err(FunnelError::unauthorized()),
    }
}

fn invalid(field: &'static str, message: &str) -> FunnelError {
    super::inventory::SandboxError::invalid(field, message).into()
}

/// `YYYY-MM-DD-HH-mm-ss`.
pub fn parse_dt(raw: &str) -> Option<DateTime> {
    let parts: Vec<&str> = raw.split('-').collect();
    let widths = [4, 2, 2, 2, 2, 2];
    if parts.len() != 6 || parts.iter().zip(widths).any(|(p, w)| p.len() != w) {
        return None;
    }
    let n: Vec<i16> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let small = |i: usize| i8::try_from(n[i]).ok();
    DateTime::new(
        n[0],
        small(1)?,
        small(2)?,
        small(3)?,
        small(4)?,
        small(5)?,
        0,
    )
    .ok()
}

fn trip_call(req: &HttpRequest, (key, dt): &(String, String)) -> Result<TripCall, FunnelError> {
    authorized(req)?;
    let departure = parse_dt(dt).ok_or_else(|| invalid("date", "Invalid date"))?;
    let seats = match param(req, "seats") {
        None => 1,
        Some(raw) => raw
            .parse::<u8>()
            .map_err(|_| invalid("seats", "Seats must be between 1 and 100"))?,
    };
    Ok(TripCall {
        trip_key: key.clone(),
        departure,
        seats,
    })
}

/// Waits as the in-process port would, then answers.
async fn reply<T: Serialize>(sb: &Sandbox, r: Result<(T, Duration), FunnelError>) -> HttpResponse {
    let extra = r.as_ref().map_or(Duration::ZERO, |(_, d)| *d);
    sb.pause(extra).await;
    let (status, body) = match r {
        Ok((v, _)) => (StatusCode::OK, serde_json::to_vec(&v)),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            serde_json::to_vec(&e.body),
        ),
    };
    match body {
        Ok(b) => HttpResponse::build(status)
            .content_type("application/json")
            .body(b),
        Err(_) => HttpResponse::InternalServerError().json(serde_json::json!({})),
    }
}

fn now<T: Into<Value>>(r: Result<T, FunnelError>) -> Result<(Value, Duration), FunnelError> {
    r.map(|v| (v.into(), Duration::ZERO))
}

type Keyed = web::Path<(String, String)>;
type Id = web::Path<String>;

async fn trip(req: HttpRequest, path: Keyed, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = trip_call(&req, &path).and_then(|c| sb.funnel_trip(&c));
    let r = r.and_then(|a| serde_json::to_value(a).map_err(|_| FunnelError::internal()));
    reply(&sb, now(r)).await
}

async fn cart(req: HttpRequest, path: Keyed, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = trip_call(&req, &path).and_then(|c| sb.funnel_cart(&c));
    reply(&sb, now(r)).await
}

async fn checkout(req: HttpRequest, path: Id, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = authorized(&req).and_then(|()| sb.funnel_checkout(&path));
    reply(&sb, now(r)).await
}

async fn reserve(
    req: HttpRequest,
    path: Id,
    body: web::Bytes,
    sb: web::Data<Sandbox>,
) -> HttpResponse {
    let r = authorized(&req).and_then(|()| {
        let body: Map<String, Value> = serde_json::from_slice(&body)
            .map_err(|_| FunnelError::rejected("Invalid JSON body"))?;
        let r = sb.funnel_reserve(&path, &body)?;
        sb.assign_client(&r.0, &param(&req, "k").unwrap_or_default());
        Ok(r)
    });
    let r = r.map(|(bid, d)| (serde_json::json!({ "bid": bid }), d));
    reply(&sb, r).await
}

async fn confirm(req: HttpRequest, path: Id, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = authorized(&req).and_then(|()| sb.funnel_confirm(&path));
    reply(&sb, r).await
}

async fn booking(req: HttpRequest, path: Id, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = authorized(&req).and_then(|()| sb.funnel_booking(&path));
    reply(&sb, now(r)).await
}

async fn refund_options(req: HttpRequest, path: Id, sb: web::Data<Sandbox>) -> HttpResponse {
    let r = authorized(&req).and_then(|()| sb.funnel_refund_options(&path));
    reply(&sb, r.map(|o| (o, Duration::ZERO))).await
}

/// The F body; `refund_amount` keeps its JSON text.
#[derive(Deserialize)]
struct RefundBody {
    hash: String,
    refund_fxcode: String,
    refund_amount: Amount,
}

async fn refund(
    req: HttpRequest,
    path: Id,
    body: web::Bytes,
    sb: web::Data<Sandbox>,
) -> HttpResponse {
    let r = authorized(&req).and_then(|()| {
        let b: RefundBody = serde_json::from_slice(&body)
            .map_err(|_| FunnelError::rejected("Invalid refund request"))?;
        let req = RefundRequest {
            hash: b.hash,
            refund_fxcode: b.refund_fxcode,
            refund_amount: b.refund_amount,
        };
        sb.funnel_refund(&path, &req)
    });
    reply(&sb, r).await
}

#[cfg(test)]
#[path = "booking_routes_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "refund_routes_tests.rs"]
mod refund_tests;
