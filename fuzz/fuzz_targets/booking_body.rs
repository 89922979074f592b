//! Booking request bodies (`booking_data` of lock_seats / create_booking), validated
//! against the checkout forms of the fixtures.
#![no_main]

#[path = "common.rs"]
mod common;

use connect_api::domain::checkout::{
    classify, estimate, parse_booking_data, parse_checkout, reserve_body, validate, Quote,
};
use connect_api::domain::money::{parse_decimal, Currency, Money};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let booking_data = body.get("booking_data").unwrap_or(&body);
    if let Some(a) = body
        .pointer("/total_price/amount")
        .and_then(Value::as_str)
        .and_then(parse_decimal)
    {
        let _ = Money::new(a, Currency::new("THB")).amount_string();
    }
    let Ok(parsed) = parse_booking_data(booking_data) else {
        return;
    };
    for text in [common::CHECKOUT_SPEC, common::CHECKOUT_VARIANTS] {
        let form = classify(&parse_checkout(text).unwrap());
        for pax in [0usize, 1, 2, 5] {
            let _ = validate(&form, &parsed, pax);
            let q = Quote {
                net: Money::new("100.10".parse().unwrap(), Currency::new("THB")),
                seats: pax as u32,
            };
            let _ = estimate(&form, &parsed, &q);
        }
        let _ = reserve_body(&form, &parsed);
    }
});
