//! Service endpoints (40 §4–§5): health, readiness, build info, OpenAPI.

use serde_json::Value;

use crate::common::TestApp;
use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, header, spawn_with_fake_12go, JSON_UTF8,
};

async fn get_url(app: &TestApp, url: String) -> reqwest::Response {
    app.client.get(url).send().await.unwrap()
}

async fn assert_json_text(res: reqwest::Response, expected: &str) {
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(res.text().await.unwrap(), expected);
}

#[actix_web::test]
async fn health_and_ready_answer_on_the_api_port_without_calling_12go() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    // Act
    let health = get_url(&app, app.url("/health")).await;
    let ready = get_url(&app, app.url("/ready")).await;
    // Assert
    assert_json_text(health, r#"{"status":"ok"}"#).await;
    assert_json_text(ready, r#"{"status":"ready"}"#).await;
    server.verify().await;
}

#[actix_web::test]
async fn health_and_ready_answer_on_the_admin_port_without_calling_12go() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    // Act
    let health = get_url(&app, app.admin_url("/health")).await;
    let ready = get_url(&app, app.admin_url("/ready")).await;
    // Assert
    assert_json_text(health, r#"{"status":"ok"}"#).await;
    assert_json_text(ready, r#"{"status":"ready"}"#).await;
    server.verify().await;
}

#[actix_web::test]
async fn build_info_is_on_the_admin_port() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    // Act
    let res = get_url(&app, app.admin_url("/build")).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    let body: Value = res.json().await.unwrap();
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["build_time", "git_sha", "version"]);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["git_sha"].is_string());
    assert!(body["build_time"].is_string());
}

#[actix_web::test]
async fn build_info_is_not_on_the_api_port() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    // Act
    let res = app.get("/build", &[("x-correlation-id", "svc-1")]).await;
    // Assert
    assert_error(
        res,
        404,
        error_body("not_found", "No such route.", &[], "svc-1"),
    )
    .await;
}

fn assert_openapi_document(doc: &Value) {
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["paths"]["/v1/{client_id}/itineraries"]["get"].is_object(),
        "search path missing"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["schemas"]["SearchResult"].is_object());
    for (path, method) in [
        ("/v1/{client_id}/itineraries/{itinerary_id}", "get"),
        ("/v1/{client_id}/bookings/lock_seats", "post"),
        ("/v1/{client_id}/bookings", "post"),
        ("/v1/{client_id}/bookings/{booking_id}/confirm", "post"),
        (
            "/v1/{client_id}/incomplete_results/{incomplete_results_id}",
            "get",
        ),
        ("/v1/{client_id}/bookings/{booking_id}", "get"),
        ("/v1/{client_id}/bookings/{booking_id}/ticket", "get"),
        ("/v1/{client_id}/bookings/{booking_id}/cancel", "post"),
        ("/v1/notifications/{integration}", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["Booking"].is_object());
    let statuses = &doc["paths"]["/v1/{client_id}/bookings"]["post"]["responses"];
    for s in ["200", "202", "409", "422"] {
        assert!(statuses[s].is_object(), "CreateBooking {s} undocumented");
    }
}

#[actix_web::test]
async fn openapi_json_describes_the_search_route_and_its_schemas() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    // Act
    let res = get_url(&app, app.url("/openapi.json")).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("application/json"));
    let doc: Value = res.json().await.unwrap();
    assert_openapi_document(&doc);
    server.verify().await;
}

/// Found by schemathesis (scripts/schemathesis.sh): the pipeline's answers (00 §3)
/// were undocumented on most operations (e.g. 400 `invalid_version` on booking
/// details), and an unknown master-data `{kind}` answered an undocumented 404.
#[actix_web::test]
async fn openapi_json_documents_the_pipeline_answers_on_every_operation() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    // Act
    let doc: Value = get_url(&app, app.url("/openapi.json"))
        .await
        .json()
        .await
        .unwrap();
    // Assert
    let paths = doc["paths"].as_object().unwrap();
    let mut client_ops = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let statuses = &op["responses"];
            assert!(statuses["503"].is_object(), "{method} {path}: 503");
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                client_ops += 1;
                for s in ["400", "401", "429"] {
                    assert!(statuses[s].is_object(), "{method} {path}: {s}");
                }
            }
            if path.contains("{kind}") {
                assert!(statuses["404"].is_object(), "{method} {path}: 404");
            }
        }
    }
    assert_eq!(client_ops, 11);
    assert_eq!(
        doc["paths"]["/v1/{client_id}/bookings/{booking_id}"]["get"]["responses"]["400"]["content"]
            ["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    assert_eq!(
        doc["components"]["schemas"]["ListKind"]["enum"],
        serde_json::json!(["stations", "operating_carriers", "pois"])
    );
}

#[actix_web::test]
async fn openapi_json_is_also_served_on_the_admin_port() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    // Act
    let res = get_url(&app, app.admin_url("/openapi.json")).await;
    // Assert
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert_openapi_document(&doc);
}

/// Answers larger than 16 KiB go to actix in slices (issue 8, peak memory): on one
/// keep-alive connection each still arrives whole, with its `Content-Length` and
/// no chunked encoding.
#[actix_web::test]
async fn a_large_answer_arrives_whole_with_its_length_on_a_kept_alive_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    let url = app.url("/openapi.json");
    let expected = get_url(&app, url.clone()).await.bytes().await.unwrap();
    assert!(expected.len() > 2 * 16 * 1024, "{} bytes", expected.len());
    let authority = url.trim_start_matches("http://").split('/').next().unwrap();
    let mut conn = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!("GET /openapi.json HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    let mut pending: Vec<u8> = Vec::new();
    for _ in 0..2 {
        // Act
        conn.write_all(request.as_bytes()).await.unwrap();
        let head_end = loop {
            if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed before the head");
            pending.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8(pending[..head_end].to_vec())
            .unwrap()
            .to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .expect("content-length")
            .trim()
            .parse()
            .unwrap();
        while pending.len() < head_end + length {
            let mut buf = [0u8; 65536];
            let n = conn.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed mid-body");
            pending.extend_from_slice(&buf[..n]);
        }
        // Assert
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        assert_eq!(length, expected.len());
        assert_eq!(&pending[head_end..head_end + length], &expected[..]);
        pending.drain(..head_end + length);
    }
    assert!(pending.is_empty());
}
