//! CreateBooking (20 §4): validation, cost check, tokens and idempotency.

use serde_json::{json, Value};

use super::fixtures::*;
use crate::helpers::{assert_error, error_body, header, JSON_UTF8};

#[actix_web::test]
async fn create_booking_sends_the_reserve_body_of_20_11_and_answers_the_reserved_booking() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    // Act
    let res = f.create(&booking_request(&token), "cb-ok").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(header(&res, "x-correlation-id"), "cb-ok");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, expected_reserved());
    assert_eq!(
        bodies(&f.server, "POST", &reserve_path()).await,
        [expected_reserve_body()]
    );
    // S once for GetItinerary and once, fresh, for CreateBooking; then R, then B.
    assert_eq!(f.calls("GET", &checkout_path()).await, 2);
    assert_eq!(f.reserve_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 1);
}

#[actix_web::test]
async fn enum_texts_are_translated_to_12go_values_in_the_reserve_body() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    let pax = &mut req["booking_data"]["passengers"];
    pax[0]["gender"] = json!("male");
    pax[1]["gender"] = json!("Female");
    pax[1]["nationality"] = json!("Thailand");
    pax[0]["baggage_option"] = json!("10 KG");
    // Act
    let res = f.create(&req, "cb-enum").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(
        bodies(&f.server, "POST", &reserve_path()).await,
        [expected_reserve_body()]
    );
}

