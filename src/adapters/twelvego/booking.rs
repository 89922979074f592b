//! The booking-funnel and post-booking calls (00 §1: T, A, S, R, C, B, O, F) over the shared exchange.

use async_trait::async_trait;
use bytes::Bytes;
use jiff::civil::DateTime;
use serde_json::{Map, Value};
use url::Url;

use super::client::{Outbound, Policy};
use super::AwcTwelveGo;
use crate::domain::checkout::{parse_checkout, CheckoutForm};
use crate::domain::secret::Secret;
use crate::domain::twelvego::{
    BookingAnswer, RefundAnswer, RefundOptions, RefundRequest, SearchBody,
};
use crate::domain::upstream::UpstreamError;
use crate::ports::twelvego::{CallContext, TripCall, TwelveGoBooking};

pub(super) const TRIP: &str = "/trip/{trip_key}/{dt}";
pub(super) const CART: &str = "/cart/{trip_key}/{dt}";
pub(super) const CHECKOUT: &str = "/checkout/{cart_id}";
pub(super) const RESERVE: &str = "/reserve/{cart_id}";
pub(super) const CONFIRM: &str = "/confirm/{bid}";
pub(super) const BOOKING: &str = "/booking/{bid}";
pub(super) const REFUND_OPTIONS: &str = "/booking/{bid}/refund-options";
pub(super) const REFUND: &str = "/booking/{bid}/refund";

/// The path date-time: local departure as `YYYY-MM-DD-HH-mm-00`.
pub(super) fn path_datetime(dt: DateTime) -> String {
    format!("{}-00", dt.strftime("%Y-%m-%d-%H-%M"))
}

/// Whether `segment` can be sent as one path segment: `url` percent-encodes `/`,
/// `?`, `#` and `%`, but drops `.` and `..` (and an empty one changes the route).
fn usable_segment(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
}

impl AwcTwelveGo {
    /// `{base}/{segments…}?{query…}&k={key}`, each segment percent-encoded, or
    /// `ForeignUrl` (nothing sent) when a segment cannot be a path segment.
    fn funnel_url(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        key: &Secret,
        endpoint: &'static str,
    ) -> Result<Url, UpstreamError> {
        if !segments.iter().all(|s| usable_segment(s)) {
            tracing::warn!(
                endpoint,
                "unusable 12go path segment (empty, `.` or `..`); nothing sent"
            );
            return Err(UpstreamError::ForeignUrl);
        }
        let mut url = self.cfg.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url.set_fragment(None);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.clear();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
            pairs.append_pair("k", key.expose());
        }
        Ok(url)
    }

    fn trip_url(
        &self,
        first: &str,
        call: &TripCall,
        key: &Secret,
        endpoint: &'static str,
    ) -> Result<Url, UpstreamError> {
        let dt = path_datetime(call.departure);
        let seats = call.seats.to_string();
        self.funnel_url(
            &[first, &call.trip_key, &dt],
            &[("seats", &seats)],
            key,
            endpoint,
        )
    }

    async fn post(
        &self,
        url: Url,
        endpoint: &'static str,
        json: Option<Bytes>,
        timeout: std::time::Duration,
        ctx: &CallContext,
    ) -> Result<Vec<u8>, UpstreamError> {
        let out = Outbound {
            url,
            endpoint,
            policy: Policy::Post(timeout),
            json,
        };
        self.exchange(&out, ctx).await
    }
}

/// `Decode`, logging why a 2xx answer was not usable.
fn decode_failed(endpoint: &'static str, why: &dyn std::fmt::Display) -> UpstreamError {
    tracing::warn!(endpoint, error = %why, "12go answer did not parse");
    UpstreamError::Decode
}

/// A non-empty id given as a JSON string or integer.
fn id_value(v: &Value) -> Option<String> {
    let id = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => return None,
    };
    (!id.is_empty()).then_some(id)
}

/// The A answer, read leniently: `"a1b2c3d4"`, `{"cart_id":…}` or `{"id":…}`.
pub(super) fn parse_cart_id(body: &[u8]) -> Option<String> {
    match serde_json::from_slice::<Value>(body).ok()? {
        v @ Value::String(_) => id_value(&v),
        Value::Object(o) => o
            .get("cart_id")
            .and_then(id_value)
            .or_else(|| o.get("id").and_then(id_value)),
        _ => None,
    }
}

/// The R answer: `{"bid":"87654321"}` (a number is accepted too).
pub(super) fn parse_bid(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(body)
        .ok()?
        .get("bid")
        .and_then(id_value)
}

#[async_trait(?Send)]
impl TwelveGoBooking for AwcTwelveGo {
    async fn trip(&self, call: &TripCall, ctx: &CallContext) -> Result<SearchBody, UpstreamError> {
        let url = self.trip_url("trip", call, &ctx.key, TRIP)?;
        let body = self.get(url, TRIP, ctx, Policy::Read).await?;
        SearchBody::parse(body).map_err(|e| decode_failed(TRIP, &e))
    }

    async fn add_to_cart(
        &self,
        call: &TripCall,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        let url = self.trip_url("cart", call, &ctx.key, CART)?;
        let timeout = self.cfg.read_timeout;
        let body = self.post(url, CART, None, timeout, ctx).await?;
        parse_cart_id(&body).ok_or_else(|| decode_failed(CART, &"no cart id"))
    }

