//! The fake 12go of the booking funnel: answers T, A, S, R, C and B in the
//! shapes of 20 §7 and 30 §6, mount helpers, the client requests of 20 §4, and
//! a harness that starts the app and obtains a booking token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use connect_api::adapters::config::Settings;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, future_date, TestApp, TEST_12GO_KEY, TEST_TOKEN_SECRET};
use crate::helpers::{header, ok_json, spawn_with_fake_12go_and, ACME_KEY, TRIP_KEY};

/// The cart id A answers.
pub const CART: &str = "a1b2c3d4";
/// The bid R answers.
pub const BID: &str = "87654321";
/// The 12go error text that means the trip cannot be sold any more (20 §12).
pub const TRIP_GONE: &str = r#"{"messages":["Trip is no longer available"]}"#;

// ---------------------------------------------------------------- paths

/// The 12go path date-time of the test departure (`{date} 08:00`).
pub fn path_dt() -> String {
    format!("{}-08-00-00", future_date())
}

pub fn trip_path() -> String {
    format!("/trip/{TRIP_KEY}/{}", path_dt())
}

pub fn cart_path() -> String {
    format!("/cart/{TRIP_KEY}/{}", path_dt())
}

pub fn checkout_path() -> String {
    format!("/checkout/{CART}")
}

pub fn reserve_path() -> String {
    format!("/reserve/{CART}")
}

pub fn confirm_path() -> String {
    format!("/confirm/{BID}")
}

pub fn booking_path() -> String {
    format!("/booking/{BID}")
}

/// The client itinerary id for two seats (full form).
pub fn itinerary_id_2() -> String {
    format!("{TRIP_KEY}-{}-08:00-2", future_date())
}

/// The segment id of [`trip_answer`].
pub fn segment_id() -> String {
    let d = future_date();
    format!("16779-3-4-{d}T08:00-{d}T14:30-12")
}

// ---------------------------------------------------------------- 12go answers

/// T (20 §7): one bus trip 3 → 4 at 08:00, two seats quoted together.
pub fn trip_answer() -> Value {
    let d = future_date();
    json!({
        "trips": [{
            "id": TRIP_KEY,
            "params": {"bookable": 12},
            "segments": [{"type": "route", "from": 3, "to": 4, "class": 12, "operator": 16779,
                          "dep_time": format!("{d} 08:00:00"), "arr_time": format!("{d} 14:30:00"),
                          "duration": 390}],
            "travel_options": [{"id": TRIP_KEY, "class": 12, "bookable": 12, "is_bookable": 1,
                                "price": {"value": 1014, "fxcode": "THB"},
                                "netprice": {"value": 914, "fxcode": "THB"},
                                "agfee": {"value": 40, "fxcode": "THB"},
                                "sysfee": {"value": 60, "fxcode": "THB"},
                                "confirmation_time": 0,
                                "full_refund_until": null,
                                "ticket_type": "paper", "price_restriction": 0}]
        }],
        "operators": {"16779": {"id": 16779, "name": "Green Bus"}},
        "classes": {"12": {"id": 12, "name": "VIP 24"}},
        "stations": {},
        "recheck": []
    })
}

/// S (20 §7) plus an optional `passenger[0][dob]`; every entry repeats its key as `name`.
pub fn checkout_form() -> Value {
    let mut form = json!({
        "contact[mobile]": {"type": "input", "required": true, "regexp": ["/^\\+[0-9]{7,15}$/"]},
        "contact[email]": {"type": "input", "required": true},
        "seats": {"type": "input", "required": true},
        "passenger[0][first_name]": {"type": "input", "title": "First name", "required": true,
            "regexp": ["/^[\\s\\pCA-Za-z\\x{0E00}-\\x{0E7F}]{2,30}$/u"]},
        "passenger[0][last_name]": {"type": "input", "required": true},
        "passenger[0][gender]": {"type": "select", "required": true,
            "options": [{"value": "M", "text": "Male"}, {"value": "F", "text": "Female"}]},
        "passenger[0][country_id]": {"type": "select", "required": true, "options": [
            {"value": null, "text": "Popular", "values": [{"value": "TH", "text": "Thailand"}]},
            {"value": null, "text": "All", "values": [{"value": "AR", "text": "Argentina"}]}]},
        "passenger[0][is_child]": {"type": "checkbox", "required": false},
        "passenger[0][dob]": {"type": "input", "required": false},
        "passenger[0][baggage_T0k]": {"type": "select", "required": false, "options": [
            {"value": "none", "text": "Carry-on", "data": {"price": {"value": 0, "fxcode": "THB"}}},
            {"value": "10kg", "text": "10 kg", "data": {"price": {"value": 200, "fxcode": "THB"}}}]},
        "selected_seats_T0k": {"type": "select", "required": false, "data": {"seatmap": {
            "seats": {"1A": {"is_available": true, "price": {"value": 457, "fxcode": "THB"}},
                      "1B": {"is_available": true, "price": {"value": 477, "fxcode": "THB"}},
                      "2A": {"is_available": false}},
            "layouts": [[["1A", "1B"], ["2A", null]]],
            "booked": {"2A": true}}}},
        "selected_seats_T0k_allow_auto": {},
        "points[T0k][pickup]": {"type": "select", "required": true,
            "options": [{"value": "hotel_abc", "text": "Hotel ABC"}]},
        "delivery[T0k][address]": {"type": "input", "required": false},
        "passenger[1][first_name]": {"type": "input", "required": true}
    });
    for (k, v) in form.as_object_mut().unwrap() {
        v["name"] = json!(k);
    }
    form
}

