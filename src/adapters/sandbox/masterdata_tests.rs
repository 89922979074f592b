use std::collections::BTreeSet;

use super::*;
use crate::adapters::sandbox::inventory::search;
use crate::domain::ids::Place;
use crate::domain::masterdata::{
    carrier_json, poi_stations, station_json, OperatorsPage, ProvincesPage, StationsPage,
};
use crate::ports::twelvego::SearchCall;

fn ids(list: List) -> BTreeSet<String> {
    rows(list).iter().map(|(id, _)| id.to_string()).collect()
}

fn all_stations() -> StationsPage {
    serde_json::from_value(page(List::Stations, 0, 1000).unwrap()).unwrap()
}

fn all_provinces() -> ProvincesPage {
    serde_json::from_value(page(List::Provinces, 0, 1000).unwrap()).unwrap()
}

/// Follows `NextPage` from 0 and returns the ids of every page, in order.
fn walk(list: List, size: u32) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut from = 0;
    loop {
        let p = page(list, from, size).unwrap();
        let ids: Vec<i64> = p[list.key()]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[id_key(list)].as_i64().unwrap())
            .collect();
        assert!(ids.len() <= size as usize);
        pages.push(ids);
        match p["NextPage"].as_i64() {
            Some(next) => from = next,
            None => return pages,
        }
    }
}

fn id_key(list: List) -> &'static str {
    match list {
        List::Stations => "StationId",
        List::Operators => "OperatorId",
        List::Provinces => "Id",
    }
}

#[test]
fn paging_lists_every_row_exactly_once_in_id_order() {
    for list in [List::Stations, List::Operators, List::Provinces] {
        let expected: Vec<i64> = rows(list).iter().map(|(id, _)| *id).collect();
        assert!(expected.windows(2).all(|w| w[0] < w[1]));
        for size in [1, 2, 3, 7, 100] {
            let pages = walk(list, size);
            let seen: Vec<i64> = pages.iter().flatten().copied().collect();
            assert_eq!(seen, expected, "{list:?} by {size}");
            assert!(pages.iter().all(|p| !p.is_empty()), "{list:?} by {size}");
        }
    }
}

#[test]
fn next_page_is_the_last_id_plus_one_and_null_at_the_end() {
    let p = page(List::Operators, 0, 2).unwrap();
    assert_eq!(p["TourOperators"][0]["OperatorId"], 1);
    assert_eq!(p["TourOperators"][1]["OperatorId"], 4);
    assert_eq!(p["NextPage"], 5);
    let p = page(List::Operators, 5, 1).unwrap();
    assert_eq!(p["TourOperators"][0]["OperatorId"], 5);
    let p = page(List::Provinces, 301, 10).unwrap();
    assert_eq!(p["Provinces"].as_array().unwrap().len(), 1);
    assert!(p["NextPage"].is_null());
    let p = page(List::Stations, 1_000_000, 10).unwrap();
    assert_eq!(
        (
            p["Stations"].as_array().unwrap().len(),
            p["NextPage"].is_null()
        ),
        (0, true)
    );
    assert!(matches!(
        page(List::Stations, 0, 0),
        Err(SandboxError::Invalid {
            field: "pageSize",
            ..
        })
    ));
}

