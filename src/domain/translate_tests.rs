use super::*;

use crate::domain::time::{format_date, parse_date};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::str::FromStr;

// ---------------------------------------------------------------------------
// Builders: a 12go answer is written as JSON (like the wire), then parsed with
// the production deserializer, so the tests exercise the real input model.
// ---------------------------------------------------------------------------

const DAY: &str = "2026-04-05";
const KEY: &str = "TH000300044mDt00g03BNR3q";

fn date(raw: &str) -> Date {
    parse_date(raw).unwrap()
}

fn dt(raw: &str) -> DateTime {
    parse_lenient_datetime(raw).unwrap()
}

fn dec(raw: &str) -> Decimal {
    Decimal::from_str(raw).unwrap()
}

/// A valid trip key: `TH` + 22 digits.
fn key(n: u32) -> String {
    format!("TH{n:022}")
}

fn base_segment() -> Value {
    json!({"type":"route","vehclasses":["train"],"connection_guaranteed":true,"from":3,"to":4,
        "duration":743,"dep_time":"2026-04-05 20:22:00","arr_time":"2026-04-06 08:45:00",
        "class":16,"operator":16779})
}

fn base_option() -> Value {
    json!({"id":KEY,"bookable":83,"class":16,"price":{"value":370.37,"fxcode":"THB"},
        "netprice":{"value":308.00,"fxcode":"THB"},"sysfee":{"value":50.00,"fxcode":"THB"},
        "agfee":{"value":12.37,"fxcode":"THB"},"amenities":["WC"],"ticket_type":"paper",
        "confirmation_time":0,"cancellation":0,"full_refund_until":null,"price_restriction":0,
        "is_bookable":1})
}

/// `base` with the members of `patch` replaced (a `null` in the patch sets null).
fn with(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().expect("patch is an object") {
        base[k] = v.clone();
    }
    base
}

/// `base` with member `key` removed entirely.
fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

fn seg(patch: Value) -> Value {
    with(base_segment(), patch)
}

fn opt(patch: Value) -> Value {
    with(base_option(), patch)
}

fn trip(id: &str, segments: Vec<Value>, options: Vec<Value>) -> Value {
    json!({"id":id,"params":{"vehclasses":["train"],"hide":false},"segments":segments,
        "travel_options":options})
}

/// A one-segment trip whose single option has the trip key `id`.
fn simple_trip(id: &str, option_patch: Value) -> Value {
    trip(
        id,
        vec![base_segment()],
        vec![opt(with(json!({"id":id}), option_patch))],
    )
}

fn answer(trips: Vec<Value>) -> SearchAnswer<'static> {
    let body = json!({"trips":trips,
        "classes":{"16":{"id":16,"name":"Class 3 Fan","is_multi_pax":true},
                   "21":{"id":21,"name":"Economy","is_multi_pax":true}},
        "recheck":[]});
    // Leaked so that the answer can borrow from it for the whole test.
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    SearchAnswer::from_slice(body.as_bytes()).unwrap()
}

fn translate_all(
    answers: &[SearchAnswer<'_>],
    pax: u8,
    day: &str,
    map: &PriceTypeMap,
) -> SearchResult {
    let mut t = SearchTranslator::new(pax, date(day), map);
    for a in answers {
        t.add(a);
    }
    t.finish()
}

fn translate(trips: Vec<Value>) -> SearchResult {
    translate_all(&[answer(trips)], 1, DAY, &PriceTypeMap::default())
}

/// Translates the base trip with its option patched.
fn with_option(patch: Value) -> SearchResult {
    translate(vec![trip(KEY, vec![base_segment()], vec![opt(patch)])])
}

/// Translates the base trip with its only segment patched.
fn with_segment(segment: Value) -> SearchResult {
    translate(vec![trip(KEY, vec![segment], vec![base_option()])])
}

fn only_itinerary(r: &SearchResult) -> &Itinerary {
    assert_eq!(r.itineraries.len(), 1, "{r:#?}");
    &r.itineraries[0]
}

fn only_segment(r: &SearchResult) -> &Segment {
    assert_eq!(r.segments.len(), 1, "{r:#?}");
    &r.segments[0]
}

fn itinerary_json(r: &SearchResult) -> Value {
    serde_json::to_value(only_itinerary(r)).unwrap()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|x| id(x).to_string()).collect()
}

// ---------------------------------------------------------------------------
// The spec example (10 §2 → 10 §1)
// ---------------------------------------------------------------------------

const SPEC_12GO_ANSWER: &str = include_str!("../../tests/fixtures/12go/spec-example.json");

const SPEC_CONNECT_RESULT: &str = r#"{"vehicles":[{"id":"16779-Train","name":"Train","seat_classes":[{"id":"16","name":"Class 3 Fan","description":"","keywords":null,
  "images":null,"amenities":["WC"]}],"images":null,"description":null,"keywords":null,"amenities":null}],
 "segments":[{"id":"16779-3-4-2026-04-05T20:22-2026-04-06T08:45-16","from_station":"3","to_station":"4",
  "departure_time":"2026-04-05T20:22","arrival_time":"2026-04-06T08:45","travel_duration":"PT12H23M","vehicle_id":"16779-Train",
  "operating_carrier_id":"16779","seat_class_id":"16","transportation_types":["Train"]}],
 "itineraries":[{"id":"TH000300044mDt00g03BNR3q-2026-04-05-20:22-1","departure_segments":["16779-3-4-2026-04-05T20:22-2026-04-06T08:45-16"],
  "connection_guaranteed":true,"cancellation_policies":[{"from":null,"penalty":{"percent":100}}],"number_of_available_seats":83,
  "pricing":{"gross_price":{"amount":"370.37","currency":"THB","price_type":"Recommended"},"net_price":{"amount":"308.00","currency":"THB"},
  "taxes_and_fees":{"amount":"62.37","currency":"THB"}},"confirmation_type":"Instant","ticket_type":"PaperTicket"}]}"#;

#[test]
fn the_spec_12go_answer_translates_into_exactly_the_spec_example_output() {
    // Arrange
    let answer = SearchAnswer::from_slice(SPEC_12GO_ANSWER.as_bytes()).unwrap();
    let expected: Value = serde_json::from_str(SPEC_CONNECT_RESULT).unwrap();
    let map = PriceTypeMap::default();

    // Act
    let result = translate_all(&[answer], 1, DAY, &map);

    // Assert
    assert_eq!(serde_json::to_value(&result).unwrap(), expected);
}

#[test]
fn the_spec_example_for_two_passengers_ends_its_itinerary_id_in_2() {
    let answer = SearchAnswer::from_slice(SPEC_12GO_ANSWER.as_bytes()).unwrap();
    let result = translate_all(&[answer], 2, DAY, &PriceTypeMap::default());
    assert_eq!(
        only_itinerary(&result).id,
        "TH000300044mDt00g03BNR3q-2026-04-05-20:22-2"
    );
}

#[test]
fn an_empty_answer_gives_three_empty_arrays() {
    let result = translate_all(&[SearchAnswer::default()], 1, DAY, &PriceTypeMap::default());
    assert_eq!(
        serde_json::to_value(&result).unwrap(),
        json!({"vehicles":[],"segments":[],"itineraries":[]})
    );
}

// ---------------------------------------------------------------------------
// Fixtures rebuilt from live references (dated 30 days after generation)
// ---------------------------------------------------------------------------

const LARGE: &str = include_str!("../../tests/fixtures/12go/large.json");
const SMALL: &str = include_str!("../../tests/fixtures/12go/small.json");

/// The fixture's own departure date: the first trip's first segment's local date.
fn fixture(raw: &str) -> (SearchAnswer<'_>, Date) {
    let answer = SearchAnswer::from_slice(raw.as_bytes()).unwrap();
    let dep = answer.trips[0].segments[0].dep_time.as_deref().unwrap();
    let day = dt(dep).date();
    (answer, day)
}

fn translate_fixture(raw: &str, pax: u8) -> (SearchResult, Date) {
    let (answer, day) = fixture(raw);
    let map = PriceTypeMap::default();
    let mut t = SearchTranslator::new(pax, day, &map);
    t.add(&answer);
    (t.finish(), day)
}

fn assert_linked_and_unique(r: &SearchResult) {
    let vehicle_ids: HashSet<&str> = r.vehicles.iter().map(|v| v.id.as_str()).collect();
    let segment_ids: HashSet<&str> = r.segments.iter().map(|s| s.id.as_str()).collect();
    let itinerary_ids: HashSet<&str> = r.itineraries.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        vehicle_ids.len(),
        r.vehicles.len(),
        "vehicle ids are unique"
    );
    assert_eq!(
        segment_ids.len(),
        r.segments.len(),
        "segment ids are unique"
    );
    assert_eq!(
        itinerary_ids.len(),
        r.itineraries.len(),
        "itinerary ids are unique"
    );
    for s in &r.segments {
        assert!(
            vehicle_ids.contains(s.vehicle_id.as_str()),
            "{} has no vehicle",
            s.id
        );
        let vehicle = r.vehicles.iter().find(|v| v.id == s.vehicle_id).unwrap();
        assert!(
            vehicle.seat_classes.iter().any(|c| c.id == s.seat_class_id),
            "{} has no seat class {} in {}",
            s.id,
            s.seat_class_id,
            vehicle.id
        );
    }
    for v in &r.vehicles {
        let class_ids: HashSet<&str> = v.seat_classes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            class_ids.len(),
            v.seat_classes.len(),
            "seat classes unique in {}",
            v.id
        );
        for c in &v.seat_classes {
            let unique: HashSet<&String> = c.amenities.iter().collect();
            assert_eq!(
                unique.len(),
                c.amenities.len(),
                "amenities unique in {}",
                c.id
            );
        }
    }
    for i in &r.itineraries {
        assert!(!i.departure_segments.is_empty());
        for s in &i.departure_segments {
            assert!(
                segment_ids.contains(s.as_str()),
                "{} points to missing {s}",
                i.id
            );
        }
    }
    // Every segment and vehicle is used by something.
    let used_segments: HashSet<&str> = r
        .itineraries
        .iter()
        .flat_map(|i| i.departure_segments.iter().map(String::as_str))
        .collect();
    assert_eq!(used_segments, segment_ids);
    let used_vehicles: HashSet<&str> = r.segments.iter().map(|s| s.vehicle_id.as_str()).collect();
    assert_eq!(used_vehicles, vehicle_ids);
}

