//! Properties of [`map_search_result`] over random answers and partial maps: the
//! three arrays stay linked, nothing native leaks, and exactly the itineraries
//! whose stations and operators are all mapped survive.

use proptest::prelude::*;
use std::collections::HashSet;

use super::tests::{itinerary, segment, vehicle_for};
use super::*;
use crate::domain::ids::TransportType;
use crate::domain::itinerary::{SearchResult, Segment};

const STATIONS: [&str; 4] = ["10", "11", "12", "13"];
const OPERATORS: [&str; 3] = ["1", "2", "3"];
const CLASSES: [&str; 2] = ["5", "6"];

/// One leg: indices into the pools (operator, from, to, class), an hour, and
/// bus rather than train.
type Leg = (usize, usize, usize, usize, u8, bool);

fn leg() -> impl Strategy<Value = Leg> {
    (
        0..3usize,
        0..4usize,
        0..4usize,
        0..2usize,
        0..20u8,
        any::<bool>(),
    )
}

fn build(itins: &[Vec<Leg>]) -> SearchResult {
    let mut out = SearchResult::default();
    let mut seen = HashSet::new();
    for (n, legs) in itins.iter().enumerate() {
        let segs: Vec<Segment> = legs
            .iter()
            .map(|&(op, from, to, class, hour, bus)| {
                let t = if bus {
                    TransportType::Bus
                } else {
                    TransportType::Train
                };
                segment(
                    OPERATORS[op],
                    STATIONS[from],
                    STATIONS[to],
                    hour,
                    CLASSES[class],
                    t,
                )
            })
            .collect();
        for s in &segs {
            if seen.insert(s.id.clone()) {
                out.segments.push(s.clone());
            }
        }
        out.itineraries.push(itinerary(
            &format!("I{n}"),
            &segs.iter().collect::<Vec<_>>(),
        ));
    }
    out.vehicles = vehicle_for(&out.segments);
    out
}

/// Maps a subset of each pool; previous ids `S10`, `O1`, `C1/5`.
fn maps(stations: &[bool], operators: &[bool], classes: &[bool]) -> IdMaps {
    let mut st = String::from("previous_id,native_id\n");
    for (id, _) in STATIONS.iter().zip(stations).filter(|(_, m)| **m) {
        st.push_str(&format!("S{id},{id}\n"));
    }
    let mut op = String::from("previous_id,native_id\n");
    let mut cl = String::from("operator_id,native_class_id,previous_class_id\n");
    for (id, _) in OPERATORS.iter().zip(operators).filter(|(_, m)| **m) {
        op.push_str(&format!("O{id},{id}\n"));
        for (c, _) in CLASSES.iter().zip(classes).filter(|(_, m)| **m) {
            cl.push_str(&format!("{id},{c},C{id}x{c}\n"));
        }
    }
    let texts = IdMapTexts {
        stations: Some(&st),
        operators: Some(&op),
        pois: None,
        seat_classes: Some(&cl),
    };
    IdMaps::load(&texts, 1).0
}

proptest! {
    #[test]
    fn mapping_keeps_the_answer_linked_and_drops_exactly_the_unmapped(
        itins in prop::collection::vec(prop::collection::vec(leg(), 1..3), 0..8),
        stations in prop::collection::vec(any::<bool>(), 4),
        operators in prop::collection::vec(any::<bool>(), 3),
        classes in prop::collection::vec(any::<bool>(), 2),
    ) {
        let native = build(&itins);
        let m = maps(&stations, &operators, &classes);
        let (out, _) = map_search_result(native.clone(), &m);
        let mapped = |s: &Segment| {
            m.station_to_previous(&s.from_station).is_some()
                && m.station_to_previous(&s.to_station).is_some()
                && m.operator_to_previous(&s.operating_carrier_id).is_some()
        };
        let expected: Vec<&str> = native
            .itineraries
            .iter()
            .filter(|it| {
                it.departure_segments
                    .iter()
                    .all(|id| native.segments.iter().any(|s| &s.id == id && mapped(s)))
            })
            .map(|it| it.id.as_str())
            .collect();
        let kept: Vec<&str> = out.itineraries.iter().map(|i| i.id.as_str()).collect();
        prop_assert_eq!(kept, expected);
        let seg_ids: HashSet<&str> = out.segments.iter().map(|s| s.id.as_str()).collect();
        prop_assert_eq!(seg_ids.len(), out.segments.len());
        let used: HashSet<&str> = out
            .itineraries
            .iter()
            .flat_map(|i| i.departure_segments.iter().map(String::as_str))
            .collect();
        prop_assert_eq!(&used, &seg_ids);
        let vehicle_ids: HashSet<&str> = out.vehicles.iter().map(|v| v.id.as_str()).collect();
        prop_assert_eq!(vehicle_ids.len(), out.vehicles.len());
        for s in &out.segments {
            prop_assert!(s.from_station.starts_with('S') && s.to_station.starts_with('S'));
            prop_assert!(s.operating_carrier_id.starts_with('O'));
            let v = out.vehicles.iter().find(|v| v.id == s.vehicle_id);
            prop_assert!(v.is_some_and(|v| v.seat_classes.iter().any(|c| c.id == s.seat_class_id)));
            let prefix = format!("{}-{}-{}-", s.operating_carrier_id, s.from_station, s.to_station);
            let suffix = format!("-{}", s.seat_class_id);
            prop_assert!(s.id.starts_with(&prefix) && s.id.ends_with(&suffix), "{}", s.id);
        }
        let referenced: HashSet<&str> = out.segments.iter().map(|s| s.vehicle_id.as_str()).collect();
        prop_assert_eq!(referenced, vehicle_ids);
    }
}
