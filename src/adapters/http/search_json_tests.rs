use super::*;
use crate::adapters::sandbox::inventory;
use crate::domain::ids::{Place, TransportType};
use crate::domain::itinerary::{
    ConfirmationType, GrossPrice, PriceType, Pricing, TicketType, Vehicle,
};
use crate::domain::money::{Currency, Money};
use crate::domain::translate::{PriceTypeMap, SearchTranslator};
use crate::ports::twelvego::SearchCall;
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn same_as_serde(result: &SearchResult) {
    let ours = search_result_json(result, 0);
    let theirs = serde_json::to_vec(result).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs)
    );
}

/// Every byte value at every position of strings of 1 to 24 bytes, against the
/// byte-by-byte definition (the word-at-a-time test must agree exactly).
#[test]
fn needs_escape_agrees_with_the_byte_by_byte_test() {
    let slow = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
    for len in 1..=24 {
        for pos in 0..len {
            for byte in 0..=255u8 {
                for fill in [b'a', 0xff, 0x7f, 0x21, 0x80] {
                    let mut v = vec![fill; len];
                    v[pos] = byte;
                    assert_eq!(needs_escape(&v), slow(&v), "{v:?}");
                }
            }
        }
    }
    assert!(!needs_escape(b""));
}

/// `raw` writes every length from 0 to 300 bytes exactly, after any prefix.
#[test]
fn raw_copies_pieces_of_every_length_exactly() {
    let source: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
    for prefix in [0usize, 1, 5, 9] {
        for len in 0..=300 {
            let mut w = Writer(vec![b'x'; prefix], String::new());
            w.raw(&source[..len]);
            let mut want = vec![b'x'; prefix];
            want.extend_from_slice(&source[..len]);
            assert_eq!(w.0, want, "prefix {prefix}, len {len}");
        }
    }
}

fn money(amount: &str, code: &str) -> Money {
    Money::new(amount.parse().unwrap(), Currency::new(code))
}

/// Every optional part present or absent, every enum value, strings that need escaping.
fn hand_made(text: &str) -> SearchResult {
    let class = SeatClass {
        id: format!("16{text}"),
        name: text.to_string(),
        description: String::new(),
        keywords: Some(vec![text.to_string(), "k".into()]),
        images: Some(vec![Image {
            url: format!("https://img.example/{text}"),
            width: 640,
            height: 480,
            kind: "thumbnail".into(),
        }]),
        amenities: vec!["WC".into(), text.to_string()],
    };
    let vehicles = vec![
        Vehicle {
            id: "16779-Train".into(),
            name: "Train".into(),
            seat_classes: vec![
                class.clone(),
                SeatClass {
                    keywords: None,
                    images: None,
                    amenities: Vec::new(),
                    ..class
                },
            ],
            images: None,
            description: None,
            keywords: None,
            amenities: None,
        },
        Vehicle {
            id: text.to_string(),
            name: "Bus".into(),
            seat_classes: Vec::new(),
            images: Some(Vec::new()),
            description: Some(text.to_string()),
            keywords: Some(Vec::new()),
            amenities: Some(vec![text.to_string()]),
        },
    ];
    let segment = Segment {
        id: format!("seg{text}"),
        from_station: "3".into(),
        to_station: "4".into(),
        departure_time: "2026-12-27T20:22:00".into(),
        arrival_time: "2026-12-28T08:45:00".into(),
        travel_duration: "PT12H23M".into(),
        vehicle_id: "16779-Train".into(),
        operating_carrier_id: "16779".into(),
        seat_class_id: "16".into(),
        transportation_types: vec![
            TransportType::Train,
            TransportType::Bus,
            TransportType::Ferry,
            TransportType::Van,
            TransportType::Airplane,
        ],
    };
    let pricing = |price_type| Pricing {
        gross_price: GrossPrice {
            price: money("370.37", "THB"),
            price_type,
        },
        net_price: money("308", "JPY"),
        taxes_and_fees: money("62.375", "KWD"),
    };
    let itinerary = Itinerary {
        id: format!("TH0003-{text}-2026-12-27-20:22-1"),
        departure_segments: vec![segment.id.clone(), "other".into()],
        connection_guaranteed: true,
        cancellation_policies: vec![
            CancellationPolicy {
                from: None,
                penalty: Penalty::Percent(100),
            },
            CancellationPolicy {
                from: Some(text.to_string()),
                penalty: Penalty::Amount(money("12.5", "USD")),
            },
        ],
        number_of_available_seats: -3,
        pricing: pricing(PriceType::Recommended),
        confirmation_type: ConfirmationType::Instant,
        ticket_type: Some(TicketType::PaperTicket),
    };
    let mut others = Vec::new();
    for (price_type, confirmation, ticket) in [
        (PriceType::Max, ConfirmationType::Pending, None),
        (
            PriceType::Min,
            ConfirmationType::Instant,
            Some(TicketType::ShowOnScreen),
        ),
        (
            PriceType::Exact,
            ConfirmationType::Pending,
            Some(TicketType::PickUp),
        ),
    ] {
        others.push(Itinerary {
            cancellation_policies: Vec::new(),
            connection_guaranteed: false,
            number_of_available_seats: i64::MAX,
            pricing: pricing(price_type),
            confirmation_type: confirmation,
            ticket_type: ticket,
            departure_segments: Vec::new(),
            ..itinerary.clone()
        });
    }
    others.insert(0, itinerary);
    SearchResult {
        vehicles,
        segments: vec![segment],
        itineraries: others,
    }
}

#[test]
fn every_shape_is_written_as_serde_json_writes_it() {
    for text in [
        "plain",
        "",
        "quote\" back\\slash",
        "tab\tnew\nline\u{1}",
        "ก/é",
    ] {
        same_as_serde(&hand_made(text));
    }
    same_as_serde(&SearchResult::default());
}

#[test]
fn sandbox_searches_are_written_as_serde_json_writes_them() {
    let mut itineraries = 0;
    for (from, to, seats) in [("1p", "44p", 1), ("3s", "4s", 2), ("1p", "60p", 1)] {
        let call = SearchCall {
            from: Place::parse_path(from).unwrap(),
            to: Place::parse_path(to).unwrap(),
            date: date(2026, 4, 5),
            seats,
        };
        let answer = inventory::search(&call, "http://sandbox.12go.invalid").unwrap();
        let map = PriceTypeMap::default();
        let mut t = SearchTranslator::new(seats, call.date, &map);
        t.add(&answer);
        let result = t.finish();
        itineraries += result.itineraries.len();
        same_as_serde(&result);
    }
    assert!(itineraries > 20, "{itineraries}");
}

proptest! {
    #[test]
    fn any_text_is_escaped_as_serde_json_escapes_it(text in any::<String>(), cents in 0i64..10_000_000) {
        let mut result = hand_made(&text);
        result.itineraries[0].pricing.net_price = Money::new(Decimal::new(cents, 2), Currency::new("EUR"));
        same_as_serde(&result);
    }
}
