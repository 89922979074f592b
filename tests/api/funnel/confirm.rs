//! ConfirmBooking (20 §5): B pre-check → C (at most once) → B.

use serde_json::{json, Value};

use super::fixtures::*;
use crate::helpers::{header, ok_json, JSON_UTF8};

/// B answering `reserved` once (the pre-check), then `after`.
async fn mount_b_reserved_then(f: &Funnel, after: &Value) {
    mount_first_n(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
        1,
    )
    .await;
    mount(&f.server, "GET", &booking_path(), ok_json(after)).await;
}

#[actix_web::test]
async fn confirm_reads_b_sends_c_once_and_answers_the_approved_booking() {
    // Arrange
    let f = Funnel::start().await;
    mount_b_reserved_then(&f, &confirmed_answer()).await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f.confirm("cf-ok").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL))
    );
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 2);
    let reqs = f.server.received_requests().await.unwrap();
    let c = reqs
        .iter()
        .find(|r| r.url.path() == confirm_path())
        .unwrap();
    assert!(c.body.is_empty(), "C is sent with an empty body");
}

#[actix_web::test]
async fn a_pending_product_answers_200_pending_without_voucher() {
    // Arrange
    let f = Funnel::start().await;
    mount_b_reserved_then(&f, &booking_answer("pending", "TRK-7QX2", TICKET_URL)).await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f.confirm("cf-pending").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        expected_booking("pending", json!("TRK-7QX2"), Value::Null)
    );
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn the_whole_funnel_from_itinerary_to_approved_booking() {
    // Arrange
    let f = Funnel::start().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    mount_first_n(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
        2,
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
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act: GetItinerary → SeatLock → CreateBooking → ConfirmBooking
    let token = f.token().await;
    let lock = f
        .post(
            "/v1/acme/bookings/lock_seats",
            &json!({"booking_token": token, "booking_data": {"seat_selection": ["1A", "1B"]}}),
            "fun-lock",
        )
        .await;
    assert_eq!(lock.status(), 200);
    let created = f.create(&booking_request(&token), "fun-create").await;
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let confirmed = f
        .post_raw(
            &format!("/v1/acme/bookings/{id}/confirm"),
            "{}",
            "fun-confirm",
        )
        .await;
    // Assert
    assert_eq!(created, expected_reserved());
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(
        confirmed,
        expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL))
    );
    assert_eq!(f.calls("GET", &trip_path()).await, 1);
    assert_eq!(f.calls("POST", &cart_path()).await, 1);
    assert_eq!(f.calls("GET", &checkout_path()).await, 3);
    assert_eq!(f.reserve_calls().await, 1);
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 3);
}

#[actix_web::test]
async fn confirming_an_approved_booking_is_409_already_confirmed_without_c() {
    // Arrange
    let f = Funnel::start().await;
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
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f.confirm("cf-409").await;
    // Assert
    assert_code(res, 409, "already_confirmed").await;
    assert_eq!(f.confirm_calls().await, 0);
}

#[actix_web::test]
async fn confirming_a_cancelled_booking_is_422_booking_cancelled_without_c() {
    // Arrange
    let f = Funnel::start().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&booking_answer("cancelled", "", "")),
    )
    .await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f.confirm("cf-cancel").await;
    // Assert
    assert_code(res, 422, "booking_cancelled").await;
    assert_eq!(f.confirm_calls().await, 0);
}

#[actix_web::test]
async fn confirming_a_booking_12go_does_not_know_is_404_booking_not_found() {
    // Arrange
    let f = Funnel::start().await;
    mount(&f.server, "GET", &booking_path(), twelvego_error(404, "{}")).await;
    // Act
    let res = f.confirm("cf-404").await;
    // Assert
    assert_code(res, 404, "booking_not_found").await;
    assert_eq!(f.confirm_calls().await, 0);
}

#[actix_web::test]
async fn an_unresolvable_booking_id_is_404_booking_not_found_without_12go_calls() {
    // Arrange
    let f = Funnel::start().await;
    for id in ["XYXZ4Yabcdef", "abc%21def", "12345678901234567890123"] {
        // Act
        let res = f
            .post_raw(&format!("/v1/acme/bookings/{id}/confirm"), "", "cf-unres")
            .await;
        // Assert
        assert_code(res, 404, "booking_not_found").await;
    }
    assert_eq!(f.calls("GET", &booking_path()).await, 0);
    assert!(f.server.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn a_c_rejected_with_400_is_422_upstream_rejected_and_not_resent() {
    // Arrange
    let f = Funnel::start().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        twelvego_error(400, r#"{"messages":["Cannot confirm"]}"#),
    )
    .await;
    // Act
    let res = f.confirm("cf-400").await;
    // Assert
    assert_code(res, 422, "upstream_rejected").await;
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn confirm_on_the_alias_path_answers_the_id_as_sent() {
    // Arrange
    let f = Funnel::start().await;
    mount_b_reserved_then(&f, &confirmed_answer()).await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // A previous-platform KLV id carrying the bid (30 §1).
    let klv = "0102V10204C1230308onetwogo0408876543210504acme";
    // Act
    let res = f
        .post_raw(&format!("/acme/bookings/{klv}/confirm"), "", "cf-alias")
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let mut want = expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL));
    want["id"] = json!(klv);
    assert_eq!(body, want);
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn a_relative_ticket_url_is_resolved_against_the_12go_host() {
    // Arrange
    let f = Funnel::start().await;
    mount_b_reserved_then(
        &f,
        &booking_answer("confirmed", "TRK-7QX2", "/tickets/87654321.pdf"),
    )
    .await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f.confirm("cf-rel").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["voucher_url"],
        json!(format!("{}/tickets/87654321.pdf", f.server.uri()))
    );
}

#[actix_web::test]
async fn a_confirm_body_that_is_not_json_is_ignored() {
    // Arrange
    let f = Funnel::start().await;
    mount_b_reserved_then(&f, &confirmed_answer()).await;
    mount(
        &f.server,
        "POST",
        &confirm_path(),
        ok_json(&json!({"bid": 87654321})),
    )
    .await;
    // Act
    let res = f
        .post_raw(
            &format!("/v1/acme/bookings/{BID}/confirm"),
            "whatever",
            "cf-body",
        )
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(f.confirm_calls().await, 1);
}
