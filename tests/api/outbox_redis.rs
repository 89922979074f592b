//! The Redis outbox end to end (30 §8, 40 §9 point 15): a `connect-api`
//! process killed with SIGKILL in the middle of a delivery still delivers after
//! a restart, and two instances sharing Redis deliver each notification once.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, free_port, Proc, TestApp};
use crate::funnel::fixtures::mount_owned_booking;
use crate::funnel::fixtures::BID;
use crate::redis_server::RedisServer;

const KEY_VAR: &str = "CONNECT_TEST_OUTBOX_INBOUND_KEY";
const SIGN_VAR: &str = "CONNECT_TEST_OUTBOX_SIGN";

/// A registry file with client `loop`: shared-key webhooks in, notifications
/// out to `receiver`.
fn registry(receiver: &MockServer) -> String {
    std::env::set_var(KEY_VAR, "inbound-key");
    std::env::set_var(SIGN_VAR, "outbound-secret");
    let hook = format!("{}/hook", receiver.uri());
    common::write_registry(&common::webhook_client(
        "loop",
        KEY_VAR,
        Some((&hook, SIGN_VAR)),
    ))
}

async fn fake_12go() -> MockServer {
    let server = MockServer::start().await;
    mount_owned_booking(&server).await;
    server
}

fn event(stamp: i64) -> String {
    json!({"bid": BID.parse::<i64>().unwrap(), "type": "booking_updated", "stamp": stamp})
        .to_string()
}

async fn post_webhook(client: &reqwest::Client, base: &str, stamp: i64) -> u16 {
    client
        .post(format!("{base}/v1/notifications/onetwogo?client_id=loop"))
        .header("x-webhook-key", "inbound-key")
        .body(event(stamp))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Notification ids the receiver got, in order.
async fn received_ids(receiver: &MockServer) -> Vec<String> {
    receiver
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers["x-travelier-notification-id"]
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn wait_for_calls(receiver: &MockServer, n: usize, within: Duration) {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if receiver.received_requests().await.unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver did not get {n} call(s) within {within:?}");
}

async fn instance(redis: &RedisServer, twelvego: &MockServer, receiver: &MockServer) -> TestApp {
    let mut s = common::test_settings();
    s.clients_file = Some(registry(receiver));
    s.twelvego_base_url = Some(twelvego.uri());
    s.redis_url = Some(redis.url().into());
    s.booking_token_secrets = Some(common::TEST_TOKEN_SECRET.to_owned().into());
    s.master_data_enabled = false;
    s.notify_poll_ms = 50;
    common::spawn_app(s).await
}

#[actix_web::test]
async fn two_instances_sharing_redis_deliver_each_notification_once() {
    // Arrange: a slowish receiver, so claims overlap while attempts run.
    let redis = RedisServer::start();
    let (twelvego, receiver) = (fake_12go().await, MockServer::start().await);
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(100)))
        .mount(&receiver)
        .await;
    let a = instance(&redis, &twelvego, &receiver).await;
    let b = instance(&redis, &twelvego, &receiver).await;
    let client = reqwest::Client::new();
    // Act: 40 distinct notifications, half received by each instance, plus
    // every one redelivered by 12go to the other instance.
    for stamp in 1_800_000_000..1_800_000_040_i64 {
        let (first, second) = if stamp % 2 == 0 { (&a, &b) } else { (&b, &a) };
        assert_eq!(post_webhook(&client, &first.url(""), stamp).await, 200);
        assert_eq!(post_webhook(&client, &second.url(""), stamp).await, 200);
    }
    wait_for_calls(&receiver, 40, Duration::from_secs(20)).await;
    // Any double delivery would land within a few polls.
    tokio::time::sleep(Duration::from_millis(800)).await;
    // Assert
    let ids = received_ids(&receiver).await;
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 40, "double deliveries: {ids:?}");
    assert_eq!(distinct.len(), 40);
}

/// A `connect-api` process on Redis; returns it with its API and admin bases.
fn start_process(
    redis: &RedisServer,
    twelvego: &MockServer,
    registry: &str,
) -> (Proc, String, String) {
    let (port, admin) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("ADMIN_PORT", admin.to_string())
        .env("TWELVEGO_BASE_URL", twelvego.uri())
        .env("CLIENTS_FILE", registry)
        .env("REDIS_URL", redis.url())
        .env("BOOKING_TOKEN_SECRETS", common::TEST_TOKEN_SECRET)
        .env("MASTER_DATA_ENABLED", "false")
        .env("NOTIFY_ATTEMPT_TIMEOUT_MS", "1000")
        .env("NOTIFY_POLL_MS", "100")
        .env(common::OTHER_12GO_KEY_VAR, common::OTHER_12GO_KEY)
        .env(KEY_VAR, "inbound-key")
        .env(SIGN_VAR, "outbound-secret")
        .env("LOG_LEVEL", "warn")
        .env("DD_TRACE_ENABLED", "false")
        .env("DD_METRICS_ENABLED", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (
        Proc(child),
        format!("http://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{admin}"),
    )
}

async fn wait_ready(client: &reqwest::Client, admin: &str) {
    for _ in 0..500 {
        if let Ok(r) = client.get(format!("{admin}/ready")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{admin} never became ready");
}

async fn admin_list(client: &reqwest::Client, admin: &str, which: &str) -> Vec<Value> {
    let body: Value = client
        .get(format!("{admin}/admin/notifications/{which}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["items"].as_array().cloned().unwrap()
}

#[tokio::test]
async fn a_process_killed_mid_delivery_delivers_after_restart() {
    // Arrange: the receiver hangs on the first attempt (the process dies with
    // the attempt in flight and its lease held), then answers 200.
    let redis = RedisServer::start();
    let (twelvego, receiver) = (fake_12go().await, MockServer::start().await);
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(120)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let file = registry(&receiver);
    let client = reqwest::Client::new();
    let (mut first, api, admin) = start_process(&redis, &twelvego, &file);
    wait_ready(&client, &admin).await;
    // Act: accepted, the attempt starts, SIGKILL.
    assert_eq!(post_webhook(&client, &api, 1_800_000_000).await, 200);
    wait_for_calls(&receiver, 1, Duration::from_secs(5)).await;
    first.0.kill().unwrap(); // SIGKILL on unix: no drain, no cleanup
    first.0.wait().unwrap();
    let (_second, _, admin2) = start_process(&redis, &twelvego, &file);
    wait_ready(&client, &admin2).await;
    let pending = admin_list(&client, &admin2, "pending").await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    // The dead process's lease (attempt timeout 1 s + 30 s) runs out, then the
    // new one delivers.
    wait_for_calls(&receiver, 2, Duration::from_secs(45)).await;
    // Assert: the same notification, once more, and nothing left over.
    let id = format!("{BID}-1800000000-booking_updated");
    assert_eq!(received_ids(&receiver).await, vec![id.clone(), id]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(admin_list(&client, &admin2, "pending").await.is_empty());
    assert_eq!(received_ids(&receiver).await.len(), 2);
}
