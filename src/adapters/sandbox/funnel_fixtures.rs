//! Test helpers for the funnel: trips with given traits, valid booking data.

use jiff::civil::{date, DateTime};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

use super::checkout::{profile, Profile};
use super::inventory::search;
use crate::domain::checkout::reserve::PassengerData;
use crate::domain::checkout::{checkout_form, reserve_body, BookingData, ClassifiedForm};
use crate::domain::ids::Place;
use crate::domain::secret::Secret;
use crate::domain::twelvego::{Price, TravelOption, Trip};
use crate::domain::upstream::{Rejection, UpstreamError};
use crate::ports::twelvego::{CallContext, SearchCall, TripCall};
use rust_decimal::Decimal;

pub const BASE: &str = "http://sandbox.12go.invalid";

pub fn ctx(key: &str) -> CallContext {
    CallContext {
        key: Secret::new(key),
        correlation_id: "test".into(),
        deadline: Instant::now() + Duration::from_secs(5),
    }
}

pub fn departure(o: &TravelOption) -> DateTime {
    o.dep_datetime
        .as_deref()
        .unwrap()
        .replace(' ', "T")
        .parse()
        .unwrap()
}

/// Every searchable option of a few routes over a week.
pub fn all_options() -> Vec<(Trip<'static>, TravelOption<'static>)> {
    let mut out = Vec::new();
    for (from, to) in [(1, 44), (1, 60), (200, 201), (60, 63), (1, 62)] {
        for day in 5..12 {
            let call = SearchCall {
                from: Place::Province(from),
                to: Place::Province(to),
                date: date(2026, 4, day),
                seats: 1,
            };
            for t in search(&call, BASE).unwrap().trips {
                for o in &t.travel_options {
                    out.push((t.clone(), o.clone()));
                }
            }
        }
    }
    out
}

/// The first option with `seats` bookable seats matching `pred`.
pub fn find(seats: u8, pred: impl Fn(&TravelOption, &Profile) -> bool) -> TripCall {
    let (_, o) = all_options()
        .into_iter()
        .find(|(_, o)| {
            o.is_bookable == Some(1)
                && o.bookable.unwrap_or(0) >= i64::from(seats)
                && pred(o, &profile(&o.id))
        })
        .expect("a matching trip");
    TripCall {
        trip_key: o.id.to_string(),
        departure: departure(&o),
        seats,
    }
}

pub fn instant(o: &TravelOption) -> bool {
    o.confirmation_time == Some(0)
}

/// Booking data the form accepts: every required field, first option of each select.
pub fn valid_data(form: &ClassifiedForm, seats: u8) -> BookingData {
    let doc = form.passenger("dob").is_some();
    let pax = |i: u8| PassengerData {
        first_name: Some(if i == 0 { "John" } else { "Jane" }.into()),
        last_name: Some("Doe".into()),
        gender: Some("Male".into()),
        nationality: Some("TH".into()),
        dob: doc.then(|| "1990-01-31".into()),
        id_number: doc.then(|| format!("AB12345{i}")),
        id_type: doc.then(|| "Passport".into()),
        ..PassengerData::default()
    };
    let mut data = BookingData {
        email: Some("jo@example.com".into()),
        mobile_phone: Some("+66812345678".into()),
        passengers: (0..seats).map(pax).collect(),
        ..BookingData::default()
    };
    for (name, f) in form.additional() {
        let v = f
            .field
            .options
            .first()
            .map_or("Somewhere 1", |o| o.value.as_str());
        if f.field.required {
            data.additional_fields.insert(name.to_string(), v.into());
        }
    }
    data
}

/// Parses and classifies an S answer, and builds an accepted reserve body.
pub fn form_and_body(form: &Value, seats: u8) -> (ClassifiedForm, Map<String, Value>) {
    let form = checkout_form(&form.to_string()).unwrap();
    let data = valid_data(&form, seats);
    crate::domain::checkout::validate(&form, &data, usize::from(seats)).unwrap();
    let body = reserve_body(&form, &data);
    (form, body)
}

pub fn status<T: std::fmt::Debug>(r: Result<T, UpstreamError>) -> (u16, Rejection) {
    match r {
        Err(UpstreamError::Status {
            status, rejection, ..
        }) => (status, rejection),
        other => panic!("not a status: {other:?}"),
    }
}

pub fn value(p: &Option<Price>) -> Decimal {
    p.as_ref().unwrap().value.unwrap()
}

/// A → S → R with contact `email`, then C if `confirm`, in-process; the bid.
pub fn booked(sb: &super::Sandbox, call: &TripCall, email: &str, confirm: bool) -> String {
    let cart = sb.funnel_cart(call).unwrap();
    let (_, mut body) = form_and_body(&sb.funnel_checkout(&cart).unwrap(), call.seats);
    body.insert("contact[email]".into(), email.into());
    let (bid, _) = sb.funnel_reserve(&cart, &body).unwrap();
    if confirm {
        sb.funnel_confirm(&bid).unwrap();
    }
    bid
}

/// The booking as stored.
pub fn stored(sb: &super::Sandbox, bid: &str) -> super::booking::Booking {
    sb.books().unwrap().bookings.get(bid).unwrap().clone()
}
