//! Contract test: the search output of the sandbox has the same key sets, JSON
//! types, null rules and id formats as the reference answers in
//! `../shared/reference/search/{sample,live}/*.json`.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// JSON type name; integers and other numbers are told apart.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "int",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[derive(Default, Debug)]
struct Shape {
    /// Path → JSON types seen.
    types: BTreeMap<String, BTreeSet<&'static str>>,
    /// Object path → key sets seen.
    keys: BTreeMap<String, BTreeSet<Vec<String>>>,
}

fn walk(v: &Value, path: &str, shape: &mut Shape) {
    shape
        .types
        .entry(path.to_string())
        .or_default()
        .insert(kind(v));
    match v {
        Value::Object(m) => {
            let mut keys: Vec<String> = m.keys().cloned().collect();
            keys.sort();
            shape.keys.entry(path.to_string()).or_default().insert(keys);
            for (k, child) in m {
                walk(child, &format!("{path}.{k}"), shape);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| walk(c, &format!("{path}[]"), shape)),
        _ => {}
    }
}

/// Where the spec lets us differ from the recorded answers (10 §4.4, §4.7).
fn allowed_extra(path: &str, ty: &str) -> bool {
    // Seat-class images: the type is `null | Image[]`; search emits null (10 §7).
    (path == ".vehicles[].seat_classes[].images" && ty == "null")
        // A free-cancellation window gives `from: "PT48H"` (10 §4.6); the recorded data has none.
        || (path == ".itineraries[].cancellation_policies[].from" && ty == "string")
}

/// Keys that may be absent in our output though the reference has them.
fn optional_key(path: &str, key: &str) -> bool {
    // ticket_type is omitted for unknown 12go values (10 §4.7).
    path == ".itineraries[]" && key == "ticket_type"
}

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/search")
}

fn assert_same_shape(name: &str, ours: &Value, reference: &Value) {
    let (mut a, mut b) = (Shape::default(), Shape::default());
    walk(ours, "", &mut a);
    walk(reference, "", &mut b);
    for (path, types) in &a.types {
        let ref_types = b
            .types
            .get(path)
            .unwrap_or_else(|| panic!("{name}: our path {path} is not in the reference"));
        for t in types {
            assert!(
                ref_types.contains(t) || allowed_extra(path, t),
                "{name}: {path} is {t} here, reference has {ref_types:?}"
            );
        }
    }
    for (path, key_sets) in &a.keys {
        let Some(ref_sets) = b.keys.get(path) else {
            continue;
        };
        let ref_union: BTreeSet<&String> = ref_sets.iter().flatten().collect();
        for keys in key_sets {
            let ours: BTreeSet<&String> = keys.iter().collect();
            for k in &ref_union {
                assert!(
                    ours.contains(k) || optional_key(path, k),
                    "{name}: {path} lacks key {k}"
                );
            }
            for k in &ours {
                assert!(ref_union.contains(k), "{name}: {path} has extra key {k}");
            }
        }
    }
}

fn is_local_minutes(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && s.bytes()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13].contains(&i) || c.is_ascii_digit())
}

