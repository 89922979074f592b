//! [`TwelveGoBooking`] and [`MasterDataSource`] in-process: the funnel logic and
//! the master-data pages, with errors as the awc adapter would classify the same
//! answers.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::time::Duration;

use super::booking::FunnelError;
use super::inventory::SandboxError;
use super::masterdata::{page, List};
use super::Sandbox;
use crate::domain::checkout::{parse_checkout, CheckoutForm};
use crate::domain::masterdata::{
    OperatorRow, OperatorsPage, ProvinceRow, ProvincesPage, StationRow, StationsPage,
};
use crate::domain::twelvego::{
    BookingAnswer, RefundAnswer, RefundOptions, RefundRequest, SearchBody,
};
use crate::domain::upstream::UpstreamError;
use crate::ports::masterdata::{MasterDataSource, Page};
use crate::ports::twelvego::{CallContext, TripCall, TwelveGoBooking};

impl Sandbox {
    /// Waits the configured latency plus `extra`.
    pub(super) async fn pause(&self, extra: Duration) {
        let d = self.latency + extra;
        if !d.is_zero() {
            actix_rt::time::sleep(d).await;
        }
    }

    async fn answer<T>(
        &self,
        ctx: &CallContext,
        run: impl FnOnce() -> Result<(T, Duration), FunnelError>,
    ) -> Result<T, UpstreamError> {
        if ctx.key.is_empty() {
            return Err(FunnelError::unauthorized().to_upstream());
        }
        let r = run();
        let extra = r.as_ref().map_or(Duration::ZERO, |(_, d)| *d);
        self.pause(extra).await;
        r.map(|(v, _)| v).map_err(|e| e.to_upstream())
    }
}

fn now<T>(r: Result<T, FunnelError>) -> Result<(T, Duration), FunnelError> {
    r.map(|v| (v, Duration::ZERO))
}

#[async_trait(?Send)]
impl TwelveGoBooking for Sandbox {
    async fn trip(&self, call: &TripCall, ctx: &CallContext) -> Result<SearchBody, UpstreamError> {
        self.answer(ctx, || now(self.funnel_trip(call)))
            .await
            .map(SearchBody::from)
    }

    async fn add_to_cart(
        &self,
        call: &TripCall,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        self.answer(ctx, || now(self.funnel_cart(call))).await
    }

    async fn checkout(
        &self,
        cart_id: &str,
        ctx: &CallContext,
    ) -> Result<CheckoutForm, UpstreamError> {
        let form = self
            .answer(ctx, || now(self.funnel_checkout(cart_id)))
            .await?;
        parse_checkout(&form.to_string()).map_err(|_| UpstreamError::Decode)
    }

    async fn reserve(
        &self,
        cart_id: &str,
        body: &Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        let bid = self
            .answer(ctx, || self.funnel_reserve(cart_id, body))
            .await?;
        self.assign_client(&bid, ctx.key.expose());
        Ok(bid)
    }

    async fn confirm(&self, bid: &str, ctx: &CallContext) -> Result<(), UpstreamError> {
        self.answer(ctx, || self.funnel_confirm(bid))
            .await
            .map(drop)
    }

    async fn booking(&self, bid: &str, ctx: &CallContext) -> Result<BookingAnswer, UpstreamError> {
        let b = self.answer(ctx, || now(self.funnel_booking(bid))).await?;
        // Through bytes, as the awc adapter reads it: amounts borrow their text.
        let bytes = serde_json::to_vec(&b).map_err(|_| UpstreamError::Decode)?;
        BookingAnswer::from_slice(&bytes).map_err(|_| UpstreamError::Decode)
    }

    async fn refund_options(
        &self,
        bid: &str,
        ctx: &CallContext,
    ) -> Result<RefundOptions, UpstreamError> {
        self.answer(ctx, || now(self.funnel_refund_options(bid)))
            .await
    }

    async fn refund(
        &self,
        bid: &str,
        req: &RefundRequest,
        ctx: &CallContext,
    ) -> Result<RefundAnswer, UpstreamError> {
        self.answer(ctx, || self.funnel_refund(bid, req)).await
    }
}

/// Decodes a wire page exactly as the awc adapter does.
fn wire_page<T: DeserializeOwned>(page: Result<Value, SandboxError>) -> Result<T, UpstreamError> {
    let page = page.map_err(|e| super::status(&e))?;
    serde_json::from_value(page).map_err(|_| UpstreamError::Decode)
}

/// The port carries no key, so in-process there is none to check.
#[async_trait(?Send)]
impl MasterDataSource for Sandbox {
    async fn stations(&self, from: i64, page_size: u32) -> Result<Page<StationRow>, UpstreamError> {
        let p: StationsPage = wire_page(page(List::Stations, from, page_size))?;
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
        let p: OperatorsPage = wire_page(page(List::Operators, from, page_size))?;
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
        let p: ProvincesPage = wire_page(page(List::Provinces, from, page_size))?;
        Ok(Page {
            more: p.more(),
            rows: p.rows,
        })
    }
}
