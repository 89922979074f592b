//! O and F: refund options of a confirmed booking and the refund that cancels it
//! (30 §6 shapes).
//!
//! O offers four options, in this order, amounts being `netprice` (else `price`) × the
//! percentage, 2 decimals, in the booking's currency:
//! - 100 %, `expires: true`, `expires_after` = departure − 24 h (so expired for
//!   trips leaving within a day);
//! - 90 %, `available: false`;
//! - 75 %, `expires: true`, `expires_after` one hour before the booking was made
//!   (always expired);
//! - 50 %, `expires: false`, `expires_after: null`.
//!
//! `hash` is `fnv("refund:{bid}:{percent}")` in 16 hex digits; `available_since` is
//! the booking's creation time. Times are `YYYY-MM-DD HH:MM:SS`, compared as UTC.
//!
//! F accepts an available, unexpired option whose `refund_fxcode` and
//! `refund_amount` JSON text are exactly the option's (`825.00`, not `825` or
//! `"825.00"`): the booking becomes `cancelled`. Only `confirmed` bookings are
//! refundable (else 400 `Booking is not refundable`). Contact e-mail `refundfail@…`:
//! F answers `success: false` and the booking stays confirmed; `slow@…`: F waits
//! [`super::booking::SLOW`].

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rust_decimal::Decimal;
use std::time::Duration;

use super::booking::{fmt_dt, now, Booking, FunnelError, Status};
use super::checkout::fnv;
use super::Sandbox;
use crate::domain::twelvego::refund::{Amount, RefundOption};
use crate::domain::twelvego::{RefundAnswer, RefundOptions, RefundRequest};

/// The percentages offered, in the order O lists them.
pub const PERCENTS: [u32; 4] = [100, 90, 75, 50];

/// The unix time `at` as a UTC civil time.
pub fn utc(at: i64) -> DateTime {
    Timestamp::from_second(at)
        .map(|t| TimeZone::UTC.to_datetime(t))
        .unwrap_or_default()
}

/// The option hash for `(bid, percent)`: 16 hex digits.
pub fn hash(bid: u64, percent: u32) -> String {
    format!("{:016x}", fnv(&format!("refund:{bid}:{percent}")))
}

/// `base` × `percent` %, rounded to 2 decimals, as 12go writes it (`825.00`).
fn amount(base: Decimal, percent: u32) -> Amount {
    let mut value = (base * Decimal::from(percent) / Decimal::from(100)).round_dp(2);
    value.rescale(2);
    Amount {
        raw: value.to_string(),
        value,
    }
}

/// The refund options of a booking (whatever its status).
pub fn options(b: &Booking) -> RefundOptions {
    let price = b.netprice.as_ref().or(b.price.as_ref());
    let base = price.and_then(|p| p.value).unwrap_or_default();
    let fxcode = price.map(|p| p.fxcode.clone()).unwrap_or_default();
    let since = fmt_dt(utc(b.created_on));
    let before_departure = b.departure.checked_sub(24.hours()).unwrap_or(b.departure);
    let option = |percent: u32| {
        let (expires, expires_after, available) = match percent {
            100 => (true, Some(fmt_dt(before_departure)), true),
            90 => (false, None, false),
            75 => (
                true,
                Some(fmt_dt(utc(b.created_on.saturating_sub(3600)))),
                true,
            ),
            _ => (false, None, true),
        };
        RefundOption {
            refund_amount: amount(base, percent),
            refund_fxcode: fxcode.to_string(),
            expires: Some(expires),
            expires_after,
            available: Some(available),
            available_since: Some(since.clone()),
            hash: hash(b.bid, percent),
        }
    };
    RefundOptions {
        available: Some(true),
        options: PERCENTS.into_iter().map(option).collect(),
    }
}

/// Whether `o` has expired at `at` (unix s).
pub fn expired(o: &RefundOption, at: i64) -> bool {
    let after = o
        .expires_after
        .as_deref()
        .and_then(|s| DateTime::strptime("%Y-%m-%d %H:%M:%S", s).ok());
    o.expires == Some(true) && after.is_some_and(|t| t < utc(at))
}

/// Why F refuses `req` for `b` at `at`, if it does.
pub fn check(b: &Booking, req: &RefundRequest, at: i64) -> Result<(), FunnelError> {
    if b.status != Status::Confirmed {
        return Err(FunnelError::rejected("Booking is not refundable"));
    }
    let all = options(b);
    let o = all
        .options
        .iter()
        .find(|o| o.hash == req.hash)
        .ok_or_else(|| FunnelError::rejected("Unknown refund option"))?;
    if o.available == Some(false) {
        return Err(FunnelError::rejected("Refund option is not available"));
    }
    if expired(o, at) {
        return Err(FunnelError::rejected("Refund option has expired"));
    }
    if o.refund_fxcode != req.refund_fxcode {
        return Err(FunnelError::rejected(
            "Refund currency does not match the option",
        ));
    }
    if o.refund_amount.raw != req.refund_amount.raw.trim() {
        return Err(FunnelError::rejected(
            "Refund amount does not match the option",
        ));
    }
    Ok(())
}

impl Sandbox {
    /// O: the options of a confirmed booking.
    pub fn funnel_refund_options(&self, bid: &str) -> Result<RefundOptions, FunnelError> {
        self.with_booking(bid, |b| {
            self.settle(b, now());
            if b.status != Status::Confirmed {
                return Err(FunnelError::rejected("Booking is not refundable"));
            }
            Ok(options(b))
        })
    }

    /// F: cancels the booking if `req` names a valid option; the answer and how long
    /// to wait before giving it.
    pub fn funnel_refund(
        &self,
        bid: &str,
        req: &RefundRequest,
    ) -> Result<(RefundAnswer, Duration), FunnelError> {
        self.with_booking(bid, |b| {
            let at = now();
            self.settle(b, at);
            check(b, req, at)?;
            let message = if b.refund_fails {
                "Refund declined by operator"
            } else {
                b.status = Status::Cancelled;
                b.stamp = at;
                "Refund accepted"
            };
            let answer = RefundAnswer {
                success: !b.refund_fails,
                delay_minutes: Some(0),
                message: Some(message.to_string()),
            };
            Ok((answer, b.delay))
        })
    }
}

#[cfg(test)]
#[path = "refund_tests.rs"]
mod tests;
