//! Routing (00 §2): unknown routes, methods, the `/v1` prefix and `BASE_PATH`.
//! These run on the embedded sandbox with the built-in client `demo`.

use crate::common::future_date;
use crate::helpers::{assert_error, error_body, header, spawn_sandbox_and};

const NOT_FOUND: &str = "No such route.";

fn demo_search(prefix: &str) -> String {
    format!(
        "{prefix}/demo/itineraries?departures[]=3&arrivals[]=4&departure_date={}&pax=1",
        future_date()
    )
}

async fn assert_not_found(base_path: &str, path: &str) {
    // Arrange
    let app = spawn_sandbox_and(|s| s.base_path = base_path.into()).await;
    // Act
    let res = app
        .get(
            path,
            &[("x-api-key", "demo-key"), ("x-correlation-id", "route-1")],
        )
        .await;
    // Assert
    assert_error(res, 404, error_body("not_found", NOT_FOUND, &[], "route-1")).await;
}

#[actix_web::test]
async fn an_unknown_path_answers_404_not_found() {
    assert_not_found("", "/no/such/route").await;
}

#[actix_web::test]
async fn a_version_other_than_v1_answers_404() {
    assert_not_found("", &demo_search("/v2")).await;
}

#[actix_web::test]
async fn search_is_not_served_without_the_v1_prefix() {
    assert_not_found("", &demo_search("")).await;
}

#[actix_web::test]
async fn an_unknown_path_with_an_invalid_correlation_id_answers_404() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    // Act
    let res = app
        .get("/no/such/route", &[("x-correlation-id", "bad id!")])
        .await;
    // Assert
    assert_eq!(res.status(), 404);
    let generated = header(&res, "x-correlation-id");
    assert_error(
        res,
        404,
        error_body("not_found", NOT_FOUND, &[], &generated),
    )
    .await;
}

#[actix_web::test]
async fn post_on_the_search_route_answers_405_with_allow_get() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    // Act
    let res = app
        .client
        .post(app.url(&demo_search("/v1")))
        .header("x-api-key", "demo-key")
        .header("x-correlation-id", "route-405")
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(header(&res, "allow"), "GET");
    assert_error(
        res,
        405,
        error_body(
            "method_not_allowed",
            "Method not allowed on this route.",
            &[],
            "route-405",
        ),
    )
    .await;
}

#[actix_web::test]
async fn the_sandbox_answers_a_station_search_with_200() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    // Act
    let res = app
        .get(&demo_search("/v1"), &[("x-api-key", "demo-key")])
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(!body["itineraries"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_percent_encoded_client_id_is_decoded_and_answers_as_the_plain_one() {
    // Arrange: `%64` is `d`; actix decodes the segment, the direct search route
    // leaves such a path to it.
    let app = spawn_sandbox_and(|_| {}).await;
    let plain = demo_search("/v1");
    let encoded = plain.replacen("/demo/", "/%64emo/", 1);
    // Act
    let a = app.get(&plain, &[("x-api-key", "demo-key")]).await;
    let b = app.get(&encoded, &[("x-api-key", "demo-key")]).await;
    // Assert
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a: serde_json::Value = a.json().await.unwrap();
    let b: serde_json::Value = b.json().await.unwrap();
    assert!(!a["itineraries"].as_array().unwrap().is_empty());
    assert_eq!(a["itineraries"], b["itineraries"]);
}

#[actix_web::test]
async fn the_sandbox_answers_206_for_a_route_with_a_recheck() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    let path = format!(
        "/v1/demo/itineraries?departures[]=3&arrival_poi=44&departure_date={}&pax=1",
        future_date()
    );
    // Act
    let res = app.get(&path, &[("x-api-key", "demo-key")]).await;
    // Assert
    assert_eq!(res.status(), 206);
}

#[actix_web::test]
async fn base_path_prefixes_client_and_service_routes() {
    // Arrange
    let app = spawn_sandbox_and(|s| s.base_path = "/api".into()).await;
    // Act
    let search = app
        .get(&demo_search("/api/v1"), &[("x-api-key", "demo-key")])
        .await;
    let health = app.get("/api/health", &[]).await;
    // Assert
    assert_eq!(search.status(), 200);
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);
}

#[actix_web::test]
async fn base_path_leaves_the_unprefixed_search_path_unserved() {
    assert_not_found("/api", &demo_search("/v1")).await;
}

#[actix_web::test]
async fn base_path_leaves_the_unprefixed_health_path_unserved() {
    assert_not_found("/api", "/health").await;
}
