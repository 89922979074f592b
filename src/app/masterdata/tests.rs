use std::cell::RefCell;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::{json, Value};

use super::refresh::{fetch_all, refresh_once, RefreshFailure};
use super::*;
use crate::domain::masterdata::{OperatorRow, ProvinceRow, StationRow};
use crate::domain::upstream::UpstreamError;
use crate::ports::masterdata::{MasterDataSource, Page};
use crate::ports::metrics::{NoMetrics, Tags};

#[derive(Default)]
struct Recorded(Mutex<Vec<String>>);

impl Metrics for Recorded {
    fn count<'a>(&self, name: &'static str, value: i64, tags: Tags<'a>) {
        let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        if let Ok(mut m) = self.0.lock() {
            m.push(format!("{name}={value}|{}", tags.join(",")));
        }
    }
    fn gauge<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        self.count(name, value as i64, tags);
    }
    fn histogram<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
}

struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(1_777_000_000).unwrap()
    }
}

fn station(id: i64, province: i64) -> StationRow {
    serde_json::from_value(json!({"StationId": id, "StationName": format!("S{id}"),
        "StationNameTh": format!("ส{id}"), "ProvinceId": province}))
    .unwrap()
}

/// A 12go whose lists page by cursor; `fail_operators` makes U4 answer 500.
#[derive(Default)]
struct Fake {
    stations: Vec<i64>,
    fail_operators: bool,
    calls: RefCell<Vec<String>>,
}

fn page<T>(ids: &[i64], from: i64, size: u32, row: impl Fn(i64) -> T) -> Page<T> {
    let rows: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|i| *i >= from)
        .take(size as usize)
        .collect();
    let more = rows.last().is_some_and(|l| ids.iter().any(|i| i > l));
    Page {
        rows: rows.into_iter().map(row).collect(),
        more,
    }
}

#[async_trait(?Send)]
impl MasterDataSource for Fake {
    async fn stations(&self, from: i64, size: u32) -> Result<Page<StationRow>, UpstreamError> {
        self.calls.borrow_mut().push(format!("U3 {from} {size}"));
        Ok(page(&self.stations, from, size, |i| station(i, 44)))
    }
    async fn operators(&self, from: i64, size: u32) -> Result<Page<OperatorRow>, UpstreamError> {
        self.calls.borrow_mut().push(format!("U4 {from} {size}"));
        if self.fail_operators {
            return Err(UpstreamError::Status {
                status: 500,
                empty_object_body: false,
                retry_after: None,
                rejection: Default::default(),
            });
        }
        Ok(page(&[5, 16779], from, size, |i| {
            serde_json::from_value(json!({"OperatorId": i, "OperatorName": "Op"})).unwrap()
        }))
    }
    async fn provinces(&self, from: i64, size: u32) -> Result<Page<ProvinceRow>, UpstreamError> {
        self.calls.borrow_mut().push(format!("U5 {from} {size}"));
        Ok(page(&[1, 44], from, size, |i| {
            serde_json::from_value(json!({"Id": i, "Name": format!("P{i}")})).unwrap()
        }))
    }
}

fn master_data(metrics: Arc<Recorded>) -> MasterData {
    MasterData::new(true, metrics, Arc::new(FixedClock))
}

fn list(md: &MasterData, kind: Kind, locale: &str) -> Vec<Value> {
    serde_json::from_slice(&md.listing(kind, locale, false, None).unwrap().json()).unwrap()
}

#[actix_rt::test]
async fn paging_follows_the_cursor_until_a_null_next_page() {
    let fake = Fake {
        stations: (1..=250).collect(),
        ..Fake::default()
    };
    let md = master_data(Arc::default());
    assert!(refresh_once(&md, &fake).await);
    let calls = fake.calls.borrow().clone();
    assert_eq!(
        calls,
        [
            "U3 0 100",
            "U3 101 100",
            "U3 201 100",
            "U4 0 100",
            "U5 0 2000"
        ]
    );
    assert_eq!(list(&md, Kind::Stations, "en").len(), 250);
    assert_eq!(md.stats().stations, 250);
}

