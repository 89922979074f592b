//! The awc 12go client: the outbound adapter of `ports::twelvego::TwelveGo`,
//! `ports::twelvego::TwelveGoBooking` (in `booking`) and
//! `ports::masterdata::MasterDataSource` ([`AwcMasterData`], with its own key).
//!
//! awc's `Client` is `!Send`, so one [`AwcTwelveGo`] is built per actix worker
//! thread. The key travels only as the `k` query parameter and every URL that is
//! logged goes through [`redact::redact_url`].

mod booking;
mod classify;
mod client;
mod masterdata;
pub mod redact;
mod retry;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::domain::secret::Secret;
use crate::domain::time::format_date;
use crate::domain::twelvego::SearchBody;
use crate::domain::upstream::UpstreamError;
use crate::ports::metrics::{Metrics, NoMetrics};
use crate::ports::twelvego::{CallContext, SearchCall, TwelveGo};

pub use masterdata::AwcMasterData;

use client::Policy;
use redact::{is_key_param, redact_url};

const KEEP_ALIVE: Duration = Duration::from_secs(90);
const CONN_LIFETIME: Duration = Duration::from_secs(300);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The U1 route template.
const SEARCH: &str = "/search/{from}/{to}/{date}";
/// Settings of the 12go client (00 §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwelveGoClientConfig {
    pub base_url: Url,
    /// Per-attempt timeout of reads (U1, T, S, B, O), capped by the call deadline;
    /// also the timeout of A (`POST /cart`), which is not capped.
    pub read_timeout: Duration,
    /// Timeout of a U2 recheck call.
    pub recheck_timeout: Duration,
    /// Timeout of R (`POST /reserve`): sent once, never capped by the deadline.
    pub reserve_timeout: Duration,
    /// Timeout of C (`POST /confirm`): sent once, never capped by the deadline.
    pub confirm_timeout: Duration,
    /// Timeout of F (`POST /booking/{bid}/refund`): sent once, never capped by
    /// the deadline.
    pub refund_timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries allowed by the GET rule.
    pub retry_max: u32,
    pub max_body_bytes: usize,
    /// Bytes of answers this worker reads at once; a read waits (its bytes stay in
    /// the socket) until earlier answers are parsed, so memory under load is bounded.
    pub body_budget_bytes: usize,
    /// Maximum connections in the pool.
    pub pool_max: usize,
    pub user_agent: String,
}

impl TwelveGoClientConfig {
    /// The spec defaults with the given base URL.
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            read_timeout: Duration::from_secs(10),
            recheck_timeout: Duration::from_secs(300),
            reserve_timeout: Duration::from_secs(60),
            confirm_timeout: Duration::from_secs(60),
            refund_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(3),
            retry_max: 2,
            max_body_bytes: 16 * 1024 * 1024,
            body_budget_bytes: 512 * 1024,
            pool_max: 200,
            user_agent: concat!("travelier-connect/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the 12go base URL must be an absolute http(s) URL with a host")]
    BaseUrl,
    #[error("TLS configuration failed: {0}")]
    Tls(#[from] rustls::Error),
}

/// [`TwelveGo`] over awc; one per worker thread.
pub struct AwcTwelveGo {
    http: awc::Client,
    cfg: TwelveGoClientConfig,
    metrics: Arc<dyn Metrics>,
    /// `body_budget_bytes` as permits (bytes, at most `u32::MAX`).
    body_budget: tokio::sync::Semaphore,
}

impl AwcTwelveGo {
    /// Builds the connection pool (rustls with the ring provider and webpki roots,
    /// HTTP/1.1, no redirects).
    ///
    /// # Errors
    /// [`BuildError::BaseUrl`] when the base URL is not http(s) with a host;
    /// [`BuildError::Tls`] when rustls rejects the configuration.
    pub fn new(cfg: TwelveGoClientConfig) -> Result<Self, BuildError> {
        let base = &cfg.base_url;
        if !matches!(base.scheme(), "http" | "https")
            || base.host_str().is_none()
            || base.cannot_be_a_base()
        {
            return Err(BuildError::BaseUrl);
        }
        let tls = crate::adapters::tls::client_config()?;
        let connector = awc::Connector::new()
            .rustls_0_23(Arc::new(tls))
            .timeout(cfg.connect_timeout)
            .handshake_timeout(TLS_HANDSHAKE_TIMEOUT)
            .limit(cfg.pool_max)
            .conn_keep_alive(KEEP_ALIVE)
            .conn_lifetime(CONN_LIFETIME);
        let http = awc::Client::builder()
            .connector(connector)
            .max_http_version(awc::http::Version::HTTP_11)
            .disable_redirects()
            .disable_timeout()
            .finish();
        let budget = cfg.body_budget_bytes.clamp(1, u32::MAX as usize);
        // body_budget() reports the same clamped size.
        Ok(Self {
            http,
            cfg,
            metrics: Arc::new(NoMetrics),
            body_budget: tokio::sync::Semaphore::new(budget),
        })
    }

