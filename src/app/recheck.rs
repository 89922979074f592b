//! Fire-and-forget dispatch of 12go recheck URLs (10 §3): at most 4 in flight per
//! instance, each URL at most once per 15 s, one retry with the client's key on 401.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

use crate::domain::secret::Secret;
use crate::domain::upstream::{UpstreamClass, UpstreamError};
use crate::ports::metrics::{Metrics, NoMetrics};
use crate::ports::twelvego::{CallContext, TwelveGo};

const DEDUPE_WINDOW: Duration = Duration::from_secs(15);
const MAX_IN_FLIGHT: usize = 4;
/// Calls waiting for a slot beyond this are dropped: rechecks are an optimisation.
const MAX_WAITING: usize = 256;

/// Instance-wide state, shared by every worker.
pub struct RecheckState {
    enabled: bool,
    timeout: Duration,
    recent: Mutex<HashMap<String, Instant>>,
    slots: Arc<Semaphore>,
    dispatched: AtomicU64,
    /// Spawned and not finished (waiting for a slot or in flight).
    queued: AtomicUsize,
    metrics: Arc<dyn Metrics>,
}

impl RecheckState {
    pub fn new(enabled: bool, timeout: Duration) -> Self {
        Self {
            enabled,
            timeout,
            recent: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            dispatched: AtomicU64::new(0),
            queued: AtomicUsize::new(0),
            metrics: Arc::new(NoMetrics),
        }
    }

    /// Counts `search.recheck_dispatched{outcome}` in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<dyn Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    fn count(&self, outcome: &'static str) {
        self.metrics
            .count("search.recheck_dispatched", 1, &[("outcome", outcome)]);
    }

    /// How many URLs were handed to 12go (for tests and stats).
    pub fn dispatched(&self) -> u64 {
        self.dispatched.load(Ordering::SeqCst)
    }

    /// Marks `url` as dispatched now unless it was within the window.
    fn claim(&self, url: &str) -> bool {
        let Ok(mut recent) = self.recent.lock() else {
            return false;
        };
        let now = Instant::now();
        if recent.len() > 4096 {
            recent.retain(|_, at| now.duration_since(*at) < DEDUPE_WINDOW);
        }
        match recent.get(url) {
            Some(at) if now.duration_since(*at) < DEDUPE_WINDOW => false,
            _ => {
                recent.insert(url.to_string(), now);
                true
            }
        }
    }
}

/// Per-worker dispatcher (the 12go port is not `Send`).
#[derive(Clone)]
pub struct RecheckDispatcher {
    state: Arc<RecheckState>,
    twelvego: Rc<dyn TwelveGo>,
}

impl RecheckDispatcher {
    pub fn new(state: Arc<RecheckState>, twelvego: Rc<dyn TwelveGo>) -> Self {
        Self { state, twelvego }
    }

    /// Spawns the calls on the current worker and returns at once. Must run inside
    /// a `LocalSet` (every actix worker is one).
    pub fn dispatch(&self, urls: Vec<String>, key: &Secret, correlation_id: &str) {
        if !self.state.enabled {
            return;
        }
        for url in urls {
            if !self.state.claim(&url) {
                continue;
            }
            if self.state.queued.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT + MAX_WAITING {
                self.state.queued.fetch_sub(1, Ordering::SeqCst);
                self.state.count("dropped");
                tracing::warn!("recheck queue full, URL dropped");
                continue;
            }
            let (state, tg) = (self.state.clone(), self.twelvego.clone());
            let ctx = CallContext {
                key: key.clone(),
                correlation_id: correlation_id.to_string(),
                deadline: Instant::now() + state.timeout,
            };
            tokio::task::spawn_local(async move {
                let Ok(_permit) = state.slots.clone().acquire_owned().await else {
                    return;
                };
                state.dispatched.fetch_add(1, Ordering::SeqCst);
                let mut result = tg.recheck(&url, None, &ctx).await;
                if matches!(&result, Err(e) if e.class() == UpstreamClass::Auth) {
                    result = tg.recheck(&url, Some(ctx.key.clone()), &ctx).await;
                }
                state.count(outcome(&result));
                log_outcome(&result);
                state.queued.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }
}

/// The `outcome` tag of a finished recheck call.
fn outcome(result: &Result<(), UpstreamError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(UpstreamError::ForeignUrl) => "foreign_url",
        Err(UpstreamError::BreakerOpen { .. }) => "breaker_open",
        Err(_) => "error",
    }
}

fn log_outcome(result: &Result<(), UpstreamError>) {
    match result {
        Ok(()) => tracing::debug!(outcome = "ok", "recheck dispatched"),
        Err(UpstreamError::ForeignUrl) => {
            tracing::warn!("recheck URL not on the 12go host, dropped")
        }
        Err(UpstreamError::BreakerOpen { .. }) => tracing::debug!("recheck skipped, breaker open"),
        Err(e) => tracing::warn!(error = %e, "recheck call failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::twelvego::MockTwelveGo;

    fn status(s: u16) -> UpstreamError {
        UpstreamError::Status {
            status: s,
            empty_object_body: false,
            retry_after: None,
            rejection: crate::domain::upstream::Rejection::default(),
        }
    }

    #[actix_rt::test]
    async fn each_url_is_called_once_within_the_window_and_401_retries_with_the_key() {
        // Arrange
        let mut tg = MockTwelveGo::new();
        tg.expect_recheck()
            .withf(|url, key, _| url == "http://h/searchr?a" && key.is_none())
            .times(1)
            .returning(|_, _, _| Err(status(401)));
        tg.expect_recheck()
            .withf(|url, key, _| {
                url == "http://h/searchr?a" && key.as_ref().map(|k| k.expose()) == Some("tg-key")
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        tg.expect_recheck()
            .withf(|url, _, _| url == "http://h/searchr?b")
            .times(1)
            .returning(|_, _, _| Err(status(500)));
        let mut metrics = crate::ports::metrics::MockMetrics::new();
        for outcome in ["ok", "error"] {
            metrics
                .expect_count()
                .withf(move |name, n, tags| {
                    name == "search.recheck_dispatched"
                        && *n == 1
                        && **tags == [("outcome", outcome)]
                })
                .times(1)
                .return_const(());
        }
        let state = Arc::new(
            RecheckState::new(true, Duration::from_secs(5)).with_metrics(Arc::new(metrics)),
        );
        let d = RecheckDispatcher::new(state.clone(), Rc::new(tg));
        let key = Secret::new("tg-key");
        // Act
        d.dispatch(
            vec!["http://h/searchr?a".into(), "http://h/searchr?b".into()],
            &key,
            "c1",
        );
        d.dispatch(vec!["http://h/searchr?a".into()], &key, "c2");
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        // Assert: mock expectations (times) are checked on drop.
        assert_eq!(state.dispatched(), 2);
    }

    #[actix_rt::test]
    async fn nothing_is_sent_when_dispatch_is_off() {
        let tg = MockTwelveGo::new();
        let state = Arc::new(RecheckState::new(false, Duration::from_secs(5)));
        RecheckDispatcher::new(state.clone(), Rc::new(tg)).dispatch(
            vec!["http://h/x".into()],
            &Secret::new("k"),
            "c",
        );
        tokio::task::yield_now().await;
        assert_eq!(state.dispatched(), 0);
    }
}