#[test]
fn the_large_fixture_gives_22_vehicles_141_segments_and_140_itineraries() {
    let (r, _) = translate_fixture(LARGE, 1);
    assert_eq!(
        (r.vehicles.len(), r.segments.len(), r.itineraries.len()),
        (22, 141, 140)
    );
}

#[test]
fn the_small_fixture_gives_3_itineraries() {
    let (r, _) = translate_fixture(SMALL, 1);
    assert_eq!(r.itineraries.len(), 3);
    assert_eq!(r.segments.len(), 3);
    assert_eq!(ids(&r.vehicles, |v| &v.id), ["16779-Train"]);
}

#[test]
fn fixture_outputs_are_linked_and_their_ids_are_unique() {
    for raw in [LARGE, SMALL] {
        let (r, _) = translate_fixture(raw, 1);
        assert_linked_and_unique(&r);
    }
}

#[test]
fn the_large_fixture_lists_vehicles_in_first_seen_order() {
    let (r, _) = translate_fixture(LARGE, 1);
    assert_eq!(
        ids(&r.vehicles, |v| &v.id),
        [
            "16779-Train",
            "231-Bus",
            "2245-Bus",
            "1754-Bus",
            "27971-Bus",
            "31995-Bus",
            "50197-Bus",
            "12804-Bus",
            "13981-Bus",
            "1-Airplane",
            "5-Airplane",
            "102-Airplane",
            "33709-Airplane",
            "44824-Airplane",
            "44826-Airplane",
            "2-Airplane",
            "4-Airplane",
            "4593-Airplane",
            "33908-Airplane",
            "3178-Bus",
            "30461-Bus",
            "40424-Bus",
        ]
    );
}

#[test]
fn the_large_fixtures_two_connecting_flights_share_their_second_segment() {
    let (r, day) = translate_fixture(LARGE, 2);
    let d = format_date(day);
    let shared = format!("4-5943-5939-{d}T08:55-{d}T10:40-21");
    assert_eq!(r.segments.iter().filter(|s| s.id == shared).count(), 1);
    let users: Vec<&Itinerary> = r
        .itineraries
        .iter()
        .filter(|i| i.departure_segments.contains(&shared))
        .collect();
    assert_eq!(
        ids(&users, |i| &i.id),
        [
            format!("TH01xL01xN004a00l01MuJNr-{d}-06:40-2"),
            format!("TH01xL01xN004a00l034eYgq-{d}-06:25-2"),
        ]
    );
    assert_eq!(
        users[0].departure_segments,
        [
            format!("4-5937-5943-{d}T06:40-{d}T07:45-21"),
            shared.clone()
        ]
    );
    assert!(users.iter().all(|i| !i.connection_guaranteed));
}

#[test]
fn the_large_fixture_keeps_12go_currencies_and_exact_sums() {
    let (r, _) = translate_fixture(LARGE, 1);
    let mut per_currency: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &r.itineraries {
        *per_currency
            .entry(i.pricing.gross_price.price.currency.as_str())
            .or_default() += 1;
        let p = &i.pricing;
        assert_eq!(
            p.gross_price.price.amount,
            p.net_price.amount + p.taxes_and_fees.amount,
            "{}",
            i.id
        );
    }
    assert_eq!(
        per_currency,
        BTreeMap::from([("EUR", 5), ("THB", 94), ("USD", 41)])
    );
}

#[test]
fn the_fixtures_translate_to_nothing_on_another_departure_date() {
    for raw in [LARGE, SMALL] {
        let (answer, day) = fixture(raw);
        let map = PriceTypeMap::default();
        for other in [day.yesterday().unwrap(), day.tomorrow().unwrap()] {
            let mut t = SearchTranslator::new(1, other, &map);
            t.add(&answer);
            assert_eq!(t.finish(), SearchResult::default());
        }
    }
}

#[test]
fn the_fixtures_drop_options_with_fewer_seats_than_pax() {
    let (answer, _) = fixture(LARGE);
    let most_seats = answer
        .trips
        .iter()
        .flat_map(|t| &t.travel_options)
        .filter_map(|o| o.bookable)
        .max()
        .unwrap();
    let pax = u8::try_from(most_seats.min(100)).unwrap();
    let (r, day) = translate_fixture(LARGE, pax);
    let expected = answer
        .trips
        .iter()
        .flat_map(|t| &t.travel_options)
        .filter(|o| o.bookable.unwrap_or(0) >= i64::from(pax))
        .count();
    assert!(expected < 140 && expected > 0, "pax {pax} keeps {expected}");
    assert_eq!(r.itineraries.len(), expected);
    assert!(r
        .itineraries
        .iter()
        .all(|i| i.number_of_available_seats >= i64::from(pax)));
    assert!(r
        .itineraries
        .iter()
        .all(|i| i.id.ends_with(&format!("-{pax}"))));
    assert!(r
        .itineraries
        .iter()
        .all(|i| i.id.contains(&format_date(day))));
}

// ---------------------------------------------------------------------------
// Option filtering (10 §4.1 step 2–3)
// ---------------------------------------------------------------------------

#[test]
fn options_failing_a_filter_are_dropped() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "a null price value",
            json!({"price":{"value":null,"fxcode":"THB"}}),
        ),
        (
            "a null net price value",
            json!({"netprice":{"value":null,"fxcode":"THB"}}),
        ),
        ("a null price object", json!({"price":null})),
        ("a null net price object", json!({"netprice":null})),
        (
            "a non-numeric price",
            json!({"price":{"value":"n/a","fxcode":"THB"}}),
        ),
        ("is_bookable 0", json!({"is_bookable":0})),
        ("is_bookable \"0\"", json!({"is_bookable":"0"})),
        ("bookable 0", json!({"bookable":0})),
        ("bookable negative", json!({"bookable":-3})),
        ("bookable null", json!({"bookable":null})),
    ];
    for (why, patch) in cases {
        let r = with_option(patch);
        assert_eq!(r, SearchResult::default(), "{why} must drop the option");
    }
}

#[test]
fn a_missing_price_member_drops_the_option() {
    for member in ["price", "netprice"] {
        let r = translate(vec![trip(
            KEY,
            vec![base_segment()],
            vec![without(base_option(), member)],
        )]);
        assert!(r.itineraries.is_empty(), "{member}");
    }
}

#[test]
fn options_passing_every_filter_are_kept() {
    let cases: Vec<(&str, Value)> = vec![
        ("is_bookable 1", json!({"is_bookable":1})),
        ("is_bookable null", json!({"is_bookable":null})),
        ("bookable exactly 1", json!({"bookable":1})),
        (
            "a price given as a string",
            json!({"price":{"value":"370.37","fxcode":"THB"}}),
        ),
        (
            "a zero net price",
            json!({"netprice":{"value":0,"fxcode":"THB"}}),
        ),
    ];
    for (why, patch) in cases {
        assert_eq!(
            with_option(patch).itineraries.len(),
            1,
            "{why} must keep the option"
        );
    }
}

#[test]
fn bookable_below_pax_drops_the_option_and_equal_keeps_it() {
    let a = answer(vec![simple_trip(KEY, json!({"bookable":3}))]);
    let map = PriceTypeMap::default();
    for (pax, kept) in [(1, 1), (2, 1), (3, 1), (4, 0), (100, 0)] {
        let r = translate_all(std::slice::from_ref(&a), pax, DAY, &map);
        assert_eq!(r.itineraries.len(), kept, "pax {pax}");
    }
}

#[test]
fn an_option_whose_first_segment_departs_on_another_date_is_dropped() {
    let map = PriceTypeMap::default();
    for day in ["2026-04-04", "2026-04-06"] {
        let r = translate_all(&[answer(vec![simple_trip(KEY, json!({}))])], 1, day, &map);
        assert_eq!(r, SearchResult::default(), "searched {day}");
    }
}

#[test]
fn only_the_first_segments_date_is_compared_with_the_departure_date() {
    // Departs 23:30 on the 5th, second leg on the 6th: kept for the 5th only.
    let legs = vec![
        seg(json!({"dep_time":"2026-04-05 23:30","arr_time":"2026-04-06 01:00","duration":90})),
        seg(
            json!({"from":4,"to":5,"dep_time":"2026-04-06 02:00","arr_time":"2026-04-06 05:00","duration":180}),
        ),
    ];
    let a = answer(vec![trip(KEY, legs, vec![base_option()])]);
    let map = PriceTypeMap::default();
    assert_eq!(
        translate_all(std::slice::from_ref(&a), 1, "2026-04-05", &map)
            .itineraries
            .len(),
        1
    );
    assert_eq!(
        translate_all(std::slice::from_ref(&a), 1, "2026-04-06", &map)
            .itineraries
            .len(),
        0
    );
}