/// [`checkout_form`] without the seat selection and its toggle.
pub fn checkout_form_without_seats() -> Value {
    let mut form = checkout_form();
    let m = form.as_object_mut().unwrap();
    m.remove("selected_seats_T0k");
    m.remove("selected_seats_T0k_allow_auto");
    form
}

/// B (30 §6) in 12go status `status`; `tracker` and `ticket_url` may be empty.
pub fn booking_answer(status: &str, tracker: &str, ticket_url: &str) -> Value {
    json!({
        "bid": 87654321, "tracker": tracker, "status": status, "from_id": 3, "to_id": 4,
        "dep_date_time": format!("{} 08:00:00", future_date()), "seats": 2, "ticket_url": ticket_url,
        "created_on": 1775001600, "stamp": 1775005200,
        "price": {"value": 1234.00, "fxcode": "THB"}, "netprice": {"value": 1134.00, "fxcode": "THB"},
        "agfee": {"value": 40.00, "fxcode": "THB"}, "sysfee": {"value": 60.00, "fxcode": "THB"},
        "seller_price": {"fxcode": "THB", "netprice": 1000.00, "sysfee": 60.00, "partnerfee": 0}
    })
}

pub const TICKET_URL: &str = "https://12go.example/tickets/87654321.pdf";

/// B of a freshly reserved booking (`pending_client_confirmation`).
pub fn reserved_answer() -> Value {
    booking_answer("pending_client_confirmation", "", "")
}

/// B of a confirmed booking with tracker and ticket.
pub fn confirmed_answer() -> Value {
    booking_answer("confirmed", "TRK-7QX2", TICKET_URL)
}

/// The Booking object (30 §2) built from [`booking_answer`].
pub fn expected_booking(status: &str, operator_id: Value, voucher: Value) -> Value {
    json!({
        "id": BID, "status": status, "from_station": "3", "to_station": "4",
        "departure_time": format!("{}T08:00:00", future_date()), "passenger_count": 2,
        "integration": "onetwogo", "integration_booking_id": BID,
        "operator_booking_id": operator_id, "voucher_url": voucher,
        "created_at": "2026-04-01T00:00:00Z", "updated_at": "2026-04-01T01:00:00Z",
        "total_price": {"amount": "1134.00", "currency": "THB"}
    })
}

/// The CreateBooking answer for [`reserved_answer`].
pub fn expected_reserved() -> Value {
    expected_booking("reserved", Value::Null, Value::Null)
}

