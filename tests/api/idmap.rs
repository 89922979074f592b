//! Clients in `mapped` id mode (10 §6): previous-platform ids in, previous-platform
//! ids out, from the CSV maps of `ID_MAP_DIR`; `native` clients on the same
//! instance are unaffected.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::common::{self, future_date, TestApp};
use crate::funnel::fixtures::{
    booking_path, booking_request, confirm_path, confirmed_answer, expected_booking,
    expected_reserved, itinerary_id_2, mount, mount_first_n, reserve_path, reserved_answer, Funnel,
    BID, TICKET_URL,
};
use crate::helpers::{ok_json, spawn_with_fake_12go_and, twelvego_search_path, ACME_KEY};

const LEGACY_KEY: &str = "legacy-key";
const STATIONS: &str = "previous_id,native_id\nTHBKKHLP,3\nTHCNXCMT,4\n";
const OPERATORS: &str = "previous_id,native_id\nSRT,16779\nTCO,231\n";
const SEAT_CLASSES: &str =
    "operator_id,native_class_id,previous_class_id\n16779,16,FAN3\n16779,12,VIP24\n";

/// Registry TOML for client `legacy` (key `legacy-key`) in `mapped` id mode.
fn legacy_client() -> String {
    let hash = hex::encode(Sha256::digest(LEGACY_KEY.as_bytes()));
    format!(
        "[clients.legacy]\nenabled = true\nid_mode = \"mapped\"\ntwelvego_key_env = \"{}\"\n[[clients.legacy.api_keys]]\nid = \"l1\"\nsha256 = \"{hash}\"\n",
        common::TEST_12GO_KEY_VAR
    )
}

/// A fresh `ID_MAP_DIR` with the given operators file and the fixed others.
fn map_dir(operators: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("connect-idmap-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("stations.csv"), STATIONS).unwrap();
    std::fs::write(dir.join("seat_classes.csv"), SEAT_CLASSES).unwrap();
    write_atomically(&dir, "operators.csv", operators);
    dir
}

/// Replaces a file by renaming a complete copy over it, as a deployment would.
fn write_atomically(dir: &Path, name: &str, text: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

/// One 12go trip on the test date at `hour`:00, 90 minutes long.
fn trip(key: &str, op: i64, from: i64, to: i64, hour: u32, class: i64, vehclass: &str) -> Value {
    let d = future_date();
    json!({
        "id": key, "params": {"vehclasses": [vehclass], "hide": false},
        "segments": [{"type": "route", "vehclasses": [vehclass], "from": from, "to": to,
            "duration": 90, "dep_time": format!("{d} {hour:02}:00:00"),
            "arr_time": format!("{d} {:02}:30:00", hour + 1), "class": class, "operator": op}],
        "travel_options": [{"id": key, "bookable": 9, "class": class, "is_bookable": 1,
            "price": {"value": 110, "fxcode": "THB"}, "netprice": {"value": 100, "fxcode": "THB"},
            "agfee": {"value": 10, "fxcode": "THB"}, "sysfee": {"value": 0, "fxcode": "THB"},
            "amenities": ["WC"], "ticket_type": "paper", "confirmation_time": 0,
            "price_restriction": 0}]
    })
}

const KEY_SRT: &str = "TH000300040000000000000A";
const KEY_UNMAPPED_OPERATOR: &str = "TH000300040000000000000B";
const KEY_UNMAPPED_STATION: &str = "TH000300040000000000000C";
const KEY_TCO: &str = "TH000300040000000000000D";

/// U1 for 3 → 4: trains of 16779 (mapped), a bus of 2245 (unmapped operator), a
/// train to 5133 (unmapped station) and a bus of 231 whose class 7 is unmapped.
fn search_answer() -> Value {
    json!({
        "trips": [
            trip(KEY_SRT, 16779, 3, 4, 8, 16, "train"),
            trip(KEY_UNMAPPED_OPERATOR, 2245, 3, 4, 9, 4, "bus"),
            trip(KEY_UNMAPPED_STATION, 16779, 3, 5133, 10, 16, "train"),
            trip(KEY_TCO, 231, 3, 4, 11, 7, "bus"),
        ],
        "operators": {}, "stations": {},
        "classes": {"16": {"id": 16, "name": "Class 3 Fan"}, "7": {"id": 7, "name": "Express"}},
        "recheck": []
    })
}

async fn mount_search(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ok_json(&search_answer()))
        .mount(server)
        .await;
}

/// The app on a fake 12go with clients `acme` (native) and `legacy` (mapped).
async fn spawn(dir: &Path, refresh_secs: u64, statsd_port: Option<u16>) -> (TestApp, MockServer) {
    let dir = dir.to_string_lossy().into_owned();
    let (app, server) = spawn_with_fake_12go_and(&legacy_client(), |s| {
        s.id_map_dir = Some(dir);
        s.id_map_refresh_secs = refresh_secs;
        s.rate_limit_search_per_min = 100_000;
        if let Some(port) = statsd_port {
            s.dd_agent_host = "127.0.0.1".into();
            s.dd_dogstatsd_port = port;
        }
    })
    .await;
    mount_search(&server).await;
    (app, server)
}

async fn search(app: &TestApp, client: &str, key: &str, from: &str, to: &str) -> (u16, Value) {
    let p = format!(
        "/v1/{client}/itineraries?departures[]={from}&arrivals[]={to}&departure_date={}&pax=1",
        future_date()
    );
    let res = app.get(&p, &[("x-api-key", key)]).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

fn ids(body: &Value, array: &str) -> Vec<String> {
    body[array]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A fake DogStatsD agent recording every line.
fn statsd_agent() -> (u16, Arc<Mutex<Vec<String>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            sink.lock().unwrap().extend(text.lines().map(str::to_owned));
        }
    });
    (port, seen)
}

