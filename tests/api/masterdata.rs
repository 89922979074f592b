//! Master data (10 §5): lists inline and behind signed links, readiness, and a
//! refresh that fails without losing the served snapshot.

use connect_api::domain::booking_token::BookingTokenKeys;
use connect_api::domain::secret::Secret;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};
use crate::helpers::{
    assert_error, error_body, get_as_acme, header, spawn_with_fake_12go_and, ACME_KEY, JSON_UTF8,
};

const MD_KEY: &str = "master-data-key";

/// The sandbox app with client `acme` (and `extra` registry TOML), a known
/// token secret (to sign links in tests), ready to serve master data.
async fn sandbox_app(extra: &str) -> TestApp {
    let mut s = common::test_settings();
    s.clients_file = Some(common::write_registry(extra));
    s.booking_token_secrets = Some(common::TEST_TOKEN_SECRET.to_owned().into());
    let app = common::spawn_app(s).await;
    app.wait_ready().await;
    app
}

async fn list(app: &TestApp, kind: &str, query: &str) -> Vec<Value> {
    let res = get_as_acme(app, &format!("/v1/acme/{kind}/GetList?{query}"), "md").await;
    assert_eq!(res.status(), 200, "{kind}?{query}");
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    res.json().await.unwrap()
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().expect("string id").to_owned())
        .collect()
}

fn numeric_order(ids: &[String]) -> bool {
    let n: Vec<i64> = ids.iter().map(|i| i.parse().unwrap()).collect();
    n.windows(2).all(|w| w[0] < w[1])
}

fn keys() -> BookingTokenKeys {
    BookingTokenKeys::new(
        &[Secret::new(common::TEST_TOKEN_SECRET)],
        Duration::from_secs(60),
    )
    .unwrap()
}

fn signed(client: &str, kind: &str, locale: &str, expires: i64) -> String {
    let sig = keys().sign_link(client, kind, locale, expires);
    format!("/v1/{client}/snapshots/{kind}/{locale}?expires={expires}&sig={sig}")
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[actix_rt::test]
async fn every_list_has_the_shape_and_casing_of_the_spec() {
    let app = sandbox_app("").await;
    let stations = list(&app, "stations", "locale=en").await;
    assert!(stations.len() > 5);
    assert!(numeric_order(&ids(&stations, "id")));
    let s = &stations[0];
    let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "address",
            "description",
            "id",
            "images",
            "keywords",
            "name",
            "name_alterations",
            "transportation_type"
        ]
    );
    assert_eq!(
        (&s["address"]["state"], &s["address"]["region"]),
        (&Value::Null, &Value::Null)
    );
    assert!(s["address"]["coordinate"]["latitude"].is_number());
    assert!(s["address"]["city"]["id"].is_string());
    assert_eq!(
        (&s["keywords"], &s["images"], &s["description"]),
        (&json!([]), &json!([]), &json!(""))
    );

    let carriers = list(&app, "operating_carriers", "locale=en").await;
    assert!(numeric_order(&ids(&carriers, "Id")));
    for c in &carriers {
        assert!(c.get("id").is_none(), "carriers use a capital Id: {c}");
        assert!(c["transportation_types"]
            .as_array()
            .is_some_and(|t| !t.is_empty()));
        assert_eq!(c["transportation_type"], c["transportation_types"][0]);
    }

    let pois = list(&app, "pois", "locale=en").await;
    assert!(numeric_order(&ids(&pois, "Id")));
    let station_ids = ids(&stations, "id");
    for p in &pois {
        let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["Id", "name", "stations"]);
        for s in p["stations"].as_array().unwrap() {
            assert!(
                station_ids.contains(&s.as_str().unwrap().to_owned()),
                "{s} listed"
            );
        }
    }
}

#[actix_rt::test]
async fn search_refers_only_to_listed_stations_and_carriers() {
    let app = sandbox_app("").await;
    let stations = ids(&list(&app, "stations", "locale=en").await, "id");
    let carriers = ids(&list(&app, "operating_carriers", "locale=en").await, "Id");
    let res = get_as_acme(
        &app,
        &format!(
            "/v1/acme/itineraries?departure_poi=1&arrival_poi=44&departure_date={}&pax=1",
            common::future_date()
        ),
        "md-search",
    )
    .await;
    let body: Value = res.json().await.unwrap();
    let segments = body["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    for s in segments {
        for key in ["from_station", "to_station"] {
            assert!(
                stations.contains(&s[key].as_str().unwrap().to_owned()),
                "{key} {s}"
            );
        }
        let op = s["operating_carrier_id"].as_str().unwrap().to_owned();
        assert!(carriers.contains(&op), "carrier {op}");
    }
}

