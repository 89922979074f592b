//! The instance-wide 12go circuit breaker (one per 12go host, shared by every
//! worker) and [`BreakerTwelveGo`], the decorator applying it to the 12go port.

use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::domain::breaker::{Admission, Breaker, BreakerConfig, BreakerPhase, CallOutcome};
use crate::domain::checkout::CheckoutForm;
use crate::domain::secret::Secret;
use crate::domain::twelvego::{
    BookingAnswer, RefundAnswer, RefundOptions, RefundRequest, SearchBody,
};
use crate::domain::upstream::UpstreamError;
use crate::ports::metrics::Metrics;
use crate::ports::twelvego::{CallContext, SearchCall, TripCall, TwelveGo, TwelveGoBooking};
use serde_json::{Map, Value};

/// Monotonic time, swappable in tests.
pub type MonoClock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// What `/admin/stats` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerSnapshot {
    pub phase: BreakerPhase,
    pub consecutive_failures: u32,
    /// Seconds since it opened, while open.
    pub opened_secs_ago: Option<u64>,
    pub retry_after_secs: u64,
}

/// `Send + Sync`; held in an `Arc` by every worker's decorator.
pub struct CircuitBreaker {
    host: String,
    state: Mutex<Breaker>,
    metrics: Arc<dyn Metrics>,
    clock: MonoClock,
}

impl CircuitBreaker {
    pub fn new(host: impl Into<String>, cfg: BreakerConfig, metrics: Arc<dyn Metrics>) -> Self {
        Self::with_clock(host, cfg, metrics, Arc::new(Instant::now))
    }

    pub fn with_clock(
        host: impl Into<String>,
        cfg: BreakerConfig,
        metrics: Arc<dyn Metrics>,
        clock: MonoClock,
    ) -> Self {
        let b = Self {
            host: host.into(),
            state: Mutex::new(Breaker::new(cfg)),
            metrics,
            clock,
        };
        b.publish(BreakerPhase::Closed);
        b
    }

    /// Runs `f` on the state machine and publishes a phase change.
    fn with<R>(&self, f: impl FnOnce(&mut Breaker, Instant) -> R) -> Option<R> {
        let now = (self.clock)();
        let mut state = self.state.lock().ok()?;
        let before = state.recorded_phase();
        let r = f(&mut state, now);
        let after = state.recorded_phase();
        drop(state);
        if before != after {
            if after == BreakerPhase::Open {
                tracing::error!(host = %self.host, event = "upstream.breaker_open", "12go circuit breaker opened");
            } else {
                tracing::info!(host = %self.host, state = after.as_str(), "12go circuit breaker changed state");
            }
            self.publish(after);
        }
        Some(r)
    }

    fn publish(&self, phase: BreakerPhase) {
        let open = if phase == BreakerPhase::Open {
            1.0
        } else {
            0.0
        };
        self.metrics
            .gauge("upstream.breaker_open", open, &[("host", &self.host)]);
    }

    /// Admits a covered call (a poisoned lock admits: fail open).
    fn admit(&self) -> Admission {
        self.with(|b, now| b.admit(now))
            .unwrap_or(Admission::Normal)
    }

    fn record(&self, admission: Admission, outcome: CallOutcome) {
        self.with(|b, now| b.record(admission, outcome, now));
    }

    fn release(&self, admission: Admission) {
        self.with(|b, _| b.release(admission));
    }

    /// `Some(retry_after)` unless the breaker is closed (recheck calls are skipped then).
    fn skip_recheck(&self) -> Option<u64> {
        let now = (self.clock)();
        let b = self.state.lock().ok()?;
        (b.phase(now) != BreakerPhase::Closed).then(|| b.retry_after(now).max(1))
    }

    pub fn snapshot(&self) -> Option<BreakerSnapshot> {
        let now = (self.clock)();
        let b = self.state.lock().ok()?;
        Some(BreakerSnapshot {
            phase: b.phase(now),
            consecutive_failures: b.consecutive_failures(),
            opened_secs_ago: b.opened_at().map(|t| now.duration_since(t).as_secs()),
            retry_after_secs: b.retry_after(now),
        })
    }
}

