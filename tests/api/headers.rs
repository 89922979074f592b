//! Correlation, echoed and version headers (00 §5, §6).

use wiremock::matchers::{header as header_is, method, path};
use wiremock::{Mock, MockServer};

use crate::common::TestApp;
use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, header, ok_json, search_3_to_4,
    spawn_with_fake_12go, spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path,
    ACME_KEY, JSON_UTF8, LATEST_VERSION, TRIP_KEY,
};

/// A fake 12go answering 3→4 with one trip.
async fn answering_fake() -> (TestApp, MockServer) {
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .mount(&server)
        .await;
    (app, server)
}

fn assert_uuid_v4(value: &str) {
    let id = uuid::Uuid::parse_str(value).unwrap_or_else(|_| panic!("{value} is not a UUID"));
    assert_eq!(id.get_version_num(), 4, "{value}");
}

#[actix_web::test]
async fn a_uuid_correlation_id_is_generated_when_absent() {
    // Arrange
    let (app, _server) = answering_fake().await;
    // Act
    let res = app.get(&search_3_to_4(), &[("x-api-key", ACME_KEY)]).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_uuid_v4(&header(&res, "x-correlation-id"));
}

#[actix_web::test]
async fn the_given_correlation_id_is_echoed_and_sent_to_12go_as_a_header_only() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .and(header_is("x-correlation-id", "Corr-42=="))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[("x-api-key", ACME_KEY), ("X-Correlation-ID", "Corr-42==")],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-correlation-id"), "Corr-42==");
    server.verify().await;
    let req = &server.received_requests().await.unwrap()[0];
    let names: Vec<String> = req.url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["seats", "direct", "k"]);
    assert!(!req.url.as_str().contains("Corr-42"), "{}", req.url);
}

#[actix_web::test]
async fn an_invalid_correlation_id_is_rejected_with_a_fresh_one() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[("x-api-key", ACME_KEY), ("x-correlation-id", "bad id!")],
        )
        .await;
    // Assert
    let generated = header(&res, "x-correlation-id");
    assert_uuid_v4(&generated);
    assert_error(
        res,
        400,
        error_body(
            "invalid_parameter",
            "Some parameters are invalid.",
            &[(
                "header.x-correlation-id",
                "Must be 1 to 100 letters, digits, '-' or '='.",
            )],
            &generated,
        ),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn a_correlation_id_of_101_characters_is_rejected() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    let long = "a".repeat(101);
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[("x-api-key", ACME_KEY), ("x-correlation-id", &long)],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "header.x-correlation-id");
    server.verify().await;
}

#[actix_web::test]
async fn experiment_and_request_id_headers_are_echoed() {
    // Arrange
    let (app, _server) = answering_fake().await;
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[
                ("x-api-key", ACME_KEY),
                ("x-api-experiment", "exp-b"),
                ("X-Request-Id", "req-7"),
            ],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-api-experiment"), "exp-b");
    assert_eq!(header(&res, "x-request-id"), "req-7");
}

#[actix_web::test]
async fn experiment_and_request_id_headers_are_echoed_on_errors_too() {
    // Arrange
    let (app, _server) = spawn_with_fake_12go().await;
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[("x-api-experiment", "exp-b"), ("X-Request-Id", "req-7")],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "x-api-experiment"), "exp-b");
    assert_eq!(header(&res, "x-request-id"), "req-7");
}

#[actix_web::test]
async fn a_search_without_a_version_header_answers_in_the_latest_version() {
    // Arrange
    let (app, _server) = answering_fake().await;
    // Act
    let res = app.get(&search_3_to_4(), &[("x-api-key", ACME_KEY)]).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "travelier-version"), LATEST_VERSION);
    assert!(res.headers().get("deprecation").is_none());
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
}

