//! Circuit breaker (00 §12), per-client rate limits (40 §6), slow clients and
//! `/admin/stats` (40 §5).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{self, future_date};
use crate::helpers::{
    assert_error, error_body, get_as_acme, header, ok_json, search_3_to_4, spawn_sandbox_and,
    spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path, TRIP_KEY,
};

const UPSTREAM_ERROR: &str = "The travel platform failed to answer.";

#[actix_web::test]
async fn after_five_failed_searches_the_breaker_answers_503_without_calling_12go() {
    // Arrange: a 500 is not retried, and a 500 ms deadline leaves no time to re-poll,
    // so each search makes exactly one 12go call.
    let (app, server) = spawn_with_fake_12go_and("", |s| s.request_timeout_ms = 500).await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ResponseTemplate::new(500))
        .expect(5)
        .mount(&server)
        .await;
    for i in 0..5 {
        let c = format!("brk-{i}");
        let res = get_as_acme(&app, &search_3_to_4(), &c).await;
        assert_error(
            res,
            502,
            error_body("upstream_error", UPSTREAM_ERROR, &[], &c),
        )
        .await;
    }
    // Act
    let sixth = get_as_acme(&app, &search_3_to_4(), "brk-6").await;
    let stats = app
        .client
        .get(app.admin_url("/admin/stats"))
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(header(&sixth, "retry-after"), "30");
    assert_error(
        sixth,
        503,
        error_body(
            "upstream_unavailable",
            "The travel platform is unavailable; retry later.",
            &[],
            "brk-6",
        ),
    )
    .await;
    server.verify().await;
    assert_eq!(stats.status(), 200);
    let mut body: Value = stats.json().await.unwrap();
    let opened_at = body["breaker"]["opened_at"].take();
    assert!(opened_at
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .is_ok());
    let retry = body["breaker"]["retry_after_secs"].take().as_u64().unwrap();
    assert!((29..=30).contains(&retry), "{retry}");
    assert_eq!(
        body,
        json!({
            "in_flight": 0,
            "max_in_flight": 1024,
            "open_connections": 1,
            "breaker": {"state": "open", "consecutive_failures": 5, "opened_at": null, "retry_after_secs": null},
            "recheck": {"dispatched": 0},
            "master_data": {"enabled": false, "loaded": false, "version": 0, "loaded_at": null,
                "age_seconds": null, "stations": 0, "operating_carriers": 0, "pois": 0,
                "refreshes_ok": 0, "refreshes_failed": 0, "last_failure_at": null, "last_error": null,
                "last_refresh_ms": null, "last_build_ms": null, "cached_lists": 0, "cached_bytes": 0}
        })
    );
}

#[actix_web::test]
async fn stats_are_closed_without_failures_and_not_served_on_the_api_port() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    // Two open API connections: reqwest's (kept alive) and a raw one.
    let _ = app.get("/health", &[]).await;
    let mut raw = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    raw.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let _ = raw.read(&mut buf).await.unwrap();
    // The in-process sandbox's master data is in well before this.
    for _ in 0..100 {
        if app.get("/ready", &[]).await.status() == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Act
    let admin = app
        .client
        .get(app.admin_url("/admin/stats"))
        .send()
        .await
        .unwrap();
    let api = app
        .get("/admin/stats", &[("x-correlation-id", "st-1")])
        .await;
    // Assert
    assert_eq!(admin.status(), 200);
    let mut body: Value = admin.json().await.unwrap();
    let md = &mut body["master_data"];
    for timing in [
        "loaded_at",
        "age_seconds",
        "last_refresh_ms",
        "last_build_ms",
    ] {
        assert!(!md[timing].take().is_null(), "{timing}");
    }
    // The default lists are rendered before the snapshot is served.
    assert!(md["cached_bytes"].take().as_u64().unwrap() > 1000);
    assert_eq!(
        body,
        json!({
            "in_flight": 0,
            "max_in_flight": 1024,
            "open_connections": 2,
            "breaker": {"state": "closed", "consecutive_failures": 0, "retry_after_secs": 0},
            "recheck": {"dispatched": 0},
            "master_data": {"enabled": true, "loaded": true, "version": 1, "loaded_at": null,
                "age_seconds": null, "stations": 32, "operating_carriers": 23, "pois": 12,
                "refreshes_ok": 1, "refreshes_failed": 0, "last_failure_at": null, "last_error": null,
                "last_refresh_ms": null, "last_build_ms": null, "cached_lists": 3, "cached_bytes": null}
        })
    );
    assert_error(
        api,
        404,
        error_body("not_found", "No such route.", &[], "st-1"),
    )
    .await;
}

/// A registry entry for client `beta` with API key `beta-key`.
fn beta_client() -> String {
    let hash = hex::encode(Sha256::digest(b"beta-key"));
    format!(
        "[clients.beta]\nenabled = true\ntwelvego_key_env = \"{}\"\n[[clients.beta.api_keys]]\nid = \"b1\"\nsha256 = \"{hash}\"\n",
        common::TEST_12GO_KEY_VAR
    )
}

#[actix_web::test]
async fn a_client_over_its_search_quota_gets_429_and_others_are_unaffected() {
    // Arrange
    let registry = format!(
        "[clients.acme.rate_limit]\nsearch_per_min = 2\n{}",
        beta_client()
    );
    let (app, server) = spawn_with_fake_12go_and(&registry, |_| {}).await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .expect(3)
        .mount(&server)
        .await;
    let beta_path = format!(
        "/v1/beta/itineraries?departures[]=3&arrivals[]=4&departure_date={}&pax=1",
        future_date()
    );
    // Act
    let first = get_as_acme(&app, &search_3_to_4(), "rl-1").await;
    let second = get_as_acme(&app, &search_3_to_4(), "rl-2").await;
    let third = get_as_acme(&app, &search_3_to_4(), "rl-3").await;
    let beta = app.get(&beta_path, &[("x-api-key", "beta-key")]).await;
    // Assert
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 200);
    let retry: u64 = header(&third, "retry-after").parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_error(
        third,
        429,
        error_body(
            "rate_limited",
            "Too many requests; retry later.",
            &[],
            "rl-3",
        ),
    )
    .await;
    assert_eq!(beta.status(), 200);
    server.verify().await;
}

#[actix_web::test]
async fn a_slow_loris_client_does_not_block_a_one_worker_app_and_is_cut_off() {
    // Arrange: one worker; the request head must arrive within 1 s.
    let app = spawn_sandbox_and(|s| s.header_read_timeout_ms = 1_000).await;
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\n").await.unwrap();
    let (mut rd, mut wr) = slow.into_split();
    let dribble = actix_rt::spawn(async move {
        for b in b"Host: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if wr.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Act
    let started = Instant::now();
    let normal = app.get("/health", &[]).await;
    let normal_took = started.elapsed();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), rd.read_to_end(&mut answer)).await;
    // Assert
    assert_eq!(normal.status(), 200);
    assert!(normal_took < Duration::from_millis(500), "{normal_took:?}");
    assert!(read.is_ok(), "the slow connection was not closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    dribble.abort();
}
