//! SeatLock (20 §3): both paths and their aliases, validation, and the lock's
//! effect on CreateBooking.

use serde_json::{json, Value};

use super::fixtures::*;
use crate::helpers::{header, JSON_UTF8};

fn lock_body(token: &str, seats: Value) -> Value {
    json!({"booking_token": token, "booking_data": {"seat_selection": seats}})
}

#[actix_web::test]
async fn seat_lock_answers_a_partial_booking_on_all_four_paths() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    for p in [
        "/v1/acme/bookings/lock_seats",
        "/v1/acme/seats",
        "/acme/bookings/lock_seats",
        "/acme/seats",
    ] {
        // Act
        let res = f
            .post(p, &lock_body(&token, json!(["1A", "1B"])), "sl-ok")
            .await;
        // Assert
        assert_eq!(res.status(), 200, "{p}");
        assert_eq!(header(&res, "content-type"), JSON_UTF8);
        let body: Value = res.json().await.unwrap();
        // quote 914 + 1A 0 + 1B 20
        assert_eq!(
            body,
            json!({"passenger_count": 2, "status": "reserved",
                   "total_price": {"amount": "934.00", "currency": "THB"}}),
            "{p}"
        );
    }
    assert_eq!(f.calls("GET", &checkout_path()).await, 5);
}

#[actix_web::test]
async fn a_seat_count_other_than_the_tokens_is_422_on_seat_selection() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    for seats in [json!(["1A"]), json!([])] {
        // Act
        let res = f
            .post("/v1/acme/seats", &lock_body(&token, seats), "sl-count")
            .await;
        // Assert
        let body = assert_code(res, 422, "validation_failed").await;
        assert_eq!(field_paths(&body), ["booking_data.seat_selection"]);
    }
    // Checked before S (step 2 precedes step 3).
    assert_eq!(f.calls("GET", &checkout_path()).await, 1);
}

#[actix_web::test]
async fn an_unavailable_seat_is_422_seats_unavailable_with_one_field_per_seat() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    // Act
    let res = f
        .post(
            "/v1/acme/seats",
            &lock_body(&token, json!(["2A", "9Z"])),
            "sl-unav",
        )
        .await;
    // Assert
    let body = assert_code(res, 422, "seats_unavailable").await;
    assert_eq!(
        field_paths(&body),
        [
            "booking_data.seat_selection[0]",
            "booking_data.seat_selection[1]"
        ]
    );
}

#[actix_web::test]
async fn a_form_without_a_seat_field_is_422_seat_selection_not_supported() {
    // Arrange
    let f = Funnel::start_with_form("", &checkout_form_without_seats(), |_| {}).await;
    let token = f.token().await;
    // Act
    let res = f
        .post(
            "/v1/acme/bookings/lock_seats",
            &lock_body(&token, json!(["1A", "1B"])),
            "sl-ns",
        )
        .await;
    // Assert
    assert_code(res, 422, "seat_selection_not_supported").await;
}

#[actix_web::test]
async fn seat_lock_without_booking_data_is_400_invalid_body() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    // Act
    let res = f
        .post("/v1/acme/seats", &json!({"booking_token": token}), "sl-ib")
        .await;
    // Assert
    assert_code(res, 400, "invalid_body").await;
}

#[actix_web::test]
async fn seat_lock_when_the_cart_is_gone_is_404_booking_token_not_found() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    mount_first(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(404, "{}"),
    )
    .await;
    // Act
    let res = f
        .post(
            "/v1/acme/seats",
            &lock_body(&token, json!(["1A", "1B"])),
            "sl-404",
        )
        .await;
    // Assert
    assert_code(res, 404, "booking_token_not_found").await;
}

#[actix_web::test]
async fn locked_seats_replace_the_seat_selection_of_create_booking() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let res = f
        .post(
            "/v1/acme/seats",
            &lock_body(&token, json!(["1B", "1A"])),
            "sl-use-1",
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut req = booking_request(&token);
    req["booking_data"]["seat_selection"] = json!([]);
    // Act
    let res = f.create(&req, "sl-use-2").await;
    // Assert
    assert_eq!(res.status(), 200);
    let mut want = expected_reserve_body();
    want["selected_seats_T0k"] = json!("1B,1A");
    assert_eq!(bodies(&f.server, "POST", &reserve_path()).await, [want]);
}

#[actix_web::test]
async fn a_repeated_seat_lock_overwrites_the_previous_one() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    for seats in [json!(["1A", "1B"]), json!(["1B", "1A"])] {
        let res = f
            .post("/v1/acme/seats", &lock_body(&token, seats), "sl-ow")
            .await;
        assert_eq!(res.status(), 200);
    }
    // Act
    let res = f.create(&booking_request(&token), "sl-ow-c").await;
    // Assert
    assert_eq!(res.status(), 200);
    let sent = bodies(&f.server, "POST", &reserve_path()).await;
    assert_eq!(sent[0]["selected_seats_T0k"], json!("1B,1A"));
}

#[actix_web::test]
async fn seat_lock_with_an_s_failure_maps_5xx_to_502() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    mount_first(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(500, "{}"),
    )
    .await;
    // Act
    let res = f
        .post(
            "/v1/acme/seats",
            &lock_body(&token, json!(["1A", "1B"])),
            "sl-500",
        )
        .await;
    // Assert
    assert_code(res, 502, "upstream_error").await;
}
