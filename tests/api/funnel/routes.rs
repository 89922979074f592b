//! Funnel routes (00 §1–§2): the alias paths and wrong methods.

use serde_json::Value;

use super::fixtures::*;
use crate::helpers::{assert_error, error_body, header};

#[actix_web::test]
async fn get_itinerary_on_the_alias_path_answers_like_the_v1_path() {
    // Arrange
    let f = Funnel::start().await;
    // Act
    let v1 = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    let alias = f
        .get(&format!("/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!((v1.status().as_u16(), alias.status().as_u16()), (200, 200));
    let mut a: Value = v1.json().await.unwrap();
    let mut b: Value = alias.json().await.unwrap();
    // Tokens carry a fresh nonce; everything else is identical.
    for x in [&mut a, &mut b] {
        let t = x["itineraries"][0]["booking_token"].take();
        assert!(t.as_str().unwrap().starts_with("v1."));
    }
    assert_eq!(a, b);
}

#[actix_web::test]
async fn the_funnel_routes_need_an_api_key() {
    // Arrange
    let f = Funnel::start().await;
    // Act
    let res = f
        .app
        .client
        .post(f.app.url("/v1/acme/bookings"))
        .header("x-correlation-id", "rt-401")
        .body("{}")
        .send()
        .await
        .unwrap();
    // Assert
    assert_error(
        res,
        401,
        error_body("unauthorized", "Missing or invalid API key.", &[], "rt-401"),
    )
    .await;
}

#[actix_web::test]
async fn wrong_methods_on_funnel_routes_are_405_with_allow() {
    // Arrange
    let f = Funnel::start().await;
    let it = format!("/v1/acme/itineraries/{}", itinerary_id_2());
    let cases = [
        ("POST", it.clone(), "GET"),
        ("DELETE", "/v1/acme/bookings".to_owned(), "POST"),
        ("PUT", "/v1/acme/bookings/lock_seats".to_owned(), "POST"),
        ("GET", "/v1/acme/seats".to_owned(), "POST"),
        ("GET", format!("/v1/acme/bookings/{BID}/confirm"), "POST"),
        ("POST", "/v1/acme/incomplete_results/x".to_owned(), "GET"),
        ("DELETE", "/acme/bookings".to_owned(), "POST"),
        (
            "POST",
            format!("/acme/itineraries/{}", itinerary_id_2()),
            "GET",
        ),
    ];
    for (verb, p, allow) in cases {
        // Act
        let res = f
            .app
            .client
            .request(verb.parse().unwrap(), f.app.url(&p))
            .header("x-api-key", "acme-key")
            .header("x-correlation-id", "rt-405")
            .send()
            .await
            .unwrap();
        // Assert
        assert_eq!(res.status(), 405, "{verb} {p}");
        assert_eq!(header(&res, "allow"), allow, "{verb} {p}");
        assert_error(
            res,
            405,
            error_body(
                "method_not_allowed",
                "Method not allowed on this route.",
                &[],
                "rt-405",
            ),
        )
        .await;
    }
    assert!(f.server.received_requests().await.unwrap().is_empty());
}
