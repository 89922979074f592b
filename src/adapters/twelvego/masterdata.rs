//! U3–U5, 12go's paged master-data calls, as [`MasterDataSource`] over the shared
//! exchange: the GET retry rule, `k=` redaction, the body cap and `upstream.*`
//! metrics (endpoint tag `masterdata`).

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

use super::client::Policy;
use super::{AwcTwelveGo, BuildError, TwelveGoClientConfig};
use crate::domain::masterdata::{
    OperatorRow, OperatorsPage, ProvinceRow, ProvincesPage, StationRow, StationsPage,
};
use crate::domain::secret::Secret;
use crate::domain::upstream::UpstreamError;
use crate::ports::masterdata::{MasterDataSource, Page};
use crate::ports::metrics::Metrics;
use crate::ports::twelvego::CallContext;

pub(super) const STATIONS: &str = "/stations";
pub(super) const OPERATORS: &str = "/tourOperators";
pub(super) const PROVINCES: &str = "/provinces";

/// Sent as `x-correlation-id`: a refresh has no inbound request to correlate with.
const CORRELATION_ID: &str = "masterdata-refresh";

/// [`MasterDataSource`] over awc, with its own base URL, key and timeout
/// (`TWELVEGO_MASTERDATA_*`); one per thread, like [`AwcTwelveGo`].
pub struct AwcMasterData {
    inner: AwcTwelveGo,
    key: Secret,
}

impl AwcMasterData {
    /// `cfg` is the 12go client config with the master-data base URL (and body
    /// cap) already set; `timeout` is the per-page timeout (30 s by default),
    /// `key` the master-data key, never a client's.
    ///
    /// # Errors
    /// As [`AwcTwelveGo::new`].
    pub fn new(
        mut cfg: TwelveGoClientConfig,
        key: Secret,
        timeout: Duration,
    ) -> Result<Self, BuildError> {
        // Pages are reads: the read timeout is what the GET rule applies.
        cfg.read_timeout = timeout;
        Ok(Self {
            inner: AwcTwelveGo::new(cfg)?,
            key,
        })
    }

    /// Sends `upstream.*` metrics to `metrics` (none by default).
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<dyn Metrics>) -> Self {
        self.inner = self.inner.with_metrics(metrics);
        self
    }

    fn url(&self, path: &str, cursor: &str, from: i64, page_size: u32) -> Url {
        let mut url = self.inner.cfg.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(path);
        }
        url.set_fragment(None);
        url.query_pairs_mut()
            .clear()
            .append_pair(cursor, &from.to_string())
            .append_pair("pageSize", &page_size.to_string())
            .append_pair("k", self.key.expose());
        url
    }

    /// No inbound deadline applies: it leaves room for every attempt the GET rule
    /// allows (each a full timeout, after a backoff of at most ~1.2 s).
    fn ctx(&self) -> CallContext {
        let cfg = &self.inner.cfg;
        let per_attempt = cfg.read_timeout + Duration::from_secs(2);
        CallContext {
            key: self.key.clone(),
            correlation_id: CORRELATION_ID.to_owned(),
            deadline: Instant::now() + per_attempt * (cfg.retry_max + 1),
        }
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        cursor: &str,
        from: i64,
        page_size: u32,
    ) -> Result<T, UpstreamError> {
        let url = self.url(endpoint.trim_start_matches('/'), cursor, from, page_size);
        let body = self
            .inner
            .get(url, endpoint, &self.ctx(), Policy::Read)
            .await?;
        serde_json::from_slice(&body).map_err(|err| {
            tracing::warn!(endpoint, error = %err, "12go master-data page did not parse");
            UpstreamError::Decode
        })
    }
}

#[async_trait(?Send)]
impl MasterDataSource for AwcMasterData {
    async fn stations(&self, from: i64, page_size: u32) -> Result<Page<StationRow>, UpstreamError> {
        let p: StationsPage = self
            .fetch(STATIONS, "fromStationId", from, page_size)
            .await?;
        Ok(Page {
            more: p.more(),
            rows: p.rows,
        })
    }

    async fn operators(
        &self,
        from: i64,
        page_size: u32,
    ) -> Result<Page<OperatorRow>, UpstreamError> {
        let p: OperatorsPage = self
            .fetch(OPERATORS, "fromOperatorId", from, page_size)
            .await?;
        Ok(Page {
            more: p.more(),
            rows: p.rows,
        })
    }

    async fn provinces(
        &self,
        from: i64,
        page_size: u32,
    ) -> Result<Page<ProvinceRow>, UpstreamError> {
        let p: ProvincesPage = self
            .fetch(PROVINCES, "fromProvinceId", from, page_size)
            .await?;
        Ok(Page {
            more: p.more(),
            rows: p.rows,
        })
    }
}