#[actix_web::test]
async fn the_supported_version_is_accepted_under_either_header_name() {
    // Arrange
    let (app, _server) = answering_fake().await;
    // Act
    let primary = app
        .get(
            &search_3_to_4(),
            &[
                ("x-api-key", ACME_KEY),
                ("Travelier-Version", LATEST_VERSION),
            ],
        )
        .await;
    let alternate = app
        .get(
            &search_3_to_4(),
            &[
                ("x-api-key", ACME_KEY),
                ("X-Travelier-Version", LATEST_VERSION),
            ],
        )
        .await;
    // Assert
    assert_eq!(primary.status(), 200);
    assert_eq!(header(&primary, "travelier-version"), LATEST_VERSION);
    assert_eq!(alternate.status(), 200);
    assert_eq!(header(&alternate, "travelier-version"), LATEST_VERSION);
}

/// Searches with the given version headers and asserts the 400 `code` body.
async fn assert_version_error(
    versions: &[(&str, &str)],
    code: &str,
    message: &str,
    field_msg: &str,
) {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    let mut headers = vec![("x-api-key", ACME_KEY), ("x-correlation-id", "ver-1")];
    headers.extend_from_slice(versions);
    // Act
    let res = app.get(&search_3_to_4(), &headers).await;
    // Assert
    assert_error(
        res,
        400,
        error_body(
            code,
            message,
            &[("header.travelier-version", field_msg)],
            "ver-1",
        ),
    )
    .await;
    server.verify().await;
}

const MALFORMED: &str = "The version header is malformed.";
const MALFORMED_FIELD: &str = "Must be a date YYYY-MM-DD; both headers must agree.";

#[actix_web::test]
async fn a_malformed_version_is_rejected_as_invalid_version() {
    assert_version_error(
        &[("Travelier-Version", "2023-7-1")],
        "invalid_version",
        MALFORMED,
        MALFORMED_FIELD,
    )
    .await;
}

#[actix_web::test]
async fn an_impossible_version_date_is_rejected_as_invalid_version() {
    assert_version_error(
        &[("Travelier-Version", "2023-02-30")],
        "invalid_version",
        MALFORMED,
        MALFORMED_FIELD,
    )
    .await;
}

#[actix_web::test]
async fn a_well_formed_unknown_version_is_rejected_as_unsupported_version() {
    assert_version_error(
        &[("Travelier-Version", "2021-01-01")],
        "unsupported_version",
        "This API version is not supported.",
        "Not a supported version.",
    )
    .await;
}

#[actix_web::test]
async fn differing_version_headers_are_rejected_as_invalid_version() {
    assert_version_error(
        &[
            ("Travelier-Version", LATEST_VERSION),
            ("X-Travelier-Version", "2022-01-01"),
        ],
        "invalid_version",
        MALFORMED,
        MALFORMED_FIELD,
    )
    .await;
}

#[actix_web::test]
async fn a_deprecated_version_is_echoed_with_its_deprecation_date() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.api_versions = "2023-07-01,2022-01-01:2023-07-01".into();
    })
    .await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .mount(&server)
        .await;
    // Act
    let res = app
        .get(
            &search_3_to_4(),
            &[("x-api-key", ACME_KEY), ("Travelier-Version", "2022-01-01")],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "travelier-version"), "2022-01-01");
    assert_eq!(header(&res, "deprecation"), "2023-07-01");
}

#[actix_web::test]
async fn a_deprecated_version_gets_its_headers_on_errors_after_the_version_check() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.api_versions = "2023-07-01,2022-01-01:2023-07-01".into();
    })
    .await;
    expect_no_12go_call(&server).await;
    // Act
    let res = app
        .get(
            "/v1/acme/itineraries?departures[]=3&arrivals[]=4&pax=1",
            &[("x-api-key", ACME_KEY), ("Travelier-Version", "2022-01-01")],
        )
        .await;
    // Assert
    assert_eq!(res.status(), 400);
    assert_eq!(header(&res, "travelier-version"), "2022-01-01");
    assert_eq!(header(&res, "deprecation"), "2023-07-01");
    server.verify().await;
}
