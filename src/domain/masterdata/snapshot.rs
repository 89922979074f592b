//! One master-data snapshot (10 §5.5): the rows are stored once; each list's JSON
//! per locale is rendered on first use and kept until the next snapshot replaces
//! this one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::carrier::{carrier_json, poi_json};
use super::poi::poi_stations;
use super::rows::{OperatorRow, ProvinceRow, StationRow};
use super::station::station_json;

/// `GetList` with `top10K=true` lists only this many entries.
pub const TOP_LIMIT: usize = 10_000;

/// The three lists (the `{kind}` of the routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Stations,
    OperatingCarriers,
    Pois,
}

impl Kind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "stations" => Some(Self::Stations),
            "operating_carriers" => Some(Self::OperatingCarriers),
            "pois" => Some(Self::Pois),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stations => "stations",
            Self::OperatingCarriers => "operating_carriers",
            Self::Pois => "pois",
        }
    }
}

type RenderKey = (Kind, String, bool);

/// Rows of one refresh, ordered by numeric 12go id.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Increases with every refresh (part of the `ETag`).
    pub version: u64,
    stations: Vec<StationRow>,
    operators: Vec<OperatorRow>,
    provinces: Vec<ProvinceRow>,
    poi_stations: HashMap<String, Vec<String>>,
    rendered: Mutex<HashMap<RenderKey, Arc<Vec<u8>>>>,
}

fn numeric(id: &str) -> (i64, String) {
    (id.parse().unwrap_or(i64::MAX), id.to_string())
}

/// Sorted by numeric id; a repeated id keeps its first row.
fn ordered<T>(mut rows: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    rows.sort_by_key(|r| numeric(id(r)));
    rows.dedup_by(|a, b| id(a) == id(b));
    rows
}

impl Snapshot {
    pub fn build(
        version: u64,
        stations: Vec<StationRow>,
        operators: Vec<OperatorRow>,
        provinces: Vec<ProvinceRow>,
    ) -> Self {
        let stations = ordered(stations, |s| &s.station_id);
        let operators = ordered(operators, |o| &o.operator_id);
        let provinces = ordered(provinces, |p| &p.id);
        let poi_stations = poi_stations(&provinces, &stations);
        Self {
            version,
            stations,
            operators,
            provinces,
            poi_stations,
            rendered: Mutex::default(),
        }
    }

    /// Entry counts: stations, operators, POIs.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.stations.len(),
            self.operators.len(),
            self.provinces.len(),
        )
    }

    /// The JSON array of `kind` for `locale` (native ids), at most
    /// [`TOP_LIMIT`] entries when `top`; rendered once, then shared.
    pub fn json(&self, kind: Kind, locale: &str, top: bool) -> Arc<Vec<u8>> {
        let key = (kind, locale.to_string(), top);
        if let Some(hit) = self.rendered.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let limit = if top { TOP_LIMIT } else { usize::MAX };
        let items: Vec<Value> = match kind {
            Kind::Stations => self
                .stations
                .iter()
                .take(limit)
                .map(|s| station_json(s, &s.station_id, locale))
                .collect(),
            Kind::OperatingCarriers => self
                .operators
                .iter()
                .take(limit)
                .map(|o| carrier_json(o, &o.operator_id))
                .collect(),
            Kind::Pois => self
                .provinces
                .iter()
                .take(limit)
                .map(|p| {
                    let stations = self.poi_stations.get(&p.id).cloned().unwrap_or_default();
                    poi_json(p, &p.id, &stations)
                })
                .collect(),
        };
        let bytes = Arc::new(serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec()));
        if let Ok(mut m) = self.rendered.lock() {
            m.insert(key, bytes.clone());
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station(id: &str, province: i64) -> StationRow {
        serde_json::from_value(
            serde_json::json!({"StationId": id, "StationName": format!("S{id}"),
            "StationNameTh": format!("ส{id}"), "ProvinceId": province}),
        )
        .unwrap()
    }

    fn snapshot() -> Snapshot {
        Snapshot::build(
            7,
            vec![
                station("11553", 44),
                station("4", 44),
                station("3", 1),
                station("4", 1),
            ],
            vec![
                serde_json::from_str(r#"{"OperatorId":20,"OperatorName":"B"}"#).unwrap(),
                serde_json::from_str(r#"{"OperatorId":3,"OperatorName":"A"}"#).unwrap(),
            ],
            vec![
                serde_json::from_str(r#"{"Id":44,"Name":"Chiang Mai"}"#).unwrap(),
                serde_json::from_str(r#"{"Id":1,"Name":"Bangkok"}"#).unwrap(),
            ],
        )
    }

    fn list(s: &Snapshot, kind: Kind, locale: &str) -> Vec<Value> {
        serde_json::from_slice(&s.json(kind, locale, false)).unwrap()
    }

    #[test]
    fn lists_are_ordered_by_numeric_id_and_repeated_ids_kept_once() {
        let s = snapshot();
        let ids: Vec<String> = list(&s, Kind::Stations, "en")
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["3", "4", "11553"]);
        let got: Vec<String> = list(&s, Kind::OperatingCarriers, "en")
            .iter()
            .map(|v| v["Id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, ["3", "20"]);
        assert_eq!(s.sizes(), (3, 2, 2));
    }

    #[test]
    fn each_locale_is_rendered_once_and_pois_carry_their_stations() {
        let s = snapshot();
        let th = s.json(Kind::Stations, "th", false);
        assert!(Arc::ptr_eq(&th, &s.json(Kind::Stations, "th", false)));
        assert_eq!(list(&s, Kind::Stations, "th")[0]["name"], "ส3");
        assert_eq!(list(&s, Kind::Stations, "en")[0]["name"], "S3");
        let pois = list(&s, Kind::Pois, "en");
        assert_eq!(
            pois[1],
            serde_json::json!({"Id":"44","name":"Chiang Mai","stations":["4","11553"]})
        );
    }

    #[test]
    fn kinds_parse_from_route_segments() {
        for k in [Kind::Stations, Kind::OperatingCarriers, Kind::Pois] {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("carriers"), None);
    }
}
