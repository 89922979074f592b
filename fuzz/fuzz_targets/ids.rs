//! Itinerary ids, client ids, 12go places, booking ids (plain, KLV, mapping CSV).
#![no_main]

use connect_api::domain::booking_id::{resolve_bid, BookingIdMap};
use connect_api::domain::ids::{ClientId, ItineraryRef, Place};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = ClientId::parse(&text);
    if let Some(p) = Place::parse_path(&text) {
        assert_eq!(Place::parse_path(&p.to_string()), Some(p));
    }
    let _ = ItineraryRef::parse(&text);
    let _ = resolve_bid(&text, "acme", None);
    let _ = resolve_bid(&format!("0102V1{text}"), "acme", None);
    if let Ok((map, _)) = BookingIdMap::parse(&format!("id,plain_id,bid,client_id\n{text}")) {
        for col in text.split([',', '\n']) {
            let _ = resolve_bid(col.trim(), "acme", Some(&map));
        }
    }
});
