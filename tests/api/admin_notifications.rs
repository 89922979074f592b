//! The notification outbox on the admin port (40 §5, 30 §8): pending and dead
//! letter listings, re-driving one or all dead letters, the admin token, and the
//! common error body for bad input.
//!
//! Delivery is switched off here (`NOTIFY_DELIVERY_ENABLED=false`) so items stay
//! as the test leaves them; dead letters are made through the outbox port
//! itself: the app runs on a real Redis (started per test) and the test
//! dead-letters the webhook's notification with its own `RedisOutbox` on it.
//! The worker's own dead letter and re-drive are in `delivery.rs`.

use connect_api::adapters::config::SecretString;
use connect_api::adapters::outbox::RedisOutbox;
use connect_api::adapters::store::redis::DEFAULT_TIMEOUT;
use connect_api::adapters::store::RedisStore;
use connect_api::ports::metrics::NoMetrics;
use connect_api::ports::outbox::Outbox;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use wiremock::MockServer;

use crate::common::{self, TestApp};
use crate::funnel::fixtures::{confirmed_answer, BID};
use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, header, ok_json, spawn_with_fake_12go_and,
    JSON_UTF8,
};
use crate::redis_server::RedisServer;
use crate::webhook::{self, mount_b, now, post_signed, HOOK, SECRET};

const TOKEN: &str = "admin-outbox-s3cret";
const PENDING: &str = "/admin/notifications/pending";
const DEAD: &str = "/admin/notifications/dead-letters";
const REQUEUE_ALL: &str = "/admin/notifications/dead-letters/requeue";
const EMPTY_PAGE: &str = r#"{"items":[],"next_cursor":null}"#;

fn notification_id() -> String {
    format!("{BID}-1775390400-booking_confirmed")
}

fn requeue_path(id: &str) -> String {
    format!("/admin/notifications/dead-letters/{id}/requeue")
}