fn check_formats(name: &str, v: &Value) {
    let seg_ids: BTreeSet<&str> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let veh_ids: BTreeSet<&str> = v["vehicles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for veh in v["vehicles"].as_array().unwrap() {
        let id = veh["id"].as_str().unwrap();
        let (op, ty) = id.split_once('-').unwrap();
        assert!(
            op.bytes().all(|c| c.is_ascii_digit()),
            "{name}: vehicle id {id}"
        );
        assert!(
            ["Bus", "Ferry", "Van", "Train", "Airplane"].contains(&ty),
            "{name}: vehicle id {id}"
        );
    }
    for s in v["segments"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let dep = s["departure_time"].as_str().unwrap();
        let arr = s["arrival_time"].as_str().unwrap();
        assert!(
            is_local_minutes(dep) && is_local_minutes(arr),
            "{name}: segment times {dep} {arr}"
        );
        let want = format!(
            "{}-{}-{}-{dep}-{arr}-{}",
            s["operating_carrier_id"].as_str().unwrap(),
            s["from_station"].as_str().unwrap(),
            s["to_station"].as_str().unwrap(),
            s["seat_class_id"].as_str().unwrap()
        );
        assert_eq!(id, want, "{name}: segment id format");
        assert!(
            veh_ids.contains(s["vehicle_id"].as_str().unwrap()),
            "{name}: dangling vehicle_id"
        );
        let d = s["travel_duration"].as_str().unwrap();
        assert!(
            d.starts_with("PT") && !d.contains('D') && (d.ends_with('H') || d.ends_with('M')),
            "{name}: duration {d}"
        );
    }
    for it in v["itineraries"].as_array().unwrap() {
        let id = it["id"].as_str().unwrap();
        // `{key}-{YYYY-MM-DD}-{HH:mm}[-{seats}]`; the reference omits seats, the spec adds them.
        let parts: Vec<&str> = id.rsplitn(2, '-').collect();
        let base = if parts[0].bytes().all(|c| c.is_ascii_digit()) {
            parts[1]
        } else {
            id
        };
        let (key_date, time) = base.rsplit_once('-').unwrap();
        assert!(
            time.len() == 5 && &time[2..3] == ":",
            "{name}: itinerary id {id}"
        );
        let key = &key_date[..key_date.len() - 11];
        assert_eq!(key.len(), 24, "{name}: trip key of {id}");
        assert!(
            key[..2].bytes().all(|c| c.is_ascii_uppercase())
                && key.bytes().all(|c| c.is_ascii_alphanumeric()),
            "{name}: trip key {key}"
        );
        for sid in it["departure_segments"].as_array().unwrap() {
            assert!(
                seg_ids.contains(sid.as_str().unwrap()),
                "{name}: dangling segment {sid}"
            );
        }
        for m in ["net_price", "taxes_and_fees", "gross_price"] {
            let money = &it["pricing"][m];
            let amount = money["amount"].as_str().unwrap();
            let cur = money["currency"].as_str().unwrap();
            let decimals = amount.split_once('.').map(|(_, f)| f.len()).unwrap_or(0);
            let want = if ["JPY", "KRW", "VND"].contains(&cur) {
                0
            } else {
                2
            };
            assert_eq!(decimals, want, "{name}: {m} {amount} {cur}");
        }
    }
}

#[actix_web::test]
async fn sandbox_search_answers_have_the_reference_shape() {
    // Arrange
    let app = common::spawn_app(common::test_settings()).await;
    let date = common::future_date();
    let queries = [
        (
            "station-to-station",
            "departures[]=3&departures[]=4055&arrivals[]=4&arrivals[]=5133&arrivals[]=11553",
        ),
        (
            "station-to-province",
            "departures[]=3&departures[]=4055&arrival_poi=44",
        ),
        (
            "province-to-station",
            "departure_poi=1&arrivals[]=4&arrivals[]=5133&arrivals[]=11553",
        ),
        ("province-to-province", "departure_poi=1&arrival_poi=44"),
    ];
    for (name, q) in queries {
        // Act
        let res = app
            .get(
                &format!("/v1/demo/itineraries?{q}&departure_date={date}&pax=1"),
                &[("x-api-key", "demo-key")],
            )
            .await;
        let status = res.status().as_u16();
        let ours: Value = res.json().await.unwrap();
        // Assert
        assert!(status == 200 || status == 206, "{name}: status {status}");
        assert!(
            !ours["itineraries"].as_array().unwrap().is_empty(),
            "{name}: the sandbox should have trips"
        );
        check_formats(name, &ours);
        for set in ["sample", "live"] {
            let path = reference_dir().join(set).join(format!("{name}.json"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reference {} missing: {e}", path.display()));
            let reference: Value = serde_json::from_str(&text).unwrap();
            assert_same_shape(&format!("{set}/{name}"), &ours, &reference);
        }
    }
}

#[test]
fn the_shape_check_catches_a_wrong_type_and_a_missing_key() {
    let reference: Value = serde_json::json!({"itineraries":[{"id":"x","number_of_available_seats":3,"ticket_type":"PaperTicket"}]});
    let wrong_type = serde_json::json!({"itineraries":[{"id":"x","number_of_available_seats":"3","ticket_type":"PaperTicket"}]});
    let missing = serde_json::json!({"itineraries":[{"number_of_available_seats":3}]});
    assert!(std::panic::catch_unwind(|| assert_same_shape("t", &wrong_type, &reference)).is_err());
    assert!(std::panic::catch_unwind(|| assert_same_shape("t", &missing, &reference)).is_err());
    let fine = serde_json::json!({"itineraries":[{"id":"y","number_of_available_seats":1}]});
    assert_same_shape("t", &fine, &reference);
}
