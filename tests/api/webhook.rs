//! The inbound 12go webhook (30 §7): authentication before any work, ownership
//! re-fetch with the client's own key, body cap, enqueue idempotency.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Once;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};
use crate::funnel::fixtures::{booking_path, confirmed_answer, BID};
use crate::helpers::{expect_no_12go_call, ok_json, spawn_with_fake_12go_and};

const SECRET_VAR: &str = "CONNECT_TEST_WH_SECRET";
const SECRET: &str = "wh-secret-current";
const OLD_SECRET_VAR: &str = "CONNECT_TEST_WH_SECRET_OLD";
const OLD_SECRET: &str = "wh-secret-previous";
const KEY_VAR: &str = "CONNECT_TEST_WH_KEY";
const SHARED_KEY: &str = "wh-shared-key";
const SIGN_VAR: &str = "CONNECT_TEST_WH_SIGN";

static ENV: Once = Once::new();

/// Client `hooky` (own 12go key, both auth methods, a webhook URL) and `quiet`
/// (shared key only, no `webhook_url`).
fn registry() -> String {
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

async fn start() -> (TestApp, MockServer) {
    spawn_with_fake_12go_and(&registry(), |_| {}).await
}

fn sign(secret: &str, ts: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn event() -> String {
    json!({"bid": BID.parse::<i64>().unwrap(), "type": "booking_confirmed", "stamp": 1775390400_i64,
        "previous_data": {"status": "pending"}})
    .to_string()
}

async fn post(app: &TestApp, p: &str, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
    let mut r = app.client.post(app.url(p)).body(body.to_owned());
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.send().await.unwrap()
}

async fn post_signed(
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

const HOOK: &str = "/v1/notifications/onetwogo?client_id=hooky";

/// B answers `response`, only with hooky's own key.
async fn mount_b(server: &MockServer, response: ResponseTemplate) {
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