/// Frees a probe slot if the call never reported (the request was cancelled).
struct Pending<'a> {
    breaker: &'a CircuitBreaker,
    admission: Admission,
    done: bool,
}

impl Pending<'_> {
    fn finish<T>(mut self, result: &Result<T, UpstreamError>) {
        self.done = true;
        self.breaker.record(self.admission, CallOutcome::of(result));
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.breaker.release(self.admission);
        }
    }
}

/// The 12go port behind the breaker. Covered calls (search and every funnel call)
/// fail at once with `BreakerOpen` while it is open; recheck calls are skipped
/// unless it is closed and never count.
pub struct BreakerTwelveGo<T: TwelveGo> {
    inner: T,
    breaker: Arc<CircuitBreaker>,
}

impl<T: TwelveGo> BreakerTwelveGo<T> {
    pub fn new(inner: T, breaker: Arc<CircuitBreaker>) -> Self {
        Self { inner, breaker }
    }

    fn enter(&self) -> Result<Pending<'_>, UpstreamError> {
        match self.breaker.admit() {
            Admission::Rejected { retry_after } => Err(UpstreamError::BreakerOpen { retry_after }),
            admission => Ok(Pending {
                breaker: &self.breaker,
                admission,
                done: false,
            }),
        }
    }
}

#[async_trait(?Send)]
impl<T: TwelveGo> TwelveGo for BreakerTwelveGo<T> {
    async fn search(
        &self,
        call: &SearchCall,
        ctx: &CallContext,
    ) -> Result<SearchBody, UpstreamError> {
        self.covered(self.inner.search(call, ctx)).await
    }

    async fn recheck(
        &self,
        url: &str,
        key_override: Option<Secret>,
        ctx: &CallContext,
    ) -> Result<(), UpstreamError> {
        if let Some(retry_after) = self.breaker.skip_recheck() {
            return Err(UpstreamError::BreakerOpen { retry_after });
        }
        self.inner.recheck(url, key_override, ctx).await
    }
}

impl<T: TwelveGo> BreakerTwelveGo<T> {
    /// Runs one covered call: refused at once while open, its outcome recorded.
    async fn covered<R>(
        &self,
        call: impl std::future::Future<Output = Result<R, UpstreamError>>,
    ) -> Result<R, UpstreamError> {
        let pending = self.enter()?;
        let result = call.await;
        pending.finish(&result);
        result
    }
}

/// Every funnel call is covered (00 §12).
#[async_trait(?Send)]
impl<T: TwelveGo + TwelveGoBooking> TwelveGoBooking for BreakerTwelveGo<T> {
    async fn trip(&self, call: &TripCall, ctx: &CallContext) -> Result<SearchBody, UpstreamError> {
        self.covered(self.inner.trip(call, ctx)).await
    }

    async fn add_to_cart(
        &self,
        call: &TripCall,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        self.covered(self.inner.add_to_cart(call, ctx)).await
    }

    async fn checkout(
        &self,
        cart_id: &str,
        ctx: &CallContext,
    ) -> Result<CheckoutForm, UpstreamError> {
        self.covered(self.inner.checkout(cart_id, ctx)).await
    }

    async fn reserve(
        &self,
        cart_id: &str,
        body: &Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        self.covered(self.inner.reserve(cart_id, body, ctx)).await
    }

    async fn confirm(&self, bid: &str, ctx: &CallContext) -> Result<(), UpstreamError> {
        self.covered(self.inner.confirm(bid, ctx)).await
    }

    async fn booking(&self, bid: &str, ctx: &CallContext) -> Result<BookingAnswer, UpstreamError> {
        self.covered(self.inner.booking(bid, ctx)).await
    }

    async fn refund_options(
        &self,
        bid: &str,
        ctx: &CallContext,
    ) -> Result<RefundOptions, UpstreamError> {
        self.covered(self.inner.refund_options(bid, ctx)).await
    }

    async fn refund(
        &self,
        bid: &str,
        request: &RefundRequest,
        ctx: &CallContext,
    ) -> Result<RefundAnswer, UpstreamError> {
        self.covered(self.inner.refund(bid, request, ctx)).await
    }
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
