//! The embedded 12go sandbox: a deterministic stand-in for 12go behind the same port.
//!
//! [`Sandbox`] answers the `TwelveGo` and `TwelveGoBooking` ports in-process;
//! [`http::configure_shared`] serves the same answers over 12go's wire format (the
//! `twelvego-sandbox` binary). Both go through one implementation ([`booking`],
//! [`checkout`], [`reserve`], [`confirm`], [`refund`]); the HTTP layer only parses and serializes.
//!
//! # Booking funnel
//!
//! - **T** `GET /trip/{key}/{YYYY-MM-DD-HH-mm-ss}?seats=n`: the trip search has for that
//!   key at exactly that departure (else 404), only the keyed travel option, prices
//!   for all `n` seats (search's one-seat prices × n), `params.bookable`.
//! - **A** `POST /cart/…`: a cart id, a bare JSON string of 8 hex digits; fewer than `n`
//!   bookable seats (or `is_bookable` 0) → 400 `Trip is no longer available`.
//! - **S** `GET /checkout/{cart}`: the flat form, stable for a cart; dynamic keys embed a
//!   cart token. What it offers is decided by the trip key ([`checkout::Profile`]):
//!   seat map ~40 % of trips, pick-up points ~30 %, travel documents ~30 %, baggage
//!   ~50 %, and a required unknown key (`insurance_opt_in` or
//!   `passenger[0][hotel_name]`) 1 trip in 10.
//! - **R** `POST /reserve/{cart}`: required keys, select values, patterns, dates, seat
//!   picks → 422 `{"fields":{key:"Required"|"Invalid"|…},"messages":["Validation failed"]}`;
//!   a cart already reserved → 400 `Cart already used`; else `{"bid":"7000…"}` and a
//!   booking `pending_client_confirmation` priced with its seat and baggage add-ons.
//! - **C** `POST /confirm/{bid}` → `{"bid":n}`: Instant options (`confirmation_time` 0,
//!   ~75 % of options) become `confirmed` with a tracker; Pending ones become `pending`
//!   and, once the pending delay has passed (default 30 s,
//!   [`Sandbox::with_pending_delay`], `None` = never), are `confirmed` — or `cancelled`
//!   for 1 trip key in 4 ([`confirm::pending_ends_cancelled`]) — by the next B, O or F.
//!   C again → 400.
//! - Tickets: a confirmed booking's `ticket_url` is `""` until the ticket delay has
//!   passed since confirmation (default 5 s, [`Sandbox::with_ticket_delay`],
//!   `SANDBOX_TICKET_SECS` in the binary, `None` = never); `stamp` then moves too.
//! - **B** `GET /booking/{bid}`: the 30 §6 shape. Unknown carts and bids → 404; a
//!   missing or empty key → 401 everywhere.
//! - **O** `GET /booking/{bid}/refund-options` ([`refund`]): only `confirmed` bookings
//!   (else 400 `Booking is not refundable`); four options of `netprice`: 100 %
//!   expiring 24 h before departure, 90 % `available:false`, 75 % already expired,
//!   50 % never expiring; amounts with 2 decimals, hash per (bid, option).
//! - **F** `POST /booking/{bid}/refund` `{"hash","refund_fxcode","refund_amount"}`:
//!   an available, unexpired option with exactly its currency and amount text →
//!   `{"success":true,"delay_minutes":0,"message":"Refund accepted"}` and the booking
//!   is `cancelled`; otherwise 400 with `messages` (a second F: `Booking is not
//!   refundable`).
//!
//! Slow answers (opt-in): R, C and F wait [`booking::SLOW`] (25 s) when the booking's
//! contact e-mail has the local part `slow` (`slow@example.com`); F answers
//! `{"success":false,…,"message":"Refund declined by operator"}` without cancelling
//! when it is `refundfail` (`refundfail@example.com`); every funnel answer also waits [`Sandbox::with_latency`] (`SANDBOX_SLOW_MS` in the binary). Carts and
//! bookings are kept in memory, [`booking::CAPACITY`] of each, oldest evicted.
//!
//! # Webhooks (opt-in)
//!
//! With [`Sandbox::with_webhooks`] ([`webhook::WebhookConfig`]), every status change
//! of a booking — C (`booking_confirmed`, or `booking_updated` for `pending`), a
//! Pending booking settled by the next B, O, F or C (`booking_confirmed` /
//! `booking_canceled`), F (`booking_canceled`) — and a ticket appearing
//! (`booking_updated`) is POSTed as 12go's webhook (30 §7) to
//! `{url}?client_id={id}`. The client id is the one mapped to the 12go key R was
//! called with, else the default one. With a secret the call carries
//! `X-Webhook-Timestamp` and `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret,
//! "{ts}.{body}")>`, else with a key `X-Webhook-Key`. Calls are queued (bounded) to a
//! sender thread, never awaited by the 12go answer: 5 s timeout, one retry after
//! 1 s, failures at WARN. Settling stays lazy: a Pending booking's change is only
//! sent once something reads it. Binary env: `SANDBOX_WEBHOOK_URL` (unset: no
//! webhooks), `SANDBOX_WEBHOOK_CLIENT_ID` (default client), `SANDBOX_WEBHOOK_CLIENTS`
//! (`key1=acme,key2=beta`), `SANDBOX_WEBHOOK_SECRET` (HMAC, preferred) or
//! `SANDBOX_WEBHOOK_KEY`.
//!
//! # Master data (U3–U5)
//!
//! `GET /stations?fromStationId=&pageSize=`, `GET /tourOperators?fromOperatorId=&pageSize=`,
//! `GET /provinces?fromProvinceId=&pageSize=` ([`masterdata`]), and `MasterDataSource`
//! in-process: the world's rows ordered by id, those with id ≥ the cursor (default 0),
//! at most `pageSize` (default 100, provinces 2000; 0 or not a number → 400), and
//! `NextPage` = last id + 1 while rows remain, else null. Every station and operator
//! search can return is listed. Stations carry `StationNameTh` (empty for most) and,
//! for a few, `StationNameDe`/`Jp`/`Vi`; operators carry `VehClasses`, and by id
//! e-mail, phone and logo, e-mail only, or neither. Provinces nest: Koh Phangan (64)
//! ⊂ Koh Samui (62) ⊂ Surat Thani (61); 64 has a station but no links, so searches
//! elsewhere are unchanged.