#[actix_web::test]
async fn every_validation_failure_is_listed_in_one_422_and_nothing_is_reserved() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    let d = &mut req["booking_data"];
    d.as_object_mut().unwrap().remove("email");
    d["mobile_phone"] = json!("0812"); // regexp mismatch
    d["seat_selection"] = json!(["1A", "2A"]); // 2A is booked
    d["passengers"][0]["dob"] = json!("1990-13-45"); // not a date
    d["passengers"][1]
        .as_object_mut()
        .unwrap()
        .remove("first_name");
    d["additional_fields"] = json!({});
    // Act
    let res = f.create(&req, "cb-val").await;
    // Assert
    let body = assert_code(res, 422, "validation_failed").await;
    assert_eq!(
        field_paths(&body),
        [
            "booking_data.additional_fields.points_pickup",
            "booking_data.email",
            "booking_data.mobile_phone",
            "booking_data.passengers[0].dob",
            "booking_data.passengers[1].first_name",
            "booking_data.seat_selection[1]",
        ]
    );
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn select_values_outside_the_option_set_are_422_validation_failed() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    let d = &mut req["booking_data"];
    d["passengers"][0]["gender"] = json!("X");
    d["passengers"][1]["baggage_option"] = json!("50kg");
    d["additional_fields"]["points_pickup"] = json!("nowhere");
    req.as_object_mut().unwrap().remove("total_price");
    // Act
    let res = f.create(&req, "cb-enum-bad").await;
    // Assert (20 §4 step 6: select values in the option set; baggage in the options)
    let body = assert_code(res, 422, "validation_failed").await;
    assert_eq!(
        field_paths(&body),
        [
            "booking_data.additional_fields.points_pickup",
            "booking_data.passengers[0].gender",
            "booking_data.passengers[1].baggage_option",
        ]
    );
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_first_name_breaking_the_12go_regexp_is_422_validation_failed() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["booking_data"]["passengers"][1]["first_name"] = json!("J4ne");
    // Act
    let res = f.create(&req, "cb-re").await;
    // Assert
    let body = assert_code(res, 422, "validation_failed").await;
    assert_eq!(
        field_paths(&body),
        ["booking_data.passengers[1].first_name"]
    );
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_wrong_passenger_count_is_one_field_error_on_passengers() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["booking_data"]["passengers"]
        .as_array_mut()
        .unwrap()
        .pop();
    req["booking_data"]["seat_selection"] = json!(["1A"]);
    req.as_object_mut().unwrap().remove("total_price");
    // Act
    let res = f.create(&req, "cb-count").await;
    // Assert
    let body = assert_code(res, 422, "validation_failed").await;
    // 00 §9: one entry per failing input.
    assert_eq!(field_paths(&body), ["booking_data.passengers"]);
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn more_seats_than_passengers_is_422_on_seat_selection() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["booking_data"]["seat_selection"] = json!(["1A", "1B", "1A"]);
    req.as_object_mut().unwrap().remove("total_price");
    // Act
    let res = f.create(&req, "cb-seats").await;
    // Assert
    let body = assert_code(res, 422, "validation_failed").await;
    assert!(field_paths(&body)
        .iter()
        .all(|p| p.starts_with("booking_data.seat_selection")));
    assert!(!field_paths(&body).is_empty());
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn wrongly_typed_members_are_422_validation_failed_by_path() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    let d = &mut req["booking_data"];
    d["email"] = json!(5);
    d["allow_automatic_seat_selection"] = json!("yes");
    d["passengers"][0]["is_child"] = json!("no");
    d["passengers"][1]["first_name"] = json!(7);
    // Act
    let res = f.create(&req, "cb-types").await;
    // Assert
    let body = assert_code(res, 422, "validation_failed").await;
    assert_eq!(
        field_paths(&body),
        [
            "booking_data.allow_automatic_seat_selection",
            "booking_data.email",
            "booking_data.passengers[0].is_child",
            "booking_data.passengers[1].first_name",
        ]
    );
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_body_without_booking_token_or_booking_data_or_not_json_is_400_invalid_body() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut no_token = booking_request(&token);
    no_token.as_object_mut().unwrap().remove("booking_token");
    let mut no_data = booking_request(&token);
    no_data.as_object_mut().unwrap().remove("booking_data");
    // Act / Assert
    for (i, body) in [
        no_token.to_string(),
        no_data.to_string(),
        "{not json".to_owned(),
        String::new(),
    ]
    .iter()
    .enumerate()
    {
        let res = f
            .post_raw("/v1/acme/bookings", body, &format!("cb-ib-{i}"))
            .await;
        assert_code(res, 400, "invalid_body").await;
    }
    assert_eq!(f.calls("GET", &checkout_path()).await, 1);
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_total_price_different_from_the_estimate_is_422_cost_mismatch_without_reserve() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    // The estimate is 914 + 0 (1A) + 20 (1B) + 200 (10kg) + 0 (none) = 1134.00.
    req["total_price"] = json!({"amount": "1133.99", "currency": "THB"});
    // Act
    let res = f.create(&req, "cb-cost").await;
    // Assert
    assert_error(
        res,
        422,
        error_body(
            "cost_mismatch",
            "total_price differs from the current price of this booking.",
            &[],
            "cb-cost",
        ),
    )
    .await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_total_price_in_another_currency_is_422_cost_mismatch() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["total_price"] = json!({"amount": "1134.00", "currency": "USD"});
    // Act
    let res = f.create(&req, "cb-cur").await;
    // Assert
    assert_code(res, 422, "cost_mismatch").await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_total_price_equal_to_the_estimate_in_lowercase_currency_proceeds() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["total_price"] = json!({"amount": "1134", "currency": "thb"});
    // Act
    let res = f.create(&req, "cb-eq").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn without_total_price_the_cost_check_is_skipped() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req.as_object_mut().unwrap().remove("total_price");
    // Act
    let res = f.create(&req, "cb-nototal").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn the_same_token_used_twice_answers_409_already_reserved_with_location() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let first = f.create(&booking_request(&token), "cb-twice-1").await;
    assert_eq!(first.status(), 200);
    // Act
    let res = f.create(&booking_request(&token), "cb-twice-2").await;
    // Assert
    assert_eq!(location(&res), format!("/v1/acme/bookings/{BID}"));
    let body = assert_code(res, 409, "already_reserved").await;
    assert!(body["message"].as_str().unwrap().contains(BID));
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn the_already_reserved_location_keeps_the_alias_form() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    assert_eq!(
        f.create(&booking_request(&token), "cb-al-1").await.status(),
        200
    );
    // Act
    let res = f
        .post("/acme/bookings", &booking_request(&token), "cb-al-2")
        .await;
    // Assert
    assert_eq!(location(&res), format!("/acme/bookings/{BID}"));
    assert_code(res, 409, "already_reserved").await;
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn two_concurrent_identical_create_bookings_reserve_exactly_once() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        slow_json(&json!({"bid": BID}), 700),
    )
    .await;
    mount(&f.server, "GET", &booking_path(), ok_json_reserved()).await;
    let req = booking_request(&token);
    // Act
    let (a, b) = tokio::join!(f.create(&req, "cb-conc-1"), f.create(&req, "cb-conc-2"));
    // Assert
    let mut answers = Vec::new();
    for res in [a, b] {
        let loc = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let (status, body) = status_and_body(res).await;
        answers.push((status, loc, body));
    }
    answers.sort_by_key(|a| a.0);
    let (ok, other) = (&answers[0], &answers[1]);
    assert_eq!(ok.0, 200, "{answers:?}");
    assert_eq!(ok.2, expected_reserved());
    match other.0 {
        202 => {
            let loc = other.1.as_deref().unwrap();
            assert!(loc.starts_with("/v1/acme/incomplete_results/"), "{loc}");
            assert_eq!(other.2, Value::Null);
        }
        409 => {
            assert_eq!(other.2["code"], "already_reserved");
            assert_eq!(
                other.1.as_deref(),
                Some(format!("/v1/acme/bookings/{BID}").as_str())
            );
        }
        s => panic!("unexpected second answer {s}: {answers:?}"),
    }
    assert_eq!(f.reserve_calls().await, 1);
}

