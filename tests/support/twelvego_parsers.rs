//! Feeds bytes to every parser of 12go's answers and to what consumes them
//! (translation, trip and refund choice, checkout forms and the booking schema).
//! Shared by the property campaign (`tests/fuzz_props.rs`) and the libFuzzer
//! target `fuzz/fuzz_targets/twelvego.rs`, which include this file by path.

use connect_api::domain::booking::{Booking, BookingView};
use connect_api::domain::checkout::{
    booking_schema, classify, parse_booking_data, parse_checkout, reserve_body, seat_map, validate,
    Quote,
};
use connect_api::domain::money::{Currency, Money};
use connect_api::domain::translate::{PriceTypeMap, SearchTranslator};
use connect_api::domain::twelvego::{BookingAnswer, RefundOptions, SearchAnswer};
use connect_api::domain::upstream::Rejection;
use jiff::civil::date;
use serde_json::{json, Value};

pub fn run_checkout(text: &str, data: &Value) {
    let Ok(form) = parse_checkout(text) else {
        return;
    };
    let form = classify(&form);
    for pax in [0, 1, 3] {
        let _ = booking_schema(&form, pax, None);
        let q = Quote {
            net: Money::new("0".parse().unwrap(), Currency::new("USD")),
            seats: pax,
        };
        let _ = booking_schema(&form, pax, Some(&q));
    }
    let _ = seat_map(&form);
    if let Ok(d) = parse_booking_data(data) {
        let _ = validate(&form, &d, 2);
        let _ = reserve_body(&form, &d);
    }
}

pub fn run_twelvego(raw: &[u8]) {
    if let Ok(a) = SearchAnswer::from_slice(raw) {
        let types = PriceTypeMap::default();
        let mut t = SearchTranslator::new(2, date(2026, 12, 26), &types);
        t.add(&a);
        let _ = t.finish();
        for trip in &a.trips {
            let _ = connect_api::domain::trip_choice::choose(&a, &trip.id, 1);
        }
    }
    if let Ok(b) = BookingAnswer::from_slice(raw) {
        let view = BookingView {
            id: "1",
            twelvego_base: "https://example.test",
        };
        let _ = Booking::from_answer(&b, view);
    }
    if let Ok(r) = serde_json::from_slice::<RefundOptions>(raw) {
        let _ =
            connect_api::domain::refund_choice::choose(&r, "THB", date(2026, 1, 1).at(0, 0, 0, 0));
    }
    let _ = Rejection::parse(raw);
    if let Ok(text) = std::str::from_utf8(raw) {
        run_checkout(text, &json!({}));
    }
}
