//! Booking tokens (20 §8): malformed, tampered, another client's, expired.

use serde_json::{json, Value};

use super::fixtures::*;
use crate::common::TEST_TOKEN_SECRET;
use crate::helpers::{assert_error, error_body};

const INVALID_TOKEN: &str = "The booking token is invalid.";
const TOKEN_GONE: &str = "The booking token has expired or is unknown; call GetItinerary again.";

/// CreateBooking and SeatLock with `token`; both must answer `status` `code`.
async fn assert_both_refuse(f: &Funnel, token: &str, status: u16, code: &str) {
    let res = f.create(&booking_request(token), "tok-c").await;
    assert_code(res, status, code).await;
    let lock = json!({"booking_token": token, "booking_data": {"seat_selection": ["1A", "1B"]}});
    let res = f.post("/v1/acme/seats", &lock, "tok-s").await;
    assert_code(res, status, code).await;
}

#[actix_web::test]
async fn a_token_crafted_per_20_8_with_the_configured_secret_is_accepted() {
    // Arrange
    let f = Funnel::start().await;
    let token = crafted_token("acme");
    let lock = json!({"booking_token": token, "booking_data": {"seat_selection": ["1A", "1B"]}});
    // Act
    let res = f.post("/v1/acme/seats", &lock, "tok-craft").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["total_price"],
        json!({"amount": "934.00", "currency": "THB"})
    );
}

#[actix_web::test]
async fn a_tampered_token_is_400_invalid_booking_token_without_12go_calls() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    let (head, sig) = token.rsplit_once('.').unwrap();
    let (_, payload) = head.split_once('.').unwrap();
    // Another cart in the payload, the original signature.
    let mut claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    claims["k"] = json!("zzzzzzzz");
    let forged = format!(
        "v1.{}.{sig}",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            claims.to_string()
        )
    );
    let before = f.server.received_requests().await.unwrap().len();
    // Act
    let res = f.create(&booking_request(&forged), "tok-tamper").await;
    // Assert
    assert_error(
        res,
        400,
        error_body("invalid_booking_token", INVALID_TOKEN, &[], "tok-tamper"),
    )
    .await;
    assert_eq!(f.server.received_requests().await.unwrap().len(), before);
}

#[actix_web::test]
async fn a_token_signed_with_another_key_is_400_invalid_booking_token() {
    // Arrange
    let f = Funnel::start().await;
    let token = sign_token(
        &token_payload("acme", now_secs() + 3600),
        "some-other-secret-of-at-least-32-bytes!!",
    );
    // Act / Assert
    assert_both_refuse(&f, &token, 400, "invalid_booking_token").await;
}

#[actix_web::test]
async fn malformed_tokens_are_400_invalid_booking_token() {
    // Arrange
    let f = Funnel::start().await;
    let good = crafted_token("acme");
    let (_, sig) = good.rsplit_once('.').unwrap();
    let not_json = sign_token(&json!("just a string"), TEST_TOKEN_SECRET);
    let bad_json = format!(
        "v1.{}.{sig}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "{nope")
    );
    for token in [
        "garbage".to_owned(),
        "".to_owned(),
        good.replacen("v1.", "v2.", 1),
        "v1.!!!.@@@".to_owned(),
        "v1.abc".to_owned(),
        not_json,
        bad_json,
    ] {
        // Act / Assert
        assert_both_refuse(&f, &token, 400, "invalid_booking_token").await;
    }
    assert!(f.server.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn another_clients_token_is_404_booking_token_not_found() {
    // Arrange
    let f = Funnel::start_with(&beta_client(), |_| {}).await;
    let res = f
        .get_with(
            &format!("/v1/beta/itineraries/{}", itinerary_id_2()),
            "beta-key",
            "tok-beta",
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let beta_token = body["itineraries"][0]["booking_token"]
        .as_str()
        .unwrap()
        .to_owned();
    f.mount_reserve_ok().await;
    // Act
    let res = f.create(&booking_request(&beta_token), "tok-other").await;
    // Assert
    assert_error(
        res,
        404,
        error_body("booking_token_not_found", TOKEN_GONE, &[], "tok-other"),
    )
    .await;
    assert_both_refuse(&f, &beta_token, 404, "booking_token_not_found").await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_crafted_token_of_another_client_is_404_booking_token_not_found() {
    // Arrange
    let f = Funnel::start().await;
    // Act / Assert
    assert_both_refuse(&f, &crafted_token("beta"), 404, "booking_token_not_found").await;
}

#[actix_web::test]
async fn an_expired_token_is_404_booking_token_not_found() {
    // Arrange
    let f = Funnel::start_with("", |s| s.booking_token_ttl_secs = 1).await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    // Act / Assert
    assert_both_refuse(&f, &token, 404, "booking_token_not_found").await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_crafted_token_past_its_expiry_is_404_booking_token_not_found() {
    // Arrange
    let f = Funnel::start().await;
    let token = sign_token(&token_payload("acme", now_secs() - 5), TEST_TOKEN_SECRET);
    // Act / Assert
    assert_both_refuse(&f, &token, 404, "booking_token_not_found").await;
}
