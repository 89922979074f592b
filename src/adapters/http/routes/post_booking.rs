//! After the sale (30 §3–§5): booking details, ticket and cancel, each under
//! `/v1` and as an alias without it. Responses echo the booking id as sent.

use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

use super::funnel::{caller, reject_version_as_client, render_outcome};
use crate::adapters::http::auth::Authed;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::adapters::http::state::Worker;
use crate::app::booking::details::Ticket;

fn booking_id(req: &HttpRequest) -> String {
    req.match_info()
        .get("booking_id")
        .unwrap_or_default()
        .to_string()
}

/// Booking details, always live from 12go.
#[utoipa::path(
    get,
    path = "/v1/{client_id}/bookings/{booking_id}",
    tag = "post-booking",
    params(("client_id" = String, Path), ("booking_id" = String, Path, description = "A 12go booking id, or an id from the previous platform"), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "The Booking", body = crate::domain::booking::Booking),
        (status = 404, description = "booking_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "upstream_error, upstream_auth_failed", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn booking_details(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let caller = caller(&authed);
    let id = booking_id(&req);
    let booking = authed
        .within(async {
            worker
                .booking
                .booking_details(&caller, &id)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    let bytes = serde_json::to_vec(&booking).map_err(|_| ApiError::internal())?;
    Ok(json_bytes(200, bytes))
}

/// The ticket URL of an approved booking.
#[utoipa::path(
    get,
    path = "/v1/{client_id}/bookings/{booking_id}/ticket",
    tag = "post-booking",
    params(("client_id" = String, Path), ("booking_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "`{ticket_url}`", body = crate::app::booking::details::TicketUrl),
        (status = 202, description = "Approved, ticket not ready yet; retry after `Retry-After` (30 s)"),
        (status = 404, description = "booking_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 405, description = "ticket_not_available: the booking is not approved", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn ticket(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let caller = caller(&authed);
    let id = booking_id(&req);
    let ticket = authed
        .within(async {
            worker
                .booking
                .ticket(&caller, &id)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    match ticket {
        Ticket::Ready(url) => {
            let bytes = serde_json::to_vec(&url).map_err(|_| ApiError::internal())?;
            Ok(json_bytes(200, bytes))
        }
        Ticket::NotReady => Ok(HttpResponse::Accepted()
            .insert_header((header::RETRY_AFTER, "30"))
            .finish()),
    }
}

/// Cancel a booking; 12go decides the refund.
#[utoipa::path(
    post,
    path = "/v1/{client_id}/bookings/{booking_id}/cancel",
    tag = "post-booking",
    params(("client_id" = String, Path), ("booking_id" = String, Path), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "`{booking_id, booking_status: \"cancelled\", refund}`", body = crate::app::booking::cancel::Cancelled),
        (status = 404, description = "booking_not_found", body = crate::adapters::http::error::ErrorBody),
        (status = 409, description = "cancel_in_progress", body = crate::adapters::http::error::ErrorBody),
        (status = 422, description = "cancel_not_supported, booking_not_cancellable, no_refund_option", body = crate::adapters::http::error::ErrorBody),
        (status = 502, description = "refund_failed, upstream_error", body = crate::adapters::http::error::ErrorBody),
        (status = 504, description = "upstream_timeout", body = crate::adapters::http::error::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn cancel(
    req: HttpRequest,
    authed: Authed,
    worker: Data<Worker>,
) -> Result<HttpResponse, ApiError> {
    reject_version_as_client(&req)?;
    let caller = caller(&authed);
    let id = booking_id(&req);
    let enabled = authed.client.client.cancel_enabled;
    let outcome = worker.booking.cancel(&caller, &id, enabled).await;
    render_outcome(outcome)
}