/// A 12go error answer with `status` and a JSON `body`.
pub fn twelvego_error(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// A 200 JSON answer after `ms` milliseconds.
pub fn slow_json(body: &Value, ms: u64) -> ResponseTemplate {
    ok_json(body).set_delay(Duration::from_millis(ms))
}

// ---------------------------------------------------------------- client requests

/// The CreateBooking body of 20 §4 for the token (estimate 1134.00 THB).
pub fn booking_request(token: &str) -> Value {
    json!({
        "booking_token": token,
        "total_price": {"amount": "1134.00", "currency": "THB"},
        "booking_data": {
            "email": "a@b.co", "mobile_phone": "+66812345678",
            "seat_selection": ["1A", "1B"], "allow_automatic_seat_selection": true,
            "additional_fields": {"points_pickup": "hotel_abc"}, "upgrades": {},
            "passengers": [
                {"first_name": "John", "last_name": "Doe", "gender": "M", "dob": "1990-01-01",
                 "is_child": false, "id_type": "0", "id_number": "AB123456", "nationality": "TH",
                 "baggage_option": "10kg"},
                {"first_name": "Jane", "last_name": "Doe", "gender": "F", "nationality": "TH",
                 "baggage_option": "none"}
            ]
        }
    })
}

/// The reserve body 12go must receive for [`booking_request`] (20 §11).
pub fn expected_reserve_body() -> Value {
    json!({
        "contact[mobile]": "+66812345678", "contact[email]": "a@b.co", "seats": 2,
        "selected_seats_T0k": "1A,1B", "selected_seats_T0k_allow_auto": true,
        "passenger[0][first_name]": "John", "passenger[0][last_name]": "Doe",
        "passenger[0][gender]": "M", "passenger[0][dob]": "1990-01-01",
        "passenger[0][id_type]": "0", "passenger[0][id_no]": "AB123456",
        "passenger[0][country_id]": "TH", "passenger[0][is_child]": false,
        "passenger[0][baggage_T0k]": "10kg",
        "passenger[1][first_name]": "Jane", "passenger[1][last_name]": "Doe",
        "passenger[1][gender]": "F", "passenger[1][id_type]": "0",
        "passenger[1][country_id]": "TH", "passenger[1][is_child]": false,
        "passenger[1][baggage_T0k]": "none",
        "points[T0k][pickup]": "hotel_abc"
    })
}

// ---------------------------------------------------------------- tokens

/// A token in the form of 20 §8, signed with `secret`.
pub fn sign_token(payload: &Value, secret: &str) -> String {
    let b64 = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signed = format!("v1.{b64}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{sig}")
}

/// The payload of a token for `client` on this test's cart, expiring at `x`.
pub fn token_payload(client: &str, x: i64) -> Value {
    json!({"c": client, "k": CART, "n": 2, "t": TRIP_KEY, "d": format!("{}T08:00", future_date()),
           "p": {"a": "914.00", "c": "THB"}, "x": x, "u": "q3JX0s7v2pEwAbCd"})
}

/// Unix seconds now.
pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A valid token for `client`, signed with the test secret, valid for an hour.
pub fn crafted_token(client: &str) -> String {
    sign_token(&token_payload(client, now_secs() + 3600), TEST_TOKEN_SECRET)
}

// ---------------------------------------------------------------- registry

/// A registry entry for client `beta` with API key `beta-key`.
pub fn beta_client() -> String {
    let hash = hex::encode(Sha256::digest(b"beta-key"));
    format!(
        "[clients.beta]\nenabled = true\ntwelvego_key_env = \"{}\"\n[[clients.beta.api_keys]]\nid = \"b1\"\nsha256 = \"{hash}\"\n",
        common::TEST_12GO_KEY_VAR
    )
}

// ---------------------------------------------------------------- mounts

/// A mock for `verb path` carrying `k=test-12go-key`.
pub fn on(verb: &str, p: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(p.to_owned()))
        .and(query_param("k", TEST_12GO_KEY))
}

/// T, A and S answering normally (S with `form`), no call-count expectations.
pub async fn mount_itinerary_calls(server: &MockServer, form: &Value) {
    on("GET", &trip_path())
        .and(query_param("seats", "2"))
        .respond_with(ok_json(&trip_answer()))
        .mount(server)
        .await;
    on("POST", &cart_path())
        .and(query_param("seats", "2"))
        .respond_with(ok_json(&json!(CART)))
        .mount(server)
        .await;
    mount_checkout(server, ok_json(form)).await;
}

