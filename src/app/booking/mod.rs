//! Booking use cases: the funnel (20: GetItinerary, SeatLock, CreateBooking,
//! ConfirmBooking, the `incomplete_results` poll) and after it (30: details,
//! ticket, cancel). Stateless between steps: everything travels in the booking
//! token; the key-value port holds only the short-lived records of [`state`].

pub mod cancel;
pub mod confirm;
pub mod create;
pub mod details;
pub mod events;
pub mod incomplete;
pub mod itinerary;
pub mod seat_lock;
pub mod state;

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::booking::{Booking, BookingView};
use crate::domain::booking_id::{resolve_bid, BookingIdMap};
use crate::domain::booking_token::BookingTokenKeys;
use crate::domain::funnel_error::{Call, FunnelError};
use crate::domain::idmap::{map_booking, IdMaps, Misses};
use crate::domain::translate::PriceTypeMap;
use crate::domain::twelvego::BookingAnswer;
use crate::domain::upstream::UpstreamError;
use crate::ports::clock::Clock;
use crate::ports::kv::{KeyValue, StoreError};
use crate::ports::metrics::Metrics;
use crate::ports::twelvego::{CallContext, TwelveGoBooking};

pub use incomplete::Answer;

/// Funnel settings from configuration.
#[derive(Debug, Clone)]
pub struct BookingSettings {
    /// `BOOKING_SYNC_BUDGET_MS`: how long CreateBooking/ConfirmBooking wait before 202.
    pub sync_budget: Duration,
    /// `INCOMPLETE_RESULTS_EXPIRY_SECS`: a pending record untouched this long is expired.
    pub ir_expiry: Duration,
    /// `INCOMPLETE_RESULTS_RETENTION_SECS`: TTL of `ir:` and `confirm:` records.
    pub ir_retention: Duration,
    /// Deadline of a background task's reads (B after R or C): long enough for a
    /// 60 s R or C and the read after it.
    pub task_deadline: Duration,
    /// Relative ticket URLs are resolved against this (30 §2).
    pub twelvego_base: String,
    pub price_types: Arc<PriceTypeMap>,
    /// The previous platform's booking ids (`BOOKING_ID_MAP_FILE`), when given.
    pub id_map: Option<Arc<BookingIdMap>>,
}

impl Default for BookingSettings {
    fn default() -> Self {
        Self {
            sync_budget: Duration::from_millis(20_000),
            ir_expiry: Duration::from_secs(900),
            ir_retention: Duration::from_secs(3600),
            task_deadline: Duration::from_secs(90),
            twelvego_base: String::new(),
            price_types: Arc::new(PriceTypeMap::default()),
            id_map: None,
        }
    }
}

/// One per actix worker (the 12go port is not `Send`); cloning is cheap.
#[derive(Clone)]
pub struct BookingService {
    twelvego: Rc<dyn TwelveGoBooking>,
    kv: Arc<dyn KeyValue>,
    keys: Arc<BookingTokenKeys>,
    clock: Arc<dyn Clock>,
    metrics: Arc<dyn Metrics>,
    settings: Rc<BookingSettings>,
    tasks: BackgroundTasks,
}

/// Counts booking tasks in flight across workers, so shutdown can wait for them
/// to store their outcomes (40 §2).
#[derive(Debug, Clone, Default)]
pub struct BackgroundTasks(Arc<AtomicUsize>);

/// Holds one slot of [`BackgroundTasks`] until dropped.
struct TaskSlot(Arc<AtomicUsize>);

impl Drop for TaskSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl BackgroundTasks {
    pub fn running(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn enter(&self) -> TaskSlot {
        self.0.fetch_add(1, Ordering::SeqCst);
        TaskSlot(self.0.clone())
    }

    /// Waits until no task runs, at most `limit`; `false` when some still run.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.running() > 0 {
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    }
}

/// Who is asking: the authenticated client and its 12go call context.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub ctx: CallContext,
    /// `mapped` clients: the id maps answers are translated with (10 §6).
    pub id_maps: Option<Arc<IdMaps>>,
}

impl BookingService {
    pub fn new(
        twelvego: Rc<dyn TwelveGoBooking>,
        kv: Arc<dyn KeyValue>,
        keys: Arc<BookingTokenKeys>,
        clock: Arc<dyn Clock>,
        metrics: Arc<dyn Metrics>,
        settings: BookingSettings,
    ) -> Self {
        Self {
            twelvego,
            kv,
            keys,
            clock,
            metrics,
            settings: Rc::new(settings),
            tasks: BackgroundTasks::default(),
        }
    }

