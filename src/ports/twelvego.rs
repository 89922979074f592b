//! The 12go HTTP API, as the use cases see it.

use async_trait::async_trait;
use jiff::civil::{Date, DateTime};
use serde_json::{Map, Value};
use std::time::Instant;

use crate::domain::checkout::CheckoutForm;
use crate::domain::ids::Place;
use crate::domain::secret::Secret;
use crate::domain::twelvego::{
    BookingAnswer, RefundAnswer, RefundOptions, RefundRequest, SearchBody,
};
use crate::domain::upstream::UpstreamError;

/// Per-call context: whose key, which request, and by when it must be over.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The requesting client's 12go key (sent only as `k=`).
    pub key: Secret,
    /// Sent as the `x-correlation-id` header.
    pub correlation_id: String,
    /// The inbound request deadline: a read's timeout is never longer than the
    /// time left, and a retry is only made while enough time is left.
    pub deadline: Instant,
}

/// One U1 search: `/search/{from}/{to}/{date}?seats={seats}&direct=true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCall {
    pub from: Place,
    pub to: Place,
    pub date: Date,
    pub seats: u8,
}

/// The 12go API.
#[cfg_attr(test, mockall::automock)]
#[async_trait(?Send)]
pub trait TwelveGo {
    /// U1 search for one route.
    ///
    /// # Errors
    /// Every non-2xx status is `UpstreamError::Status` (404 included: the caller
    /// decides it means "no trips"); a 2xx body that does not parse is
    /// `UpstreamError::Decode`; `Timeout` and `Connect` only after the retries the
    /// GET rule allows within `ctx.deadline`; `TooLarge` over the body cap.
    async fn search(
        &self,
        call: &SearchCall,
        ctx: &CallContext,
    ) -> Result<SearchBody, UpstreamError>;

    /// U2: GET a recheck URL exactly as 12go returned it, never retried. With
    /// `key_override` the URL's `k` parameter is set to that key first.
    ///
    /// # Errors
    /// `UpstreamError::ForeignUrl` (nothing sent) when the URL is not on the
    /// configured 12go host; otherwise as for [`TwelveGo::search`], with the body ignored.
    async fn recheck(
        &self,
        url: &str,
        key_override: Option<Secret>,
        ctx: &CallContext,
    ) -> Result<(), UpstreamError>;
}

/// T and A: one trip at its local departure, for `seats` passengers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripCall {
    /// The opaque 12go trip key (URL-safe: `[A-Za-z0-9_-]`).
    pub trip_key: String,
    /// Local departure; sent as `YYYY-MM-DD-HH-mm-ss` with seconds `00`.
    pub departure: DateTime,
    pub seats: u8,
}

/// The booking calls (00 §1: T, A, S, R, C, B, O, F). Errors are classified as
/// for [`TwelveGo::search`]; 4xx answers carry their parsed body in
/// `UpstreamError::Status::rejection`.
///
/// GETs (T, S, B) follow the GET retry rule within `ctx.deadline`. The POSTs (A,
/// R, C) are sent **at most once** whatever happens, and once sent run to their
/// own timeout (10 s for A, 60 s for R and C) regardless of `ctx.deadline`.
#[cfg_attr(test, mockall::automock)]
#[async_trait(?Send)]
pub trait TwelveGoBooking {
    /// T: `GET /trip/{trip_key}/{dt}?seats={n}`. The answer has the search shape.
    async fn trip(&self, call: &TripCall, ctx: &CallContext) -> Result<SearchBody, UpstreamError>;

    /// A: `POST /cart/{trip_key}/{dt}?seats={n}` (no body) → the cart id.
    async fn add_to_cart(
        &self,
        call: &TripCall,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError>;

    /// S: `GET /checkout/{cart_id}?people=1` → the flat checkout form.
    async fn checkout(
        &self,
        cart_id: &str,
        ctx: &CallContext,
    ) -> Result<CheckoutForm, UpstreamError>;

    /// R: `POST /reserve/{cart_id}` with the flat reserve body → the bid.
    async fn reserve(
        &self,
        cart_id: &str,
        body: &Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError>;

    /// C: `POST /confirm/{bid}` (empty body).
    async fn confirm(&self, bid: &str, ctx: &CallContext) -> Result<(), UpstreamError>;

    /// B: `GET /booking/{bid}`.
    async fn booking(&self, bid: &str, ctx: &CallContext) -> Result<BookingAnswer, UpstreamError>;

    /// O: `GET /booking/{bid}/refund-options`.
    async fn refund_options(
        &self,
        bid: &str,
        ctx: &CallContext,
    ) -> Result<RefundOptions, UpstreamError>;

    /// F: `POST /booking/{bid}/refund` with `{hash, refund_fxcode, refund_amount}`
    /// (the amount's raw JSON text). Sent at most once; its own timeout
    /// (`TWELVEGO_REFUND_TIMEOUT_MS`, 15 s) regardless of `ctx.deadline`.
    async fn refund(
        &self,
        bid: &str,
        request: &RefundRequest,
        ctx: &CallContext,
    ) -> Result<RefundAnswer, UpstreamError>;
}