pub mod booking;
pub mod booking_routes;
pub mod checkout;
pub mod confirm;
#[cfg(test)]
pub mod funnel_fixtures;
pub mod generate;
pub mod http;
pub mod inventory;
pub mod key;
pub mod masterdata;
pub mod masterdata_routes;
mod port;
pub mod refund;
pub mod reserve;
pub mod rng;
pub mod routes;
pub mod state;
pub mod webhook;
pub mod webhook_send;
pub mod world;

use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use inventory::{find_trip, recheck_urls, search, SandboxError};
pub use key::{decode_trip_key, TripKey};

use crate::domain::secret::Secret;
use crate::domain::twelvego::SearchBody;
use crate::domain::upstream::UpstreamError;
use crate::ports::twelvego::{CallContext, SearchCall, TwelveGo};

/// Base URL of the in-process sandbox; `.invalid` never resolves, so nothing leaks out.
pub const DEFAULT_BASE_URL: &str = "http://sandbox.12go.invalid";

/// How long a Pending booking stays `pending` after C, by default.
pub const PENDING_DELAY: Duration = Duration::from_secs(30);

/// How long after confirmation a booking's `ticket_url` stays empty, by default.
pub const TICKET_DELAY: Duration = Duration::from_secs(5);

/// In-process 12go. Cloning shares the recheck counter, carts and bookings.
#[derive(Debug, Clone)]
pub struct Sandbox {
    base_url: String,
    rechecks: Arc<AtomicUsize>,
    books: Arc<Mutex<booking::Books>>,
    /// `None`: Pending bookings never get confirmed.
    pending_delay: Option<Duration>,
    /// `None`: tickets never appear.
    ticket_delay: Option<Duration>,
    /// Added to every funnel answer (`SANDBOX_SLOW_MS` in the binary).
    latency: Duration,
    /// `None` (default): no webhook calls ([`Sandbox::with_webhooks`]).
    webhooks: Option<webhook_send::Emitter>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new(DEFAULT_BASE_URL)
    }
}

