//! Search and itinerary answers for a `mapped` client (10 §6): station, operator
//! and seat-class ids reverse-mapped, segment and vehicle ids rebuilt from them
//! (10 §4.2). An itinerary touching an unmapped station or operator is dropped;
//! a seat class with no mapping keeps its native id.

use std::collections::{HashMap, HashSet};

use super::{IdKind, IdMaps, Misses};
use crate::domain::itinerary::{SearchResult, Segment, Vehicle};

/// Distinct unmapped ids per kind, so one answer counts each missing id once.
#[derive(Default)]
struct MissSet(HashSet<(IdKind, String)>);

impl MissSet {
    fn miss(&mut self, kind: IdKind, id: String) {
        self.0.insert((kind, id));
    }

    fn counts(&self) -> Misses {
        let mut m = Misses::default();
        self.0.iter().for_each(|(kind, _)| m.add(*kind));
        m
    }
}

/// Translates a native answer; returns it with the ids that had no mapping.
pub fn map_search_result(native: SearchResult, maps: &IdMaps) -> (SearchResult, Misses) {
    let mut misses = MissSet::default();
    // Native segment id → its translation (None: unmapped station or operator).
    let mut segments: HashMap<&str, Option<Segment>> = HashMap::new();
    for s in &native.segments {
        segments.insert(&s.id, map_segment(s, maps, &mut misses));
    }
    let mut out = SearchResult::default();
    for mut it in native.itineraries.iter().cloned() {
        let ids: Option<Vec<String>> = it
            .departure_segments
            .iter()
            .map(|id| {
                segments
                    .get(id.as_str())
                    .and_then(Option::as_ref)
                    .map(|s| s.id.clone())
            })
            .collect();
        if let Some(ids) = ids {
            it.departure_segments = ids;
            out.itineraries.push(it);
        }
    }
    let used: HashSet<&str> = out
        .itineraries
        .iter()
        .flat_map(|it| it.departure_segments.iter().map(String::as_str))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    for s in &native.segments {
        if let Some(Some(m)) = segments.get(s.id.as_str()) {
            if used.contains(m.id.as_str()) && seen.insert(m.id.clone()) {
                out.segments.push(m.clone());
            }
        }
    }
    out.vehicles = map_vehicles(&native.vehicles, &out.segments, maps);
    (out, misses.counts())
}

fn map_segment(s: &Segment, maps: &IdMaps, misses: &mut MissSet) -> Option<Segment> {
    let from = maps.station_to_previous(&s.from_station);
    let to = maps.station_to_previous(&s.to_station);
    let operator = maps.operator_to_previous(&s.operating_carrier_id);
    let class = match maps.seat_class_to_previous(&s.operating_carrier_id, &s.seat_class_id) {
        Some(c) => c,
        None => {
            misses.miss(
                IdKind::SeatClass,
                format!("{}/{}", s.operating_carrier_id, s.seat_class_id),
            );
            &s.seat_class_id
        }
    };
    for (found, kind, id) in [
        (from, IdKind::Station, &s.from_station),
        (to, IdKind::Station, &s.to_station),
        (operator, IdKind::Operator, &s.operating_carrier_id),
    ] {
        if found.is_none() {
            misses.miss(kind, id.clone());
        }
    }
    let (from, to, operator) = (from?, to?, operator?);
    let transport = vehicle_type(&s.vehicle_id);
    Some(Segment {
        id: format!(
            "{operator}-{from}-{to}-{}-{}-{class}",
            s.departure_time, s.arrival_time
        ),
        from_station: from.to_string(),
        to_station: to.to_string(),
        vehicle_id: format!("{operator}-{transport}"),
        operating_carrier_id: operator.to_string(),
        seat_class_id: class.to_string(),
        ..s.clone()
    })
}

/// `{operator}-{TransportType}` → `(operator, TransportType)`; native operator ids
/// are integers, so the first `-` splits them.
fn split_vehicle_id(id: &str) -> (&str, &str) {
    id.split_once('-').unwrap_or((id, ""))
}

fn vehicle_type(id: &str) -> &str {
    split_vehicle_id(id).1
}

/// The vehicles the kept segments point to, under their new ids, in first-seen
/// order; vehicles that now share an id are merged, and each keeps only the seat
/// classes its kept segments use (translated, first occurrence wins).
fn map_vehicles(native: &[Vehicle], segments: &[Segment], maps: &IdMaps) -> Vec<Vehicle> {
    let used: HashSet<(&str, &str)> = segments
        .iter()
        .map(|s| (s.vehicle_id.as_str(), s.seat_class_id.as_str()))
        .collect();
    let mut out: Vec<Vehicle> = Vec::new();
    for v in native {
        let (native_op, transport) = split_vehicle_id(&v.id);
        let Some(op) = maps.operator_to_previous(native_op) else {
            continue;
        };
        let id = format!("{op}-{transport}");
        let classes = v.seat_classes.iter().filter_map(|c| {
            let mut c = c.clone();
            if let Some(prev) = maps.seat_class_to_previous(native_op, &c.id) {
                c.id = prev.to_string();
            }
            used.contains(&(id.as_str(), c.id.as_str())).then_some(c)
        });
        let classes: Vec<_> = classes.collect();
        if classes.is_empty() {
            continue;
        }
        let target = match out.iter().position(|o| o.id == id) {
            Some(i) => &mut out[i],
            None => {
                out.push(Vehicle {
                    id,
                    seat_classes: Vec::new(),
                    ..v.clone()
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        for c in classes {
            if !target.seat_classes.iter().any(|t| t.id == c.id) {
                target.seat_classes.push(c);
            }
        }
    }
    out
}