#[test]
fn hidden_trips_are_skipped() {
    for hide in [json!(true), json!(1), json!("1")] {
        let mut t = simple_trip(KEY, json!({}));
        t["params"]["hide"] = hide.clone();
        let visible = simple_trip(&key(2), json!({}));
        let r = translate(vec![t, visible]);
        assert_eq!(
            ids(&r.itineraries, |i| &i.id),
            [format!("{}-2026-04-05-20:22-1", key(2))],
            "hide = {hide}"
        );
    }
}

#[test]
fn trips_with_hide_false_or_absent_are_kept() {
    for hide in [json!(false), json!(0), Value::Null] {
        let mut t = simple_trip(KEY, json!({}));
        t["params"]["hide"] = hide.clone();
        assert_eq!(translate(vec![t]).itineraries.len(), 1, "hide = {hide}");
    }
    let t = json!({"id":KEY,"segments":[base_segment()],"travel_options":[base_option()]});
    assert_eq!(translate(vec![t]).itineraries.len(), 1, "no params at all");
}

#[test]
fn wait_segments_are_dropped() {
    let legs = vec![
        seg(
            json!({"dep_time":"2026-04-05 06:40","arr_time":"2026-04-05 07:45","duration":65,"to":9}),
        ),
        json!({"type":"wait","from":9,"to":9,"dep_time":"2026-04-05 07:45","arr_time":"2026-04-05 08:55","duration":70}),
        seg(
            json!({"from":9,"dep_time":"2026-04-05 08:55","arr_time":"2026-04-05 10:40","duration":105}),
        ),
    ];
    let r = translate(vec![trip(KEY, legs, vec![base_option()])]);
    assert_eq!(
        only_itinerary(&r).departure_segments,
        [
            "16779-3-9-2026-04-05T06:40-2026-04-05T07:45-16",
            "16779-9-4-2026-04-05T08:55-2026-04-05T10:40-16",
        ]
    );
    assert_eq!(r.segments.len(), 2);
}

#[test]
fn a_trip_with_only_wait_segments_or_none_gives_nothing() {
    let wait = seg(json!({"type":"wait"}));
    assert_eq!(
        translate(vec![trip(KEY, vec![wait], vec![base_option()])]),
        SearchResult::default()
    );
    assert_eq!(
        translate(vec![trip(KEY, vec![], vec![base_option()])]),
        SearchResult::default()
    );
}

#[test]
fn a_trip_with_a_missing_segment_field_is_skipped_and_the_others_kept() {
    let two_legs = |second: Value| {
        vec![
            seg(json!({"to":9,"dep_time":"2026-04-05 06:40","arr_time":"2026-04-05 07:45"})),
            second,
        ]
    };
    let second = seg(json!({"from":9,"dep_time":"2026-04-05 08:55","arr_time":"2026-04-05 10:40"}));
    let cases: Vec<(&str, Vec<Value>)> = vec![
        ("from", vec![without(base_segment(), "from")]),
        ("to", vec![without(base_segment(), "to")]),
        ("operator", vec![without(base_segment(), "operator")]),
        ("null from", vec![seg(json!({"from":null}))]),
        ("empty operator", vec![seg(json!({"operator":""}))]),
        // Several legs: no fallback to the option's date-times.
        (
            "dep_time of leg 2",
            two_legs(without(second.clone(), "dep_time")),
        ),
        (
            "arr_time of leg 2",
            two_legs(without(second.clone(), "arr_time")),
        ),
        (
            "unparsable dep_time of leg 2",
            two_legs(with(second.clone(), json!({"dep_time":"tomorrow"}))),
        ),
    ];
    for (why, segments) in cases {
        let broken = trip(KEY, segments, vec![base_option()]);
        let fine = simple_trip(&key(7), json!({}));
        let r = translate(vec![broken, fine]);
        assert_eq!(
            ids(&r.itineraries, |i| &i.id),
            [format!("{}-2026-04-05-20:22-1", key(7))],
            "missing {why}"
        );
        assert_eq!(r.segments.len(), 1, "missing {why}");
    }
}

#[test]
fn a_trip_without_any_class_is_skipped() {
    let t = trip(
        KEY,
        vec![without(base_segment(), "class")],
        vec![without(base_option(), "class")],
    );
    assert_eq!(translate(vec![t]), SearchResult::default());
}

#[test]
fn a_one_segment_trip_without_times_and_without_option_times_is_skipped() {
    let t = trip(
        KEY,
        vec![without(base_segment(), "dep_time")],
        vec![base_option()],
    );
    assert_eq!(translate(vec![t]), SearchResult::default());
}

// ---------------------------------------------------------------------------
// Ids (10 §4.2)
// ---------------------------------------------------------------------------

#[test]
fn the_itinerary_id_uses_the_first_segments_local_departure_and_pax() {
    let legs = vec![
        seg(
            json!({"to":9,"dep_time":"2026-04-05 06:40:00","arr_time":"2026-04-05 07:45:00","duration":65}),
        ),
        seg(
            json!({"from":9,"dep_time":"2026-04-05 08:55:00","arr_time":"2026-04-05 10:40:00","duration":105}),
        ),
    ];
    let option = opt(json!({"id":"TH01xL01xN004a00l01MuJNr"}));
    let a = answer(vec![trip("TH01xL01xN004a00l01MuJNr", legs, vec![option])]);
    let r = translate_all(&[a], 2, DAY, &PriceTypeMap::default());
    assert_eq!(
        only_itinerary(&r).id,
        "TH01xL01xN004a00l01MuJNr-2026-04-05-06:40-2"
    );
}

#[test]
fn the_itinerary_id_ignores_seconds_and_offsets() {
    let r = with_segment(seg(json!({"dep_time":"2026-04-05T07:05:59+07:00"})));
    assert_eq!(only_itinerary(&r).id, format!("{KEY}-2026-04-05-07:05-1"));
}

#[test]
fn the_trip_key_is_the_option_id_only_when_it_looks_like_a_12go_key() {
    let trip_id = "trip-id-7";
    let cases: Vec<(&str, &str)> = vec![
        ("TH000300044mDt00g03BNR3q", "TH000300044mDt00g03BNR3q"),
        ("TH000300044mDt1x403BNR3q", "TH000300044mDt1x403BNR3q"),
        ("VN0000000000000000000000", "VN0000000000000000000000"),
        ("ABzzzzzzzzzzzzzzzzzzzzzz", "ABzzzzzzzzzzzzzzzzzzzzzz"),
        // 23 and 25 characters.
        ("TH000300044mDt00g03BNR3", trip_id),
        ("TH000300044mDt00g03BNR3qq", trip_id),
        // Country code not two uppercase letters.
        ("Th000300044mDt00g03BNR3q", trip_id),
        ("T1000300044mDt00g03BNR3q", trip_id),
        ("1H000300044mDt00g03BNR3q", trip_id),
        // Non-alphanumeric body.
        ("TH000300044mDt00g03BNR3-", trip_id),
        ("TH000300044mDt00g03BNR3_", trip_id),
        ("TH000300044mDt00g03BNR é", trip_id),
        ("TH000300044mDt00g03BNRé", trip_id),
        ("", trip_id),
        ("12345", trip_id),
    ];
    for (option_id, expected_key) in cases {
        let r = translate(vec![trip(
            trip_id,
            vec![base_segment()],
            vec![opt(json!({"id":option_id}))],
        )]);
        assert_eq!(
            only_itinerary(&r).id,
            format!("{expected_key}-2026-04-05-20:22-1"),
            "option id {option_id:?}"
        );
    }
}

#[test]
fn a_numeric_option_id_falls_back_to_the_trip_id() {
    let r = translate(vec![trip(
        "T9",
        vec![base_segment()],
        vec![opt(json!({"id":12345}))],
    )]);
    assert_eq!(only_itinerary(&r).id, "T9-2026-04-05-20:22-1");
}

#[test]
fn options_of_one_trip_with_their_own_keys_give_separate_itineraries() {
    let options = vec![
        opt(json!({"id":"TH000300044mDt00f03BNR3q","class":15})),
        opt(json!({"id":"TH000300044mDt1x403BNR3q","class":5894})),
    ];
    let r = translate(vec![trip(KEY, vec![base_segment()], options)]);
    assert_eq!(
        ids(&r.itineraries, |i| &i.id),
        [
            "TH000300044mDt00f03BNR3q-2026-04-05-20:22-1",
            "TH000300044mDt1x403BNR3q-2026-04-05-20:22-1",
        ]
    );
    assert_eq!(
        ids(&r.segments, |s| &s.id),
        [
            "16779-3-4-2026-04-05T20:22-2026-04-06T08:45-15",
            "16779-3-4-2026-04-05T20:22-2026-04-06T08:45-5894",
        ]
    );
}