impl Sandbox {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            rechecks: Arc::new(AtomicUsize::new(0)),
            books: Arc::default(),
            pending_delay: Some(PENDING_DELAY),
            ticket_delay: Some(TICKET_DELAY),
            latency: Duration::ZERO,
            webhooks: None,
        }
    }

    /// How long Pending bookings stay `pending` after C (`None`: for ever).
    #[must_use]
    pub fn with_pending_delay(mut self, delay: Option<Duration>) -> Self {
        self.pending_delay = delay;
        self
    }

    /// How long after confirmation `ticket_url` stays `""` (`None`: for ever).
    #[must_use]
    pub fn with_ticket_delay(mut self, delay: Option<Duration>) -> Self {
        self.ticket_delay = delay;
        self
    }

    /// A delay added to every funnel answer (T, A, S, R, C, B, O, F).
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// The host recheck URLs point to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many recheck calls were accepted (foreign URLs are not counted: nothing is sent for them).
    pub fn recheck_calls(&self) -> usize {
        self.rechecks.load(Ordering::Relaxed)
    }

    /// Whether `url` is on this sandbox (`{base}`, `{base}/…` or `{base}?…`).
    pub fn owns_url(&self, url: &str) -> bool {
        url.strip_prefix(&self.base_url)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
    }
}

fn status(e: &SandboxError) -> UpstreamError {
    UpstreamError::Status {
        status: e.status(),
        empty_object_body: false,
        retry_after: None,
        rejection: crate::domain::upstream::Rejection::default(),
    }
}

#[async_trait(?Send)]
impl TwelveGo for Sandbox {
    async fn search(
        &self,
        call: &SearchCall,
        ctx: &CallContext,
    ) -> Result<SearchBody, UpstreamError> {
        if ctx.key.is_empty() {
            return Err(status(&SandboxError::Unauthorized));
        }
        inventory::search(call, &self.base_url)
            .map(SearchBody::from)
            .map_err(|e| status(&e))
    }

    async fn recheck(
        &self,
        url: &str,
        _key_override: Option<Secret>,
        _ctx: &CallContext,
    ) -> Result<(), UpstreamError> {
        if !self.owns_url(url) {
            return Err(UpstreamError::ForeignUrl);
        }
        self.rechecks.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Place;
    use jiff::civil::date;
    use std::time::{Duration, Instant};

    fn ctx(key: &str) -> CallContext {
        CallContext {
            key: Secret::new(key),
            correlation_id: "test".into(),
            deadline: Instant::now() + Duration::from_secs(5),
        }
    }

    fn call(from: Place, to: Place, seats: u8) -> SearchCall {
        SearchCall {
            from,
            to,
            date: date(2026, 4, 5),
            seats,
        }
    }

    fn code(r: Result<SearchBody, UpstreamError>) -> Option<u16> {
        match r {
            Err(UpstreamError::Status { status, .. }) => Some(status),
            _ => None,
        }
    }

    #[actix_rt::test]
    async fn search_answers_like_12go() {
        let sb = Sandbox::default();
        let (s3, s4) = (Place::Station(3), Place::Station(4));
        let ok = sb.search(&call(s3, s4, 1), &ctx("k")).await.unwrap();
        assert_eq!(
            ok.get(),
            &search(&call(s3, s4, 1), DEFAULT_BASE_URL).unwrap()
        );
        assert!(!ok.get().trips.is_empty());
        assert_eq!(code(sb.search(&call(s3, s4, 1), &ctx("")).await), Some(401));
        assert_eq!(
            code(sb.search(&call(s3, s4, 0), &ctx("k")).await),
            Some(400)
        );
        assert_eq!(
            code(sb.search(&call(s3, s4, 101), &ctx("k")).await),
            Some(400)
        );
        let unknown = call(Place::Station(999_999), s4, 1);
        assert_eq!(code(sb.search(&unknown, &ctx("k")).await), Some(404));
        let unknown = call(s3, Place::Province(999_999), 1);
        assert_eq!(code(sb.search(&unknown, &ctx("k")).await), Some(404));
    }

    #[actix_rt::test]
    async fn rechecks_are_counted_and_foreign_urls_refused() {
        let sb = Sandbox::default();
        let shared = sb.clone();
        let answer = sb
            .search(&call(Place::Province(1), Place::Province(44), 1), &ctx("k"))
            .await
            .unwrap();
        assert_eq!(answer.get().recheck.len(), 2);
        for url in &answer.get().recheck {
            assert_eq!(sb.recheck(url, None, &ctx("k")).await, Ok(()));
        }
        for foreign in [
            "https://recheck.12go.asia/searchr?from=1p",
            "http://sandbox.12go.invalid.evil.example/searchr",
            "",
        ] {
            assert_eq!(
                sb.recheck(foreign, None, &ctx("k")).await,
                Err(UpstreamError::ForeignUrl)
            );
        }
        assert_eq!(shared.recheck_calls(), 2);
    }
}
