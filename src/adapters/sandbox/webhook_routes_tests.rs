use crate::adapters::sandbox::funnel_fixtures::*;
use crate::adapters::sandbox::http::configure_shared;
use crate::adapters::sandbox::webhook::{signature, WebhookAuth, WebhookConfig};
use crate::adapters::sandbox::Sandbox;
use crate::domain::secret::Secret;
use crate::ports::twelvego::TripCall;
use actix_web::{test as at, App};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const HOOK: &str = "/v1/notifications/12go";

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn sandbox(server: &MockServer, auth: WebhookAuth) -> Sandbox {
    let mut config = WebhookConfig::new(format!("{}{HOOK}", server.uri()), "default");
    config.clients = vec![(Secret::new("key1"), "acme".into())];
    config.timeout = Duration::from_secs(2);
    Sandbox::default()
        .with_pending_delay(None)
        .with_ticket_delay(None)
        .with_webhooks(config.with_auth(auth))
}

/// The webhook calls received once there are `n` (panics after 10 s).
async fn calls(server: &MockServer, n: usize) -> Vec<Request> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n || Instant::now() > deadline {
            assert_eq!(got.len(), n, "webhook calls received");
            return got;
        }
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
}

fn header(r: &Request, name: &str) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn dt(call: &TripCall) -> String {
    call.departure.strftime("%Y-%m-%d-%H-%M-%S").to_string()
}

/// A → S → R → C over HTTP with 12go key `k`; the bid.
async fn book_and_confirm(sb: &Sandbox, call: &TripCall, k: &str) -> u64 {
    let app = at::init_service(App::new().configure(|c| configure_shared(c, sb.clone()))).await;
    let (key, dt, n) = (&call.trip_key, dt(call), call.seats);
    let req = at::TestRequest::post().uri(&format!("/cart/{key}/{dt}?seats={n}&k={k}"));
    let cart: String = at::call_and_read_body_json(&app, req.to_request()).await;
    let (_, form) = form_and_body(&sb.funnel_checkout(&cart).unwrap(), n);
    let req = at::TestRequest::post()
        .uri(&format!("/reserve/{cart}?k={k}"))
        .set_json(Value::Object(form));
    let r: Value = at::call_and_read_body_json(&app, req.to_request()).await;
    let bid = r["bid"].as_str().unwrap().to_string();
    let req = at::TestRequest::post().uri(&format!("/confirm/{bid}?k={k}"));
    let started = Instant::now();
    let res = at::call_service(&app, req.to_request()).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "C waits for nothing"
    );
    bid.parse().unwrap()
}

/// F with the never-expiring 50 % option over HTTP.
async fn refund(sb: &Sandbox, bid: u64, k: &str) {
    let app = at::init_service(App::new().configure(|c| configure_shared(c, sb.clone()))).await;
    // O in-process: the amount's exact text (`825.00`) is what F wants back.
    let options = sb.funnel_refund_options(&bid.to_string()).unwrap();
    let half = &options.options[3];
    let body = format!(
        r#"{{"hash":"{}","refund_fxcode":"{}","refund_amount":{}}}"#,
        half.hash, half.refund_fxcode, half.refund_amount.raw
    );
    let req = at::TestRequest::post()
        .uri(&format!("/booking/{bid}/refund?k={k}"))
        .insert_header(("content-type", "application/json"))
        .set_payload(body.clone());
    let r: Value = at::call_and_read_body_json(&app, req.to_request()).await;
    assert_eq!(r["success"], json!(true), "{r} {body}");
}

fn assert_signed(r: &Request, secret: &str) {
    let ts: i64 = header(r, "X-Webhook-Timestamp").parse().unwrap();
    assert!((ts - crate::adapters::sandbox::booking::now()).abs() < 60);
    let want = signature(secret, ts, &r.body);
    assert_eq!(header(r, "X-Webhook-Signature"), want);
    assert_eq!(header(r, "X-Webhook-Key"), "");
}

#[actix_web::test]
async fn confirm_and_refund_send_signed_webhooks() {
    let server = receiver(200).await;
    let sb = sandbox(&server, WebhookAuth::Hmac(Secret::new("s3cret")));
    let bid = book_and_confirm(&sb, &find(2, |o, _| instant(o)), "key1").await;
    let got = calls(&server, 1).await;
    let c = body(&got[0]);
    assert_eq!(
        (c["bid"].as_u64(), &c["type"]),
        (Some(bid), &json!("booking_confirmed"))
    );
    assert_eq!(c["new_data"]["status"], "confirmed");
    assert_eq!(c["new_data"]["seats"], 2);
    assert_eq!(c["previous_data"]["status"], "pending_client_confirmation");
    assert_eq!(got[0].url.query(), Some("client_id=acme"));
    assert_signed(&got[0], "s3cret");
    refund(&sb, bid, "key1").await;
    let got = calls(&server, 2).await;
    let f = body(&got[1]);
    assert_eq!(
        (f["bid"].as_u64(), &f["type"]),
        (Some(bid), &json!("booking_canceled"))
    );
    assert_eq!(f["previous_data"]["status"], "confirmed");
    assert_eq!(f["new_data"]["tracker"], c["new_data"]["tracker"]);
    assert_signed(&got[1], "s3cret");
}

#[actix_web::test]
async fn shared_key_and_the_default_client() {
    let server = receiver(200).await;
    let sb = sandbox(&server, WebhookAuth::Key(Secret::new("hook-key")));
    let bid = book_and_confirm(&sb, &find(1, |o, _| instant(o)), "other").await;
    let got = calls(&server, 1).await;
    assert_eq!(body(&got[0])["bid"].as_u64(), Some(bid));
    assert_eq!(got[0].url.query(), Some("client_id=default"));
    assert_eq!(header(&got[0], "X-Webhook-Key"), "hook-key");
    assert_eq!(header(&got[0], "X-Webhook-Signature"), "");
}

#[actix_web::test]
async fn a_failing_receiver_gets_one_retry() {
    let server = receiver(500).await;
    let sb = sandbox(&server, WebhookAuth::None);
    let bid = book_and_confirm(&sb, &find(1, |o, _| instant(o)), "key1").await;
    let got = calls(&server, 2).await;
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(body(&got[1])["bid"].as_u64(), Some(bid));
    actix_rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}