#[test]
fn the_segment_id_is_operator_from_to_departure_arrival_and_class() {
    let s = seg(
        json!({"operator":4,"from":5943,"to":5939,"dep_time":"2026-04-05 08:55:00",
        "arr_time":"2026-04-05 10:40:00","duration":105,"class":21,"vehclasses":["avia"]}),
    );
    let r = translate(vec![trip(KEY, vec![s], vec![opt(json!({"class":null}))])]);
    let s = only_segment(&r);
    assert_eq!(s.id, "4-5943-5939-2026-04-05T08:55-2026-04-05T10:40-21");
    assert_eq!(
        serde_json::to_value(s).unwrap(),
        json!({"id":"4-5943-5939-2026-04-05T08:55-2026-04-05T10:40-21","from_station":"5943",
            "to_station":"5939","departure_time":"2026-04-05T08:55","arrival_time":"2026-04-05T10:40",
            "travel_duration":"PT1H45M","vehicle_id":"4-Airplane","operating_carrier_id":"4",
            "seat_class_id":"21","transportation_types":["Airplane"]})
    );
}

#[test]
fn ids_given_as_numeric_strings_are_used_as_numbers() {
    let s = seg(json!({"operator":"231","from":"0012","to":"4","class":"4"}));
    let r = translate(vec![trip(KEY, vec![s], vec![opt(json!({"class":null}))])]);
    let s = only_segment(&r);
    assert_eq!(s.id, "231-12-4-2026-04-05T20:22-2026-04-06T08:45-4");
    assert_eq!(
        (s.from_station.as_str(), s.operating_carrier_id.as_str()),
        ("12", "231")
    );
}

#[test]
fn the_vehicle_id_is_the_operator_and_the_first_transport_type() {
    let cases = [
        (json!(["minivan", "bus"]), "30461-Van", "Van"),
        (json!(["bus", "minivan"]), "30461-Bus", "Bus"),
        (json!(["avia"]), "30461-Airplane", "Airplane"),
        (json!(["ferry", "train"]), "30461-Ferry", "Ferry"),
    ];
    for (vehclasses, vehicle_id, name) in cases {
        let r = with_segment(seg(json!({"operator":30461,"vehclasses":vehclasses})));
        assert_eq!(only_segment(&r).vehicle_id, vehicle_id);
        assert_eq!(ids(&r.vehicles, |v| &v.id), [vehicle_id]);
        assert_eq!(r.vehicles[0].name, name);
    }
}

#[test]
fn the_seat_class_comes_from_the_option_class_else_the_segment_class() {
    let cases = [
        (json!(5894), json!(16), "5894"),
        (json!(null), json!(16), "16"),
        (json!("15"), json!(16), "15"),
        (json!(5894), json!(null), "5894"),
    ];
    for (option_class, segment_class, expected) in cases {
        let t = trip(
            KEY,
            vec![seg(json!({"class":segment_class}))],
            vec![opt(json!({"class":option_class}))],
        );
        let r = translate(vec![t]);
        let s = only_segment(&r);
        assert_eq!(s.seat_class_id, expected);
        assert!(s.id.ends_with(&format!("-{expected}")));
        assert_eq!(ids(&r.vehicles[0].seat_classes, |c| &c.id), [expected]);
    }
}

#[test]
fn the_seat_class_name_comes_from_the_classes_table_else_is_empty() {
    let known = translate(vec![simple_trip(KEY, json!({"class":21}))]);
    assert_eq!(known.vehicles[0].seat_classes[0].name, "Economy");
    let unknown = translate(vec![simple_trip(KEY, json!({"class":777}))]);
    let class = &unknown.vehicles[0].seat_classes[0];
    assert_eq!(
        serde_json::to_value(class).unwrap(),
        json!({"id":"777","name":"","description":"","keywords":null,"images":null,"amenities":["WC"]})
    );
}

// ---------------------------------------------------------------------------
// Times and durations (10 §4.3, 00 §7)
// ---------------------------------------------------------------------------

#[test]
fn travel_duration_comes_from_minutes_else_from_arrival_minus_departure() {
    // (duration, dep, arr, expected)
    let cases: Vec<(Value, &str, &str, &str)> = vec![
        (
            json!(743),
            "2026-04-05 20:22",
            "2026-04-06 08:45",
            "PT12H23M",
        ),
        // The stated minutes win over the clock difference.
        (
            json!(700),
            "2026-04-05 20:22",
            "2026-04-06 08:45",
            "PT11H40M",
        ),
        (json!(0), "2026-04-05 20:22", "2026-04-06 08:45", "PT12H23M"),
        (
            json!(null),
            "2026-04-05 20:22",
            "2026-04-06 08:45",
            "PT12H23M",
        ),
        (json!(-5), "2026-04-05 20:22", "2026-04-05 21:27", "PT1H5M"),
        (json!(0), "2026-04-05 20:22", "2026-04-05 20:22", "PT0M"),
        (json!(0), "2026-04-05 20:22", "2026-04-05 20:00", "PT0M"),
        (json!(2880), "2026-04-05 20:22", "2026-04-07 20:22", "PT48H"),
        (json!(0), "2026-04-05 20:22", "2026-04-07 20:22", "PT48H"),
        (
            json!(1442),
            "2026-04-05 20:22",
            "2026-04-06 20:24",
            "PT24H2M",
        ),
        (json!(60), "2026-04-05 20:22", "2026-04-05 21:22", "PT1H"),
        (json!(5), "2026-04-05 20:22", "2026-04-05 20:27", "PT5M"),
        (
            json!(0),
            "2026-04-05 20:22:00",
            "2026-04-05 20:27:59",
            "PT5M",
        ),
    ];
    for (duration, dep, arr, expected) in cases {
        let r = with_segment(seg(
            json!({"duration":duration,"dep_time":dep,"arr_time":arr}),
        ));
        assert_eq!(
            only_segment(&r).travel_duration,
            expected,
            "{duration} {dep} → {arr}"
        );
    }
}

#[test]
fn a_one_segment_trip_falls_back_to_the_options_date_times() {
    let s = without(without(base_segment(), "dep_time"), "arr_time");
    let o = opt(
        json!({"dep_datetime":"2026-04-05T20:22:00+07:00","arr_datetime":"2026-04-06 08:45:00"}),
    );
    let r = translate(vec![trip(KEY, vec![s], vec![o])]);
    let s = only_segment(&r);
    assert_eq!(
        (s.departure_time.as_str(), s.arrival_time.as_str()),
        ("2026-04-05T20:22", "2026-04-06T08:45")
    );
    assert_eq!(s.id, "16779-3-4-2026-04-05T20:22-2026-04-06T08:45-16");
    assert_eq!(only_itinerary(&r).id, format!("{KEY}-2026-04-05-20:22-1"));
}

#[test]
fn a_one_segment_trip_falls_back_when_its_own_time_is_unparsable() {
    let s = seg(json!({"dep_time":"--","duration":0}));
    let o = opt(json!({"dep_datetime":"2026-04-05 19:00"}));
    let r = translate(vec![trip(KEY, vec![s], vec![o])]);
    let s = only_segment(&r);
    assert_eq!(s.departure_time, "2026-04-05T19:00");
    assert_eq!(s.travel_duration, "PT13H45M");
}

#[test]
fn the_segments_own_times_win_over_the_options() {
    let o = opt(json!({"dep_datetime":"2026-04-05 01:00","arr_datetime":"2026-04-05 02:00"}));
    let r = translate(vec![trip(KEY, vec![base_segment()], vec![o])]);
    assert_eq!(only_segment(&r).departure_time, "2026-04-05T20:22");
}

#[test]
fn a_multi_segment_trip_does_not_fall_back_to_the_options_date_times() {
    let legs = vec![
        without(seg(json!({"to":9})), "dep_time"),
        seg(json!({"from":9,"dep_time":"2026-04-06 09:00","arr_time":"2026-04-06 10:00"})),
    ];
    let o = opt(json!({"dep_datetime":"2026-04-05 20:22","arr_datetime":"2026-04-06 10:00"}));
    assert_eq!(
        translate(vec![trip(KEY, legs, vec![o])]),
        SearchResult::default()
    );
}

#[test]
fn lenient_date_time_formats_keep_the_local_wall_clock() {
    let cases = [
        ("2026-04-05 20:22:00", "2026-04-06 08:45:00"),
        ("2026-04-05 20:22", "2026-04-06 08:45"),
        ("2026-04-05T20:22", "2026-04-06T08:45"),
        ("2026-04-05T20:22:00", "2026-04-06T08:45:00"),
        ("2026-04-05T20:22:00+07:00", "2026-04-06T08:45:00+07:00"),
        ("2026-04-05T20:22:00-05:00", "2026-04-06T08:45:00Z"),
        ("2026-04-05 20:22:00.000Z", "2026-04-06 08:45:00.123+0700"),
        (" 2026-04-05 20:22:00 ", "2026-04-06 08:45:00\n"),
    ];
    for (dep, arr) in cases {
        let r = with_segment(seg(json!({"dep_time":dep,"arr_time":arr})));
        let s = only_segment(&r);
        assert_eq!(
            s.id, "16779-3-4-2026-04-05T20:22-2026-04-06T08:45-16",
            "{dep} / {arr}"
        );
        assert_eq!(
            (s.departure_time.as_str(), s.arrival_time.as_str()),
            ("2026-04-05T20:22", "2026-04-06T08:45")
        );
    }
}

