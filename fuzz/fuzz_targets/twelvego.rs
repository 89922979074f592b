//! 12go answers: search (and its translation), booking details, refund options,
//! error bodies, and checkout forms with their booking schema.
#![no_main]

use connect_api::domain::booking::{Booking, BookingView};
use connect_api::domain::checkout::{booking_schema, classify, parse_checkout, seat_map, Quote};
use connect_api::domain::money::{Currency, Money};
use connect_api::domain::translate::{PriceTypeMap, SearchTranslator};
use connect_api::domain::twelvego::{BookingAnswer, RefundOptions, SearchAnswer};
use connect_api::domain::upstream::Rejection;
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = SearchAnswer::from_slice(data) {
        let types = PriceTypeMap::default();
        let mut t = SearchTranslator::new(2, date(2026, 12, 26), &types);
        t.add(&a);
        let _ = t.finish();
        for trip in &a.trips {
            let _ = connect_api::domain::trip_choice::choose(&a, &trip.id, 1);
        }
    }
    if let Ok(b) = BookingAnswer::from_slice(data) {
        let view = BookingView {
            id: "1",
            twelvego_base: "https://example.test",
        };
        let _ = Booking::from_answer(&b, view);
    }
    if let Ok(r) = serde_json::from_slice::<RefundOptions>(data) {
        let _ =
            connect_api::domain::refund_choice::choose(&r, "THB", date(2026, 1, 1).at(0, 0, 0, 0));
    }
    let _ = Rejection::parse(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(form) = parse_checkout(text) {
        let form = classify(&form);
        for pax in [0u32, 1, 3] {
            let q = Quote {
                net: Money::new("100.10".parse().unwrap(), Currency::new("THB")),
                seats: pax,
            };
            let _ = booking_schema(&form, pax, None);
            let _ = booking_schema(&form, pax, Some(&q));
        }
        let _ = seat_map(&form);
    }
});