fn ok_json_reserved() -> wiremock::ResponseTemplate {
    crate::helpers::ok_json(&reserved_answer())
}

#[actix_web::test]
async fn after_a_validation_failure_the_same_token_can_be_used_again() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut bad = booking_request(&token);
    bad["booking_data"]["email"] = json!("");
    let first = f.create(&bad, "cb-fix-1").await;
    assert_code(first, 422, "validation_failed").await;
    // Act
    let res = f.create(&booking_request(&token), "cb-fix-2").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn create_booking_on_the_alias_path_behaves_the_same() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    // Act
    let res = f
        .post("/acme/bookings", &booking_request(&token), "cb-alias")
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, expected_reserved());
}

#[actix_web::test]
async fn r_carries_the_correlation_id_and_a_json_content_type() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    // Act
    let res = f.create(&booking_request(&token), "cb-corr-42").await;
    // Assert
    assert_eq!(res.status(), 200);
    let reqs = f.server.received_requests().await.unwrap();
    let r = reqs
        .iter()
        .find(|r| r.url.path() == reserve_path())
        .unwrap();
    let h = |n: &str| r.headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(h("x-correlation-id").as_deref(), Some("cb-corr-42"));
    assert!(h("content-type").unwrap().starts_with("application/json"));
    assert_eq!(r.url.query(), Some("k=test-12go-key"));
}

#[actix_web::test]
async fn unknown_additional_fields_and_upgrades_are_ignored() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    req["booking_data"]["additional_fields"]["no_such_field"] = json!("x");
    req["booking_data"]["upgrades"] = json!({"meal": "veg"});
    // Act
    let res = f.create(&req, "cb-unknown").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(
        bodies(&f.server, "POST", &reserve_path()).await,
        [expected_reserve_body()]
    );
}

#[actix_web::test]
async fn a_12go_price_different_from_the_estimate_is_still_200_with_the_12go_price() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        crate::helpers::ok_json(&json!({"bid": BID})),
    )
    .await;
    let mut b = reserved_answer();
    b["netprice"] = json!({"value": 1200.5, "fxcode": "THB"});
    mount(
        &f.server,
        "GET",
        &booking_path(),
        crate::helpers::ok_json(&b),
    )
    .await;
    // Act
    let res = f.create(&booking_request(&token), "cb-drift").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["total_price"],
        json!({"amount": "1200.50", "currency": "THB"})
    );
}

#[actix_web::test]
async fn country_id_is_sent_when_nationality_is_absent() {
    // Arrange
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let mut req = booking_request(&token);
    let pax1 = req["booking_data"]["passengers"][1]
        .as_object_mut()
        .unwrap();
    pax1.remove("nationality");
    pax1.insert("country_id".into(), json!("TH"));
    // Act
    let res = f.create(&req, "cb-country").await;
    // Assert (20 §11: `passenger[i][country_id]` = nationality if set, else country_id)
    assert_eq!(res.status(), 200);
    assert_eq!(
        bodies(&f.server, "POST", &reserve_path()).await,
        [expected_reserve_body()]
    );
}