#[test]
fn a_segment_with_a_non_ascii_time_is_skipped_without_panicking() {
    for bad in [
        "2026-04-05 20:2é",
        "2026-04-05 20:22:0é",
        "2026-04-05 2é:22",
        "２０２６-04-05 20:22",
    ] {
        let legs = vec![seg(json!({"to":9,"dep_time":bad})), seg(json!({"from":9}))];
        assert_eq!(
            translate(vec![trip(KEY, legs, vec![base_option()])]),
            SearchResult::default(),
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------------------
// Deduplication and order (10 §4.1 steps 5–6, §4.9)
// ---------------------------------------------------------------------------

#[test]
fn a_duplicate_itinerary_keeps_the_first_occurrence() {
    let first = simple_trip(
        KEY,
        json!({"price":{"value":1,"fxcode":"THB"},"netprice":{"value":1,"fxcode":"THB"},"agfee":null,"sysfee":null,"bookable":5}),
    );
    let second = simple_trip(KEY, json!({"bookable":9,"amenities":["TV"]}));
    let r = translate(vec![first, second]);
    let i = only_itinerary(&r);
    assert_eq!(i.number_of_available_seats, 5);
    assert_eq!(i.pricing.gross_price.price.amount_string(), "1.00");
    // The dropped duplicate contributes nothing, not even amenities.
    assert_eq!(r.vehicles[0].seat_classes[0].amenities, ["WC"]);
}

#[test]
fn a_segment_shared_by_itineraries_is_listed_once() {
    let options = vec![opt(json!({"id":key(1)})), opt(json!({"id":key(2)}))];
    let r = translate(vec![trip(KEY, vec![base_segment()], options)]);
    let s = only_segment(&r);
    assert_eq!(r.itineraries.len(), 2);
    for i in &r.itineraries {
        assert_eq!(i.departure_segments, std::slice::from_ref(&s.id));
    }
}

#[test]
fn vehicles_and_seat_classes_are_deduplicated() {
    let trips = vec![
        simple_trip(&key(1), json!({"class":16})),
        trip(
            &key(2),
            vec![seg(json!({"dep_time":"2026-04-05 09:00"}))],
            vec![opt(json!({"id":key(2),"class":16}))],
        ),
        trip(
            &key(3),
            vec![seg(json!({"dep_time":"2026-04-05 10:00"}))],
            vec![opt(json!({"id":key(3),"class":21}))],
        ),
        trip(
            &key(4),
            vec![seg(json!({"operator":231,"vehclasses":["bus"]}))],
            vec![opt(json!({"id":key(4)}))],
        ),
        // Same operator, another transport type: another vehicle.
        trip(
            &key(5),
            vec![seg(
                json!({"vehclasses":["bus"],"dep_time":"2026-04-05 11:00"}),
            )],
            vec![opt(json!({"id":key(5)}))],
        ),
    ];
    let r = translate(trips);
    assert_eq!(r.itineraries.len(), 5);
    assert_eq!(r.segments.len(), 5);
    assert_eq!(
        ids(&r.vehicles, |v| &v.id),
        ["16779-Train", "231-Bus", "16779-Bus"]
    );
    assert_eq!(ids(&r.vehicles[0].seat_classes, |c| &c.id), ["16", "21"]);
    assert_eq!(ids(&r.vehicles[1].seat_classes, |c| &c.id), ["16"]);
    assert_eq!(ids(&r.vehicles[2].seat_classes, |c| &c.id), ["16"]);
}

#[test]
fn a_segment_shared_across_vehicle_types_keeps_its_first_vehicle_and_lists_no_orphan() {
    // Two trips with the same operator, stations, times and class (so the same
    // segment id) but different vehicle classes: the first segment wins, and the
    // second itinerary's amenities go to that segment's vehicle.
    let trips = vec![
        trip(
            &key(1),
            vec![seg(json!({"vehclasses":["train"]}))],
            vec![opt(json!({"id":key(1),"amenities":["WC"]}))],
        ),
        trip(
            &key(2),
            vec![seg(json!({"vehclasses":["bus"]}))],
            vec![opt(json!({"id":key(2),"amenities":["TV"]}))],
        ),
    ];
    let r = translate(trips);
    assert_eq!(r.itineraries.len(), 2);
    let s = only_segment(&r);
    assert_eq!(s.vehicle_id, "16779-Train");
    assert_eq!(ids(&r.vehicles, |v| &v.id), ["16779-Train"]);
    assert_eq!(r.vehicles[0].seat_classes[0].amenities, ["WC", "TV"]);
    assert_linked_and_unique(&r);
}

#[test]
fn amenities_are_the_union_per_seat_class_without_duplicates() {
    let options = vec![
        opt(json!({"id":key(1),"amenities":["WC","WC","Aircon"]})),
        opt(json!({"id":key(2),"amenities":["Aircon","WiFi","WC"]})),
        opt(json!({"id":key(3),"amenities":null})),
        opt(json!({"id":key(4),"amenities":["TV"],"class":21})),
        opt(json!({"id":key(5),"amenities":["Food"]})),
    ];
    let r = translate(vec![trip(KEY, vec![base_segment()], options)]);
    let classes = &r.vehicles[0].seat_classes;
    assert_eq!(ids(classes, |c| &c.id), ["16", "21"]);
    assert_eq!(classes[0].amenities, ["WC", "Aircon", "WiFi", "Food"]);
    assert_eq!(classes[1].amenities, ["TV"]);
}

#[test]
fn every_leg_of_an_itinerary_collects_its_options_amenities() {
    let legs = vec![
        seg(json!({"to":9,"dep_time":"2026-04-05 06:40","arr_time":"2026-04-05 07:45"})),
        seg(
            json!({"from":9,"operator":231,"vehclasses":["bus"],"dep_time":"2026-04-05 08:55","arr_time":"2026-04-05 10:40"}),
        ),
    ];
    let o = opt(json!({"class":null,"amenities":["Snack"]}));
    let r = translate(vec![trip(KEY, legs, vec![o])]);
    assert_eq!(ids(&r.vehicles, |v| &v.id), ["16779-Train", "231-Bus"]);
    for v in &r.vehicles {
        assert_eq!(v.seat_classes[0].amenities, ["Snack"], "{}", v.id);
    }
}

#[test]
fn results_follow_route_order_then_12go_trip_and_option_order() {
    // Route 1: trips departing 21:00 then 06:00 (not sorted by time), options in order.
    let route1 = answer(vec![
        trip(
            "A",
            vec![seg(
                json!({"dep_time":"2026-04-05 21:00","duration":60,"arr_time":"2026-04-05 22:00"}),
            )],
            vec![
                opt(json!({"id":key(3)})),
                opt(json!({"id":key(1),"class":21})),
            ],
        ),
        trip(
            "B",
            vec![seg(
                json!({"dep_time":"2026-04-05 06:00","duration":60,"arr_time":"2026-04-05 07:00","operator":231,"vehclasses":["bus"]}),
            )],
            vec![opt(json!({"id":key(2)}))],
        ),
    ]);
    let route2 = answer(vec![trip(
        "C",
        vec![seg(
            json!({"from":7,"to":8,"dep_time":"2026-04-05 05:00","duration":60,"arr_time":"2026-04-05 06:00"}),
        )],
        vec![opt(json!({"id":key(0)}))],
    )]);
    let r = translate_all(&[route1, route2], 1, DAY, &PriceTypeMap::default());
    assert_eq!(
        ids(&r.itineraries, |i| &i.id),
        [
            format!("{}-2026-04-05-21:00-1", key(3)),
            format!("{}-2026-04-05-21:00-1", key(1)),
            format!("{}-2026-04-05-06:00-1", key(2)),
            format!("{}-2026-04-05-05:00-1", key(0)),
        ]
    );
    assert_eq!(
        ids(&r.segments, |s| &s.id),
        [
            "16779-3-4-2026-04-05T21:00-2026-04-05T22:00-16",
            "16779-3-4-2026-04-05T21:00-2026-04-05T22:00-21",
            "231-3-4-2026-04-05T06:00-2026-04-05T07:00-16",
            "16779-7-8-2026-04-05T05:00-2026-04-05T06:00-16",
        ]
    );
    assert_eq!(ids(&r.vehicles, |v| &v.id), ["16779-Train", "231-Bus"]);
}

#[test]
fn a_second_add_merges_a_re_poll_keeping_first_occurrences() {
    // Arrange: the re-poll repeats the trip with new data and adds one more.
    let first = answer(vec![simple_trip(
        KEY,
        json!({"bookable":10,"amenities":["WC"]}),
    )]);
    let repoll = answer(vec![
        simple_trip(
            KEY,
            json!({"bookable":2,"amenities":["TV"],"price":{"value":999,"fxcode":"THB"}}),
        ),
        trip(
            &key(9),
            vec![seg(
                json!({"dep_time":"2026-04-05 22:00","duration":60,"arr_time":"2026-04-05 23:00"}),
            )],
            vec![opt(json!({"id":key(9),"amenities":["WiFi"]}))],
        ),
    ]);

    // Act
    let r = translate_all(
        &[first, repoll.clone(), repoll],
        1,
        DAY,
        &PriceTypeMap::default(),
    );

    // Assert
    assert_eq!(
        ids(&r.itineraries, |i| &i.id),
        [
            format!("{KEY}-2026-04-05-20:22-1"),
            format!("{}-2026-04-05-22:00-1", key(9))
        ]
    );
    assert_eq!(r.itineraries[0].number_of_available_seats, 10);
    assert_eq!(
        r.itineraries[0].pricing.gross_price.price.amount_string(),
        "370.37"
    );
    assert_eq!(r.segments.len(), 2);
    assert_eq!(r.vehicles.len(), 1);
    assert_eq!(r.vehicles[0].seat_classes[0].amenities, ["WC", "WiFi"]);
    assert_linked_and_unique(&r);
}

#[test]
fn adding_the_same_fixture_twice_changes_nothing() {
    let (answer, day) = fixture(LARGE);
    let map = PriceTypeMap::default();
    let mut once = SearchTranslator::new(1, day, &map);
    once.add(&answer);
    let mut twice = SearchTranslator::new(1, day, &map);
    twice.add(&answer);
    twice.add(&answer);
    assert_eq!(once.finish(), twice.finish());
}

// ---------------------------------------------------------------------------
// Pricing (10 §4.5, 00 §7)
// ---------------------------------------------------------------------------

fn money_json(r: &SearchResult) -> Value {
    itinerary_json(r)["pricing"].clone()
}

fn price(v: Value, cur: &str) -> Value {
    json!({"value":v,"fxcode":cur})
}

#[test]
fn sums_of_decimal_fees_stay_exact() {
    let r = with_option(json!({
        "price":price(json!(0.3),"USD"),"netprice":price(json!(0),"USD"),
        "agfee":price(json!(0.1),"USD"),"sysfee":price(json!(0.2),"USD")}));
    let p = &only_itinerary(&r).pricing;
    assert_eq!(p.taxes_and_fees.amount, dec("0.3"));
    assert_eq!(
        p.gross_price.price.amount,
        p.net_price.amount + p.taxes_and_fees.amount
    );
}

#[test]
fn money_is_rounded_half_away_from_zero_only_when_formatting() {
    /// `{price, netprice, agfee, sysfee}` in `cur` → formatted (gross, net, taxes).
    fn amounts(fees: [Value; 4], cur: &str) -> [String; 3] {
        let [gross, net, ag, sys] = fees;
        let r = with_option(json!({"price":price(gross,cur),"netprice":price(net,cur),
            "agfee":price(ag,cur),"sysfee":price(sys,cur)}));
        let p = money_json(&r);
        ["gross_price", "net_price", "taxes_and_fees"]
            .map(|k| p[k]["amount"].as_str().unwrap().to_string())
    }
    // Each fee alone would round to 0.00; their exact sum rounds to 0.01.
    assert_eq!(
        amounts([json!(1.008), json!(1), json!(0.004), json!(0.004)], "USD"),
        ["1.01", "1.00", "0.01"]
    );
    // Half away from zero, not to even.
    assert_eq!(
        amounts(
            [json!(0.125), json!(0.115), json!(0.005), json!(0.005)],
            "EUR"
        ),
        ["0.13", "0.12", "0.01"]
    );
    assert_eq!(
        amounts([json!(2.5), json!(1.5), json!(1), json!(null)], "JPY"),
        ["3", "2", "1"]
    );
    assert_eq!(
        amounts(
            [json!("370.3749999"), json!(308), json!(null), json!(null)],
            "THB"
        ),
        ["370.37", "308.00", "62.37"]
    );
    assert_eq!(
        amounts([json!("1e3"), json!(900), json!(100), json!(0)], "USD"),
        ["1000.00", "900.00", "100.00"]
    );
}

#[test]
fn taxes_are_agfee_plus_sysfee_with_a_null_part_as_zero_else_gross_minus_net() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "both fees",
            json!({"agfee":price(json!(12.37),"THB"),"sysfee":price(json!(50),"THB")}),
            "62.37",
        ),
        (
            "agfee null",
            json!({"agfee":price(json!(null),"THB"),"sysfee":price(json!(50),"THB")}),
            "50.00",
        ),
        (
            "sysfee null",
            json!({"agfee":price(json!(12.37),"THB"),"sysfee":price(json!(null),"THB")}),
            "12.37",
        ),
        (
            "agfee object null",
            json!({"agfee":null,"sysfee":price(json!(7),"THB")}),
            "7.00",
        ),
        (
            "both values null",
            json!({"agfee":price(json!(null),"THB"),"sysfee":price(json!(null),"THB")}),
            "62.37",
        ),
        (
            "both objects null",
            json!({"agfee":null,"sysfee":null}),
            "62.37",
        ),
        // Fees win even when they disagree with gross − net (the mismatch is only logged).
        (
            "fees that disagree",
            json!({"agfee":price(json!(1),"THB"),"sysfee":price(json!(2),"THB")}),
            "3.00",
        ),
        (
            "zero fees",
            json!({"agfee":price(json!(0),"THB"),"sysfee":price(json!(0),"THB")}),
            "0.00",
        ),
    ];
    for (why, patch, expected) in cases {
        let r = with_option(patch);
        assert_eq!(
            money_json(&r)["taxes_and_fees"],
            json!({"amount":expected,"currency":"THB"}),
            "{why}"
        );
    }
    let absent = translate(vec![trip(
        KEY,
        vec![base_segment()],
        vec![without(without(base_option(), "agfee"), "sysfee")],
    )]);
    assert_eq!(
        money_json(&absent)["taxes_and_fees"]["amount"],
        "62.37",
        "both members absent"
    );
}