    async fn checkout(
        &self,
        cart_id: &str,
        ctx: &CallContext,
    ) -> Result<CheckoutForm, UpstreamError> {
        let url = self.funnel_url(
            &["checkout", cart_id],
            &[("people", "1")],
            &ctx.key,
            CHECKOUT,
        )?;
        let body = self.get(url, CHECKOUT, ctx, Policy::Read).await?;
        let text = std::str::from_utf8(&body).map_err(|e| decode_failed(CHECKOUT, &e))?;
        parse_checkout(text).map_err(|e| decode_failed(CHECKOUT, &e))
    }

    async fn reserve(
        &self,
        cart_id: &str,
        body: &Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<String, UpstreamError> {
        let url = self.funnel_url(&["reserve", cart_id], &[], &ctx.key, RESERVE)?;
        let json = serde_json::to_vec(body).map_err(|e| {
            tracing::error!(error = %e, "reserve body did not serialize; nothing sent");
            UpstreamError::Decode
        })?;
        let timeout = self.cfg.reserve_timeout;
        let answer = self
            .post(url, RESERVE, Some(Bytes::from(json)), timeout, ctx)
            .await?;
        parse_bid(&answer).ok_or_else(|| decode_failed(RESERVE, &"no bid"))
    }

    async fn confirm(&self, bid: &str, ctx: &CallContext) -> Result<(), UpstreamError> {
        let url = self.funnel_url(&["confirm", bid], &[], &ctx.key, CONFIRM)?;
        let timeout = self.cfg.confirm_timeout;
        let answer = self.post(url, CONFIRM, None, timeout, ctx).await?;
        // A 2xx C answer must be `{"bid":…}` (20 §8); anything else is a 2xx that
        // does not parse (00 §10): its outcome is unknown and is reconciled from B.
        parse_bid(&answer)
            .map(drop)
            .ok_or_else(|| decode_failed(CONFIRM, &"no bid"))
    }

    async fn booking(&self, bid: &str, ctx: &CallContext) -> Result<BookingAnswer, UpstreamError> {
        let url = self.funnel_url(&["booking", bid], &[], &ctx.key, BOOKING)?;
        let body = self.get(url, BOOKING, ctx, Policy::Read).await?;
        BookingAnswer::from_slice(&body).map_err(|e| decode_failed(BOOKING, &e))
    }

    async fn refund_options(
        &self,
        bid: &str,
        ctx: &CallContext,
    ) -> Result<RefundOptions, UpstreamError> {
        let url = self.funnel_url(
            &["booking", bid, "refund-options"],
            &[],
            &ctx.key,
            REFUND_OPTIONS,
        )?;
        let body = self.get(url, REFUND_OPTIONS, ctx, Policy::Read).await?;
        serde_json::from_slice(&body).map_err(|e| decode_failed(REFUND_OPTIONS, &e))
    }

    async fn refund(
        &self,
        bid: &str,
        request: &RefundRequest,
        ctx: &CallContext,
    ) -> Result<RefundAnswer, UpstreamError> {
        let url = self.funnel_url(&["booking", bid, "refund"], &[], &ctx.key, REFUND)?;
        let json = serde_json::to_vec(request).map_err(|e| {
            tracing::error!(error = %e, "refund body did not serialize; nothing sent");
            UpstreamError::Decode
        })?;
        let timeout = self.cfg.refund_timeout;
        let answer = self
            .post(url, REFUND, Some(Bytes::from(json)), timeout, ctx)
            .await?;
        serde_json::from_slice(&answer).map_err(|e| decode_failed(REFUND, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_datetime_has_zero_seconds() {
        let dt = jiff::civil::datetime(2026, 5, 1, 8, 7, 59, 0);
        assert_eq!(path_datetime(dt), "2026-05-01-08-07-00");
    }

    #[test]
    fn cart_ids_are_read_leniently() {
        assert_eq!(parse_cart_id(br#""a1b2c3d4""#).as_deref(), Some("a1b2c3d4"));
        assert_eq!(parse_cart_id(br#"{"cart_id":"x9"}"#).as_deref(), Some("x9"));
        assert_eq!(parse_cart_id(br#"{"cart_id":77}"#).as_deref(), Some("77"));
        assert_eq!(parse_cart_id(br#"{"id":123}"#).as_deref(), Some("123"));
        assert_eq!(
            parse_cart_id(br#"{"cart_id":"c","id":"i"}"#).as_deref(),
            Some("c")
        );
        for bad in [
            &b""[..],
            b"123",
            b"null",
            b"\"\"",
            b"[\"a\"]",
            br#"{"cart":"x"}"#,
            br#"{"id":1.5}"#,
            br#"{"id":null}"#,
            b"a1b2c3d4",
        ] {
            assert_eq!(parse_cart_id(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn bids_are_strings_or_integers() {
        assert_eq!(
            parse_bid(br#"{"bid":"87654321"}"#).as_deref(),
            Some("87654321")
        );
        assert_eq!(
            parse_bid(br#"{"bid":87654321}"#).as_deref(),
            Some("87654321")
        );
        for bad in [
            &b"{}"[..],
            br#"{"bid":""}"#,
            br#"{"bid":true}"#,
            b"\"1\"",
            b"x",
        ] {
            assert_eq!(parse_bid(bad), None);
        }
    }

    #[test]
    fn dot_and_empty_segments_are_unusable() {
        assert!(usable_segment("a1b2"));
        assert!(usable_segment("a/b"));
        assert!(usable_segment("..."));
        for bad in ["", ".", ".."] {
            assert!(!usable_segment(bad));
        }
    }
}
