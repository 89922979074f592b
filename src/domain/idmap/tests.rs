use super::*;
use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::ids::Place;
use crate::domain::ids::TransportType;
use crate::domain::itinerary::{
    CancellationPolicy, ConfirmationType, GrossPrice, Itinerary, Penalty, PriceType, Pricing,
    SeatClass, Segment, Vehicle,
};
use crate::domain::money::{Currency, Money};
use crate::domain::search_query::{QueryParams, SearchLimits, SearchQuery};
use rust_decimal::Decimal;

// ---------------------------------------------------------------- loading

pub(super) const STATIONS: &str =
    "previous_id,native_id\nTHBKKHLP,3\nTHCNXCMT,4\nTHBKKALL,3\nTHBKKALL,4055\n";
const OPERATORS: &str = "previous_id,native_id\nSRT,16779\nTCO,231\n";
const POIS: &str = "previous_id,native_id\nBKK,1\nCNX,44\n";
const CLASSES: &str =
    "operator_id,native_class_id,previous_class_id\n16779,16,FAN3\n16779,15,SLP2\n";

pub(super) fn maps() -> IdMaps {
    let (maps, bad) = IdMaps::load(
        &IdMapTexts {
            stations: Some(STATIONS),
            operators: Some(OPERATORS),
            pois: Some(POIS),
            seat_classes: Some(CLASSES),
        },
        7,
    );
    assert_eq!(bad, vec![]);
    maps
}

fn bad(file: &'static str, line: usize, reason: &str) -> BadRow {
    BadRow::new(file, line, reason)
}

#[test]
fn empty_maps_have_generation_zero_and_map_nothing() {
    let m = IdMaps::empty();
    assert_eq!(m.generation(), 0);
    assert_eq!(m.station_to_previous("3"), None);
    assert!(m.stations_to_native("THBKKHLP").is_empty());
    assert_eq!(m.seat_class_to_previous("16779", "16"), None);
    assert_eq!(m.rows(), RowCounts::default());
}

#[test]
fn loaded_maps_translate_both_ways_and_keep_the_generation() {
    let m = maps();
    assert_eq!(m.generation(), 7);
    assert_eq!(m.station_to_previous("4"), Some("THCNXCMT"));
    assert_eq!(m.stations_to_native("THCNXCMT"), ["4"]);
    assert_eq!(m.operator_to_previous("231"), Some("TCO"));
    assert_eq!(m.operators_to_native("SRT"), ["16779"]);
    assert_eq!(m.poi_to_previous("44"), Some("CNX"));
    assert_eq!(m.pois_to_native("BKK"), ["1"]);
    assert_eq!(m.seat_class_to_previous("16779", "15"), Some("SLP2"));
    assert_eq!(m.seat_class_to_previous("231", "15"), None);
    assert_eq!(m.operator_to_previous("999"), None);
    assert!(m.pois_to_native("NOPE").is_empty());
    assert_eq!(
        m.rows(),
        RowCounts {
            stations: 4,
            operators: 2,
            pois: 2,
            seat_classes: 2
        }
    );
}

#[test]
fn one_previous_id_expands_to_every_native_id_in_file_order() {
    assert_eq!(maps().stations_to_native("THBKKALL"), ["3", "4055"]);
}

#[test]
fn with_several_previous_ids_for_a_native_id_the_first_row_wins() {
    let m = maps();
    // `3` is named by THBKKHLP (line 2) and THBKKALL (line 4).
    assert_eq!(m.station_to_previous("3"), Some("THBKKHLP"));
    assert_eq!(m.station_to_previous("4055"), Some("THBKKALL"));
    let (m, bad) = IdMaps::load(
        &IdMapTexts {
            seat_classes: Some("operator_id,native_class_id,previous_class_id\n1,16,A\n1,16,B\n"),
            ..IdMapTexts::default()
        },
        1,
    );
    assert_eq!(bad, vec![]);
    assert_eq!(m.seat_class_to_previous("1", "16"), Some("A"));
}