#[test]
fn zero_minor_digit_currencies_have_no_fraction() {
    let cases = [
        ("JPY", json!(1500), json!(1300), "1500", "1300", "200"),
        (
            "VND",
            json!(250000),
            json!(240000.4),
            "250000",
            "240000",
            "10000",
        ),
        (
            "KRW",
            json!("15000.50"),
            json!(15000),
            "15001",
            "15000",
            "1",
        ),
    ];
    for (cur, gross, net, want_gross, want_net, want_taxes) in cases {
        let r = with_option(
            json!({"price":price(gross,cur),"netprice":price(net,cur),"agfee":null,"sysfee":null}),
        );
        assert_eq!(
            money_json(&r),
            json!({"gross_price":{"amount":want_gross,"currency":cur,"price_type":"Recommended"},
                "net_price":{"amount":want_net,"currency":cur},
                "taxes_and_fees":{"amount":want_taxes,"currency":cur}}),
            "{cur}"
        );
    }
}

#[test]
fn currencies_pass_through_per_itinerary_uppercased() {
    let trips = vec![
        simple_trip(&key(1), json!({})),
        simple_trip(
            &key(2),
            json!({"price":price(json!(10.5),"usd"),"netprice":price(json!(10),"usd"),
            "agfee":price(json!(0.5),"usd"),"sysfee":null}),
        ),
        simple_trip(
            &key(3),
            json!({"price":price(json!(9),"EUR"),"netprice":price(json!(8),"EUR"),
            "agfee":null,"sysfee":price(json!(1),"EUR")}),
        ),
    ];
    let r = translate(trips);
    let got: Vec<(String, String, String)> = r
        .itineraries
        .iter()
        .map(|i| {
            let p = &i.pricing;
            (
                p.gross_price.price.currency.to_string(),
                p.net_price.currency.to_string(),
                p.taxes_and_fees.currency.to_string(),
            )
        })
        .collect();
    let triple = |c: &str| (c.to_string(), c.to_string(), c.to_string());
    assert_eq!(got, [triple("THB"), triple("USD"), triple("EUR")]);
    assert_eq!(
        serde_json::to_value(&r.itineraries[1].pricing.gross_price).unwrap()["amount"],
        "10.50"
    );
}

#[test]
fn price_type_comes_from_price_restriction_through_the_map() {
    let custom = PriceTypeMap::parse("0:Recommended,1:Exact,2:Max,3:Min").unwrap();
    let default = PriceTypeMap::default();
    let cases: Vec<(&PriceTypeMap, Value, PriceType)> = vec![
        (&default, json!(0), PriceType::Recommended),
        (&default, json!(null), PriceType::Recommended),
        (&default, json!(1), PriceType::Recommended),
        (&default, json!(-1), PriceType::Recommended),
        (&custom, json!(0), PriceType::Recommended),
        (&custom, json!(1), PriceType::Exact),
        (&custom, json!("2"), PriceType::Max),
        (&custom, json!(3), PriceType::Min),
        (&custom, json!(4), PriceType::Recommended),
    ];
    for (map, restriction, expected) in cases {
        let a = answer(vec![simple_trip(
            KEY,
            json!({"price_restriction":restriction}),
        )]);
        let r = translate_all(&[a], 1, DAY, map);
        assert_eq!(
            only_itinerary(&r).pricing.gross_price.price_type,
            expected,
            "{restriction}"
        );
    }
}

#[test]
fn price_type_serializes_inside_gross_price() {
    let map = PriceTypeMap::parse("0:Exact").unwrap();
    let r = translate_all(&[answer(vec![simple_trip(KEY, json!({}))])], 1, DAY, &map);
    assert_eq!(
        money_json(&r)["gross_price"],
        json!({"amount":"370.37","currency":"THB","price_type":"Exact"})
    );
}

#[test]
fn price_type_map_parses_the_config_format() {
    let cases: Vec<(&str, Vec<(i64, PriceType)>)> = vec![
        ("0:Recommended", vec![(0, PriceType::Recommended)]),
        (
            "0:Recommended,1:Exact",
            vec![(0, PriceType::Recommended), (1, PriceType::Exact)],
        ),
        (
            " 0 : Max , 2:Min ,",
            vec![(0, PriceType::Max), (2, PriceType::Min)],
        ),
        ("-1:Exact", vec![(-1, PriceType::Exact)]),
        ("1:Exact,1:Max", vec![(1, PriceType::Max)]),
        ("", vec![]),
    ];
    for (raw, entries) in cases {
        assert_eq!(
            PriceTypeMap::parse(raw),
            Ok(PriceTypeMap(entries.into_iter().collect())),
            "{raw:?}"
        );
    }
    assert_eq!(
        PriceTypeMap::parse("0:Recommended"),
        Ok(PriceTypeMap::default())
    );
}

