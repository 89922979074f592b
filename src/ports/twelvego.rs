//! The 12go HTTP API, as the use cases see it.

use async_trait::async_trait;
use jiff::civil::Date;
use std::time::Instant;

use crate::domain::ids::Place;
use crate::domain::secret::Secret;
use crate::domain::twelvego::SearchAnswer;
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
    ) -> Result<SearchAnswer, UpstreamError>;

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