#[test]
fn missing_files_are_empty_maps_without_errors() {
    let (m, bad) = IdMaps::load(&IdMapTexts::default(), 1);
    assert_eq!(bad, vec![]);
    assert_eq!(m.rows(), RowCounts::default());
}

#[test]
fn duplicate_rows_are_reported_with_both_line_numbers_and_loaded_once() {
    let text = "previous_id,native_id\nA,1\nB,2\nA,1\n\nA,1\n";
    let (m, errs) = IdMaps::load(
        &IdMapTexts {
            operators: Some(text),
            seat_classes: Some("operator_id,native_class_id,previous_class_id\n1,2,X\n1,2,X\n"),
            ..IdMapTexts::default()
        },
        1,
    );
    assert_eq!(
        errs,
        vec![
            bad(OPERATORS_FILE, 4, "duplicate of line 2"),
            bad(OPERATORS_FILE, 6, "duplicate of line 2"),
            bad(SEAT_CLASSES_FILE, 3, "duplicate of line 2"),
        ]
    );
    assert_eq!(m.operators_to_native("A"), ["1"]);
    assert_eq!(m.rows().operators, 2);
    assert_eq!(m.rows().seat_classes, 1);
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_the_rest_loads() {
    let text = "previous_id,native_id\r\nA,1\r\nB\r\nC,2,3\r\n,4\r\nD,\r\nE,x5\r\n\"F\", 6 \r\n";
    let (m, errs) = IdMaps::load(
        &IdMapTexts {
            stations: Some(text),
            ..IdMapTexts::default()
        },
        1,
    );
    assert_eq!(
        errs,
        vec![
            bad(STATIONS_FILE, 3, "expected 2 columns, found 1"),
            bad(STATIONS_FILE, 4, "expected 2 columns, found 3"),
            bad(STATIONS_FILE, 5, "empty `previous_id`"),
            bad(STATIONS_FILE, 6, "empty `native_id`"),
            bad(STATIONS_FILE, 7, "`native_id` is not a 12go integer id"),
        ]
    );
    assert_eq!(m.stations_to_native("A"), ["1"]);
    assert_eq!(m.station_to_previous("6"), Some("F"));
    assert_eq!(m.rows().stations, 2);
}

#[test]
fn a_bad_header_rejects_the_whole_file_at_line_1() {
    let (m, errs) = IdMaps::load(
        &IdMapTexts {
            pois: Some("native_id,previous_id\n1,BKK\n"),
            seat_classes: Some(""),
            stations: Some("\u{feff}Previous_ID,Native_ID\nA,1\n"),
            ..IdMapTexts::default()
        },
        1,
    );
    assert_eq!(
        errs,
        vec![
            bad(POIS_FILE, 1, "bad header: expected `previous_id,native_id`"),
            bad(
                SEAT_CLASSES_FILE,
                1,
                "bad header: expected `operator_id,native_class_id,previous_class_id`"
            ),
        ]
    );
    assert!(m.pois_to_native("1").is_empty() && m.pois_to_native("BKK").is_empty());
    // A byte-order mark and header case are tolerated.
    assert_eq!(m.stations_to_native("A"), ["1"]);
}

#[test]
fn seat_class_ids_must_be_12go_integers() {
    let (_, errs) = IdMaps::load(
        &IdMapTexts {
            seat_classes: Some("operator_id,native_class_id,previous_class_id\nSRT,16,A\n"),
            ..IdMapTexts::default()
        },
        1,
    );
    assert_eq!(
        errs,
        vec![bad(
            SEAT_CLASSES_FILE,
            2,
            "`operator_id` and `native_class_id` must be 12go integer ids"
        )]
    );
}

#[test]
fn misses_list_only_kinds_that_missed() {
    let mut m = Misses::default();
    assert!(m.is_empty());
    m.add(IdKind::Poi);
    m.merge(Misses {
        station: 2,
        ..Misses::default()
    });
    let counts: Vec<(&str, u32)> = m.counts().map(|(k, n)| (k.as_str(), n)).collect();
    assert_eq!(counts, [("station", 2), ("poi", 1)]);
}

// ---------------------------------------------------------------- search inputs

fn parse(pairs: &[(&str, &str)], maps: &IdMaps) -> (Result<SearchQuery, Vec<String>>, Misses) {
    let q = QueryParams::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)));
    let today = crate::domain::time::parse_date("2026-04-01").unwrap();
    let limits = SearchLimits {
        max_routes: 25,
        max_timeout_secs: 30,
    };
    let mut ids = MappedLocations::new(maps);
    let r = SearchQuery::parse_with(&q, today, limits, &mut ids)
        .map_err(|e| e.into_iter().map(|f| f.field.to_string()).collect());
    (r, ids.misses())
}