#[test]
fn price_type_map_rejects_malformed_entries() {
    let cases = [
        ("0=Exact", "0=Exact"),
        ("x:Exact", "x"),
        ("1.5:Exact", "1.5"),
        ("0:Cheap", "Cheap"),
        ("0:exact", "exact"),
        ("0:Recommended,1", "1"),
        (":Exact", "is not an integer"),
    ];
    for (raw, mentions) in cases {
        let err = PriceTypeMap::parse(raw).unwrap_err();
        assert!(err.contains(mentions), "{raw:?} → {err}");
    }
}

#[test]
fn overflowing_amounts_drop_the_option_instead_of_panicking() {
    let max = Decimal::MAX.to_string();
    let min = Decimal::MIN.to_string();
    let cases = [
        json!({"price":price(json!(max),"THB"),"netprice":price(json!(min),"THB"),"agfee":null,"sysfee":null}),
        json!({"agfee":price(json!(max),"THB"),"sysfee":price(json!(max),"THB")}),
        json!({"agfee":price(json!(min),"THB"),"sysfee":price(json!(min),"THB")}),
    ];
    for patch in cases {
        let r = translate(vec![
            simple_trip(KEY, patch.clone()),
            simple_trip(&key(1), json!({})),
        ]);
        assert_eq!(
            ids(&r.itineraries, |i| &i.id),
            [format!("{}-2026-04-05-20:22-1", key(1))],
            "{patch}"
        );
    }
}

// ---------------------------------------------------------------------------
// Cancellation policies (10 §4.6)
// ---------------------------------------------------------------------------

#[test]
fn cancellation_policies_follow_the_full_refund_deadline() {
    let departure = dt("2026-04-05 20:22:00");
    let full = json!([{"from":null,"penalty":{"percent":100}}]);
    let free = json!([{"from":null,"penalty":{"percent":0}}]);
    let free_until = |from: &str| json!([{"from":null,"penalty":{"percent":0}},{"from":from,"penalty":{"percent":100}}]);
    let cases: Vec<(Option<&str>, Value)> = vec![
        (None, full.clone()),
        (Some("2026-04-03 20:22:00"), free_until("PT48H")),
        (Some("2026-04-03T20:22:00+07:00"), free_until("PT48H")),
        (Some("2026-04-03 18:52"), free_until("PT49H30M")),
        (Some("2026-04-05 20:21"), free_until("PT1M")),
        (Some("2026-04-05 19:22"), free_until("PT1H")),
        (Some("2026-03-05 20:22"), free_until("PT744H")),
        (Some("2026-04-05 20:22"), free.clone()),
        (Some("2026-04-05 20:23"), free.clone()),
        (Some("2026-04-07 00:00"), free.clone()),
        // Unparsable deadlines count as null.
        (Some(""), full.clone()),
        (Some("   "), full.clone()),
        (Some("soon"), full.clone()),
        (Some("2026-04-03"), full.clone()),
        (Some("2026-02-30 10:00"), full.clone()),
        (Some("2026-04-03 20:2é"), full.clone()),
    ];
    for (deadline, expected) in cases {
        let got = serde_json::to_value(cancellation_policies(deadline, departure)).unwrap();
        assert_eq!(got, expected, "{deadline:?}");
    }
}

#[test]
fn the_itinerary_carries_policies_measured_from_its_first_departure() {
    let legs = vec![
        seg(json!({"to":9,"dep_time":"2026-04-05 06:40","arr_time":"2026-04-05 07:45"})),
        seg(json!({"from":9,"dep_time":"2026-04-05 08:55","arr_time":"2026-04-05 10:40"})),
    ];
    let o = opt(json!({"full_refund_until":"2026-04-03 06:40:00"}));
    let r = translate(vec![trip(KEY, legs, vec![o])]);
    assert_eq!(
        itinerary_json(&r)["cancellation_policies"],
        json!([{"from":null,"penalty":{"percent":0}},{"from":"PT48H","penalty":{"percent":100}}])
    );
}

// ---------------------------------------------------------------------------
// Enumerations (10 §4.7)
// ---------------------------------------------------------------------------

#[test]
fn confirmation_type_is_instant_unless_confirmation_takes_time() {
    let cases = [
        (None, ConfirmationType::Instant),
        (Some(0), ConfirmationType::Instant),
        (Some(-1), ConfirmationType::Instant),
        (Some(i64::MIN), ConfirmationType::Instant),
        (Some(1), ConfirmationType::Pending),
        (Some(1440), ConfirmationType::Pending),
    ];
    for (minutes, expected) in cases {
        assert_eq!(confirmation_type(minutes), expected, "{minutes:?}");
    }
}

#[test]
fn confirmation_type_reaches_the_itinerary_json() {
    let cases = [
        (json!(null), "Instant"),
        (json!(0), "Instant"),
        (json!(-30), "Instant"),
        (json!(30), "Pending"),
        (json!("60"), "Pending"),
    ];
    for (minutes, expected) in cases {
        let r = with_option(json!({"confirmation_time":minutes}));
        assert_eq!(
            itinerary_json(&r)["confirmation_type"],
            expected,
            "{minutes}"
        );
    }
}

#[test]
fn every_ticket_type_in_the_spec_table_is_mapped() {
    let cases = [
        ("paper", "PaperTicket"),
        ("printed", "PaperTicket"),
        ("eticket", "ShowOnScreen"),
        ("e-ticket", "ShowOnScreen"),
        ("show_on_screen", "ShowOnScreen"),
        ("mobile", "ShowOnScreen"),
        ("pickup", "PickUp"),
        ("pick_up", "PickUp"),
    ];
    for (raw, expected) in cases {
        let r = with_option(json!({"ticket_type":raw}));
        assert_eq!(itinerary_json(&r)["ticket_type"], expected, "{raw}");
    }
}

#[test]
fn an_unknown_or_missing_ticket_type_is_absent_from_the_json() {
    for raw in [
        json!("voucher"),
        json!(""),
        json!("paper ticket"),
        json!(null),
    ] {
        let r = with_option(json!({"ticket_type":raw}));
        let json = itinerary_json(&r);
        assert!(
            json.as_object().unwrap().get("ticket_type").is_none(),
            "{raw} → {json}"
        );
    }
    assert_eq!(ticket_type(None), None);
    assert_eq!(ticket_type(Some("qr")), None);
}

#[test]
fn transport_types_are_mapped_and_unknown_ones_become_bus() {
    let cases = [
        ("bus", "Bus"),
        ("train", "Train"),
        ("ferry", "Ferry"),
        ("van", "Van"),
        ("minivan", "Van"),
        ("charter", "Van"),
        ("avia", "Airplane"),
        ("hovercraft", "Bus"),
        ("", "Bus"),
    ];
    for (raw, expected) in cases {
        let r = with_segment(seg(json!({"vehclasses":[raw]})));
        let s = serde_json::to_value(only_segment(&r)).unwrap();
        assert_eq!(s["transportation_types"], json!([expected]), "{raw}");
        assert_eq!(s["vehicle_id"], format!("16779-{expected}"), "{raw}");
        assert_eq!(r.vehicles[0].name, expected, "{raw}");
    }
}

#[test]
fn transportation_types_are_deduplicated_in_first_seen_order() {
    let r = with_segment(seg(
        json!({"vehclasses":["van","minivan","charter","bus","hovercraft","avia","bus"]}),
    ));
    assert_eq!(
        only_segment(&r).transportation_types,
        [
            TransportType::Van,
            TransportType::Bus,
            TransportType::Airplane
        ]
    );
}

#[test]
fn a_segment_without_vehclasses_uses_the_trip_params_then_bus() {
    let mut t = trip(
        KEY,
        vec![seg(json!({"vehclasses":[]}))],
        vec![base_option()],
    );
    t["params"]["vehclasses"] = json!(["ferry"]);
    let r = translate(vec![t.clone()]);
    assert_eq!(
        only_segment(&r).transportation_types,
        [TransportType::Ferry]
    );
    assert_eq!(r.vehicles[0].id, "16779-Ferry");

    t["params"]["vehclasses"] = json!(null);
    let r = translate(vec![t]);
    assert_eq!(only_segment(&r).transportation_types, [TransportType::Bus]);
}

#[test]
fn connection_guaranteed_is_true_for_one_segment_and_all_true_for_several() {
    let leg = |n: i64, g: Value| {
        seg(json!({"from":n,"to":n+1,"connection_guaranteed":g,
            "dep_time":format!("2026-04-05 {:02}:00", 6 + 2 * n),"arr_time":format!("2026-04-05 {:02}:00", 7 + 2 * n)}))
    };
    let cases: Vec<(Vec<Value>, bool)> = vec![
        (vec![leg(1, json!(true))], true),
        (vec![leg(1, json!(false))], true),
        (vec![leg(1, json!(null))], true),
        (vec![leg(1, json!(true)), leg(2, json!(true))], true),
        (
            vec![leg(1, json!(1)), leg(2, json!("true")), leg(3, json!(true))],
            true,
        ),
        (vec![leg(1, json!(true)), leg(2, json!(false))], false),
        (vec![leg(1, json!(false)), leg(2, json!(true))], false),
        (vec![leg(1, json!(true)), leg(2, json!(null))], false),
        (
            vec![
                leg(1, json!(true)),
                without(leg(2, json!(true)), "connection_guaranteed"),
            ],
            false,
        ),
    ];
    for (legs, expected) in cases {
        let n = legs.len();
        let r = translate(vec![trip(KEY, legs, vec![base_option()])]);
        let i = only_itinerary(&r);
        assert_eq!(i.departure_segments.len(), n);
        assert_eq!(
            i.connection_guaranteed, expected,
            "{:?}",
            i.departure_segments
        );
    }
}

