//! `GET /admin/stats` (admin port, 40 §5): connections, in-flight requests,
//! breaker state, recheck counters and the master-data snapshot.
//!
//! `open_connections` counts API-listener TCP connections: [`OpenConnections::on_connect`]
//! runs from actix's `on_connect` hook and its guard lives in the connection's
//! data, so it is dropped (and the count decremented) when the connection closes.

use actix_web::web::Data;
use actix_web::HttpResponse;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::adapters::http::json_bytes;
use crate::adapters::http::state::InFlightLimit;
use crate::app::breaker::CircuitBreaker;
use crate::app::masterdata::{MasterData, MasterDataStats};
use crate::app::recheck::RecheckState;

/// Open API connections.
#[derive(Debug, Default)]
pub struct OpenConnections(Arc<AtomicUsize>);

/// Decrements the count when its connection is dropped.
struct ConnectionGuard(Arc<AtomicUsize>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl OpenConnections {
    pub fn current(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// For `HttpServer::on_connect`.
    pub fn on_connect(&self, ext: &mut actix_web::dev::Extensions) {
        self.0.fetch_add(1, Ordering::SeqCst);
        ext.insert(ConnectionGuard(self.0.clone()));
    }
}

/// What the stats are read from (admin app data).
pub struct StatsSources {
    pub in_flight: Data<InFlightLimit>,
    pub connections: Arc<OpenConnections>,
    pub breaker: Arc<CircuitBreaker>,
    pub recheck: Arc<RecheckState>,
    pub master_data: Arc<MasterData>,
}

#[derive(Serialize)]
struct Stats {
    in_flight: usize,
    max_in_flight: usize,
    open_connections: usize,
    breaker: BreakerStats,
    recheck: RecheckStats,
    master_data: MasterDataStats,
}

#[derive(Serialize)]
struct BreakerStats {
    state: &'static str,
    consecutive_failures: u32,
    /// RFC 3339, while open.
    #[serde(skip_serializing_if = "Option::is_none")]
    opened_at: Option<String>,
    retry_after_secs: u64,
}

#[derive(Serialize)]
struct RecheckStats {
    dispatched: u64,
}

pub async fn admin_stats(src: Data<StatsSources>) -> HttpResponse {
    let breaker = src.breaker.snapshot().map(|b| BreakerStats {
        state: b.phase.as_str(),
        consecutive_failures: b.consecutive_failures,
        opened_at: b.opened_secs_ago.and_then(|ago| {
            let ago = jiff::SignedDuration::from_secs(i64::try_from(ago).ok()?);
            jiff::Timestamp::now()
                .checked_sub(ago)
                .ok()
                .map(|t| t.to_string())
        }),
        retry_after_secs: b.retry_after_secs,
    });
    let stats = Stats {
        in_flight: src.in_flight.count.load(Ordering::SeqCst),
        max_in_flight: src.in_flight.max,
        open_connections: src.connections.current(),
        breaker: breaker.unwrap_or(BreakerStats {
            state: "unknown",
            consecutive_failures: 0,
            opened_at: None,
            retry_after_secs: 0,
        }),
        recheck: RecheckStats {
            dispatched: src.recheck.dispatched(),
        },
        master_data: src.master_data.stats(),
    };
    json_bytes(200, serde_json::to_vec(&stats).unwrap_or_default())
}
