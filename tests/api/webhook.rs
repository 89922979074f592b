//! The inbound 12go webhook (30 §7): authentication before any work, ownership
//! re-fetch with the client's own key, body cap, enqueue idempotency.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Once;
use std::time::Instant;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};
use crate::funnel::fixtures::{booking_path, confirmed_answer, BID};
use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, header, ok_json, spawn_with_fake_12go_and,
};

const SECRET_VAR: &str = "CONNECT_TEST_WH_SECRET";
pub(crate) const SECRET: &str = "wh-secret-current";
const OLD_SECRET_VAR: &str = "CONNECT_TEST_WH_SECRET_OLD";
const OLD_SECRET: &str = "wh-secret-previous";
const KEY_VAR: &str = "CONNECT_TEST_WH_KEY";
const SHARED_KEY: &str = "wh-shared-key";
const SIGN_VAR: &str = "CONNECT_TEST_WH_SIGN";

static ENV: Once = Once::new();

/// Client `hooky` (own 12go key, both auth methods, a webhook URL) and `quiet`
/// (shared key only, no `webhook_url`).
pub(crate) fn registry() -> String {
    ENV.call_once(|| {
        std::env::set_var(SECRET_VAR, SECRET);
        std::env::set_var(OLD_SECRET_VAR, OLD_SECRET);
        std::env::set_var(KEY_VAR, SHARED_KEY);
        std::env::set_var(SIGN_VAR, "outbound-signing-secret");
    });
    format!(
        "[clients.hooky]\nenabled = true\ntwelvego_key_env = \"{other}\"\n\
         [[clients.hooky.api_keys]]\nid = \"h1\"\nsha256 = \"{sha}\"\n\
         [clients.hooky.inbound_webhook]\nhmac_secret_envs = [\"{SECRET_VAR}\", \"{OLD_SECRET_VAR}\"]\nshared_key_env = \"{KEY_VAR}\"\n\
         [clients.hooky.notifications]\nwebhook_url = \"http://127.0.0.1:9/hook\"\nsigning_secret_env = \"{SIGN_VAR}\"\n\
         [clients.quiet]\nenabled = true\ntwelvego_key_env = \"{other}\"\n\
         [[clients.quiet.api_keys]]\nid = \"q1\"\nsha256 = \"{sha}\"\n\
         [clients.quiet.inbound_webhook]\nshared_key_env = \"{KEY_VAR}\"\n",
        other = common::OTHER_12GO_KEY_VAR,
        sha = "0".repeat(64),
    )
}

pub(crate) async fn start() -> (TestApp, MockServer) {
    spawn_with_fake_12go_and(&registry(), |_| {}).await
}