#[test]
fn vehicles_always_carry_their_extra_fields_as_null() {
    let r = with_option(json!({}));
    let v = serde_json::to_value(&r.vehicles[0]).unwrap();
    for field in ["images", "description", "keywords", "amenities"] {
        assert_eq!(v.get(field), Some(&Value::Null), "{field}");
    }
}

#[test]
fn itineraries_emit_no_omitted_fields() {
    let json = itinerary_json(&with_option(json!({})));
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "cancellation_policies",
            "confirmation_type",
            "connection_guaranteed",
            "departure_segments",
            "id",
            "number_of_available_seats",
            "pricing",
            "ticket_type",
        ]
    );
}

// ---------------------------------------------------------------------------
// Property tests: arbitrary 12go data never makes the translator panic.
// ---------------------------------------------------------------------------

// Generators are biased towards plausible values so that many options survive
// the filters and reach the id, time and money code, with hostile values mixed in.

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z_-]{0,10}",
        ".{0,24}",
        any_time(),
        "[A-Z]{2}[0-9A-Za-z]{22}",
    ]
}

/// Date-times around the searched day, some valid, some hostile (non-ASCII bytes
/// where the parser slices, impossible clock values, offsets).
fn any_time() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => ("0[4-6]", 0u32..24, 0u32..60).prop_map(|(d, h, m)| format!("2026-04-{d} {h:02}:{m:02}:00")),
        2 => "2026-04-0[4-6]T[0-2][0-9]:[0-6][0-9](:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?",
        2 => "2026-04-0[4-6][ T][0-9]{2}:[0-9é]{1,2}(:[0-9é]{0,2})?.{0,3}",
        1 => ".{0,20}",
    ]
}

fn opt_time() -> impl Strategy<Value = Option<String>> {
    prop_oneof![5 => any_time().prop_map(Some), 1 => Just(None)]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(any_text())
}

fn any_int() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        8 => (1i64..120).prop_map(Some),
        1 => Just(None),
        1 => (-3i64..=0).prop_map(Some),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>()].prop_map(Some),
    ]
}

fn any_decimal() -> impl Strategy<Value = Option<Decimal>> {
    prop_oneof![
        6 => (0i64..100_000, 0u32..=4).prop_map(|(m, s)| Some(Decimal::new(m, s))),
        1 => (any::<i64>(), 0u32..=28)
            .prop_map(|(m, s)| Some(Decimal::from_i128_with_scale(i128::from(m), s))),
        1 => Just(Some(Decimal::MAX)),
        1 => Just(Some(Decimal::MIN)),
        1 => Just(None),
    ]
}

fn any_price() -> impl Strategy<Value = Option<tg::Price>> {
    let fxcode = prop_oneof![
        4 => Just("THB".to_string()),
        1 => Just("jpy".to_string()),
        1 => ".{0,4}",
    ];
    prop_oneof![
        6 => (any_decimal(), fxcode).prop_map(|(value, fxcode)| Some(tg::Price { value, fxcode: fxcode.as_str().into() })),
        1 => Just(None),
    ]
}

fn any_vehclasses() -> impl Strategy<Value = Vec<String>> {
    let one = prop_oneof![
        4 => prop::sample::select(vec!["bus", "train", "ferry", "van", "minivan", "avia", "charter"])
            .prop_map(str::to_string),
        1 => any_text(),
    ];
    prop::collection::vec(one, 0..3)
}

fn any_segment() -> impl Strategy<Value = tg::Segment<'static>> {
    (
        prop_oneof![6 => Just("route".to_string()), 1 => Just("wait".to_string()), 1 => any_text()],
        (any_int(), any_int(), any_int(), any_int(), any_int()),
        (opt_time(), opt_time()),
        any_vehclasses(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(kind, (from, to, duration, class, operator), (dep_time, arr_time), vehclasses, g)| {
                tg::Segment {
                    kind: kind.into(),
                    from,
                    to,
                    dep_time: dep_time.map(Into::into),
                    arr_time: arr_time.map(Into::into),
                    duration: duration.map(|d| d.saturating_mul(7)),
                    class,
                    operator,
                    vehclasses: vehclasses.into_iter().map(Into::into).collect(),
                    connection_guaranteed: g,
                }
            },
        )
}

fn any_option() -> impl Strategy<Value = tg::TravelOption<'static>> {
    (
        prop_oneof![Just(KEY.to_string()), any_text()],
        (any_int(), any_int(), any_int(), any_int(), any_int()),
        (any_price(), any_price(), any_price(), any_price()),
        prop::collection::vec(any_text(), 0..3),
        (opt_text(), opt_time(), opt_time(), opt_time()),
    )
        .prop_map(
            |(
                id,
                (bookable, class, confirmation_time, price_restriction, is_bookable),
                (price, netprice, agfee, sysfee),
                amenities,
                (ticket_type, full_refund_until, dep_datetime, arr_datetime),
            )| tg::TravelOption {
                id: id.into(),
                bookable,
                class,
                price,
                netprice,
                agfee,
                sysfee,
                amenities: amenities.into_iter().map(Into::into).collect(),
                ticket_type: ticket_type.map(Into::into),
                confirmation_time,
                full_refund_until: full_refund_until.map(Into::into),
                price_restriction,
                is_bookable: is_bookable.map(|b| b % 2),
                dep_datetime: dep_datetime.map(Into::into),
                arr_datetime: arr_datetime.map(Into::into),
            },
        )
}

fn any_trip() -> impl Strategy<Value = tg::Trip<'static>> {
    (
        any_text(),
        prop_oneof![4 => Just(false), 1 => Just(true)],
        any_vehclasses(),
        prop::collection::vec(any_segment(), 0..4),
        prop::collection::vec(any_option(), 0..4),
    )
        .prop_map(
            |(id, hide, vehclasses, segments, travel_options)| tg::Trip {
                id: id.into(),
                params: tg::TripParams {
                    hide,
                    vehclasses: vehclasses.into_iter().map(Into::into).collect(),
                    bookable: None,
                },
                segments,
                travel_options,
            },
        )
}

fn any_answer() -> impl Strategy<Value = SearchAnswer<'static>> {
    (
        prop::collection::vec(any_trip(), 0..5),
        prop::collection::btree_map("[0-9]{1,3}", opt_text(), 0..3),
    )
        .prop_map(|(trips, classes)| SearchAnswer {
            trips,
            classes: classes
                .into_iter()
                .map(|(k, name)| {
                    (
                        k.into(),
                        tg::ClassInfo {
                            id: None,
                            name: name.map(Into::into),
                            is_multi_pax: None,
                        },
                    )
                })
                .collect(),
            ..SearchAnswer::default()
        })
}

/// A JSON value for any scalar field of the 12go model.
fn any_json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-5i64..300).prop_map(Value::from),
        any_text().prop_map(Value::from),
        (0i64..100_000, 0u32..3).prop_map(|(m, s)| json!(Decimal::new(m, s).to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_translator_never_panics_on_arbitrary_answers(
        answers in prop::collection::vec(any_answer(), 1..3),
        pax in prop_oneof![4 => 1u8..=3, 1 => 1u8..=100],
        day in prop_oneof![4 => Just("2026-04-05"), 1 => Just("2026-04-04"), 1 => Just("2026-04-06")],
    ) {
        let map = PriceTypeMap::parse("0:Recommended,1:Exact").unwrap();
        let result = translate_all(&answers, pax, day, &map);
        let json = serde_json::to_value(&result).unwrap();
        prop_assert!(json["itineraries"].is_array());
        assert_linked_and_unique(&result);
        for i in &result.itineraries {
            prop_assert!(i.number_of_available_seats >= i64::from(pax));
            let suffix = format!("-{}", pax);
            prop_assert!(i.id.ends_with(&suffix));
        }
    }

    #[test]
    fn the_translator_never_panics_on_answers_parsed_from_arbitrary_json_fields(
        seg_fields in prop::collection::vec(any_json_scalar(), 10),
        opt_fields in prop::collection::vec(any_json_scalar(), 12),
        pax in 1u8..=3,
    ) {
        let seg_names = ["type","from","to","dep_time","arr_time","duration","class","operator","connection_guaranteed","vehclasses"];
        let opt_names = ["id","bookable","class","ticket_type","confirmation_time","full_refund_until",
            "price_restriction","is_bookable","dep_datetime","arr_datetime","price","netprice"];
        let mut segment = base_segment();
        for (name, v) in seg_names.iter().zip(seg_fields) {
            segment[*name] = if *name == "vehclasses" { json!([v]) } else { v };
        }
        let mut option = base_option();
        for (name, v) in opt_names.iter().zip(opt_fields) {
            option[*name] = if name.ends_with("price") { json!({"value":v,"fxcode":"THB"}) } else { v };
        }
        let body = json!({"trips":[trip(KEY, vec![segment.clone(), segment], vec![option.clone(), option])]}).to_string();
        if let Ok(answer) = SearchAnswer::from_slice(body.as_bytes()) {
            let result = translate_all(&[answer], pax, DAY, &PriceTypeMap::default());
            serde_json::to_value(&result).unwrap();
            assert_linked_and_unique(&result);
        }
    }
}
