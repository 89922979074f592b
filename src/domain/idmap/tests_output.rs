//! Search and itinerary answers of a `mapped` client: reverse mapping, id
//! rebuilding, dropping and deduplication.

use super::tests::{itinerary, maps, segment, vehicle, STATIONS};
use super::*;
use crate::domain::ids::TransportType;
use crate::domain::itinerary::SearchResult;

#[test]
fn a_search_answer_is_reverse_mapped_with_ids_rebuilt() {
    let s = segment("16779", "3", "4", 8, "16", TransportType::Train);
    let native = SearchResult {
        vehicles: vec![vehicle("16779", TransportType::Train, &["16"])],
        segments: vec![s.clone()],
        itineraries: vec![itinerary("TH1-2026-04-05-08:00-1", &[&s])],
    };
    let (out, misses) = map_search_result(native, &maps());
    let seg_id = "SRT-THBKKHLP-THCNXCMT-2026-04-05T08:00-2026-04-05T09:30-FAN3";
    assert_eq!(out.segments.len(), 1);
    let m = &out.segments[0];
    assert_eq!(m.id, seg_id);
    assert_eq!(
        (m.from_station.as_str(), m.to_station.as_str()),
        ("THBKKHLP", "THCNXCMT")
    );
    assert_eq!(m.operating_carrier_id, "SRT");
    assert_eq!(m.seat_class_id, "FAN3");
    assert_eq!(m.vehicle_id, "SRT-Train");
    assert_eq!(
        (m.departure_time.as_str(), m.travel_duration.as_str()),
        ("2026-04-05T08:00", "PT1H30M")
    );
    assert_eq!(out.itineraries[0].id, "TH1-2026-04-05-08:00-1");
    assert_eq!(out.itineraries[0].departure_segments, [seg_id]);
    assert_eq!(out.vehicles.len(), 1);
    assert_eq!(out.vehicles[0].id, "SRT-Train");
    assert_eq!(out.vehicles[0].name, "Train");
    assert_eq!(out.vehicles[0].seat_classes[0].id, "FAN3");
    assert_eq!(out.vehicles[0].seat_classes[0].name, "class 16");
    assert!(misses.is_empty());
}

#[test]
fn itineraries_touching_an_unmapped_station_or_operator_are_dropped_with_their_segments() {
    let ok = segment("16779", "3", "4", 8, "16", TransportType::Train);
    let bad_station = segment("16779", "3", "5133", 9, "16", TransportType::Train);
    let bad_operator = segment("2245", "4055", "4", 10, "4", TransportType::Bus);
    let leg2 = segment("231", "4", "3", 12, "7", TransportType::Bus);
    let native = SearchResult {
        vehicles: vec![
            vehicle("16779", TransportType::Train, &["16"]),
            vehicle("2245", TransportType::Bus, &["4"]),
            vehicle("231", TransportType::Bus, &["7"]),
        ],
        segments: vec![
            ok.clone(),
            bad_station.clone(),
            bad_operator.clone(),
            leg2.clone(),
        ],
        itineraries: vec![
            itinerary("A", &[&ok]),
            itinerary("B", &[&bad_station]),
            itinerary("C", &[&bad_operator]),
            // Two legs, the first unmapped: the whole itinerary goes, and so does
            // the second leg that nothing else uses.
            itinerary("D", &[&bad_station, &leg2]),
        ],
    };
    let (out, misses) = map_search_result(native, &maps());
    let ids: Vec<&str> = out.itineraries.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["A"]);
    assert_eq!(out.segments.len(), 1);
    let vehicles: Vec<&str> = out.vehicles.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(vehicles, ["SRT-Train"]);
    // 5133 once (distinct ids), 2245 once; classes 4 and 7 have no mapping.
    assert_eq!(
        misses,
        Misses {
            station: 1,
            operator: 1,
            poi: 0,
            seat_class: 2
        }
    );
}

#[test]
fn an_unmapped_seat_class_keeps_its_native_id_everywhere() {
    let s = segment("231", "4055", "4", 8, "7", TransportType::Bus);
    let native = SearchResult {
        vehicles: vec![vehicle("231", TransportType::Bus, &["7"])],
        segments: vec![s.clone()],
        itineraries: vec![itinerary("A", &[&s])],
    };
    let (out, misses) = map_search_result(native, &maps());
    assert_eq!(out.segments[0].seat_class_id, "7");
    assert_eq!(
        out.segments[0].id,
        "TCO-THBKKALL-THCNXCMT-2026-04-05T08:00-2026-04-05T09:30-7"
    );
    assert_eq!(out.vehicles[0].id, "TCO-Bus");
    assert_eq!(out.vehicles[0].seat_classes[0].id, "7");
    assert_eq!(misses.seat_class, 1);
}

#[test]
fn segments_and_vehicles_that_collapse_onto_one_mapped_id_are_deduplicated() {
    // Two native operators share one previous id.
    let (m, _) = IdMaps::load(
        &IdMapTexts {
            stations: Some(STATIONS),
            operators: Some("previous_id,native_id\nBUS,231\nBUS,2245\n"),
            ..IdMapTexts::default()
        },
        1,
    );
    let a = segment("231", "3", "4", 8, "7", TransportType::Bus);
    let b = segment("2245", "3", "4", 8, "7", TransportType::Bus);
    let c = segment("2245", "3", "4", 8, "4", TransportType::Bus);
    let native = SearchResult {
        vehicles: vec![
            vehicle("231", TransportType::Bus, &["7"]),
            vehicle("2245", TransportType::Bus, &["7", "4"]),
        ],
        segments: vec![a.clone(), b.clone(), c.clone()],
        itineraries: vec![
            itinerary("A", &[&a]),
            itinerary("B", &[&b]),
            itinerary("C", &[&c]),
        ],
    };
    let (out, _) = map_search_result(native, &m);
    let segs: Vec<&str> = out.segments.iter().map(|s| s.id.as_str()).collect();
    let ab = "BUS-THBKKHLP-THCNXCMT-2026-04-05T08:00-2026-04-05T09:30-7";
    let cc = "BUS-THBKKHLP-THCNXCMT-2026-04-05T08:00-2026-04-05T09:30-4";
    assert_eq!(segs, [ab, cc]);
    assert_eq!(out.itineraries[1].departure_segments, [ab]);
    assert_eq!(out.vehicles.len(), 1);
    assert_eq!(out.vehicles[0].id, "BUS-Bus");
    let classes: Vec<&str> = out.vehicles[0]
        .seat_classes
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(classes, ["7", "4"]);
}

#[test]
fn an_answer_with_nothing_mapped_is_empty() {
    let s = segment("1", "5936", "5939", 8, "21", TransportType::Airplane);
    let native = SearchResult {
        vehicles: vec![vehicle("1", TransportType::Airplane, &["21"])],
        segments: vec![s.clone()],
        itineraries: vec![itinerary("A", &[&s])],
    };
    let (out, _) = map_search_result(native, &IdMaps::empty());
    assert_eq!(out, SearchResult::default());
}
