//! Building a snapshot from 12go's paged calls (U3–U5) and keeping it fresh:
//! all-or-nothing, so a failed refresh leaves the last good snapshot in place.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::MasterData;
use crate::domain::masterdata::{
    compact_operator, compact_station, Kind, OperatorRow, ProvinceRow, Snapshot, StationRow,
};
use crate::domain::upstream::UpstreamError;
use crate::ports::masterdata::{MasterDataSource, Page};

/// Page sizes of 10 §5.5.
pub const STATION_PAGE: u32 = 100;
pub const OPERATOR_PAGE: u32 = 100;
pub const PROVINCE_PAGE: u32 = 2000;
/// A list longer than this many pages is treated as a paging loop.
const MAX_PAGES: usize = 50_000;
/// After a failure, the next attempt comes this soon (doubling), at most
/// [`MAX_RETRY`] and never later than the regular schedule.
const FIRST_RETRY: Duration = Duration::from_secs(10);
const MAX_RETRY: Duration = Duration::from_secs(300);
/// How often the age gauge is sent between refreshes.
const GAUGE_EVERY: Duration = Duration::from_secs(60);

/// Why a refresh failed; the list that failed is kept for the metric tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshError {
    pub kind: Kind,
    pub reason: RefreshFailure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshFailure {
    Upstream(UpstreamError),
    /// The next cursor would not move forward (or a non-numeric id).
    BadCursor,
    TooManyPages,
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.as_str();
        match &self.reason {
            RefreshFailure::Upstream(e) => write!(f, "{kind}: {e}"),
            RefreshFailure::BadCursor => write!(f, "{kind}: paging cursor did not advance"),
            RefreshFailure::TooManyPages => write!(f, "{kind}: more than {MAX_PAGES} pages"),
        }
    }
}

/// Every row of one list: from cursor 0, each next cursor the last id + 1,
/// until an empty page or a null `NextPage`.
pub async fn fetch_all<T, F, Fut>(
    kind: Kind,
    id: impl Fn(&T) -> &str,
    mut page: F,
) -> Result<Vec<T>, RefreshError>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, UpstreamError>>,
{
    let fail = |reason| RefreshError { kind, reason };
    let mut rows = Vec::new();
    let mut from = 0_i64;
    for _ in 0..MAX_PAGES {
        let p = page(from)
            .await
            .map_err(|e| fail(RefreshFailure::Upstream(e)))?;
        let Some(last) = p.rows.last() else {
            return Ok(rows);
        };
        let next = id(last)
            .parse::<i64>()
            .ok()
            .and_then(|l| l.checked_add(1))
            .filter(|n| *n > from)
            .ok_or(fail(RefreshFailure::BadCursor))?;
        let more = p.more;
        rows.extend(p.rows);
        if !more {
            return Ok(rows);
        }
        from = next;
    }
    Err(fail(RefreshFailure::TooManyPages))
}

/// The rows of the three lists.
pub type Rows = (Vec<StationRow>, Vec<OperatorRow>, Vec<ProvinceRow>);

/// The three lists, fetched one after the other (12go's internal endpoints
/// are not ours to load).
pub async fn fetch(source: &dyn MasterDataSource) -> Result<Rows, RefreshError> {
    let stations = fetch_all(
        Kind::Stations,
        |s: &StationRow| &s.station_id,
        // Compacted page by page: 12go's rows carry many columns we never read.
        |from| async move {
            let p = source.stations(from, STATION_PAGE).await?;
            Ok(Page {
                rows: p.rows.into_iter().map(compact_station).collect(),
                more: p.more,
            })
        },
    )
    .await?;
    let operators = fetch_all(
        Kind::OperatingCarriers,
        |o: &OperatorRow| &o.operator_id,
        |from| async move {
            let p = source.operators(from, OPERATOR_PAGE).await?;
            Ok(Page {
                rows: p.rows.into_iter().map(compact_operator).collect(),
                more: p.more,
            })
        },
    )
    .await?;
    let provinces = fetch_all(
        Kind::Pois,
        |p: &ProvinceRow| &p.id,
        |from| source.provinces(from, PROVINCE_PAGE),
    )
    .await?;
    Ok((stations, operators, provinces))
}

/// One refresh: install the new snapshot, or keep the old one and say why.
/// Emits `masterdata.refresh{kind,outcome}`.
pub async fn refresh_once(md: &MasterData, source: &dyn MasterDataSource) -> bool {
    let started = Instant::now();
    let result = fetch(source).await.map(|(stations, operators, provinces)| {
        let built = Instant::now();
        let snapshot = Snapshot::build(stations, operators, provinces);
        (snapshot, millis(built))
    });
    let ms = millis(started);
    md.record_duration(ms, result.as_ref().ok().map(|r| r.1));
    match result {
        Ok((snapshot, build_ms)) => {
            let (stations, carriers, pois) = snapshot.sizes();
            let version = md.install_off_thread(snapshot).await;
            for kind in [Kind::Stations, Kind::OperatingCarriers, Kind::Pois] {
                md.metrics.count(
                    "masterdata.refresh",
                    1,
                    &[("kind", kind.as_str()), ("outcome", "success")],
                );
            }
            tracing::info!(
                version,
                stations,
                operating_carriers = carriers,
                pois,
                duration_ms = ms,
                build_ms,
                "master data snapshot loaded"
            );
            true
        }
        Err(e) => {
            md.metrics.count(
                "masterdata.refresh",
                1,
                &[("kind", e.kind.as_str()), ("outcome", "failure")],
            );
            md.record_failure(&e.to_string());
            tracing::warn!(error = %e, duration_ms = ms, kept_previous = md.current().is_some(),
                "master data refresh failed; serving the previous snapshot");
            false
        }
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The background task: refresh now, then every `every`; after a failure try
/// again sooner (10 s doubling to 5 min). Gauges go out every minute.
pub async fn run(md: Arc<MasterData>, source: Box<dyn MasterDataSource>, every: Duration) {
    let mut retry = FIRST_RETRY;
    loop {
        let wait = if refresh_once(&md, source.as_ref()).await {
            retry = FIRST_RETRY;
            every
        } else {
            let w = retry.min(every);
            retry = (retry * 2).min(MAX_RETRY);
            w
        };
        let until = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < until {
            tokio::time::sleep_until(until.min(tokio::time::Instant::now() + GAUGE_EVERY)).await;
            md.emit_gauges();
        }
    }
}