#[actix_rt::test]
async fn locales_pick_localized_names_and_fall_back_to_the_default_name() {
    let app = sandbox_app("").await;
    let en = list(&app, "stations", "locale=en").await;
    let th = list(&app, "stations", "locale=th").await;
    let pl = list(&app, "stations", "locale=pl").await;
    assert_eq!(en.len(), th.len());
    assert_eq!(en, pl, "no Polish column: the default names");
    let localized = en
        .iter()
        .zip(&th)
        .filter(|(e, t)| e["name"] != t["name"])
        .count();
    assert!(localized > 0, "some stations have a Thai name");
    // Only the names differ.
    for (e, t) in en.iter().zip(&th) {
        let (mut e, mut t) = (e.clone(), t.clone());
        e["name"] = Value::Null;
        t["name"] = Value::Null;
        assert_eq!(e, t);
    }
    assert_eq!(list(&app, "stations", "locale=en&top10K=true").await, en);
}

#[actix_rt::test]
async fn bad_parameters_answer_400_with_the_field() {
    let app = sandbox_app("").await;
    for (query, field, message) in [
        ("", "locale", "Required."),
        ("locale=EN", "locale", "Must look like `en` or `zh-CN`."),
        ("locale=en_US", "locale", "Must look like `en` or `zh-CN`."),
        ("locale=en&top10K=yes", "top10K", "Must be true or false."),
        (
            "locale=en&currency=usd",
            "currency",
            "Must be 3 uppercase letters.",
        ),
    ] {
        let res = get_as_acme(&app, &format!("/v1/acme/pois/GetList?{query}"), "md-400").await;
        assert_error(
            res,
            400,
            error_body(
                "invalid_parameter",
                "Some parameters are invalid.",
                &[(field, message)],
                "md-400",
            ),
        )
        .await;
    }
    let res = get_as_acme(&app, "/v1/acme/stations?locale=x", "md-400").await;
    assert_eq!(res.status(), 400);
}

#[actix_rt::test]
async fn lists_need_the_api_key_and_exist_only_under_v1() {
    let app = sandbox_app("").await;
    let res = app.get("/v1/acme/stations/GetList?locale=en", &[]).await;
    assert_eq!(res.status(), 401);
    let res = get_as_acme(&app, "/acme/stations/GetList?locale=en", "md-404").await;
    assert_eq!(res.status(), 404);
    let res = app
        .client
        .post(app.url("/v1/acme/pois/GetList?locale=en"))
        .header("x-api-key", ACME_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(header(&res, "allow"), "GET");
}

#[actix_rt::test]
async fn the_bare_url_answers_a_signed_link_that_serves_the_full_list() {
    let app = sandbox_app("").await;
    let res = get_as_acme(&app, "/v1/acme/stations?locale=th", "md-link").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "text/plain; charset=utf-8");
    let link = res.text().await.unwrap();
    let prefix = format!(
        "http://localhost:{}/v1/acme/snapshots/stations/th?expires=",
        app.port
    );
    assert!(link.starts_with(&prefix), "{link}");
    let (expires, sig) = link[prefix.len()..].split_once("&sig=").unwrap();
    let expires: i64 = expires.parse().unwrap();
    assert!((now() + 3590..=now() + 3600).contains(&expires));
    assert_eq!(sig, keys().sign_link("acme", "stations", "th", expires));

    // No API key: the signature is the credential.
    let path = link.replace(&format!("http://localhost:{}", app.port), "");
    let res = app.get(&path, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    let max_age: i64 = header(&res, "cache-control")
        .strip_prefix("private, max-age=")
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3600).contains(&max_age), "{max_age}");
    let etag = header(&res, "etag");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(res.headers().get("content-encoding").is_none());
    let full: Vec<Value> = res.json().await.unwrap();
    assert_eq!(full, list(&app, "stations", "locale=th").await);

    // Unchanged: 304 without a body.
    let res = app.get(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, "etag"), etag);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = app.get(&path, &[("if-none-match", "\"other\"")]).await;
    assert_eq!(res.status(), 200);

    // Compressed when asked.
    let res = app.get(&path, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(header(&res, "content-encoding"), "gzip");
    assert_eq!(header(&res, "vary"), "Accept-Encoding");
    let gz = res.bytes().await.unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&json).unwrap(), full);
    assert!(gz.len() < json.len() / 2);
}

#[actix_rt::test]
async fn the_link_uses_public_base_url_and_defaults_to_en() {
    let mut s = common::test_settings();
    s.clients_file = Some(common::write_registry(""));
    s.public_base_url = Some("https://connect.example.com/".into());
    let app = common::spawn_app(s).await;
    app.wait_ready().await;
    let link = get_as_acme(&app, "/v1/acme/pois", "md")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        link.starts_with("https://connect.example.com/v1/acme/snapshots/pois/en?expires="),
        "{link}"
    );
}

