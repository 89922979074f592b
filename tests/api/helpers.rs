//! Helpers shared by the API tests: the app wired to a fake 12go, search URLs,
//! 12go answers in the shape of spec 10 §2, and the error-response assertion.

use connect_api::adapters::config::Settings;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};

pub const ACME_KEY: &str = "acme-key";
pub const LATEST_VERSION: &str = "2023-07-01";
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
/// A 24-character 12go trip key (10 §4.2).
pub const TRIP_KEY: &str = "TH000300044mDt00g03BNR3q";
pub const OTHER_TRIP_KEY: &str = "TH000300054mDt00g03BNR3r";

/// The app with a registry (client `acme` plus `extra_registry`) and 12go = a
/// fresh wiremock server; small timeouts; `tweak` adjusts the settings last.
pub async fn spawn_with_fake_12go_and(
    extra_registry: &str,
    tweak: impl FnOnce(&mut Settings),
) -> (TestApp, MockServer) {
    let server = MockServer::start().await;
    let mut settings = common::test_settings();
    settings.clients_file = Some(common::write_registry(extra_registry));
    settings.twelvego_base_url = Some(server.uri());
    settings.booking_token_secrets = Some(common::TEST_TOKEN_SECRET.to_owned().into());
    settings.twelvego_timeout_ms = 2_000;
    settings.request_timeout_ms = 6_000;
    // This fake 12go serves no master data; tests about it turn it back on.
    settings.master_data_enabled = false;
    tweak(&mut settings);
    let app = common::spawn_app(settings).await;
    (app, server)
}

/// The app with client `acme` and a fake 12go, default test timeouts.
pub async fn spawn_with_fake_12go() -> (TestApp, MockServer) {
    spawn_with_fake_12go_and("", |_| {}).await
}

/// The app on the embedded sandbox (built-in client `demo` / `demo-key`).
pub async fn spawn_sandbox_and(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = common::test_settings();
    tweak(&mut settings);
    let app = common::spawn_app(settings).await;
    // The sandbox serves master data in-process; wait for its first snapshot
    // so no test races the load.
    app.wait_ready().await;
    app
}

/// Mounts a catch-all mock that must never be hit.
pub async fn expect_no_12go_call(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

/// `/v1/acme/itineraries?departures[]=3&arrivals[]=4&departure_date=…&pax=1`.
pub fn search_3_to_4() -> String {
    format!(
        "/v1/acme/itineraries?departures[]=3&arrivals[]=4&departure_date={}&pax=1",
        common::future_date()
    )
}

/// The 12go U1 path for station `from` to station `to` on the test date.
pub fn twelvego_search_path(from: i64, to: i64) -> String {
    format!("/search/{from}s/{to}s/{}", common::future_date())
}

/// `future_date()` plus one day.
pub fn day_after_future_date() -> String {
    let d: jiff::civil::Date = common::future_date().parse().unwrap();
    d.saturating_add(jiff::Span::new().days(1)).to_string()
}

/// A 12go search answer with one train trip `trip_key` from `from` to `to`
/// departing on `future_date()` at 20:22 (the example of 10 §2).
pub fn twelvego_answer(trip_key: &str, from: i64, to: i64, recheck: &[String]) -> Value {
    let date = common::future_date();
    let next = day_after_future_date();
    json!({
        "trips": [{
            "id": trip_key,
            "params": {"vehclasses": ["train"], "bookable": 83, "operators": [16779], "duration": 743,
                       "from": from, "to": to, "stops": 0, "hide": false, "date": date},
            "segments": [{"type": "route", "vehclasses": ["train"], "connection_guaranteed": true,
                          "from": from, "to": to, "duration": 743,
                          "dep_time": format!("{date} 20:22:00"), "arr_time": format!("{next} 08:45:00"),
                          "class": 16, "operator": 16779}],
            "travel_options": [{"id": trip_key, "bookable": 83, "class": 16,
                                "price": {"value": 370.37, "fxcode": "THB"},
                                "netprice": {"value": 308.00, "fxcode": "THB"},
                                "sysfee": {"value": 50.00, "fxcode": "THB"},
                                "agfee": {"value": 12.37, "fxcode": "THB"},
                                "amenities": ["WC"], "ticket_type": "paper", "confirmation_time": 0,
                                "cancellation": 0, "full_refund_until": null,
                                "price_restriction": 0, "is_bookable": 1}]
        }],
        "operators": {"16779": {"id": 16779, "name": "State Railway", "slug": "srt", "logo": []}},
        "stations": {
            from.to_string(): {"station_id": from, "province_id": 1, "station_name": "A"},
            to.to_string(): {"station_id": to, "province_id": 44, "station_name": "B"}
        },
        "classes": {"16": {"id": 16, "name": "Class 3 Fan", "is_multi_pax": true}},
        "recheck": recheck
    })
}

/// The client itinerary id of [`twelvego_answer`] with `pax = 1`.
pub fn itinerary_id(trip_key: &str) -> String {
    format!("{trip_key}-{}-20:22-1", common::future_date())
}

/// The ids of the itineraries of a search body.
pub fn itinerary_ids(body: &Value) -> Vec<String> {
    body["itineraries"]
        .as_array()
        .expect("itineraries array")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A 200 response with `body` as JSON.
pub fn ok_json(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

/// The error body of 00 §9.
pub fn error_body(code: &str, message: &str, fields: &[(&str, &str)], correlation: &str) -> Value {
    let mut body = json!({"code": code, "message": message, "correlation_id": correlation});
    if !fields.is_empty() {
        body["fields"] = fields
            .iter()
            .map(|(f, m)| json!({"field": f, "message": m}))
            .collect();
    }
    body
}

/// A header value as a string (panics when absent).
pub fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("header {name} missing"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Asserts status, the common headers of every error answer (JSON content type,
/// `x-correlation-id`, `Travelier-Version` = latest) and the whole body.
pub async fn assert_error(res: reqwest::Response, status: u16, expected: Value) {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(
        header(&res, "x-correlation-id"),
        expected["correlation_id"].as_str().unwrap()
    );
    assert_eq!(header(&res, "travelier-version"), LATEST_VERSION);
    let body: Value = res.json().await.expect("JSON error body");
    assert_eq!(body, expected);
}

/// GET `path` as client `acme` with correlation id `correlation`.
pub async fn get_as_acme(app: &TestApp, path: &str, correlation: &str) -> reqwest::Response {
    app.get(
        path,
        &[("x-api-key", ACME_KEY), ("x-correlation-id", correlation)],
    )
    .await
}