#[test]
fn every_station_and_operator_search_returns_is_listed() {
    let (stations, operators) = (ids(List::Stations), ids(List::Operators));
    let mut checked = 0;
    for l in world::LINKS {
        for (a, b) in [(l.a, l.b), (l.b, l.a)] {
            let call = SearchCall {
                from: Place::Province(a),
                to: Place::Province(b),
                date: jiff::civil::date(2026, 4, 5),
                seats: 1,
            };
            let answer = search(&call, "http://sb.invalid").unwrap();
            assert!(!answer.trips.is_empty(), "{a} → {b}");
            for seg in answer.trips.iter().flat_map(|t| &t.segments) {
                for s in seg.from.iter().chain(&seg.to) {
                    assert!(stations.contains(&s.to_string()), "station {s}");
                }
                if let Some(op) = seg.operator {
                    assert!(operators.contains(&op.to_string()), "operator {op}");
                    checked += 1;
                }
            }
            assert!(answer
                .stations
                .keys()
                .all(|s| stations.contains(s.as_str())));
            assert!(answer
                .operators
                .keys()
                .all(|o| operators.contains(o.as_str())));
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn provinces_nest_and_pois_reach_grandchildren() {
    let provinces = all_provinces();
    let parent = |id: &str| {
        provinces
            .rows
            .iter()
            .find(|p| p.id == id)
            .unwrap()
            .parent_id
    };
    assert_eq!(provinces.rows.len(), world::PROVINCES.len());
    assert_eq!(
        (parent("64"), parent("62"), parent("61")),
        (Some(62), Some(61), None)
    );
    let pois = poi_stations(&provinces.rows, &all_stations().rows);
    assert_eq!(pois["61"], ["7201", "7202", "7301", "7302", "7501"]);
    assert_eq!(pois["62"], ["7301", "7302", "7501"]);
    assert_eq!(pois["44"], ["4", "5133", "5939", "11553"]);
}

#[test]
fn station_rows_carry_the_columns_the_translation_reads() {
    let stations = all_stations();
    let row = |id: &str| stations.rows.iter().find(|s| s.station_id == id).unwrap();
    let bkk = station_json(row("3"), "3", "th");
    assert_eq!(bkk["name"], "สถานีรถไฟกรุงเทพ (หัวลำโพง)");
    assert_eq!(bkk["address"]["country"], "TH");
    assert_eq!(
        bkk["address"]["city"],
        serde_json::json!({"id": "1", "name": "Bangkok"})
    );
    assert_eq!(bkk["address"]["time_zone"], "Asia/Bangkok");
    assert_eq!(bkk["address"]["coordinate"]["latitude"], 13.7373);
    assert_eq!(
        station_json(row("3"), "3", "de")["name"],
        "Bangkok Hauptbahnhof Hua Lamphong"
    );
    // No Thai or German name: the fallback.
    assert_eq!(
        station_json(row("7102"), "7102", "th")["name"],
        "Phuket Airport"
    );
    assert_eq!(
        station_json(row("8001"), "8001", "de")["name"],
        "Bahnhof Tokio"
    );
    assert_eq!(
        station_json(row("8002"), "8002", "ja")["name"],
        "Tokyo Haneda Airport"
    );
    assert_eq!(row("8002").timezone_name.as_deref(), Some("Asia/Tokyo"));
    assert!(stations
        .rows
        .iter()
        .all(|s| s.other.contains_key("StationNameTh")));
}

#[test]
fn operator_rows_give_carriers_with_and_without_contacts() {
    let p: OperatorsPage = serde_json::from_value(page(List::Operators, 0, 1000).unwrap()).unwrap();
    let carrier = |id: &str| {
        let row = p.rows.iter().find(|o| o.operator_id == id).unwrap();
        carrier_json(row, id)
    };
    let srt = carrier("16779");
    assert_eq!(srt["display_name"], "การรถไฟแห่งประเทศไทย");
    assert_eq!(srt["transportation_types"], serde_json::json!(["Train"]));
    assert!(srt.get("email").is_none() && srt.get("phone").is_none());
    let nakhonchai = carrier("2245");
    assert_eq!(nakhonchai["display_name"], "Nakhonchai Air");
    assert!(nakhonchai["email"].is_string() && nakhonchai["phone"].is_string());
    assert!(nakhonchai["logo_url"].is_string());
    let lomprayah = carrier("12804");
    assert!(lomprayah["transportation_types"].as_array().unwrap().len() > 1);
    let green = carrier("1754");
    assert!(green["email"].is_string() && green.get("phone").is_none());
}

#[actix_rt::test]
async fn the_in_process_port_pages_like_the_wire() {
    use crate::adapters::sandbox::Sandbox;
    use crate::domain::upstream::UpstreamError;
    use crate::ports::masterdata::MasterDataSource;
    let sb = Sandbox::default();
    let (mut from, mut seen) = (0, Vec::new());
    loop {
        let p = sb.stations(from, 4).await.unwrap();
        seen.extend(p.rows.iter().map(|r| r.station_id.clone()));
        let Some(last) = p.rows.last().filter(|_| p.more) else {
            break;
        };
        from = last.station_id.parse::<i64>().unwrap() + 1;
    }
    assert_eq!(seen.len(), world::STATIONS.len());
    assert_eq!(
        seen.into_iter().collect::<BTreeSet<_>>(),
        ids(List::Stations)
    );
    assert_eq!(
        sb.operators(0, 1000).await.unwrap().rows.len(),
        world::OPERATORS.len()
    );
    let p = sb.provinces(64, 1).await.unwrap();
    assert_eq!((p.rows[0].parent_id, p.more), (Some(62), true));
    assert!(matches!(
        sb.provinces(0, 0).await,
        Err(UpstreamError::Status { status: 400, .. })
    ));
}
