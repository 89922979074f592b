//! The synchronous budget and `incomplete_results` (20 §6).

use serde_json::{json, Value};
use std::time::Duration;

use super::fixtures::*;
use crate::helpers::{assert_error, error_body, header, ok_json};

const BUDGET_MS: u64 = 300;

/// A funnel whose budget is 300 ms, with client `beta` registered.
async fn start() -> Funnel {
    Funnel::start_with(&beta_client(), |s| s.booking_sync_budget_ms = BUDGET_MS).await
}

/// Asserts a 202 with empty body, `Retry-After: 2` and a `Location` starting
/// with `prefix`; returns the location.
async fn assert_accepted(res: reqwest::Response, prefix: &str) -> String {
    assert_eq!(res.status(), 202);
    assert_eq!(header(&res, "retry-after"), "2");
    let loc = location(&res);
    assert!(res.text().await.unwrap().is_empty(), "202 has no body");
    let id = loc
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{loc} does not start with {prefix}"));
    let uuid = uuid::Uuid::parse_str(id).expect("UUID id");
    assert_eq!(uuid.get_version_num(), 4);
    loc
}

#[actix_web::test]
async fn a_create_booking_over_the_budget_answers_202_then_the_poll_gives_the_booking() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 1_500),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    // Act
    let started = std::time::Instant::now();
    let res = f.create(&booking_request(&token), "sp-1").await;
    // Assert
    assert!(
        started.elapsed() < Duration::from_millis(1_200),
        "answered within the budget"
    );
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    let pending = f.get(&loc).await;
    assert_eq!(pending.status(), 202);
    assert_eq!(location(&pending), loc);
    assert_eq!(header(&pending, "retry-after"), "2");
    assert!(pending.text().await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    let done = f.get(&loc).await;
    assert_eq!(done.status(), 200);
    let body: Value = done.json().await.unwrap();
    assert_eq!(body, expected_reserved());
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn a_repeat_while_pending_answers_202_with_the_same_location_and_no_second_r() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 1_500),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    let first = f.create(&booking_request(&token), "sp-rep-1").await;
    let loc = assert_accepted(first, "/v1/acme/incomplete_results/").await;
    // Act
    let again = f.create(&booking_request(&token), "sp-rep-2").await;
    // Assert
    assert_eq!(
        assert_accepted(again, "/v1/acme/incomplete_results/").await,
        loc
    );
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    let after = f.create(&booking_request(&token), "sp-rep-3").await;
    assert_code(after, 409, "already_reserved").await;
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn the_alias_path_gets_a_location_without_v1_and_polls_there() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 1_000),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    // Act
    let res = f
        .post("/acme/bookings", &booking_request(&token), "sp-alias")
        .await;
    // Assert
    let loc = assert_accepted(res, "/acme/incomplete_results/").await;
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let done = f.get(&loc).await;
    assert_eq!(done.status(), 200);
    // The same record is readable under /v1 too.
    let v1 = f.get(&format!("/v1{loc}")).await;
    assert_eq!(v1.status(), 200);
    let body: Value = v1.json().await.unwrap();
    assert_eq!(body, expected_reserved());
}

#[actix_web::test]
async fn a_failed_task_is_polled_as_its_stored_error() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(422, r#"{"fields":{"contact[email]":"Bad"}}"#)
            .set_delay(Duration::from_millis(800)),
    )
    .await;
    let res = f.create(&booking_request(&token), "sp-err").await;
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // Act
    let done = f.get(&loc).await;
    // Assert
    let body = assert_code(done, 422, "validation_failed").await;
    assert_eq!(field_paths(&body), ["booking_data.email"]);
}

#[actix_web::test]
async fn a_confirm_over_the_budget_answers_202_and_a_repeat_gets_the_same_location() {
    // Arrange
    let f = start().await;
    mount_first_n(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
        1,
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&confirmed_answer()),
    )
    .await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        slow_json(&json!({"bid": 87654321}), 1_200),
    )
    .await;
    // Act
    let res = f.confirm("sp-cf-1").await;
    // Assert
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    let again = f.confirm("sp-cf-2").await;
    assert_eq!(
        assert_accepted(again, "/v1/acme/incomplete_results/").await,
        loc
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let done = f.get(&loc).await;
    assert_eq!(done.status(), 200);
    let body: Value = done.json().await.unwrap();
    assert_eq!(
        body,
        expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL))
    );
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn an_unknown_incomplete_results_id_is_404() {
    // Arrange
    let f = start().await;
    let id = uuid::Uuid::new_v4();
    for p in [
        format!("/v1/acme/incomplete_results/{id}"),
        format!("/acme/incomplete_results/{id}"),
        "/v1/acme/incomplete_results/not-a-uuid".to_owned(),
    ] {
        // Act
        let res = f.get_with(&p, "acme-key", "sp-404").await;
        // Assert
        assert_error(
            res,
            404,
            error_body(
                "incomplete_results_not_found",
                "No such pending result.",
                &[],
                "sp-404",
            ),
        )
        .await;
    }
}

#[actix_web::test]
async fn another_clients_incomplete_results_id_is_404() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 800),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    let res = f.create(&booking_request(&token), "sp-other").await;
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    let id = loc.rsplit('/').next().unwrap().to_owned();
    // Act
    let pending = f
        .get_with(
            &format!("/v1/beta/incomplete_results/{id}"),
            "beta-key",
            "sp-b1",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let done = f
        .get_with(
            &format!("/v1/beta/incomplete_results/{id}"),
            "beta-key",
            "sp-b2",
        )
        .await;
    // Assert
    assert_code(pending, 404, "incomplete_results_not_found").await;
    assert_code(done, 404, "incomplete_results_not_found").await;
    assert_eq!(f.get(&loc).await.status(), 200);
}

#[actix_web::test]
async fn within_the_budget_the_answer_is_synchronous() {
    // Arrange
    let f = Funnel::start_with("", |s| s.booking_sync_budget_ms = 2_000).await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 300),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    // Act
    let res = f.create(&booking_request(&token), "sp-sync").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("location").is_none());
}

#[actix_web::test]
async fn a_pending_record_older_than_the_expiry_is_504_incomplete_results_expired() {
    // Arrange
    let f = Funnel::start_with("", |s| {
        s.booking_sync_budget_ms = BUDGET_MS;
        s.incomplete_results_expiry_secs = 1;
    })
    .await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 4_000),
    )
    .await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    let res = f.create(&booking_request(&token), "sp-exp").await;
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    // Act
    let res = f.get_with(&loc, "acme-key", "sp-exp-poll").await;
    // Assert
    assert_error(
        res,
        504,
        error_body(
            "incomplete_results_expired",
            "The pending result expired before it completed.",
            &[],
            "sp-exp-poll",
        ),
    )
    .await;
}

#[actix_web::test]
async fn an_ambiguous_r_after_202_is_polled_as_502_and_blocks_the_token() {
    // Arrange
    let f = start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(500, "{}").set_delay(Duration::from_millis(800)),
    )
    .await;
    let res = f.create(&booking_request(&token), "sp-amb").await;
    let loc = assert_accepted(res, "/v1/acme/incomplete_results/").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // Act
    let polled = f.get(&loc).await;
    let again = f.create(&booking_request(&token), "sp-amb-2").await;
    // Assert
    assert_code(polled, 502, "upstream_error").await;
    assert_code(again, 409, "booking_outcome_unknown").await;
    assert_eq!(f.reserve_calls().await, 1);
}