async fn admin(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut r = app.client.request(method, app.admin_url(path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

async fn admin_get(app: &TestApp, path: &str) -> reqwest::Response {
    admin(app, reqwest::Method::GET, path, &[]).await
}

async fn admin_post(app: &TestApp, path: &str) -> reqwest::Response {
    admin(app, reqwest::Method::POST, path, &[]).await
}

/// Asserts a 200 JSON answer and returns its body.
async fn ok_body(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    res.json().await.unwrap()
}

/// The webhook clients (see `webhook.rs`) on a fake 12go, in-memory outbox.
async fn start() -> (TestApp, MockServer) {
    spawn_with_fake_12go_and(&webhook::registry(), |s| {
        s.notify_delivery_enabled = false;
    })
    .await
}

/// The same, with the outbox on `redis`.
async fn start_on(redis: &RedisServer) -> (TestApp, MockServer) {
    let url = redis.url();
    spawn_with_fake_12go_and(&webhook::registry(), |s| {
        s.redis_url = Some(url.into());
        s.notify_delivery_enabled = false;
    })
    .await
}

/// An outbox on the app's Redis and key prefix (`ENVIRONMENT` of the test settings).
fn outbox_of(redis: &RedisServer) -> RedisOutbox {
    let environment = common::test_settings().environment;
    let metrics = Arc::new(NoMetrics);
    let store = RedisStore::new(&redis.url(), &environment, DEFAULT_TIMEOUT, metrics.clone())
        .expect("redis store");
    RedisOutbox::new(
        store.connection(),
        &environment,
        100,
        DEFAULT_TIMEOUT,
        metrics,
    )
}

/// Posts the webhook's signed `booking_confirmed` event; B answers for hooky.
async fn accept_one_notification(app: &TestApp, server: &MockServer) {
    mount_b(server, ok_json(&confirmed_answer())).await;
    let res = post_signed(app, HOOK, &webhook::event(), SECRET, now()).await;
    assert_eq!(res.status(), 200);
}

/// Claims the one pending item and dead-letters it with status `410`.
async fn dead_letter_it(outbox: &RedisOutbox) -> jiff::Timestamp {
    let at = jiff::Timestamp::now();
    let claimed = outbox
        .claim_due(at, Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let id = &claimed[0].item.notification_id;
    outbox
        .dead_letter(id, "410", at, Duration::from_secs(3600))
        .await
        .unwrap();
    at
}

/// A timestamp as the admin port renders it (RFC 3339 UTC, milliseconds kept).
fn rendered(t: jiff::Timestamp) -> String {
    jiff::Timestamp::from_millisecond(t.as_millisecond())
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn empty_outbox_lists_are_empty_pages() {
    // Arrange
    let (app, server) = start().await;
    expect_no_12go_call(&server).await;
    for path in [PENDING, DEAD, "/admin/notifications/dead-letters?limit=1"] {
        // Act
        let res = admin_get(&app, path).await;
        // Assert
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), JSON_UTF8);
        assert_eq!(res.text().await.unwrap(), EMPTY_PAGE, "{path}");
    }
}

#[actix_web::test]
async fn an_accepted_webhook_is_listed_pending_without_its_payload() {
    // Arrange
    let (app, server) = start().await;
    let before = jiff::Timestamp::now();
    accept_one_notification(&app, &server).await;
    let after = jiff::Timestamp::now();
    // Act
    let body = ok_body(admin_get(&app, PENDING).await).await;
    let dead = ok_body(admin_get(&app, DEAD).await).await;
    // Assert: due at once (kept to the millisecond), received at full precision.
    let received = body["items"][0]["received_at"].as_str().unwrap().to_owned();
    let t: jiff::Timestamp = received.parse().unwrap();
    assert!(before <= t && t <= after, "{received}");
    assert_eq!(
        body,
        json!({"items": [{
            "notification_id": notification_id(), "client_id": "hooky", "bid": BID,
            "attempts": 0, "due_at": rendered(t), "last_status": null, "received_at": received
        }], "next_cursor": null})
    );
    assert_eq!(dead, json!({"items": [], "next_cursor": null}));
}

#[actix_web::test]
async fn requeue_of_an_unknown_dead_letter_is_404_not_found() {
    // Arrange
    let (app, server) = start().await;
    accept_one_notification(&app, &server).await;
    // A pending notification is not a dead letter either.
    for (i, id) in ["nope".to_string(), notification_id()].iter().enumerate() {
        let corr = format!("requeue-404-{i}");
        // Act
        let res = admin(
            &app,
            reqwest::Method::POST,
            &requeue_path(id),
            &[("x-correlation-id", &corr)],
        )
        .await;
        // Assert
        let expected = error_body("not_found", "No such dead letter.", &[], &corr);
        assert_error(res, 404, expected).await;
    }
    let pending = ok_body(admin_get(&app, PENDING).await).await;
    assert_eq!(pending["items"][0]["attempts"], 0);
}

#[actix_web::test]
async fn requeue_all_with_no_dead_letters_requeues_0() {
    // Arrange
    let (app, _server) = start().await;
    // Act
    let res = admin_post(&app, REQUEUE_ALL).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(res.text().await.unwrap(), r#"{"requeued":0}"#);
}

#[actix_web::test]
async fn a_bad_limit_is_400_invalid_parameter_in_the_error_body() {
    // Arrange
    let (app, _server) = start().await;
    let cases = [
        format!("{PENDING}?limit=abc"),
        format!("{DEAD}?limit=abc"),
        format!("{DEAD}?limit=0"),
        format!("{DEAD}?limit=1001"),
        format!("{DEAD}?limit=-5&cursor=x"),
    ];
    for (i, path) in cases.iter().enumerate() {
        let corr = format!("bad-limit-{i}");
        // Act
        let res = admin(
            &app,
            reqwest::Method::GET,
            path,
            &[("x-correlation-id", &corr)],
        )
        .await;
        // Assert
        let expected = error_body(
            "invalid_parameter",
            "Some parameters are invalid.",
            &[("limit", "Must be an integer from 1 to 1000.")],
            &corr,
        );
        assert_error(res, 400, expected).await;
    }
}

#[actix_web::test]
async fn wrong_methods_are_405_with_allow() {
    // Arrange
    let (app, _server) = start().await;
    let cases = [
        (reqwest::Method::POST, DEAD.to_string(), "GET"),
        (reqwest::Method::GET, REQUEUE_ALL.to_string(), "POST"),
        (reqwest::Method::DELETE, requeue_path("x"), "POST"),
    ];
    for (i, (m, path, allow)) in cases.into_iter().enumerate() {
        let corr = format!("admin-405-{i}");
        // Act
        let res = admin(&app, m, &path, &[("x-correlation-id", &corr)]).await;
        // Assert
        assert_eq!(header(&res, "allow"), allow, "{path}");
        let expected = error_body(
            "method_not_allowed",
            "Method not allowed on this route.",
            &[],
            &corr,
        );
        assert_error(res, 405, expected).await;
    }
}

#[actix_web::test]
async fn with_an_admin_token_the_outbox_routes_need_the_bearer() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go_and(&webhook::registry(), |s| {
        s.admin_token = Some(SecretString::from(TOKEN.to_owned()))
    })
    .await;
    let bearer = format!("Bearer {TOKEN}");
    let wrong = format!("Bearer {TOKEN}x");
    let routes = [
        (reqwest::Method::GET, PENDING.to_string()),
        (reqwest::Method::GET, DEAD.to_string()),
        (reqwest::Method::POST, REQUEUE_ALL.to_string()),
        (reqwest::Method::POST, requeue_path("nope")),
    ];
    for (i, (m, path)) in routes.iter().enumerate() {
        for (j, auth) in [None, Some(wrong.as_str()), Some(TOKEN)]
            .into_iter()
            .enumerate()
        {
            let corr = format!("outbox-401-{i}-{j}");
            let mut headers = vec![("x-correlation-id", corr.as_str())];
            headers.extend(auth.map(|a| ("authorization", a)));
            // Act
            let res = admin(&app, m.clone(), path, &headers).await;
            // Assert
            let expected = error_body(
                "unauthorized",
                "Missing or invalid admin token.",
                &[],
                &corr,
            );
            assert_error(res, 401, expected).await;
        }
    }
    // Act: the right bearer
    let auth = [("authorization", bearer.as_str())];
    let pending = admin(&app, reqwest::Method::GET, PENDING, &auth).await;
    let dead = admin(&app, reqwest::Method::GET, DEAD, &auth).await;
    let all = admin(&app, reqwest::Method::POST, REQUEUE_ALL, &auth).await;
    let one = admin(&app, reqwest::Method::POST, &requeue_path("nope"), &auth).await;
    // Assert
    assert_eq!(pending.text().await.unwrap(), EMPTY_PAGE);
    assert_eq!(dead.text().await.unwrap(), EMPTY_PAGE);
    assert_eq!(all.text().await.unwrap(), r#"{"requeued":0}"#);
    assert_eq!(one.status(), 404);
}

#[actix_web::test]
async fn a_dead_letter_is_listed_then_requeued_by_id_with_attempts_reset() {
    // Arrange
    let redis = RedisServer::start();
    let (app, server) = start_on(&redis).await;
    accept_one_notification(&app, &server).await;
    let outbox = outbox_of(&redis);
    let received = ok_body(admin_get(&app, PENDING).await).await["items"][0]["received_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let dead_at = rendered(dead_letter_it(&outbox).await);
    let leased_until = rendered(
        jiff::Timestamp::from_millisecond(
            dead_at.parse::<jiff::Timestamp>().unwrap().as_millisecond() + 30_000,
        )
        .unwrap(),
    );
    let id = notification_id();

    // Act
    let listed = ok_body(admin_get(&app, DEAD).await).await;
    let before = jiff::Timestamp::now();
    let requeued = ok_body(admin_post(&app, &requeue_path(&id)).await).await;
    let after = jiff::Timestamp::now();
    let pending = ok_body(admin_get(&app, PENDING).await).await;
    let dead = ok_body(admin_get(&app, DEAD).await).await;
    let again = admin_post(&app, &requeue_path(&id)).await;

    // Assert
    assert_eq!(
        listed,
        json!({"items": [{
            "notification_id": id, "client_id": "hooky", "bid": BID, "attempts": 1,
            "due_at": leased_until, "last_status": "410", "received_at": received,
            "dead_at": dead_at
        }], "next_cursor": null})
    );
    assert_eq!(requeued, json!({"requeued": 1}));
    let due = pending["items"][0]["due_at"].as_str().unwrap().to_owned();
    let due_t: jiff::Timestamp = due.parse().unwrap();
    assert!(
        before.as_millisecond() <= due_t.as_millisecond() && due_t <= after,
        "due now: {due}"
    );
    assert_eq!(
        pending,
        json!({"items": [{
            "notification_id": id, "client_id": "hooky", "bid": BID, "attempts": 0,
            "due_at": due, "last_status": "410", "received_at": received
        }], "next_cursor": null})
    );
    assert_eq!(dead, json!({"items": [], "next_cursor": null}));
    assert_eq!(again.status(), 404);
    assert_eq!(outbox.counts().await.unwrap(), (1, 0));
}

#[actix_web::test]
async fn requeue_all_re_drives_every_dead_letter() {
    // Arrange
    let redis = RedisServer::start();
    let (app, server) = start_on(&redis).await;
    accept_one_notification(&app, &server).await;
    let outbox = outbox_of(&redis);
    dead_letter_it(&outbox).await;
    assert_eq!(outbox.counts().await.unwrap(), (0, 1));

    // Act
    let first = ok_body(admin_post(&app, REQUEUE_ALL).await).await;
    let second = ok_body(admin_post(&app, REQUEUE_ALL).await).await;

    // Assert
    assert_eq!(first, json!({"requeued": 1}));
    assert_eq!(second, json!({"requeued": 0}));
    let pending = ok_body(admin_get(&app, PENDING).await).await;
    assert_eq!(pending["items"][0]["notification_id"], notification_id());
    assert_eq!(pending["items"][0]["attempts"], 0);
    assert_eq!(outbox.counts().await.unwrap(), (1, 0));
}
