//! [`TwelveGoBooking`] in-process: the funnel logic, with errors as the awc adapter
//! would classify the same answers.

use async_trait::async_trait;
use serde_json::{Map, Value};
use std::time::Duration;

use super::booking::FunnelError;
use super::Sandbox;
use crate::domain::checkout::{parse_checkout, CheckoutForm};
use crate::domain::twelvego::{
    BookingAnswer, RefundAnswer, RefundOptions, RefundRequest, SearchAnswer,
};
use crate::domain::upstream::UpstreamError;
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
    async fn trip(
        &self,
        call: &TripCall,
        ctx: &CallContext,
    ) -> Result<SearchAnswer, UpstreamError> {
        self.answer(ctx, || now(self.funnel_trip(call))).await
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
        self.answer(ctx, || self.funnel_reserve(cart_id, body))
            .await
    }

    async fn confirm(&self, bid: &str, ctx: &CallContext) -> Result<(), UpstreamError> {
        self.answer(ctx, || self.funnel_confirm(bid))
            .await
            .map(drop)
    }

    async fn booking(&self, bid: &str, ctx: &CallContext) -> Result<BookingAnswer, UpstreamError> {
        let b = self.answer(ctx, || now(self.funnel_booking(bid))).await?;
        serde_json::from_value(b).map_err(|_| UpstreamError::Decode)
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
