//! One master-data snapshot (10 §5.5): the rows, stored once, and the client
//! lists rendered from them (the app caches each rendering until the next refresh).

use std::collections::HashMap;

use serde_json::Value;
use std::io::Write;

use super::carrier::{carrier_json, poi_json, LOGO_COLUMNS, VEHCLASS_COLUMNS};
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

/// Reverse id maps for clients in `mapped` id mode (10 §6): the previous
/// platform's id for a native one, `None` when unmapped (the entry is then not
/// listed).
pub trait ReverseIds {
    fn station(&self, native: &str) -> Option<String>;
    fn operator(&self, native: &str) -> Option<String>;
    fn poi(&self, native: &str) -> Option<String>;
}

/// Entries left out of a mapped list because they have no mapping.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unmapped(pub usize);

/// Rows of one refresh, ordered by numeric 12go id. Immutable once built.
#[derive(Debug, Default)]
pub struct Snapshot {
    stations: Vec<StationRow>,
    operators: Vec<OperatorRow>,
    provinces: Vec<ProvinceRow>,
    poi_stations: HashMap<String, Vec<String>>,
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

/// Keeps only the extra columns the lists read (12go sends many more), so a
/// snapshot of tens of thousands of rows stays small.
pub fn compact_station(mut row: StationRow) -> StationRow {
    // Collected afresh: a map sized to what is kept.
    row.other = std::mem::take(&mut row.other)
        .into_iter()
        .filter(|(k, v)| {
            k.starts_with("StationName") && v.as_str().is_some_and(|s| !s.trim().is_empty())
        })
        .collect();
    row
}

pub fn compact_operator(mut row: OperatorRow) -> OperatorRow {
    row.other = std::mem::take(&mut row.other)
        .into_iter()
        .filter(|(k, _)| {
            VEHCLASS_COLUMNS.contains(&k.as_str()) || LOGO_COLUMNS.contains(&k.as_str())
        })
        .collect();
    row
}

impl Snapshot {
    pub fn build(
        stations: Vec<StationRow>,
        operators: Vec<OperatorRow>,
        provinces: Vec<ProvinceRow>,
    ) -> Self {
        let stations = ordered(stations.into_iter().map(compact_station).collect(), |s| {
            &s.station_id
        });
        let operators = ordered(operators.into_iter().map(compact_operator).collect(), |o| {
            &o.operator_id
        });
        let provinces = ordered(provinces, |p| &p.id);
        let poi_stations = poi_stations(&provinces, &stations);
        Self {
            stations,
            operators,
            provinces,
            poi_stations,
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

    /// Entries of `kind`.
    pub fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Stations => self.stations.len(),
            Kind::OperatingCarriers => self.operators.len(),
            Kind::Pois => self.provinces.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sizes() == (0, 0, 0)
    }

    /// The JSON array of `kind` for `locale`: native ids, or the previous
    /// platform's with `ids` (unmapped entries left out and counted), at most
    /// [`TOP_LIMIT`] entries when `top`. Only station names depend on the
    /// locale, through [`super::station_name_suffix`]; callers cache on that.
    pub fn render(
        &self,
        kind: Kind,
        locale: &str,
        top: bool,
        ids: Option<&dyn ReverseIds>,
    ) -> (Vec<u8>, Unmapped) {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let missing = self
            .render_into(kind, locale, top, ids, &mut out)
            .unwrap_or_default();
        (out, missing)
    }

    /// [`Snapshot::render`] streamed into `out` one entry at a time, so memory
    /// stays flat whatever the list's size (a 20,000-station list built as one
    /// JSON tree would take over 100 MB).
    ///
    /// # Errors
    /// Only those of `out`.
    pub fn render_into(
        &self,
        kind: Kind,
        locale: &str,
        top: bool,
        ids: Option<&dyn ReverseIds>,
        out: &mut impl Write,
    ) -> std::io::Result<Unmapped> {
        let limit = if top { TOP_LIMIT } else { usize::MAX };
        let mut missing = 0;
        let mut shown = |native: &str, map: fn(&dyn ReverseIds, &str) -> Option<String>| match ids {
            None => Some(native.to_string()),
            Some(ids) => {
                let got = map(ids, native);
                missing += usize::from(got.is_none());
                got
            }
        };
        let items: Box<dyn Iterator<Item = Value> + '_> = match kind {
            Kind::Stations => Box::new(self.stations.iter().filter_map(move |s| {
                let id = shown(&s.station_id, |m, n| m.station(n))?;
                let mut v = station_json(s, &id, locale);
                if let (Some(ids), Some(city)) = (ids, s.province_id) {
                    // The city is a POI: shown in the client's id space when mapped.
                    if let Some(prev) = ids.poi(&city.to_string()) {
                        v["address"]["city"]["id"] = Value::String(prev);
                    }
                }
                Some(v)
            })),
            Kind::OperatingCarriers => Box::new(self.operators.iter().filter_map(move |o| {
                let id = shown(&o.operator_id, |m, n| m.operator(n))?;
                Some(carrier_json(o, &id))
            })),
            Kind::Pois => Box::new(self.provinces.iter().filter_map(move |p| {
                let id = shown(&p.id, |m, n| m.poi(n))?;
                let native = self.poi_stations.get(&p.id).map_or(&[][..], Vec::as_slice);
                let stations: Vec<String> = match ids {
                    None => native.to_vec(),
                    Some(ids) => native.iter().filter_map(|s| ids.station(s)).collect(),
                };
                Some(poi_json(p, &id, &stations))
            })),
        };
        out.write_all(b"[")?;
        for (i, item) in items.take(limit).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &item)?;
        }
        out.write_all(b"]")?;
        Ok(Unmapped(missing))
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
        serde_json::from_slice(&s.render(kind, locale, false, None).0).unwrap()
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
    fn locales_pick_names_and_pois_carry_their_stations() {
        let s = snapshot();
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

    /// Previous-platform ids: station 4 → `THBKKHUA`, province 44 → `CNX`, operator 3 → `OPA`.
    struct Prev;
    impl ReverseIds for Prev {
        fn station(&self, native: &str) -> Option<String> {
            (native == "4").then(|| "THBKKHUA".into())
        }
        fn operator(&self, native: &str) -> Option<String> {
            (native == "3").then(|| "OPA".into())
        }
        fn poi(&self, native: &str) -> Option<String> {
            (native == "44").then(|| "CNX".into())
        }
    }

    #[test]
    fn mapped_lists_show_previous_ids_and_leave_out_unmapped_entries() {
        let s = snapshot();
        let render = |kind| {
            let (bytes, missing) = s.render(kind, "en", false, Some(&Prev));
            (
                serde_json::from_slice::<Vec<Value>>(&bytes).unwrap(),
                missing.0,
            )
        };
        let (stations, missing) = render(Kind::Stations);
        assert_eq!(stations.len(), 1);
        assert_eq!(stations[0]["id"], "THBKKHUA");
        // Station 4's first row is in province 44, shown as its POI id.
        assert_eq!(stations[0]["address"]["city"]["id"], "CNX");
        assert_eq!(missing, 2);
        let (carriers, missing) = render(Kind::OperatingCarriers);
        assert_eq!(
            carriers.iter().map(|c| c["Id"].clone()).collect::<Vec<_>>(),
            ["OPA"]
        );
        assert_eq!(missing, 1);
        let (pois, missing) = render(Kind::Pois);
        assert_eq!(
            pois,
            [serde_json::json!({"Id":"CNX","name":"Chiang Mai","stations":["THBKKHUA"]})]
        );
        assert_eq!(missing, 1);
    }

    #[test]
    fn top_lists_stop_at_the_limit() {
        let many: Vec<StationRow> = (1..=TOP_LIMIT as i64 + 5)
            .map(|i| station(&i.to_string(), 1))
            .collect();
        let s = Snapshot::build(many, vec![], vec![]);
        let top: Vec<Value> =
            serde_json::from_slice(&s.render(Kind::Stations, "en", true, None).0).unwrap();
        assert_eq!(top.len(), TOP_LIMIT);
        assert_eq!(top.last().unwrap()["id"], TOP_LIMIT.to_string());
        let all: Vec<Value> =
            serde_json::from_slice(&s.render(Kind::Stations, "en", false, None).0).unwrap();
        assert_eq!(all.len(), TOP_LIMIT + 5);
    }

    #[test]
    fn compaction_keeps_only_the_columns_the_lists_read() {
        let row: StationRow = serde_json::from_value(serde_json::json!({"StationId": 3,
            "StationNameTh": "หัวลำโพง", "StationNameDe": " ", "StationSlug": "x", "Weight": 7}))
        .unwrap();
        let kept: Vec<String> = compact_station(row).other.keys().cloned().collect();
        assert_eq!(kept, ["StationNameTh"]);
        let op: OperatorRow = serde_json::from_value(serde_json::json!({"OperatorId": 1,
            "VehClasses": ["bus"], "Logo": "https://l", "Vehicles": [{"a": 1}], "Address": "x"}))
        .unwrap();
        let kept: Vec<String> = compact_operator(op).other.keys().cloned().collect();
        assert_eq!(kept, ["VehClasses", "Logo"]);
    }
}
