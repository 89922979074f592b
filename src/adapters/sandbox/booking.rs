//! The booking funnel's state and logic (T, A, S, R, C, B), shared by the in-process
//! port (`TwelveGoBooking for Sandbox`) and the HTTP routes ([`super::booking_routes`]).
//!
//! Carts and bookings live in memory, shared by clones of one [`Sandbox`], each map
//! bounded to [`CAPACITY`] entries (the oldest is evicted). Errors are [`FunnelError`]:
//! a status and the 12go error body `{"fields":…,"messages":[…]}`.

use jiff::civil::DateTime;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::sync::MutexGuard;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::checkout;
use super::inventory::{self, SandboxError};
pub use super::state::{Booking, Books, Bounded, Cart, Status};
use super::Sandbox;
use crate::domain::ids::Place;
use crate::domain::twelvego::{Price, SearchAnswer, TravelOption, Trip};
use crate::domain::upstream::{Rejection, UpstreamError};
use crate::ports::twelvego::{SearchCall, TripCall};

/// Most carts, and most bookings, kept at once.
pub const CAPACITY: usize = 10_000;
/// Extra wait of R and C for a booking whose contact e-mail's local part is `slow`.
pub const SLOW: Duration = Duration::from_secs(25);

/// A refused funnel call: HTTP status and 12go's error body.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelError {
    pub status: u16,
    pub body: Value,
}

impl FunnelError {
    fn messages(status: u16, message: &str) -> Self {
        Self {
            status,
            body: json!({ "messages": [message] }),
        }
    }
    pub fn not_found() -> Self {
        Self::messages(404, "Not found")
    }
    pub fn unauthorized() -> Self {
        Self::messages(401, "Unauthorized")
    }
    pub fn rejected(message: &str) -> Self {
        Self::messages(400, message)
    }
    pub fn internal() -> Self {
        Self::messages(500, "Internal error")
    }
    /// 422 with one `fields` entry per rejected key.
    pub fn validation(fields: Map<String, Value>) -> Self {
        Self {
            status: 422,
            body: json!({ "fields": fields, "messages": ["Validation failed"] }),
        }
    }
    /// What the awc adapter makes of this answer.
    pub fn to_upstream(&self) -> UpstreamError {
        let bytes = serde_json::to_vec(&self.body).unwrap_or_default();
        UpstreamError::Status {
            status: self.status,
            empty_object_body: self.body == json!({}),
            retry_after: None,
            rejection: Rejection::parse(&bytes),
        }
    }
}

impl From<SandboxError> for FunnelError {
    fn from(e: SandboxError) -> Self {
        Self {
            status: e.status(),
            body: e.body(),
        }
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

pub fn fmt_dt(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// `price` × `n` (T prices are totals for all seats).
pub fn times(p: &Option<Price>, n: u8) -> Option<Price> {
    p.as_ref().map(|p| Price {
        value: p.value.map(|v| v * Decimal::from(n)),
        fxcode: p.fxcode.clone(),
    })
}

/// `price` + `extra` (add-ons).
pub fn plus(p: Option<Price>, extra: Decimal) -> Option<Price> {
    p.map(|p| Price {
        value: p.value.map(|v| v + extra),
        fxcode: p.fxcode,
    })
}

fn check_seats(seats: u8) -> Result<(), FunnelError> {
    if (1..=100).contains(&seats) {
        Ok(())
    } else {
        Err(SandboxError::invalid("seats", "Seats must be between 1 and 100").into())
    }
}

/// The trip and option search has for this key at exactly this departure.
pub fn quote(call: &TripCall) -> Result<(Trip<'static>, TravelOption<'static>), FunnelError> {
    let (mut trip, option) = inventory::find_trip(&call.trip_key, call.departure.date())
        .ok_or_else(FunnelError::not_found)?;
    if option.dep_datetime.as_deref() != Some(fmt_dt(call.departure).as_str()) {
        return Err(FunnelError::not_found());
    }
    trip.travel_options = vec![option.clone()];
    trip.params.bookable = option.bookable;
    Ok((trip, option))
}

impl Sandbox {
    pub(super) fn books(&self) -> Result<MutexGuard<'_, Books>, FunnelError> {
        self.books.lock().map_err(|_| FunnelError::internal())
    }

    /// T: the trip in search shape, prices for all seats.
    pub fn funnel_trip(&self, call: &TripCall) -> Result<SearchAnswer<'static>, FunnelError> {
        check_seats(call.seats)?;
        let (mut trip, _) = quote(call)?;
        for o in &mut trip.travel_options {
            o.price = times(&o.price, call.seats);
            o.netprice = times(&o.netprice, call.seats);
            o.agfee = times(&o.agfee, call.seats);
            o.sysfee = times(&o.sysfee, call.seats);
        }
        let from = trip.segments.first().and_then(|s| s.from);
        let to = trip.segments.last().and_then(|s| s.to);
        let (Some(from), Some(to)) = (from, to) else {
            return Err(FunnelError::not_found());
        };
        let search = SearchCall {
            from: Place::Station(from),
            to: Place::Station(to),
            date: call.departure.date(),
            seats: call.seats,
        };
        let mut answer = inventory::search(&search, &self.base_url)?;
        let segs = &trip.segments;
        let ops: Vec<String> = segs
            .iter()
            .filter_map(|s| s.operator)
            .map(|o| o.to_string())
            .collect();
        let stations: Vec<String> = segs
            .iter()
            .flat_map(|s| s.from.into_iter().chain(s.to))
            .map(|s| s.to_string())
            .collect();
        let classes: Vec<String> = segs
            .iter()
            .filter_map(|s| s.class)
            .chain(trip.travel_options.iter().filter_map(|o| o.class))
            .map(|c| c.to_string())
            .collect();
        answer
            .operators
            .retain(|k, _| ops.iter().any(|x| x == k.as_str()));
        answer
            .stations
            .retain(|k, _| stations.iter().any(|x| x == k.as_str()));
        answer
            .classes
            .retain(|k, _| classes.iter().any(|x| x == k.as_str()));
        answer.recheck.clear();
        answer.trips = vec![trip];
        Ok(answer)
    }

    /// A: a new cart for the trip, if it has `seats` bookable seats.
    pub fn funnel_cart(&self, call: &TripCall) -> Result<String, FunnelError> {
        check_seats(call.seats)?;
        let (trip, option) = quote(call)?;
        let bookable =
            option.is_bookable == Some(1) && option.bookable.unwrap_or(0) >= i64::from(call.seats);
        if !bookable {
            return Err(FunnelError::rejected("Trip is no longer available"));
        }
        let mut books = self.books()?;
        let id = books.next_cart_id();
        let cart = Cart {
            id: id.clone(),
            trip,
            option,
            seats: call.seats,
            departure: call.departure,
            bid: None,
        };
        books.carts.insert(id.clone(), cart);
        Ok(id)
    }

    /// S: the cart's checkout form.
    pub fn funnel_checkout(&self, cart_id: &str) -> Result<Value, FunnelError> {
        let books = self.books()?;
        let cart = books
            .carts
            .get(cart_id)
            .ok_or_else(FunnelError::not_found)?;
        Ok(Value::Object(checkout::form(cart)))
    }
}

#[cfg(test)]
#[path = "booking_tests.rs"]
mod tests;