fn sign(secret: &str, ts: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub(crate) fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub(crate) fn event() -> String {
    event_stamped(1775390400)
}

/// The `booking_confirmed` event of [`BID`] at `stamp` (part of the notification id).
fn event_stamped(stamp: i64) -> String {
    json!({"bid": BID.parse::<i64>().unwrap(), "type": "booking_confirmed", "stamp": stamp,
        "previous_data": {"status": "pending"}})
    .to_string()
}

/// Signature headers for `body` at `ts`, plus `x-correlation-id`.
fn signed_headers(body: &str, ts: i64, correlation: &str) -> [(&'static str, String); 3] {
    [
        ("x-webhook-timestamp", ts.to_string()),
        ("x-webhook-signature", sign(SECRET, ts, body)),
        ("x-correlation-id", correlation.to_owned()),
    ]
}

async fn post(app: &TestApp, p: &str, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
    let mut r = app.client.post(app.url(p)).body(body.to_owned());
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.send().await.unwrap()
}

pub(crate) async fn post_signed(
    app: &TestApp,
    p: &str,
    body: &str,
    secret: &str,
    ts: i64,
) -> reqwest::Response {
    let headers = [
        ("x-webhook-timestamp", ts.to_string()),
        ("x-webhook-signature", sign(secret, ts, body)),
    ];
    post(app, p, body, &headers).await
}

pub(crate) const HOOK: &str = "/v1/notifications/onetwogo?client_id=hooky";

/// B answers `response`, only with hooky's own key.
pub(crate) async fn mount_b(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(booking_path()))
        .and(query_param("k", common::OTHER_12GO_KEY))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn b_calls(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

async fn pending(app: &TestApp) -> Vec<Value> {
    let res = app
        .client
        .get(app.admin_url("/admin/notifications/pending"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn assert_code(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
}

#[actix_web::test]
async fn a_signed_call_is_accepted_with_an_empty_body_and_one_b_call() {
    let (app, server) = start().await;
    mount_b(&server, ok_json(&confirmed_answer())).await;

    let res = post_signed(&app, HOOK, &event(), SECRET, now()).await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), 0);
    assert_eq!(b_calls(&server).await, 1);
    let items = pending(&app).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        items[0]["notification_id"],
        format!("{BID}-1775390400-booking_confirmed")
    );
    assert_eq!(items[0]["client_id"], "hooky");
}

#[actix_web::test]
async fn the_previous_secret_and_the_shared_key_are_accepted() {
    let (app, server) = start().await;
    mount_b(&server, ok_json(&confirmed_answer())).await;

    let rotated = post_signed(
        &app,
        "/v1/notifications/12GO/hooky",
        &event(),
        OLD_SECRET,
        now(),
    )
    .await;
    let keyed = post(
        &app,
        HOOK,
        &event(),
        &[("x-webhook-key", SHARED_KEY.into())],
    )
    .await;

    assert_eq!(rotated.status(), 200);
    assert_eq!(keyed.status(), 200);
    // Same notification id: enqueued once.
    assert_eq!(pending(&app).await.len(), 1);
}

#[actix_web::test]
async fn unauthenticated_calls_are_401_without_any_12go_call() {
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    let body = event();
    let ts = now();
    let cases = [
        vec![
            ("x-webhook-timestamp", ts.to_string()),
            ("x-webhook-signature", sign("wrong", ts, &body)),
        ],
        vec![
            ("x-webhook-timestamp", (ts - 301).to_string()),
            ("x-webhook-signature", sign(SECRET, ts - 301, &body)),
        ],
        vec![
            ("x-webhook-timestamp", ts.to_string()),
            ("x-webhook-signature", sign(SECRET, ts, "{\"bid\":1}")),
        ],
        vec![("x-webhook-key", "nope".to_string())],
        vec![],
    ];
    for headers in cases {
        let res = post(&app, HOOK, &body, &headers).await;
        assert_code(res, 401, "unauthorized").await;
    }
}

#[actix_web::test]
async fn bad_json_and_a_missing_bid_are_400() {
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    for body in ["not json", r#"{"type":"booking_updated"}"#] {
        let res = post_signed(&app, HOOK, body, SECRET, now()).await;
        assert_code(res, 400, "invalid_body").await;
    }
}

#[actix_web::test]
async fn unknown_clients_and_integrations_are_404() {
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    for p in [
        "/v1/notifications/onetwogo?client_id=nobody",
        "/v1/notifications/onetwogo",
        "/v1/notifications/other?client_id=hooky",
    ] {
        let res = post_signed(&app, p, &event(), SECRET, now()).await;
        assert_eq!(res.status(), 404, "{p}");
    }
}

#[actix_web::test]
async fn a_booking_the_client_does_not_own_is_acknowledged_and_dropped() {
    let (app, server) = start().await;
    mount_b(&server, ResponseTemplate::new(404)).await;

    let res = post_signed(&app, HOOK, &event(), SECRET, now()).await;

    assert_eq!(res.status(), 200);
    assert_eq!(b_calls(&server).await, 1);
    assert!(pending(&app).await.is_empty());
}

#[actix_web::test]
async fn a_12go_failure_is_502_so_12go_redelivers() {
    let (app, server) = start().await;
    mount_b(&server, ResponseTemplate::new(500)).await;

    let res = post_signed(&app, HOOK, &event(), SECRET, now()).await;

    assert_code(res, 502, "upstream_error").await;
    assert!(pending(&app).await.is_empty());
}

#[actix_web::test]
async fn a_client_without_webhook_url_is_acknowledged_and_nothing_queued() {
    let (app, server) = start().await;
    mount_b(&server, ok_json(&confirmed_answer())).await;

    let p = "/v1/notifications/onetwogo?client_id=quiet";
    let res = post(&app, p, &event(), &[("x-webhook-key", SHARED_KEY.into())]).await;

    assert_eq!(res.status(), 200);
    assert!(pending(&app).await.is_empty());
}

#[actix_web::test]
async fn a_body_over_64_kib_is_413() {
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    let body = format!(r#"{{"bid":1,"pad":"{}"}}"#, "x".repeat(65 * 1024));

    let res = post_signed(&app, HOOK, &body, SECRET, now()).await;

    assert_code(res, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn more_than_50_calls_a_second_from_one_client_are_429_rate_limited() {
    // Arrange: bad JSON, so that every call that passes the limit ends at the
    // parse (400) without a 12go call; the limit is checked before parsing.
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    let body = "not json";
    let ts = now();
    let calls = 80;
    // Act: one burst, all in flight together.
    let started = Instant::now();
    let responses = futures_util::future::join_all((0..calls).map(|i| {
        let headers = signed_headers(body, ts, &format!("wh-rate-{i}"));
        let app = &app;
        async move { post(app, HOOK, body, &headers).await }
    }))
    .await;
    let elapsed = started.elapsed();
    // Assert
    let (mut passed, mut limited) = (0_u128, 0_u128);
    for (i, res) in responses.into_iter().enumerate() {
        let corr = format!("wh-rate-{i}");
        match res.status().as_u16() {
            400 => {
                passed += 1;
                let expected =
                    error_body("invalid_body", "The body is not valid JSON.", &[], &corr);
                assert_error(res, 400, expected).await;
            }
            429 => {
                limited += 1;
                assert_eq!(header(&res, "retry-after"), "1");
                let expected = error_body(
                    "rate_limited",
                    "Too many requests; retry later.",
                    &[],
                    &corr,
                );
                assert_error(res, 429, expected).await;
            }
            other => panic!("call {i}: unexpected status {other}"),
        }
    }
    // A burst of 50, then one more token every 20 ms.
    let refilled = elapsed.as_millis() / 20 + 1;
    assert!(
        (50..=50 + refilled).contains(&passed),
        "{passed} passed in {elapsed:?}"
    );
    assert_eq!(passed + limited, 80);
    assert!(limited >= 1, "{elapsed:?}");
}

#[actix_web::test]
async fn a_full_outbox_is_503_store_unavailable_so_12go_redelivers() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and(&registry(), |s| s.outbox_max_pending = 1).await;
    mount_b(&server, ok_json(&confirmed_answer())).await;
    let (first, second) = (event_stamped(1775390400), event_stamped(1775390401));
    let ts = now();
    // Act
    let accepted = post(&app, HOOK, &first, &signed_headers(&first, ts, "wh-full-1")).await;
    let refused = post(
        &app,
        HOOK,
        &second,
        &signed_headers(&second, ts, "wh-full-2"),
    )
    .await;
    let repeated = post(&app, HOOK, &first, &signed_headers(&first, ts, "wh-full-3")).await;
    // Assert
    assert_eq!(accepted.status(), 200);
    assert_eq!(accepted.bytes().await.unwrap().len(), 0);
    assert_eq!(header(&refused, "retry-after"), "1");
    let expected = error_body(
        "store_unavailable",
        "State storage is unavailable; retry shortly.",
        &[],
        "wh-full-2",
    );
    assert_error(refused, 503, expected).await;
    // A redelivery of the queued notification is a duplicate, not a failure.
    assert_eq!(repeated.status(), 200);
    assert_eq!(b_calls(&server).await, 3);
    let items = pending(&app).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        items[0]["notification_id"],
        format!("{BID}-1775390400-booking_confirmed")
    );
}

#[actix_web::test]
async fn a_booking_the_mapping_file_gives_another_client_is_acknowledged_and_dropped() {
    // Arrange: the booking id map says BID belongs to `acme`, not `hooky`.
    let dir = std::env::temp_dir().join(format!("connect-wh-ids-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let map = dir.join("ids.csv");
    std::fs::write(
        &map,
        format!("id,plain_id,bid,client_id\nXYXZ4Yabc123,,{BID},acme\n"),
    )
    .unwrap();
    let map = map.to_string_lossy().into_owned();
    let (app, server) =
        spawn_with_fake_12go_and(&registry(), |s| s.booking_id_map_file = Some(map)).await;
    mount_b(&server, ok_json(&confirmed_answer())).await;
    // Act
    let res = post_signed(&app, HOOK, &event(), SECRET, now()).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), 0);
    assert_eq!(b_calls(&server).await, 1);
    assert!(pending(&app).await.is_empty());
}