/// S answering `response` (priority 5: mount overrides with a higher priority).
pub async fn mount_checkout(server: &MockServer, response: ResponseTemplate) {
    on("GET", &checkout_path())
        .and(query_param("people", "1"))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts `response` for `verb path` with priority 1 (wins over earlier mounts).
pub async fn mount_first(server: &MockServer, verb: &str, p: &str, response: ResponseTemplate) {
    on(verb, p)
        .respond_with(response)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Mounts `response` for `verb path` for the first `n` calls only, priority 1.
pub async fn mount_first_n(
    server: &MockServer,
    verb: &str,
    p: &str,
    response: ResponseTemplate,
    n: u64,
) {
    on(verb, p)
        .respond_with(response)
        .up_to_n_times(n)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Mounts `response` for `verb path` (default priority).
pub async fn mount(server: &MockServer, verb: &str, p: &str, response: ResponseTemplate) {
    on(verb, p).respond_with(response).mount(server).await;
}

/// How many `verb path` requests 12go received.
pub async fn calls(server: &MockServer, verb: &str, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == p)
        .count()
}

/// The JSON bodies of the `verb path` requests 12go received.
pub async fn bodies(server: &MockServer, verb: &str, p: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == p)
        .map(|r| serde_json::from_slice(&r.body).expect("JSON body"))
        .collect()
}

// ---------------------------------------------------------------- harness

/// The app on a fake 12go with the funnel's T, A and S mounted.
pub struct Funnel {
    pub app: TestApp,
    pub server: MockServer,
}

impl Funnel {
    /// Client `acme`, the form of 20 §7.
    pub async fn start() -> Self {
        Self::start_with("", |_| {}).await
    }

    /// With extra registry TOML and settings changes (the booking rate limit is lifted).
    pub async fn start_with(extra: &str, tweak: impl FnOnce(&mut Settings)) -> Self {
        Self::start_with_form(extra, &checkout_form(), tweak).await
    }

    pub async fn start_with_form(
        extra: &str,
        form: &Value,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        let (app, server) = spawn_with_fake_12go_and(extra, |s| {
            s.rate_limit_booking_per_min = 10_000;
            s.rate_limit_search_per_min = 10_000;
            tweak(s);
        })
        .await;
        mount_itinerary_calls(&server, form).await;
        Self { app, server }
    }

    /// GetItinerary as `acme` → its booking token.
    pub async fn token(&self) -> String {
        let res = self
            .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
            .await;
        assert_eq!(res.status(), 200, "GetItinerary must succeed");
        let body: Value = res.json().await.unwrap();
        body["itineraries"][0]["booking_token"]
            .as_str()
            .expect("booking_token")
            .to_owned()
    }

    /// GET as `acme`.
    pub async fn get(&self, p: &str) -> reqwest::Response {
        self.get_with(p, ACME_KEY, "fn-get").await
    }

    /// GET with an API key and correlation id.
    pub async fn get_with(&self, p: &str, key: &str, correlation: &str) -> reqwest::Response {
        self.app
            .get(p, &[("x-api-key", key), ("x-correlation-id", correlation)])
            .await
    }

    /// POST a JSON body as `acme` with correlation id `correlation`.
    pub async fn post(&self, p: &str, body: &Value, correlation: &str) -> reqwest::Response {
        self.post_raw(p, &body.to_string(), correlation).await
    }

    /// POST raw bytes as `acme`.
    pub async fn post_raw(&self, p: &str, body: &str, correlation: &str) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(p))
            .header("x-api-key", ACME_KEY)
            .header("x-correlation-id", correlation)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request failed")
    }

    /// CreateBooking on `/v1/acme/bookings`.
    pub async fn create(&self, body: &Value, correlation: &str) -> reqwest::Response {
        self.post("/v1/acme/bookings", body, correlation).await
    }

    /// ConfirmBooking of [`BID`] with an empty body.
    pub async fn confirm(&self, correlation: &str) -> reqwest::Response {
        self.post_raw(&format!("/v1/acme/bookings/{BID}/confirm"), "", correlation)
            .await
    }

    /// R answering `{"bid":"87654321"}` and B answering `reserved`.
    pub async fn mount_reserve_ok(&self) {
        mount(
            &self.server,
            "POST",
            &reserve_path(),
            ok_json(&json!({"bid": BID})),
        )
        .await;
        mount(
            &self.server,
            "GET",
            &booking_path(),
            ok_json(&reserved_answer()),
        )
        .await;
    }

    pub async fn calls(&self, verb: &str, p: &str) -> usize {
        calls(&self.server, verb, p).await
    }

    pub async fn reserve_calls(&self) -> usize {
        self.calls("POST", &reserve_path()).await
    }

    pub async fn confirm_calls(&self) -> usize {
        self.calls("POST", &confirm_path()).await
    }
}

/// Status plus JSON body (or `Null` when empty).
pub async fn status_and_body(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Asserts an error answer by status and code only (plus the common error shape);
/// returns the body.
pub async fn assert_code(res: reqwest::Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let (_, body) = status_and_body(res).await;
    assert_eq!(
        (got, body["code"].as_str()),
        (status, Some(code)),
        "body: {body}"
    );
    assert_eq!(ct.as_deref(), Some(crate::helpers::JSON_UTF8));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["correlation_id"].is_string());
    body
}

/// The `fields[].field` paths of an error body, sorted.
pub fn field_paths(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `Location` of a response.
pub fn location(res: &reqwest::Response) -> String {
    header(res, "location")
}

/// 12go's B for the funnel fixtures' booking, answered only with the
/// [`crate::common::OTHER_12GO_KEY`] (the webhook clients' own key).
pub async fn mount_owned_booking(server: &wiremock::MockServer) {
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(booking_path()))
        .and(wiremock::matchers::query_param(
            "k",
            crate::common::OTHER_12GO_KEY,
        ))
        .respond_with(crate::helpers::ok_json(&confirmed_answer()))
        .mount(server)
        .await;
}
