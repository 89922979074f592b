//! C and B: confirming a reserved booking and reading it back (30 §6 shape).
//!
//! Instant products (`confirmation_time` 0) are `confirmed` by C, with a tracker.
//! Pending ones (`confirmation_time` > 0) become `pending` and, once the sandbox's
//! pending delay has passed (default 30 s; `None` = never), turn `confirmed` — or
//! `cancelled` for 1 trip key in 4 ([`pending_ends_cancelled`]) — when next read.
//! A confirmed booking's `ticket_url` stays `""` until the ticket delay (default 5 s,
//! `None` = never) has passed since confirmation; `stamp` then moves to that time.

use serde_json::{json, Value};
use std::time::Duration;

use super::booking::{now, Booking, FunnelError, Status};
use super::checkout::fnv;
use super::Sandbox;

fn tracker(bid: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut h = fnv(&format!("trk:{bid}"));
    let mut out = String::from("TRK-");
    for _ in 0..6 {
        out.push(char::from(DIGITS[usize::try_from(h % 36).unwrap_or(0)]));
        h /= 36;
    }
    out
}

/// Whether a Pending booking of this trip ends `cancelled` rather than `confirmed`:
/// `fnv("cancel:{trip_key}") % 4 == 0`, about 1 Pending trip in 4.
pub fn pending_ends_cancelled(trip_key: &str) -> bool {
    fnv(&format!("cancel:{trip_key}")) % 4 == 0
}

fn after(at: i64, d: Duration) -> i64 {
    at.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Sandbox {
    fn issue(&self, b: &mut Booking, at: i64) {
        b.status = Status::Confirmed;
        b.stamp = at;
        b.tracker = tracker(b.bid);
        b.ticket_at = self.ticket_delay.map(|d| after(at, d));
    }

    /// Moves the booking on to what it is at `at`: a pending booking whose time has
    /// come is confirmed (or cancelled), a due ticket appears.
    pub(super) fn settle(&self, b: &mut Booking, at: i64) {
        if let (Status::Pending, Some(ready)) = (b.status, b.ready_at) {
            if ready <= at && b.ends_cancelled {
                b.status = Status::Cancelled;
                b.stamp = ready;
            } else if ready <= at {
                self.issue(b, ready);
            }
        }
        match b.ticket_at {
            Some(t) if b.status == Status::Confirmed && b.ticket_url.is_empty() && t <= at => {
                b.ticket_url = format!("{}/tickets/{}-{}.pdf", self.base_url, b.bid, b.tracker);
                b.stamp = b.stamp.max(t);
            }
            _ => {}
        }
    }

    /// C: `{"bid": n}` and how long to wait before answering.
    pub fn funnel_confirm(&self, bid: &str) -> Result<(Value, Duration), FunnelError> {
        self.with_booking(bid, |b| {
            let at = now();
            self.settle(b, at);
            match b.status {
                Status::PendingClientConfirmation if b.confirmation_time <= 0 => {
                    self.issue(b, at);
                    self.settle(b, at);
                }
                Status::PendingClientConfirmation => {
                    b.status = Status::Pending;
                    b.stamp = at;
                    b.ready_at = self.pending_delay.map(|d| after(at, d));
                    self.settle(b, at);
                }
                Status::Pending => return Err(FunnelError::rejected("Booking is being confirmed")),
                Status::Confirmed => {
                    return Err(FunnelError::rejected("Booking is already confirmed"))
                }
                Status::Cancelled => return Err(FunnelError::rejected("Booking is cancelled")),
            }
            Ok((json!({ "bid": b.bid }), b.delay))
        })
    }

    /// B: the booking as 12go shows it.
    pub fn funnel_booking(&self, bid: &str) -> Result<Value, FunnelError> {
        self.with_booking(bid, |b| {
            self.settle(b, now());
            Ok(shape(b))
        })
    }
}

/// A booking in B's shape.
fn shape(b: &Booking) -> Value {
    let price = |p| serde_json::to_value(p).unwrap_or(Value::Null);
    json!({
            "bid": b.bid, "tracker": b.tracker, "status": b.status.as_str(),
            "from_id": b.from_id, "to_id": b.to_id, "dep_date_time": b.dep_date_time,
            "seats": b.seats, "ticket_url": b.ticket_url,
            "created_on": b.created_on, "stamp": b.stamp,
            "price": price(&b.price), "netprice": price(&b.netprice),
            "agfee": price(&b.agfee), "sysfee": price(&b.sysfee),
    })
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