const DATE: (&str, &str) = ("departure_date", "2026-04-05");
const PAX: (&str, &str) = ("pax", "1");

#[test]
fn mapped_station_ids_become_every_native_route() {
    let (q, misses) = parse(
        &[
            DATE,
            PAX,
            ("departures[]", "THBKKALL"),
            ("arrivals[]", "THCNXCMT"),
        ],
        &maps(),
    );
    assert_eq!(
        q.unwrap().routes,
        vec![
            (Place::Station(3), Place::Station(4)),
            (Place::Station(4055), Place::Station(4)),
        ]
    );
    assert!(misses.is_empty());
}

#[test]
fn mapped_pois_become_provinces() {
    let (q, _) = parse(
        &[
            DATE,
            PAX,
            ("departure_poi", "BKK"),
            ("arrivals", "THCNXCMT"),
        ],
        &maps(),
    );
    assert_eq!(
        q.unwrap().routes,
        vec![(Place::Province(1), Place::Station(4))]
    );
}

#[test]
fn unmapped_ids_are_dropped_and_counted() {
    let (q, misses) = parse(
        &[
            DATE,
            PAX,
            ("departures", "THBKKHLP"),
            ("departures", "XXNOPE01"),
            ("arrivals", "THCNXCMT"),
        ],
        &maps(),
    );
    assert_eq!(
        q.unwrap().routes,
        vec![(Place::Station(3), Place::Station(4))]
    );
    assert_eq!(misses.station, 1);
}

#[test]
fn a_side_with_nothing_mapped_is_a_valid_query_with_no_routes() {
    // A partner expects "no trips" for a place we cannot serve, as before the
    // migration, not an error for an id it got from us (10 §1).
    let (q, misses) = parse(
        &[
            DATE,
            PAX,
            ("departure_poi", "NOPE"),
            ("arrivals", "THCNXCMT"),
        ],
        &maps(),
    );
    assert_eq!(q.unwrap().routes, vec![]);
    assert_eq!(misses.poi, 1);
    // Numeric 12go ids are not previous-platform ids: dropped too.
    let (q, _) = parse(
        &[DATE, PAX, ("departures", "3"), ("arrivals", "4")],
        &maps(),
    );
    assert_eq!(q.unwrap().routes, vec![]);
}

#[test]
fn mapped_queries_still_validate_every_other_parameter_and_the_id_format() {
    let (q, _) = parse(
        &[
            ("pax", "0"),
            ("departure_poi", "NOPE"),
            ("arrivals", "bad-id"),
        ],
        &maps(),
    );
    assert_eq!(q.unwrap_err(), ["departure_date", "pax", "arrivals[0]"]);
}

// ---------------------------------------------------------------- search outputs

fn money(v: i64) -> Money {
    Money::new(Decimal::from(v), Currency::new("THB"))
}

