//! Idempotency across instances: two apps sharing one real Redis (started here)
//! and one fake 12go; a booking token is reserved at most once whichever instance
//! receives it (20 §4, 40 §3).

use connect_api::domain::booking_token::{BookingTokenKeys, Nonce, TokenClaims};
use connect_api::domain::money::{Currency, Money};
use connect_api::domain::secret::Secret;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};
use crate::helpers::{ACME_KEY, JSON_UTF8};
use crate::redis_server::RedisServer;

const CART: &str = "c4rt0001";

fn token() -> String {
    let secret = Secret::new(common::TEST_TOKEN_SECRET.to_string());
    let keys = BookingTokenKeys::new(&[secret], Duration::from_secs(3600)).unwrap();
    let claims = TokenClaims {
        client_id: "acme".into(),
        cart_id: CART.into(),
        seats: 1,
        trip_key: "TH000300044mDt00g03BNR3q".into(),
        departure: "2030-05-01T08:00".parse().unwrap(),
        price: Money::new(914.into(), Currency::new("THB")),
        nonce: Nonce::from_bytes([9; 12]),
    };
    keys.issue(&claims, jiff::Timestamp::now())
}

/// S, R (slow enough for both requests to overlap) and B, each counted.
async fn fake_12go(reserve_delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    let form = json!({
        "contact[mobile]":{"type":"input","required":true},
        "contact[email]":{"type":"input","required":true},
        "seats":{"type":"input","required":true},
        "passenger[0][first_name]":{"type":"input","required":true},
        "passenger[0][last_name]":{"type":"input","required":true}});
    Mock::given(method("GET"))
        .and(path(format!("/checkout/{CART}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(form))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/reserve/{CART}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"bid":"87654321"}))
                .set_delay(reserve_delay),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/booking/87654321"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "bid":87654321,"status":"pending_client_confirmation","from_id":3,"to_id":4,
            "dep_date_time":"2030-05-01 08:00:00","seats":1,"ticket_url":"","created_on":1900000000,
            "stamp":0,"netprice":{"value":914,"fxcode":"THB"}})))
        .mount(&server)
        .await;
    server
}

async fn instance(redis: &RedisServer, twelvego: &MockServer) -> TestApp {
    let mut s = common::test_settings();
    s.clients_file = Some(common::write_registry(""));
    s.twelvego_base_url = Some(twelvego.uri());
    s.booking_token_secrets = Some(common::TEST_TOKEN_SECRET.to_owned().into());
    s.redis_url = Some(redis.url().into());
    s.master_data_enabled = false;
    common::spawn_app(s).await
}

async fn create(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/acme/bookings"))
        .header("x-api-key", ACME_KEY)
        .json(&json!({"booking_token": token, "booking_data": {
            "email":"a@b.co","mobile_phone":"+66812345678",
            "passengers":[{"first_name":"John","last_name":"Doe"}]}}))
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_token_used_on_another_instance_answers_already_reserved() {
    let redis = RedisServer::start();
    let twelvego = fake_12go(Duration::ZERO).await;
    let (a, b) = (
        instance(&redis, &twelvego).await,
        instance(&redis, &twelvego).await,
    );
    let t = token();
    let first = create(&a, &t).await;
    assert_eq!(first.status(), 200);
    let booking: Value = first.json().await.unwrap();
    assert_eq!(booking["id"], "87654321");
    let second = create(&b, &t).await;
    assert_eq!(second.status(), 409);
    assert_eq!(second.headers()["location"], "/v1/acme/bookings/87654321");
    assert_eq!(second.headers()["content-type"], JSON_UTF8);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["code"], "already_reserved");
    assert!(body["message"].as_str().unwrap().contains("87654321"));
    // Dropping the server verifies R was received exactly once.
}

#[actix_web::test]
async fn two_instances_racing_on_one_token_reserve_once() {
    let redis = RedisServer::start();
    let twelvego = fake_12go(Duration::from_millis(400)).await;
    let (a, b) = (
        instance(&redis, &twelvego).await,
        instance(&redis, &twelvego).await,
    );
    let t = token();
    let (ra, rb) = tokio::join!(create(&a, &t), create(&b, &t));
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    // The loser sees the winner's pending record (202 with its Location) or,
    // if the winner already finished, its bid (409).
    assert!(
        statuses == [200, 202] || statuses == [200, 409],
        "{statuses:?}"
    );
    let loser = if ra.status() == 200 { rb } else { ra };
    let location = loser.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/v1/acme/incomplete_results/")
            || location == "/v1/acme/bookings/87654321",
        "{location}"
    );
    if location.contains("incomplete_results") {
        // The poll on the other instance reads the same record from Redis.
        let mut polled = 0;
        let done = loop {
            let r = a
                .client
                .get(a.url(&location))
                .header("x-api-key", ACME_KEY)
                .send()
                .await
                .unwrap();
            if r.status() != 202 || polled > 50 {
                break r;
            }
            polled += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(done.status(), 200);
        let b: Value = done.json().await.unwrap();
        assert_eq!(b["id"], "87654321");
    }
}