    /// Shares the instance-wide task counter (one per process).
    pub fn with_tasks(mut self, tasks: BackgroundTasks) -> Self {
        self.tasks = tasks;
        self
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// The context of work that may outlive the request (R, C and the B after them).
    fn task_ctx(&self, caller: &Caller) -> CallContext {
        CallContext {
            deadline: Instant::now() + self.settings.task_deadline,
            ..caller.ctx.clone()
        }
    }

    /// The bid behind the id a client holds (30 §1), or 404 `booking_not_found`.
    fn resolve(&self, booking_id: &str, client_id: &str) -> Result<String, FunnelError> {
        resolve_bid(booking_id, client_id, self.settings.id_map.as_deref()).ok_or_else(|| {
            tracing::info!(client_id, "booking id not resolvable");
            FunnelError::booking_not_found()
        })
    }

    /// Counts `booking.failed` with the error code as reason.
    fn failed(&self, client_id: &str, e: &FunnelError) {
        self.metrics.count(
            "booking.failed",
            1,
            &[("client_id", client_id), ("reason", e.code.as_str())],
        );
    }

    /// Counts `idmap.miss` per kind for a `mapped` client's answer.
    fn report_misses(&self, client_id: &str, misses: Misses) {
        for (kind, n) in misses.counts() {
            let tags = [("client_id", client_id), ("kind", kind.as_str())];
            self.metrics.count("idmap.miss", i64::from(n), &tags);
        }
    }

    /// B, mapped to the Booking object with `id` as the client sent it (12go ids).
    async fn read_booking(
        &self,
        bid: &str,
        id: &str,
        client_id: &str,
        ctx: &CallContext,
    ) -> Result<Booking, FunnelError> {
        let answer = self
            .twelvego
            .booking(bid, ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Booking, &e, None))?;
        self.booking_object(&answer, id, client_id)
    }

    /// The Booking as the caller sees it: station ids reverse-mapped for a
    /// `mapped` client (10 §6). Applied only to Bookings that are answered.
    fn for_caller(&self, caller: &Caller, mut booking: Booking) -> Booking {
        if let Some(maps) = &caller.id_maps {
            let (misses, unmapped) = map_booking(&mut booking, maps);
            if !unmapped.is_empty() {
                // Never hidden: the native ids go out as they are.
                tracing::warn!(client_id = %caller.client_id, bid = %booking.integration_booking_id, stations = ?unmapped, "booking station without id mapping; native id returned");
            }
            self.report_misses(&caller.client_id, misses);
        }
        booking
    }

    fn booking_object(
        &self,
        answer: &BookingAnswer,
        id: &str,
        client_id: &str,
    ) -> Result<Booking, FunnelError> {
        let view = BookingView {
            id,
            twelvego_base: &self.settings.twelvego_base,
        };
        let (booking, warnings) = Booking::from_answer(answer, view).map_err(|e| {
            tracing::warn!(error = %e, bid = %answer.bid, "12go booking details unusable");
            FunnelError::upstream_error()
        })?;
        if let Some(raw) = warnings.unknown_status {
            tracing::warn!(bid = %answer.bid, status = %raw, "unknown 12go booking status mapped to pending");
        }
        if warnings.gross_price_used {
            tracing::warn!(bid = %answer.bid, client_id, "12go netprice missing; gross price used (account lacks api_pass_netprice_sysfee)");
        }
        Ok(booking)
    }
}

/// A store failure inside the funnel: 503 `store_unavailable`.
impl From<StoreError> for FunnelError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "state store failed");
        FunnelError::store_unavailable()
    }
}

/// Whether a failed POST may have been carried out by 12go (sent, no clear answer).
fn outcome_unknown(e: &UpstreamError) -> bool {
    match e {
        UpstreamError::Timeout
        | UpstreamError::Connect
        | UpstreamError::Decode
        | UpstreamError::TooLarge => true,
        UpstreamError::Status { status, .. } => *status >= 500,
        UpstreamError::ForeignUrl | UpstreamError::BreakerOpen { .. } => false,
    }
}

#[cfg(test)]
mod cancel_tests;
#[cfg(test)]
mod tests;