    /// Sends `upstream.*` metrics to `metrics` (none by default).
    pub fn with_metrics(mut self, metrics: Arc<dyn Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn config(&self) -> &TwelveGoClientConfig {
        &self.cfg
    }

    /// The body budget and its size in bytes.
    fn body_budget(&self) -> (&tokio::sync::Semaphore, u32) {
        let total = u32::try_from(self.cfg.body_budget_bytes).unwrap_or(u32::MAX);
        (&self.body_budget, total.max(1))
    }

    fn search_url(&self, call: &SearchCall, key: &Secret) -> Url {
        let mut url = self.cfg.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([
                "search",
                &call.from.to_string(),
                &call.to.to_string(),
                &format_date(call.date),
            ]);
        }
        url.set_fragment(None);
        url.query_pairs_mut()
            .clear()
            .append_pair("seats", &call.seats.to_string())
            .append_pair("direct", "true")
            .append_pair("k", key.expose());
        url
    }

    /// The recheck URL resolved against the base, if it is on the 12go origin.
    fn recheck_url(&self, raw: &str) -> Option<Url> {
        let base = &self.cfg.base_url;
        let url = base.join(raw).ok()?;
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        same_origin.then_some(url)
    }
}

#[async_trait(?Send)]
impl TwelveGo for AwcTwelveGo {
    async fn search(
        &self,
        call: &SearchCall,
        ctx: &CallContext,
    ) -> Result<SearchBody, UpstreamError> {
        let url = self.search_url(call, &ctx.key);
        let body = self.get(url, SEARCH, ctx, Policy::Read).await?;
        SearchBody::parse(body).map_err(|err| {
            tracing::warn!(
                endpoint = SEARCH,
                error = %err,
                "12go search answer did not parse"
            );
            UpstreamError::Decode
        })
    }

    async fn recheck(
        &self,
        url: &str,
        key_override: Option<Secret>,
        ctx: &CallContext,
    ) -> Result<(), UpstreamError> {
        let Some(mut target) = self.recheck_url(url) else {
            tracing::warn!(url = %redact_url(url), "recheck URL is not on the 12go host; dropped");
            return Err(UpstreamError::ForeignUrl);
        };
        if let Some(key) = key_override {
            set_key(&mut target, &key);
        }
        let endpoint = recheck_endpoint(&target);
        self.get(target, endpoint, ctx, Policy::Recheck)
            .await
            .map(drop)
    }
}

/// Sets (replacing every existing one, or adding) the `k` parameter, leaving the
/// other query parts exactly as they were.
fn set_key(url: &mut Url, key: &Secret) {
    let encoded: String = form_urlencoded::byte_serialize(key.expose().as_bytes()).collect();
    let key_part = format!("k={encoded}");
    let mut parts: Vec<&str> = Vec::new();
    let mut placed = false;
    for part in url.query().unwrap_or_default().split('&') {
        if is_key_param(part) {
            if !placed {
                parts.push(&key_part);
                placed = true;
            }
        } else if !part.is_empty() {
            parts.push(part);
        }
    }
    if !placed {
        parts.push(&key_part);
    }
    let query = parts.join("&");
    url.set_query(Some(&query));
}

/// A bounded route template for the recheck span: 12go's known recheck routes.
fn recheck_endpoint(url: &Url) -> &'static str {
    let first = url
        .path_segments()
        .and_then(|mut s| s.next())
        .unwrap_or_default();
    match first {
        "searchr" => "/searchr",
        "searchpm" => "/searchpm",
        "recheckpa" => "/recheckpa",
        _ => "/recheck/other",
    }
}