#[actix_rt::test]
async fn bad_expired_tampered_or_foreign_links_answer_401() {
    let app = sandbox_app(
        "[clients.off]\nenabled = false\ntwelvego_key_env = \"CONNECT_TEST_12GO_KEY\"\n[[clients.off.api_keys]]\nid = \"k\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
    )
    .await;
    let later = now() + 600;
    let good = signed("acme", "pois", "en", later);
    assert_eq!(app.get(&good, &[]).await.status(), 200);
    let tampered_sig = {
        let mut g = good.clone();
        let last = g.pop().unwrap();
        g.push(if last == '0' { '1' } else { '0' });
        g
    };
    let bad_links = [
        signed("acme", "pois", "en", now() - 1),
        tampered_sig,
        good.replace(
            &format!("expires={later}"),
            &format!("expires={}", later + 1),
        ),
        good.replace("/pois/", "/stations/"),
        good.replace("/en?", "/th?"),
        signed("off", "pois", "en", later),
        signed("ghost", "pois", "en", later),
        format!("/v1/acme/snapshots/pois/en?expires={later}"),
        "/v1/acme/snapshots/pois/en".to_string(),
    ];
    for link in &bad_links {
        let res = app.get(link, &[("x-correlation-id", "md-401")]).await;
        assert_error(
            res,
            401,
            error_body("unauthorized", "Missing or invalid API key.", &[], "md-401"),
        )
        .await;
    }
    let res = app.get(&signed("acme", "pois", "EN", later), &[]).await;
    assert_eq!(res.status(), 400);
}

/// A fake 12go master-data API: `stations` rows and one operator and province.
async fn mount_master_data(server: &MockServer, stations: &[i64]) {
    let rows: Vec<Value> = stations
        .iter()
        .map(|i| json!({"StationId": i, "StationName": format!("S{i}"), "ProvinceId": 1}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/stations"))
        .and(query_param("k", MD_KEY))
        .and(query_param("fromStationId", "0"))
        .and(query_param("pageSize", "100"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"Stations": rows, "NextPage": null})),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/tourOperators"))
        .and(query_param("k", MD_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"TourOperators": [{"OperatorId": 16779, "OperatorName": "SRT"}], "NextPage": null}),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/provinces"))
        .and(query_param("k", MD_KEY))
        .and(query_param("pageSize", "2000"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"Provinces": [{"Id": 1, "Name": "Bangkok", "Country": "TH"}], "NextPage": null}),
        ))
        .mount(server)
        .await;
}

async fn admin_stats(app: &TestApp) -> Value {
    app.client
        .get(app.admin_url("/admin/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[actix_rt::test]
async fn until_the_first_snapshot_ready_and_lists_answer_503() {
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.master_data_enabled = true;
        s.twelvego_masterdata_key = Some(MD_KEY.to_owned().into());
    })
    .await;
    // 12go's master data is down: wiremock answers 404 to everything.
    let res = app.get("/ready", &[]).await;
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status":"not_ready","reason":"master data not loaded"})
    );
    for path in ["/v1/acme/stations/GetList?locale=en", "/v1/acme/stations"] {
        let res = get_as_acme(&app, path, "md-503").await;
        assert_eq!(header(&res, "retry-after"), "5");
        assert_error(
            res,
            503,
            error_body(
                "data_not_ready",
                "Master data is not loaded yet; retry shortly.",
                &[],
                "md-503",
            ),
        )
        .await;
    }
    assert_eq!(admin_stats(&app).await["master_data"]["loaded"], false);
    drop(server);
}

#[actix_rt::test]
async fn a_failed_refresh_keeps_serving_the_previous_snapshot() {
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.master_data_enabled = true;
        s.twelvego_masterdata_key = Some(MD_KEY.to_owned().into());
        s.master_data_refresh_secs = 1;
    })
    .await;
    mount_master_data(&server, &[4, 3]).await;
    app.wait_ready().await;
    let before = list(&app, "stations", "locale=en").await;
    assert_eq!(ids(&before, "id"), ["3", "4"]);
    // The client's own 12go key is never used for master data.
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r
        .url
        .query()
        .unwrap_or_default()
        .contains(&format!("k={MD_KEY}"))));

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let mut failed = 0;
    for _ in 0..100 {
        failed = admin_stats(&app).await["master_data"]["refreshes_failed"]
            .as_u64()
            .unwrap();
        if failed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed > 0, "a refresh failed");
    let stats = admin_stats(&app).await["master_data"].clone();
    assert_eq!(stats["loaded"], true);
    assert_eq!(stats["stations"], 2);
    assert!(
        stats["last_error"]
            .as_str()
            .unwrap()
            .starts_with("stations: "),
        "{stats}"
    );
    assert_eq!(list(&app, "stations", "locale=en").await, before);
    assert_eq!(app.get("/ready", &[]).await.status(), 200);

    // 12go recovers: the next refresh replaces the snapshot.
    server.reset().await;
    mount_master_data(&server, &[3, 4, 5]).await;
    for _ in 0..100 {
        if list(&app, "stations", "locale=en").await.len() == 3 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the recovered refresh was never served");
}