/// A native segment in the shape of 10 §4.2.
pub(super) fn segment(
    op: &str,
    from: &str,
    to: &str,
    hour: u8,
    class: &str,
    transport: TransportType,
) -> Segment {
    let (dep, arr) = (
        format!("2026-04-05T{hour:02}:00"),
        format!("2026-04-05T{:02}:30", hour + 1),
    );
    Segment {
        id: format!("{op}-{from}-{to}-{dep}-{arr}-{class}"),
        from_station: from.into(),
        to_station: to.into(),
        departure_time: dep,
        arrival_time: arr,
        travel_duration: "PT1H30M".into(),
        vehicle_id: format!("{op}-{}", transport.as_str()),
        operating_carrier_id: op.into(),
        seat_class_id: class.into(),
        transportation_types: vec![transport],
    }
}

pub(super) fn itinerary(id: &str, segments: &[&Segment]) -> Itinerary {
    Itinerary {
        id: id.into(),
        departure_segments: segments.iter().map(|s| s.id.clone()).collect(),
        connection_guaranteed: true,
        cancellation_policies: vec![CancellationPolicy {
            from: None,
            penalty: Penalty::Percent(100),
        }],
        number_of_available_seats: 5,
        pricing: Pricing {
            gross_price: GrossPrice {
                price: money(110),
                price_type: PriceType::Recommended,
            },
            net_price: money(100),
            taxes_and_fees: money(10),
        },
        confirmation_type: ConfirmationType::Instant,
        ticket_type: None,
    }
}

fn class(id: &str) -> SeatClass {
    SeatClass {
        id: id.into(),
        name: format!("class {id}"),
        description: String::new(),
        keywords: None,
        images: None,
        amenities: vec!["WC".into()],
    }
}

/// The vehicles of native segments, as the search translator lists them.
pub(super) fn vehicle_for(segments: &[Segment]) -> Vec<Vehicle> {
    let mut out: Vec<Vehicle> = Vec::new();
    for s in segments {
        let i = match out.iter().position(|v| v.id == s.vehicle_id) {
            Some(i) => i,
            None => {
                let (op, _) = s.vehicle_id.split_once('-').unwrap();
                out.push(vehicle(op, s.transportation_types[0], &[]));
                out.len() - 1
            }
        };
        if !out[i].seat_classes.iter().any(|c| c.id == s.seat_class_id) {
            out[i].seat_classes.push(class(&s.seat_class_id));
        }
    }
    out
}

pub(super) fn vehicle(op: &str, transport: TransportType, classes: &[&str]) -> Vehicle {
    Vehicle {
        id: format!("{op}-{}", transport.as_str()),
        name: transport.as_str().into(),
        seat_classes: classes.iter().map(|c| class(c)).collect(),
        images: None,
        description: None,
        keywords: None,
        amenities: None,
    }
}

// ---------------------------------------------------------------- bookings

fn booking(from: &str, to: &str) -> Booking {
    Booking {
        id: "87654321".into(),
        status: BookingStatus::Reserved,
        from_station: from.into(),
        to_station: to.into(),
        departure_time: "2026-05-01T08:00:00".into(),
        passenger_count: 2,
        integration: "onetwogo",
        integration_booking_id: "87654321".into(),
        operator_booking_id: None,
        voucher_url: None,
        created_at: "2026-04-20T10:00:00Z".into(),
        updated_at: "2026-04-20T10:00:00Z".into(),
        total_price: money(1134),
    }
}

#[test]
fn a_booking_gets_its_stations_reverse_mapped() {
    let mut b = booking("3", "4");
    let (misses, unmapped) = map_booking(&mut b, &maps());
    assert_eq!(b, booking("THBKKHLP", "THCNXCMT"));
    assert!(misses.is_empty() && unmapped.is_empty());
}

#[test]
fn a_booking_with_an_unmapped_station_keeps_its_native_id() {
    let mut b = booking("3", "7001");
    let (misses, unmapped) = map_booking(&mut b, &maps());
    assert_eq!(b, booking("THBKKHLP", "7001"));
    assert_eq!(misses.station, 1);
    assert_eq!(unmapped, ["7001"]);
}
