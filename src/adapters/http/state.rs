//! What handlers share: instance-wide state (`Send + Sync`) and per-worker use
//! cases (which hold the 12go client, not `Send`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::app::auth::Authenticator;
use crate::app::booking::BookingService;
use crate::app::idmaps::IdMapStore;
use crate::app::masterdata::MasterData;
use crate::app::search::SearchService;
use crate::domain::booking_token::BookingTokenKeys;
use crate::domain::version::ApiVersions;
use crate::ports::metrics::Metrics;

/// One per instance.
pub struct Shared {
    pub authenticator: Authenticator,
    pub versions: ApiVersions,
    pub request_timeout: Duration,
    pub draining: AtomicBool,
    pub build: BuildInfo,
    pub metrics: std::sync::Arc<dyn Metrics>,
    /// Signs and verifies booking tokens (20 §8) and master-data links (10 §5.1).
    pub token_keys: std::sync::Arc<BookingTokenKeys>,
    /// Master data (10 §5), shared with its refresh task.
    pub master_data: std::sync::Arc<MasterData>,
    /// Signed master-data links (10 §5.1).
    pub links: LinkSettings,
    /// The id maps of `mapped` clients (10 §6), reloaded in place.
    pub id_maps: std::sync::Arc<IdMapStore>,
    /// The notification outbox (30 §8): Redis with `REDIS_URL`, else memory.
    pub outbox: std::sync::Arc<dyn crate::ports::outbox::Outbox>,
    /// `WEBHOOK_TOLERANCE_SECS`.
    pub webhook_tolerance: Duration,
    /// `WEBHOOK_ALLOWED_CIDRS`; `None` = any source.
    pub webhook_sources: Option<crate::domain::notification::SourceAllowlist>,
    /// Wakes this instance's delivery worker after an enqueue.
    pub outbox_wake: std::sync::Arc<tokio::sync::Notify>,
}

/// Where and for how long master-data links are valid.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    /// `PUBLIC_BASE_URL` without a trailing `/`.
    pub public_base: String,
    pub ttl: Duration,
}

impl Shared {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// One per actix worker thread.
pub struct Worker {
    pub search: SearchService,
    pub booking: BookingService,
}

/// `/build` on the admin port.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildInfo {
    pub version: &'static str,
    pub git_sha: &'static str,
    /// RFC 3339 UTC.
    pub build_time: String,
}

impl BuildInfo {
    pub fn current() -> Self {
        let build_time = option_env!("CONNECT_BUILD_TIME")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .map(|t| t.to_string())
            .unwrap_or_else(|| "unknown".into());
        Self {
            version: env!("CARGO_PKG_VERSION"),
            git_sha: option_env!("CONNECT_GIT_SHA").unwrap_or("unknown"),
            build_time,
        }
    }
}

/// The in-flight cap (`MAX_IN_FLIGHT`) of the API listener; the admin listener has none.
pub struct InFlightLimit {
    pub max: usize,
    pub count: AtomicUsize,
}

impl InFlightLimit {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            count: AtomicUsize::new(0),
        }
    }
}

/// Decrements the in-flight count when a request ends, however it ends.
pub struct InFlightGuard<'a>(&'a AtomicUsize);

impl<'a> InFlightGuard<'a> {
    /// `None` when the cap is reached.
    pub fn acquire(limit: &'a InFlightLimit) -> Option<Self> {
        let prev = limit.count.fetch_add(1, Ordering::SeqCst);
        if prev >= limit.max {
            limit.count.fetch_sub(1, Ordering::SeqCst);
            None
        } else {
            Some(Self(&limit.count))
        }
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