#[actix_rt::test]
async fn a_poi_lists_its_own_stations_and_those_of_its_child_provinces() {
    let app = sandbox_app("").await;
    let pois = list(&app, "pois", "locale=en").await;
    let poi = |id: &str| pois.iter().find(|p| p["Id"] == id).unwrap().clone();
    // Surat Thani (61) > Koh Samui (62) > Koh Phangan (64), matched by id.
    assert_eq!(
        poi("61"),
        json!({"Id":"61","name":"Surat Thani","stations":["7201","7202","7301","7302","7501"]})
    );
    assert_eq!(poi("62")["stations"], json!(["7301", "7302", "7501"]));
    assert_eq!(poi("64")["stations"], json!(["7501"]));
}

const LEGACY_KEY: &str = "legacy-key";

/// Client `legacy` (key `legacy-key`) in `mapped` id mode.
fn legacy_client() -> String {
    use sha2::{Digest, Sha256};
    let hash = hex::encode(Sha256::digest(LEGACY_KEY.as_bytes()));
    format!(
        "[clients.legacy]\nenabled = true\nid_mode = \"mapped\"\ntwelvego_key_env = \"{}\"\n[[clients.legacy.api_keys]]\nid = \"l1\"\nsha256 = \"{hash}\"\n",
        common::TEST_12GO_KEY_VAR
    )
}

async fn legacy_list(app: &TestApp, kind: &str) -> Vec<Value> {
    let res = app
        .get(
            &format!("/v1/legacy/{kind}/GetList?locale=en"),
            &[("x-api-key", LEGACY_KEY)],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[actix_rt::test]
async fn a_mapped_client_lists_only_mapped_entries_with_previous_ids() {
    let dir = std::env::temp_dir().join(format!("connect-md-maps-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, dir.join(name)).unwrap();
    };
    write(
        "stations.csv",
        "previous_id,native_id\nTHBKKHLP,3\nTHCNXCMT,4\nTHKPGTSL,7501\n",
    );
    write("operators.csv", "previous_id,native_id\nSRT,16779\n");
    write(
        "pois.csv",
        "previous_id,native_id\nCNX,44\nKPG,64\nSUR,61\n",
    );
    let mut s = common::test_settings();
    s.clients_file = Some(common::write_registry(&legacy_client()));
    s.booking_token_secrets = Some(common::TEST_TOKEN_SECRET.to_owned().into());
    s.id_map_dir = Some(dir.to_string_lossy().into_owned());
    s.id_map_refresh_secs = 1;
    let app = common::spawn_app(s).await;
    app.wait_ready().await;

    let stations = legacy_list(&app, "stations").await;
    assert_eq!(ids(&stations, "id"), ["THBKKHLP", "THCNXCMT", "THKPGTSL"]);
    // A station's city is a POI: in the client's ids when mapped, else 12go's.
    assert_eq!(stations[2]["address"]["city"]["id"], "KPG");
    assert_eq!(stations[0]["address"]["city"]["id"], "1");
    let carriers = legacy_list(&app, "operating_carriers").await;
    assert_eq!(ids(&carriers, "Id"), ["SRT"]);
    let pois = legacy_list(&app, "pois").await;
    assert_eq!(
        pois,
        [
            json!({"Id":"CNX","name":"Chiang Mai","stations":["THCNXCMT"]}),
            json!({"Id":"SUR","name":"Surat Thani","stations":["THKPGTSL"]}),
            json!({"Id":"KPG","name":"Koh Phangan","stations":["THKPGTSL"]}),
        ]
    );
    // The signed link serves the same list; a native client still sees everything.
    let link = app
        .get("/v1/legacy/pois", &[("x-api-key", LEGACY_KEY)])
        .await
        .text()
        .await
        .unwrap();
    let path = &link[link.find("/v1/").unwrap()..];
    assert_eq!(
        app.get(path, &[]).await.json::<Vec<Value>>().await.unwrap(),
        pois
    );
    assert!(list(&app, "stations", "locale=en").await.len() > 30);

    // A reload of the maps shows at once (lists are cached per map generation).
    write("stations.csv", "previous_id,native_id\nTHBKKHLP,3\n");
    for _ in 0..100 {
        if ids(&legacy_list(&app, "stations").await, "id") == ["THBKKHLP"] {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reloaded maps were never used");
}
