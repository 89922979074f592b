//! R: validation of the flat reserve body against the cart's form, and the booking it
//! creates. Checked: required keys, select values, PCRE patterns, dates, `seats`, and
//! seat picks (free, not booked, at most one per passenger).

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::time::Duration;

use super::booking::{fmt_dt, now, plus, times, Booking, Cart, FunnelError, Status, SLOW};
use super::checkout::{self, baggage_key, baggage_options, seat_key, seat_layout};
use super::confirm::pending_ends_cancelled;
use super::Sandbox;
use crate::domain::checkout::pattern;

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn option_values(opts: &Value, out: &mut Vec<String>) {
    for o in opts.as_array().into_iter().flatten() {
        if let Some(v) = o.get("value").and_then(text) {
            out.push(v);
        }
        if let Some(nested) = o.get("values") {
            option_values(nested, out);
        }
    }
}

/// The extra cost of the picked seats, or why they cannot be sold.
fn seats(cart: &Cart, picked: &str) -> Result<Decimal, &'static str> {
    let ids: Vec<&str> = picked
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() > usize::from(cart.seats) {
        return Err("Too many seats");
    }
    let layout = seat_layout(cart);
    let mut extra = Decimal::ZERO;
    for (i, id) in ids.iter().enumerate() {
        let seat = layout
            .iter()
            .find(|s| s.id == *id && s.available && !s.booked);
        match seat {
            Some(s) if !ids[..i].contains(id) => extra += s.diff,
            _ => return Err("Seat is not available"),
        }
    }
    Ok(extra)
}

/// Checks `body` against `form`; `Ok` carries the add-ons (seats, baggage) for all passengers.
///
/// # Errors
/// The rejected keys with 12go-like messages.
pub fn validate(
    cart: &Cart,
    form: &Map<String, Value>,
    body: &Map<String, Value>,
) -> Result<Decimal, Map<String, Value>> {
    let mut errors = Map::new();
    let mut extra = Decimal::ZERO;
    let seat_key = seat_key(cart);
    let bags: Vec<String> = (0..cart.seats).map(|i| baggage_key(cart, i)).collect();
    for (key, f) in form {
        let required = f.get("required").and_then(Value::as_bool).unwrap_or(false);
        let Some(v) = body.get(key).and_then(text) else {
            if required {
                errors.insert(key.clone(), "Required".into());
            }
            continue;
        };
        let mut bad = |msg: &str| {
            errors.insert(key.clone(), msg.into());
        };
        if key == "seats" {
            if v != cart.seats.to_string() {
                bad("Invalid");
            }
            continue;
        }
        if *key == seat_key {
            match seats(cart, &v) {
                Ok(d) => extra += d,
                Err(m) => bad(m),
            }
            continue;
        }
        if let Some(opts) = f.get("options") {
            let mut values = Vec::new();
            option_values(opts, &mut values);
            if !values.contains(&v) {
                bad("Invalid");
                continue;
            }
        }
        let patterns = f.get("regexp").and_then(Value::as_array);
        let mismatch = patterns
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|p| pattern::compile(p).is_ok_and(|p| !p.is_match(&v)));
        let is_date = f.get("type").and_then(Value::as_str) == Some("date");
        if mismatch || (is_date && (v.len() != 10 || v.parse::<jiff::civil::Date>().is_err())) {
            bad("Invalid");
            continue;
        }
        if bags.contains(key) {
            let price = baggage_options(cart).into_iter().find(|(o, _, _)| *o == v);
            extra += price.map_or(Decimal::ZERO, |(_, _, d)| d);
        }
    }
    if errors.is_empty() {
        Ok(extra)
    } else {
        Err(errors)
    }
}

/// Whether the e-mail's local part is `local` (ASCII case-insensitive).
pub fn local_part_is(email: &str, local: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(l, _)| l.eq_ignore_ascii_case(local))
}

/// Whether R, C and F of this contact wait [`SLOW`]: the e-mail's local part is `slow`.
pub fn is_slow(email: &str) -> bool {
    local_part_is(email, "slow")
}

/// Whether F of this contact answers `success: false`: the local part is `refundfail`.
pub fn refund_fails(email: &str) -> bool {
    local_part_is(email, "refundfail")
}

impl Sandbox {
    /// R: validates and books; the bid and how long to wait before answering.
    pub fn funnel_reserve(
        &self,
        cart_id: &str,
        body: &Map<String, Value>,
    ) -> Result<(String, Duration), FunnelError> {
        let mut books = self.books()?;
        let cart = books
            .carts
            .get(cart_id)
            .ok_or_else(FunnelError::not_found)?
            .clone();
        if cart.bid.is_some() {
            return Err(FunnelError::rejected("Cart already used"));
        }
        let form = checkout::form(&cart);
        let extra = validate(&cart, &form, body).map_err(FunnelError::validation)?;
        let bid = books.next_bid();
        let email = body
            .get("contact[email]")
            .and_then(text)
            .unwrap_or_default();
        let (o, n) = (&cart.option, cart.seats);
        let booking = Booking {
            bid,
            status: Status::PendingClientConfirmation,
            tracker: String::new(),
            from_id: cart.trip.segments.first().and_then(|s| s.from),
            to_id: cart.trip.segments.last().and_then(|s| s.to),
            dep_date_time: fmt_dt(cart.departure),
            departure: cart.departure,
            seats: n,
            price: plus(times(&o.price, n), extra),
            netprice: plus(times(&o.netprice, n), extra),
            agfee: times(&o.agfee, n),
            sysfee: times(&o.sysfee, n),
            created_on: now(),
            stamp: 0,
            ticket_url: String::new(),
            delay: if is_slow(&email) {
                SLOW
            } else {
                Duration::ZERO
            },
            confirmation_time: o.confirmation_time.unwrap_or(0),
            ready_at: None,
            ends_cancelled: pending_ends_cancelled(&o.id),
            ticket_at: None,
            refund_fails: refund_fails(&email),
            client_id: None,
        };
        let delay = booking.delay;
        books.bookings.insert(bid.to_string(), booking);
        if let Some(c) = books.carts.get_mut(cart_id) {
            c.bid = Some(bid);
        }
        Ok((bid.to_string(), delay))
    }
}

#[cfg(test)]
#[path = "reserve_tests.rs"]
mod tests;