#[actix_rt::test]
async fn an_empty_page_ends_a_list_even_if_next_page_was_set() {
    let rows = fetch_all(
        Kind::Stations,
        |s: &StationRow| &s.station_id,
        |from| async move {
            Ok(if from == 0 {
                Page {
                    rows: vec![station(7, 1)],
                    more: true,
                }
            } else {
                Page {
                    rows: vec![],
                    more: true,
                }
            })
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
}

#[actix_rt::test]
async fn a_cursor_that_does_not_advance_fails_instead_of_looping() {
    let e = fetch_all(
        Kind::Stations,
        |s: &StationRow| &s.station_id,
        |_| async {
            Ok(Page {
                rows: vec![station(0, 1)],
                more: true,
            })
        },
    )
    .await;
    // Page from 0 ends at id 0: next cursor 1 > 0 is fine; the second page from 1
    // again ends at 0, which would not advance.
    assert_eq!(e.unwrap_err().reason, RefreshFailure::BadCursor);
}

#[actix_rt::test]
async fn not_ready_until_the_first_snapshot_and_then_lists_are_cached() {
    let md = master_data(Arc::default());
    assert!(!md.is_ready());
    assert!(md.listing(Kind::Stations, "en", false, None).is_none());
    assert!(MasterData::new(false, Arc::new(NoMetrics), Arc::new(FixedClock)).is_ready());
    let fake = Fake {
        stations: vec![3, 4],
        ..Fake::default()
    };
    assert!(refresh_once(&md, &fake).await);
    assert!(md.is_ready());
    let a = md.listing(Kind::Stations, "th", false, None).unwrap();
    // `th-TH` reads the same column: the same rendering, not a new cache entry.
    let b = md.listing(Kind::Stations, "th-TH", false, None).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(list(&md, Kind::Stations, "th")[0]["name"], "ส3");
    assert_ne!(
        a.etag,
        md.listing(Kind::Stations, "en", false, None).unwrap().etag
    );
    // Carriers do not depend on the locale at all.
    let c = md
        .listing(Kind::OperatingCarriers, "de", false, None)
        .unwrap();
    assert!(Arc::ptr_eq(
        &c,
        &md.listing(Kind::OperatingCarriers, "fr", false, None)
            .unwrap()
    ));
    let gz = a.gzip();
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
    assert_eq!(back, a.json());
    assert_eq!(a.json_len, back.len());
    assert!(gz.len() < back.len());
}

#[actix_rt::test]
async fn a_failed_refresh_keeps_the_previous_snapshot_and_is_counted() {
    let metrics = Arc::new(Recorded::default());
    let md = master_data(metrics.clone());
    assert!(
        refresh_once(
            &md,
            &Fake {
                stations: vec![3],
                ..Fake::default()
            }
        )
        .await
    );
    let before = md.listing(Kind::Stations, "en", false, None).unwrap();
    let failing = Fake {
        stations: vec![3, 4, 5],
        fail_operators: true,
        ..Fake::default()
    };
    assert!(!refresh_once(&md, &failing).await);
    let after = md.listing(Kind::Stations, "en", false, None).unwrap();
    assert!(Arc::ptr_eq(&before, &after));
    let stats = md.stats();
    assert_eq!(
        (stats.version, stats.refreshes_ok, stats.refreshes_failed),
        (1, 1, 1)
    );
    assert_eq!(
        stats.last_error.as_deref(),
        Some("operating_carriers: 12go answered 500")
    );
    let recorded = metrics.0.lock().unwrap().clone();
    assert!(recorded.contains(&"masterdata.refresh=1|kind:stations,outcome:success".to_string()));
    assert!(recorded
        .contains(&"masterdata.refresh=1|kind:operating_carriers,outcome:failure".to_string()));
    assert!(recorded.contains(&"masterdata.entries=1|kind:stations".to_string()));
    assert!(recorded.contains(&"masterdata.age_seconds=0|kind:pois".to_string()));
}

struct Prev;
impl ReverseIds for Prev {
    fn station(&self, native: &str) -> Option<String> {
        (native == "3").then(|| "THBKKHUA".into())
    }
    fn operator(&self, _: &str) -> Option<String> {
        None
    }
    fn poi(&self, _: &str) -> Option<String> {
        None
    }
}

#[actix_rt::test]
async fn mapped_lists_are_cached_per_map_generation_and_count_misses() {
    let metrics = Arc::new(Recorded::default());
    let md = master_data(metrics.clone());
    assert!(
        refresh_once(
            &md,
            &Fake {
                stations: vec![3, 4],
                ..Fake::default()
            }
        )
        .await
    );
    let view = |generation| IdView {
        ids: &Prev,
        generation,
        client_id: "acme",
    };
    let g1 = md
        .listing(Kind::Stations, "en", false, Some(&view(1)))
        .unwrap();
    let ids: Vec<Value> = serde_json::from_slice(&g1.json()).unwrap();
    assert_eq!(
        ids.iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
        ["THBKKHUA"]
    );
    assert!(Arc::ptr_eq(
        &g1,
        &md.listing(Kind::Stations, "en", false, Some(&view(1)))
            .unwrap()
    ));
    let g2 = md
        .listing(Kind::Stations, "en", false, Some(&view(2)))
        .unwrap();
    assert!(!Arc::ptr_eq(&g1, &g2));
    // The three native default lists rendered at install, and generation 2's.
    assert_eq!(md.stats().cached_lists, 4);
    let recorded = metrics.0.lock().unwrap().clone();
    assert!(recorded.contains(&"idmap.miss=1|client_id:acme,kind:station".to_string()));
}