#[actix_web::test]
async fn a_mapped_client_searches_with_previous_ids_and_gets_only_previous_ids_back() {
    // Arrange
    let (statsd_port, lines) = statsd_agent();
    let dir = map_dir(OPERATORS);
    let (app, _server) = spawn(&dir, 3600, Some(statsd_port)).await;
    let d = future_date();
    // Act
    let (status, body) = search(&app, "legacy", LEGACY_KEY, "THBKKHLP", "THCNXCMT").await;
    // Assert
    assert_eq!(status, 200);
    let seg_srt = format!("SRT-THBKKHLP-THCNXCMT-{d}T08:00-{d}T09:30-FAN3");
    let seg_tco = format!("TCO-THBKKHLP-THCNXCMT-{d}T11:00-{d}T12:30-7");
    assert_eq!(
        ids(&body, "itineraries"),
        [
            format!("{KEY_SRT}-{d}-08:00-1"),
            format!("{KEY_TCO}-{d}-11:00-1")
        ]
    );
    assert_eq!(
        body["itineraries"][0]["departure_segments"],
        json!([seg_srt])
    );
    assert_eq!(
        body["itineraries"][1]["departure_segments"],
        json!([seg_tco])
    );
    let segment = |id: &str, op: &str, vehicle: &str, class: &str, hour: u32| {
        json!({"id": id, "from_station": "THBKKHLP", "to_station": "THCNXCMT",
            "departure_time": format!("{d}T{hour:02}:00"), "arrival_time": format!("{d}T{:02}:30", hour + 1),
            "travel_duration": "PT1H30M", "vehicle_id": vehicle, "operating_carrier_id": op,
            "seat_class_id": class,
            "transportation_types": [if vehicle.ends_with("Bus") { "Bus" } else { "Train" }]})
    };
    assert_eq!(
        body["segments"],
        json!([
            segment(&seg_srt, "SRT", "SRT-Train", "FAN3", 8),
            segment(&seg_tco, "TCO", "TCO-Bus", "7", 11),
        ])
    );
    assert_eq!(ids(&body, "vehicles"), ["SRT-Train", "TCO-Bus"]);
    assert_eq!(body["vehicles"][0]["seat_classes"][0]["id"], "FAN3");
    assert_eq!(
        body["vehicles"][0]["seat_classes"][0]["name"],
        "Class 3 Fan"
    );
    assert_eq!(body["vehicles"][1]["seat_classes"][0]["id"], "7");
    // Distinct ids without mapping: operator 2245, station 5133, and the
    // classes 2245/4 and 231/7.
    let deadline = Instant::now() + Duration::from_secs(5);
    let wanted = [("operator", 1), ("station", 1), ("seat_class", 2)]
        .map(|(kind, n)| format!("connect.idmap.miss:{n}|c|#client_id:legacy,kind:{kind},"));
    loop {
        let seen = lines.lock().unwrap().clone();
        let found = wanted
            .iter()
            .all(|w| seen.iter().any(|l| l.starts_with(w.as_str())));
        if found {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "idmap.miss lines missing: {seen:?}"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_native_client_on_the_same_instance_still_sees_every_itinerary_with_native_ids() {
    // Arrange
    let dir = map_dir(OPERATORS);
    let (app, _server) = spawn(&dir, 3600, None).await;
    let d = future_date();
    // Act
    let (status, body) = search(&app, "acme", ACME_KEY, "3", "4").await;
    // Assert
    assert_eq!(status, 200);
    assert_eq!(ids(&body, "itineraries").len(), 4);
    assert_eq!(
        ids(&body, "segments"),
        [
            format!("16779-3-4-{d}T08:00-{d}T09:30-16"),
            format!("2245-3-4-{d}T09:00-{d}T10:30-4"),
            format!("16779-3-5133-{d}T10:00-{d}T11:30-16"),
            format!("231-3-4-{d}T11:00-{d}T12:30-7"),
        ]
    );
    assert_eq!(
        ids(&body, "vehicles"),
        ["16779-Train", "2245-Bus", "231-Bus"]
    );
}

#[actix_web::test]
async fn a_mapped_client_sending_unmapped_or_native_ids_gets_an_empty_200_without_a_12go_call() {
    // Arrange
    let dir = map_dir(OPERATORS);
    let (app, server) = spawn(&dir, 3600, None).await;
    // Act
    let (unmapped, unmapped_body) =
        search(&app, "legacy", LEGACY_KEY, "XXNOPE01", "THCNXCMT").await;
    let (native, native_body) = search(&app, "legacy", LEGACY_KEY, "3", "4").await;
    let (invalid, invalid_body) = search(&app, "legacy", LEGACY_KEY, "bad-id", "THCNXCMT").await;
    // Assert
    let empty = json!({"vehicles": [], "segments": [], "itineraries": []});
    assert_eq!((unmapped, unmapped_body), (200, empty.clone()));
    assert_eq!((native, native_body), (200, empty));
    assert_eq!(invalid, 400);
    assert_eq!(invalid_body["fields"][0]["field"], "departures[0]");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[actix_web::test]
async fn get_itinerary_create_booking_and_details_show_a_mapped_client_only_previous_ids() {
    // Arrange
    let dir = map_dir(OPERATORS);
    let dir_s = dir.to_string_lossy().into_owned();
    let funnel = Funnel::start_with(&legacy_client(), |s| s.id_map_dir = Some(dir_s)).await;
    mount(
        &funnel.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    mount(
        &funnel.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    let d = future_date();
    // Act
    let res = funnel
        .get_with(
            &format!("/v1/legacy/itineraries/{}", itinerary_id_2()),
            LEGACY_KEY,
            "im-1",
        )
        .await;
    assert_eq!(res.status(), 200);
    let itinerary: Value = res.json().await.unwrap();
    let token = itinerary["itineraries"][0]["booking_token"]
        .as_str()
        .unwrap();
    let created = funnel
        .app
        .client
        .post(funnel.app.url("/v1/legacy/bookings"))
        .header("x-api-key", LEGACY_KEY)
        .json(&booking_request(token))
        .send()
        .await
        .unwrap();
    let created_status = created.status().as_u16();
    let created: Value = created.json().await.unwrap();
    let details = funnel
        .get_with(&format!("/v1/legacy/bookings/{BID}"), LEGACY_KEY, "im-2")
        .await;
    let details_status = details.status().as_u16();
    let details: Value = details.json().await.unwrap();
    // Assert
    let seg = format!("SRT-THBKKHLP-THCNXCMT-{d}T08:00-{d}T14:30-VIP24");
    assert_eq!(itinerary["itineraries"][0]["id"], itinerary_id_2());
    assert_eq!(
        itinerary["itineraries"][0]["departure_segments"],
        json!([seg])
    );
    let s = &itinerary["segments"][0];
    assert_eq!(s["id"], seg);
    assert_eq!(
        (&s["from_station"], &s["to_station"]),
        (&json!("THBKKHLP"), &json!("THCNXCMT"))
    );
    assert_eq!(s["operating_carrier_id"], "SRT");
    assert_eq!(s["seat_class_id"], "VIP24");
    assert_eq!(s["vehicle_id"], "SRT-Bus");
    assert_eq!(ids(&itinerary, "vehicles"), ["SRT-Bus"]);
    assert_eq!(itinerary["vehicles"][0]["seat_classes"][0]["id"], "VIP24");
    let mut expected = expected_reserved();
    expected["from_station"] = json!("THBKKHLP");
    expected["to_station"] = json!("THCNXCMT");
    assert_eq!((created_status, created), (200, expected.clone()));
    assert_eq!((details_status, details), (200, expected));
}

#[actix_web::test]
async fn confirm_booking_answers_a_mapped_client_with_previous_station_ids() {
    // Arrange
    let dir = map_dir(OPERATORS);
    let dir_s = dir.to_string_lossy().into_owned();
    let funnel = Funnel::start_with(&legacy_client(), |s| s.id_map_dir = Some(dir_s)).await;
    let b = booking_path();
    mount_first_n(&funnel.server, "GET", &b, ok_json(&reserved_answer()), 1).await;
    mount(&funnel.server, "GET", &b, ok_json(&confirmed_answer())).await;
    let c = ok_json(&json!({"bid": 87654321}));
    mount(&funnel.server, "POST", &confirm_path(), c).await;
    // Act
    let res = funnel
        .app
        .client
        .post(
            funnel
                .app
                .url(&format!("/v1/legacy/bookings/{BID}/confirm")),
        )
        .header("x-api-key", LEGACY_KEY)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(res.status(), 200);
    let mut expected = expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL));
    expected["from_station"] = json!("THBKKHLP");
    expected["to_station"] = json!("THCNXCMT");
    assert_eq!(res.json::<Value>().await.unwrap(), expected);
}

#[actix_web::test]
async fn get_itinerary_of_a_trip_with_an_unmapped_operator_is_not_found_for_a_mapped_client() {
    // Arrange: 16779 is not in this operators file.
    let dir = map_dir("previous_id,native_id\nTCO,231\n");
    let dir_s = dir.to_string_lossy().into_owned();
    let funnel = Funnel::start_with(&legacy_client(), |s| s.id_map_dir = Some(dir_s)).await;
    // Act
    let res = funnel
        .get_with(
            &format!("/v1/legacy/itineraries/{}", itinerary_id_2()),
            LEGACY_KEY,
            "im-3",
        )
        .await;
    let native = funnel
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "itinerary_not_found");
    assert_eq!(native.status(), 200);
}

#[actix_web::test]
async fn a_booking_station_without_mapping_keeps_its_native_id() {
    // Arrange: station 4 is unmapped here.
    let dir = map_dir(OPERATORS);
    std::fs::write(
        dir.join("stations.csv"),
        "previous_id,native_id\nTHBKKHLP,3\n",
    )
    .unwrap();
    let dir_s = dir.to_string_lossy().into_owned();
    let funnel = Funnel::start_with(&legacy_client(), |s| s.id_map_dir = Some(dir_s)).await;
    mount(
        &funnel.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    // Act
    let res = funnel
        .get_with(&format!("/v1/legacy/bookings/{BID}"), LEGACY_KEY, "im-4")
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let mut expected = expected_reserved();
    expected["from_station"] = json!("THBKKHLP");
    assert_eq!(res.json::<Value>().await.unwrap(), expected);
}

/// The operator ids of one search answer, checked to agree across segments,
/// segment ids and vehicle ids; `None` for an answer mixing map generations.
fn generation_of(body: &Value) -> Option<&'static str> {
    let mut seen = BTreeSet::new();
    for s in body["segments"].as_array()? {
        let op = s["operating_carrier_id"].as_str()?;
        let id = s["id"].as_str()?;
        let vehicle = s["vehicle_id"].as_str()?;
        if !id.starts_with(&format!("{op}-")) || !vehicle.starts_with(&format!("{op}-")) {
            return None;
        }
        seen.insert(op.to_owned());
    }
    for v in body["vehicles"].as_array()? {
        seen.insert(v["id"].as_str()?.split('-').next()?.to_owned());
    }
    let old: BTreeSet<String> = ["SRTOLD", "TCOOLD"].map(String::from).into();
    let new: BTreeSet<String> = ["SRTNEW", "TCONEW"].map(String::from).into();
    match seen {
        s if s == old && body["itineraries"].as_array()?.len() == 2 => Some("old"),
        s if s == new && body["itineraries"].as_array()?.len() == 2 => Some("new"),
        _ => None,
    }
}

#[actix_web::test]
async fn a_periodic_reload_swaps_the_maps_atomically_under_concurrent_searches() {
    // Arrange
    let old = "previous_id,native_id\nSRTOLD,16779\nTCOOLD,231\n";
    let new = "previous_id,native_id\nSRTNEW,16779\nTCONEW,231\n";
    let dir = map_dir(old);
    let (app, _server) = spawn(&dir, 1, None).await;
    let app = Arc::new(app);
    let (_, first) = search(&app, "legacy", LEGACY_KEY, "THBKKHLP", "THCNXCMT").await;
    assert_eq!(generation_of(&first), Some("old"));
    // Act: four searchers run while the operators file is replaced.
    let stop = Instant::now() + Duration::from_secs(8);
    let searchers: Vec<_> = (0..4)
        .map(|_| {
            let app = app.clone();
            actix_rt::spawn(async move {
                let mut seen = Vec::new();
                while Instant::now() < stop {
                    let (status, body) =
                        search(&app, "legacy", LEGACY_KEY, "THBKKHLP", "THCNXCMT").await;
                    assert_eq!(status, 200);
                    let generation = generation_of(&body);
                    assert!(generation.is_some(), "mixed or incomplete answer: {body}");
                    seen.push(generation);
                    if seen.len() > 5 && seen.last() == Some(&Some("new")) {
                        break;
                    }
                }
                seen
            })
        })
        .collect();
    actix_rt::time::sleep(Duration::from_millis(300)).await;
    write_atomically(&dir, "operators.csv", new);
    let mut answers = 0;
    for s in searchers {
        let seen = s.await.unwrap();
        answers += seen.len();
        // Assert: each searcher ends on the new maps (after only whole answers).
        assert_eq!(
            seen.last(),
            Some(&Some("new")),
            "the new maps never arrived"
        );
    }
    assert!(answers > 8, "too few concurrent answers: {answers}");
    let (_, after) = search(&app, "legacy", LEGACY_KEY, "THBKKHLP", "THCNXCMT").await;
    assert_eq!(generation_of(&after), Some("new"));
}
