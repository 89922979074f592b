//! `WEBHOOK_ALLOWED_CIDRS` (30 §7 step 3): an authenticated call from outside
//! the list is refused with 401 before any 12go call.

use serde_json::{json, Value};
use wiremock::MockServer;

use crate::common::{self, TestApp};
use crate::funnel::fixtures::mount_owned_booking;
use crate::funnel::fixtures::BID;
use crate::helpers::spawn_with_fake_12go_and;

const KEY_VAR: &str = "CONNECT_TEST_SOURCE_INBOUND_KEY";

async fn start(cidrs: &str) -> (TestApp, MockServer) {
    std::env::set_var(KEY_VAR, "inbound-key");
    let registry = common::webhook_client("src", KEY_VAR, None);
    let cidrs = cidrs.to_owned();
    let (app, server) =
        spawn_with_fake_12go_and(&registry, move |s| s.webhook_allowed_cidrs = Some(cidrs)).await;
    mount_owned_booking(&server).await;
    (app, server)
}

async fn call(app: &TestApp) -> reqwest::Response {
    app.client
        .post(app.url("/v1/notifications/onetwogo?client_id=src"))
        .header("x-webhook-key", "inbound-key")
        .body(json!({"bid": BID.parse::<i64>().unwrap()}).to_string())
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_peer_outside_the_allowlist_gets_401_and_no_12go_call() {
    // Arrange: the test client connects from 127.0.0.1.
    let (app, server) = start("10.0.0.0/8, 192.0.2.1").await;
    // Act
    let res = call(&app).await;
    // Assert
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[actix_web::test]
async fn a_peer_inside_the_allowlist_is_processed() {
    // Arrange
    let (app, server) = start("127.0.0.0/8").await;
    // Act
    let res = call(&app).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
