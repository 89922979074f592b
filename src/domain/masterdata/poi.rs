//! POIs are 12go provinces with their stations, child provinces included (10 §5.4).

use std::collections::HashMap;

use super::rows::{ProvinceRow, StationRow};

/// How deep child provinces are followed through `ParentId`.
const MAX_DEPTH: usize = 3;

/// For every province id: the ids of the stations in it and in its child
/// provinces up to three levels down, sorted by numeric id, without duplicates.
pub fn poi_stations(
    provinces: &[ProvinceRow],
    stations: &[StationRow],
) -> HashMap<String, Vec<String>> {
    let mut children: HashMap<String, Vec<&str>> = HashMap::new();
    for p in provinces {
        if let Some(parent) = p.parent_id {
            children.entry(parent.to_string()).or_default().push(&p.id);
        }
    }
    let mut own: HashMap<String, Vec<&str>> = HashMap::new();
    for s in stations {
        if let Some(p) = s.province_id {
            own.entry(p.to_string()).or_default().push(&s.station_id);
        }
    }
    let mut out = HashMap::new();
    for p in provinces {
        let mut ids: Vec<String> = Vec::new();
        let mut level: Vec<&str> = vec![p.id.as_str()];
        // The province itself, then up to MAX_DEPTH levels of children.
        for _ in 0..=MAX_DEPTH {
            let mut next = Vec::new();
            for prov in &level {
                ids.extend(own.get(*prov).into_iter().flatten().map(|s| s.to_string()));
                next.extend(children.get(*prov).into_iter().flatten().copied());
            }
            level = next;
        }
        ids.sort_by_key(|s| (s.parse::<i64>().unwrap_or(i64::MAX), s.clone()));
        ids.dedup();
        out.insert(p.id.clone(), ids);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn province(id: i64, parent: Option<i64>) -> ProvinceRow {
        ProvinceRow {
            id: id.to_string(),
            parent_id: parent,
            ..ProvinceRow::default()
        }
    }

    fn station(id: i64, province: i64) -> StationRow {
        StationRow {
            station_id: id.to_string(),
            province_id: Some(province),
            ..StationRow::default()
        }
    }

    #[test]
    fn stations_of_children_are_included_three_levels_deep_and_no_further() {
        let provinces = [
            province(44, None),
            province(45, Some(44)),
            province(46, Some(45)),
            province(47, Some(46)),
            province(48, Some(47)),
            province(1, None),
        ];
        let stations = [
            station(11553, 44),
            station(4, 44),
            station(5133, 45),
            station(5939, 46),
            station(7000, 47),
            station(8000, 48),
            station(3, 1),
        ];
        let m = poi_stations(&provinces, &stations);
        assert_eq!(m["44"], ["4", "5133", "5939", "7000", "11553"]);
        assert_eq!(m["47"], ["7000", "8000"]);
        assert_eq!(m["1"], ["3"]);
    }

    #[test]
    fn a_parent_cycle_does_not_loop_forever() {
        let provinces = [province(1, Some(2)), province(2, Some(1))];
        let stations = [station(10, 1), station(20, 2)];
        let m = poi_stations(&provinces, &stations);
        assert_eq!(m["1"], ["10", "20"]);
    }
}
