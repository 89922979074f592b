//! 12go answers mapped per 00 §10 and 20 §12; R and C are sent at most once
//! whatever happens, and an unknown outcome blocks the token.

use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use super::fixtures::*;
use crate::helpers::ok_json;

async fn itinerary(f: &Funnel) -> reqwest::Response {
    f.get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await
}

// ------------------------------------------------------------ GetItinerary

#[actix_web::test]
async fn t_404_is_404_itinerary_not_found() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(404, "{}")).await;
    assert_code(itinerary(&f).await, 404, "itinerary_not_found").await;
    assert_eq!(f.calls("POST", &cart_path()).await, 0);
}

#[actix_web::test]
async fn t_trip_no_longer_available_is_422_trip_unavailable() {
    let f = Funnel::start().await;
    mount_first(
        &f.server,
        "GET",
        &trip_path(),
        twelvego_error(400, TRIP_GONE),
    )
    .await;
    assert_code(itinerary(&f).await, 422, "trip_unavailable").await;
}

#[actix_web::test]
async fn a_cart_rejected_with_trip_no_longer_available_is_422_trip_unavailable() {
    let f = Funnel::start().await;
    mount_first(
        &f.server,
        "POST",
        &cart_path(),
        twelvego_error(422, TRIP_GONE),
    )
    .await;
    assert_code(itinerary(&f).await, 422, "trip_unavailable").await;
    assert_eq!(f.calls("POST", &cart_path()).await, 1);
}

#[actix_web::test]
async fn t_401_is_502_upstream_auth_failed() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(401, "{}")).await;
    assert_code(itinerary(&f).await, 502, "upstream_auth_failed").await;
}

#[actix_web::test]
async fn t_400_with_an_empty_object_is_502_upstream_auth_failed() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(400, "{}")).await;
    assert_code(itinerary(&f).await, 502, "upstream_auth_failed").await;
}

#[actix_web::test]
async fn t_500_is_502_upstream_error() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(500, "oops")).await;
    assert_code(itinerary(&f).await, 502, "upstream_error").await;
}

#[actix_web::test]
async fn t_429_is_429_rate_limited_with_retry_after() {
    let f = Funnel::start().await;
    mount_first(
        &f.server,
        "GET",
        &trip_path(),
        twelvego_error(429, "{}").insert_header("retry-after", "7"),
    )
    .await;
    let res = itinerary(&f).await;
    assert_eq!(location_or_none(&res, "retry-after").as_deref(), Some("7"));
    assert_code(res, 429, "rate_limited").await;
}

#[actix_web::test]
async fn a_t_slower_than_the_12go_timeout_is_504_upstream_timeout() {
    let f = Funnel::start_with("", |s| s.twelvego_timeout_ms = 300).await;
    mount_first(
        &f.server,
        "GET",
        &trip_path(),
        slow_json(&trip_answer(), 1_500),
    )
    .await;
    assert_code(itinerary(&f).await, 504, "upstream_timeout").await;
    assert_eq!(f.calls("POST", &cart_path()).await, 0);
}

#[actix_web::test]
async fn s_500_on_get_itinerary_is_502_upstream_error() {
    let f = Funnel::start().await;
    mount_first(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(500, "{}"),
    )
    .await;
    assert_code(itinerary(&f).await, 502, "upstream_error").await;
}

fn location_or_none(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

// ------------------------------------------------------------ CreateBooking: S

#[actix_web::test]
async fn s_bad_trip_details_on_create_is_404_booking_token_not_found_without_r() {
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    let body = r#"{"messages":["Bad"],"data":{"reasons":[{"reason_code":"bad_trip_details","reason_message":"x"}]}}"#;
    mount_first(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(400, body),
    )
    .await;
    let res = f.create(&booking_request(&token), "s-btd").await;
    assert_code(res, 404, "booking_token_not_found").await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn s_404_on_create_is_404_booking_token_not_found_without_r() {
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    mount_first(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(404, "{}"),
    )
    .await;
    let res = f.create(&booking_request(&token), "s-404").await;
    assert_code(res, 404, "booking_token_not_found").await;
    assert_eq!(f.reserve_calls().await, 0);
}

#[actix_web::test]
async fn a_failure_before_r_frees_the_token_for_a_retry() {
    let f = Funnel::start().await;
    let token = f.token().await;
    f.mount_reserve_ok().await;
    mount_first_n(
        &f.server,
        "GET",
        &checkout_path(),
        twelvego_error(500, "{}"),
        1,
    )
    .await;
    let first = f.create(&booking_request(&token), "s-free-1").await;
    assert_code(first, 502, "upstream_error").await;
    let res = f.create(&booking_request(&token), "s-free-2").await;
    assert_eq!(res.status(), 200);
    assert_eq!(f.reserve_calls().await, 1);
}

// ------------------------------------------------------------ CreateBooking: R

#[actix_web::test]
async fn r_422_with_fields_is_422_validation_failed_with_client_paths() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    let body = r#"{"fields":{"passenger[1][id_no]":"Invalid","contact[email]":"Bad","passenger[0][baggage_T0k]":"No","points[T0k][pickup]":"No","selected_seats_T0k":"Taken","something[else]":"x"},"messages":["Invalid data"]}"#;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(422, body),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-422").await;
    let err = assert_code(res, 422, "validation_failed").await;
    assert_eq!(
        field_paths(&err),
        [
            "booking_data.additional_fields.points_pickup",
            "booking_data.email",
            "booking_data.passengers[0].baggage_option",
            "booking_data.passengers[1].id_number",
            "booking_data.seat_selection",
            "something[else]",
        ]
    );
    // Our own messages, never 12go's text.
    let text = err.to_string();
    for leaked in ["Invalid data", "Taken", "\"Bad\""] {
        assert!(!text.contains(leaked), "{leaked} leaked: {text}");
    }
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn after_r_rejected_with_422_the_token_may_be_used_again() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    mount_first_n(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(422, r#"{"fields":{"contact[email]":"Bad"}}"#),
        1,
    )
    .await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    assert_code(
        f.create(&booking_request(&token), "r-fix-1").await,
        422,
        "validation_failed",
    )
    .await;
    let res = f.create(&booking_request(&token), "r-fix-2").await;
    assert_eq!(res.status(), 200);
    assert_eq!(f.reserve_calls().await, 2);
}

#[actix_web::test]
async fn r_trip_no_longer_available_is_422_trip_unavailable() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(400, TRIP_GONE),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-gone").await;
    assert_code(res, 422, "trip_unavailable").await;
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn r_other_400_is_422_upstream_rejected() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(400, r#"{"messages":["Something else"]}"#),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-400").await;
    assert_code(res, 422, "upstream_rejected").await;
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn r_401_is_502_upstream_auth_failed() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(401, "{}"),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-401").await;
    assert_code(res, 502, "upstream_auth_failed").await;
    assert_eq!(f.reserve_calls().await, 1);
}

#[actix_web::test]
async fn r_404_is_404_booking_token_not_found() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(404, "{}"),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-404").await;
    assert_code(res, 404, "booking_token_not_found").await;
    assert_eq!(f.reserve_calls().await, 1);
}

/// R answers `response`; CreateBooking must answer `status code`, and the same
/// token afterwards 409 `booking_outcome_unknown`, with R sent once in total.
async fn assert_ambiguous_reserve(f: Funnel, response: ResponseTemplate, status: u16, code: &str) {
    let token = f.token().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    mount(&f.server, "POST", &reserve_path(), response).await;
    let res = f.create(&booking_request(&token), "r-amb-1").await;
    assert_code(res, status, code).await;
    assert_eq!(f.reserve_calls().await, 1, "R is never retried");
    let again = f.create(&booking_request(&token), "r-amb-2").await;
    assert_code(again, 409, "booking_outcome_unknown").await;
    assert_eq!(
        f.reserve_calls().await,
        1,
        "R is never re-sent for the token"
    );
    assert_eq!(f.calls("GET", &booking_path()).await, 0);
}

#[actix_web::test]
async fn r_500_is_502_sent_once_and_blocks_the_token() {
    let f = Funnel::start().await;
    assert_ambiguous_reserve(f, twelvego_error(500, "{}"), 502, "upstream_error").await;
}

#[actix_web::test]
async fn r_502_is_502_sent_once_and_blocks_the_token() {
    let f = Funnel::start().await;
    assert_ambiguous_reserve(f, twelvego_error(502, "bad gateway"), 502, "upstream_error").await;
}

#[actix_web::test]
async fn r_504_is_502_sent_once_and_blocks_the_token() {
    let f = Funnel::start().await;
    assert_ambiguous_reserve(
        f,
        twelvego_error(504, "gateway timeout"),
        502,
        "upstream_error",
    )
    .await;
}

#[actix_web::test]
async fn r_ok_then_b_failing_is_502_and_a_retry_is_409_already_reserved() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    mount(&f.server, "GET", &booking_path(), twelvego_error(500, "{}")).await;
    let res = f.create(&booking_request(&token), "rb-1").await;
    assert_code(res, 502, "upstream_error").await;
    let again = f.create(&booking_request(&token), "rb-2").await;
    assert_eq!(location(&again), format!("/v1/acme/bookings/{BID}"));
    let body = assert_code(again, 409, "already_reserved").await;
    assert!(body["message"].as_str().unwrap().contains(BID));
    assert_eq!(f.reserve_calls().await, 1);
}

// ------------------------------------------------------------ ConfirmBooking: C

/// B pre-check `reserved`; C answers `response`; the read-back B answers `after`.
async fn confirm_with(f: &Funnel, response: ResponseTemplate, after: ResponseTemplate) {
    mount_first_n(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
        1,
    )
    .await;
    mount(&f.server, "GET", &booking_path(), after).await;
    mount(&f.server, "POST", &confirm_path(), response).await;
}

#[actix_web::test]
async fn c_500_then_b_approved_reconciles_to_200_approved_without_resending_c() {
    let f = Funnel::start().await;
    confirm_with(&f, twelvego_error(500, "{}"), ok_json(&confirmed_answer())).await;
    let res = f.confirm("c-500-ok").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL))
    );
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 2);
}

#[actix_web::test]
async fn c_502_then_b_pending_reconciles_to_200_pending() {
    let f = Funnel::start().await;
    confirm_with(
        &f,
        twelvego_error(502, "x"),
        ok_json(&booking_answer("pending", "TRK-7QX2", "")),
    )
    .await;
    let res = f.confirm("c-502-p").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "pending");
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn c_504_then_b_still_reserved_is_502_and_c_not_resent() {
    let f = Funnel::start().await;
    confirm_with(&f, twelvego_error(504, "x"), ok_json(&reserved_answer())).await;
    let res = f.confirm("c-504-r").await;
    assert_code(res, 502, "upstream_error").await;
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 2);
}

#[actix_web::test]
async fn a_c_200_that_does_not_parse_then_b_still_reserved_is_502_and_c_not_resent() {
    // Found by the upstream fault matrix (bench/faults): a malformed 2xx C answer
    // was taken as success and the still-reserved booking answered 200 "reserved".
    let f = Funnel::start().await;
    let garbage = ResponseTemplate::new(200)
        .insert_header("content-type", "application/json")
        .set_body_string(r#"{"bid": "#);
    confirm_with(&f, garbage, ok_json(&reserved_answer())).await;
    let res = f.confirm("c-200-garbage-r").await;
    assert_code(res, 502, "upstream_error").await;
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 2);
}

#[actix_web::test]
async fn a_c_200_without_a_bid_then_b_approved_reconciles_to_200_approved() {
    let f = Funnel::start().await;
    confirm_with(&f, ok_json(&json!({})), ok_json(&confirmed_answer())).await;
    let res = f.confirm("c-200-nobid-ok").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL))
    );
    assert_eq!(f.confirm_calls().await, 1);
    assert_eq!(f.calls("GET", &booking_path()).await, 2);
}

#[actix_web::test]
async fn c_500_then_b_failing_is_502_and_c_not_resent() {
    let f = Funnel::start().await;
    confirm_with(&f, twelvego_error(500, "x"), twelvego_error(500, "y")).await;
    let res = f.confirm("c-500-b500").await;
    assert_code(res, 502, "upstream_error").await;
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn c_401_is_502_upstream_auth_failed_without_resend() {
    let f = Funnel::start().await;
    confirm_with(&f, twelvego_error(401, "{}"), ok_json(&reserved_answer())).await;
    let res = f.confirm("c-401").await;
    assert_code(res, 502, "upstream_auth_failed").await;
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn a_later_confirm_after_an_ambiguous_c_sees_the_real_state() {
    let f = Funnel::start().await;
    // Pre-check reserved, C fails, read-back still reserved; then 12go confirms.
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
        twelvego_error(500, "{}"),
    )
    .await;
    assert_code(f.confirm("c-later-1").await, 502, "upstream_error").await;
    let res = f.confirm("c-later-2").await;
    assert_code(res, 409, "already_confirmed").await;
    assert_eq!(f.confirm_calls().await, 1);
}

// ------------------------------------------------------------ R and C timeouts

#[actix_web::test]
async fn an_r_timeout_is_504_sent_once_and_blocks_the_token() {
    let f = Funnel::start_with("", |s| s.twelvego_reserve_timeout_ms = 300).await;
    assert_ambiguous_reserve(
        f,
        slow_json(&json!({"bid": BID}), 1_500),
        504,
        "upstream_timeout",
    )
    .await;
}

#[actix_web::test]
async fn a_c_timeout_then_b_approved_reconciles_to_200_without_resending_c() {
    let f = Funnel::start_with("", |s| s.twelvego_confirm_timeout_ms = 300).await;
    confirm_with(
        &f,
        slow_json(&json!({"bid": 87654321}), 1_500),
        ok_json(&confirmed_answer()),
    )
    .await;
    let res = f.confirm("c-to-ok").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "approved");
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn a_c_timeout_then_b_still_reserved_is_504_and_c_not_resent() {
    let f = Funnel::start_with("", |s| s.twelvego_confirm_timeout_ms = 300).await;
    confirm_with(
        &f,
        slow_json(&json!({"bid": 87654321}), 1_500),
        ok_json(&reserved_answer()),
    )
    .await;
    let res = f.confirm("c-to-r").await;
    assert_code(res, 504, "upstream_timeout").await;
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn r_400_with_an_empty_object_is_502_auth_failed_and_frees_the_token() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    mount_first_n(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(400, "{}"),
        1,
    )
    .await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-auth-1").await;
    assert_code(res, 502, "upstream_auth_failed").await;
    // A 4xx from R is a clear answer: the client may retry with the same token.
    let again = f.create(&booking_request(&token), "r-auth-2").await;
    assert_eq!(again.status(), 200);
    assert_eq!(f.reserve_calls().await, 2);
}

#[actix_web::test]
async fn r_429_is_429_rate_limited_and_frees_the_token() {
    let f = Funnel::start().await;
    let token = f.token().await;
    mount(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&reserved_answer()),
    )
    .await;
    mount_first_n(
        &f.server,
        "POST",
        &reserve_path(),
        twelvego_error(429, "{}").insert_header("retry-after", "3"),
        1,
    )
    .await;
    mount(
        &f.server,
        "POST",
        &reserve_path(),
        ok_json(&json!({"bid": BID})),
    )
    .await;
    let res = f.create(&booking_request(&token), "r-429-1").await;
    assert_eq!(location_or_none(&res, "retry-after").as_deref(), Some("3"));
    assert_code(res, 429, "rate_limited").await;
    let again = f.create(&booking_request(&token), "r-429-2").await;
    assert_eq!(again.status(), 200);
    assert_eq!(f.reserve_calls().await, 2);
}

#[actix_web::test]
async fn b_403_on_confirm_is_404_booking_not_found() {
    let f = Funnel::start().await;
    mount(&f.server, "GET", &booking_path(), twelvego_error(403, "{}")).await;
    assert_code(f.confirm("c-403").await, 404, "booking_not_found").await;
    assert_eq!(f.confirm_calls().await, 0);
}

#[actix_web::test]
async fn two_concurrent_confirms_send_c_once() {
    let f = Funnel::start().await;
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
        slow_json(&json!({"bid": 87654321}), 600),
    )
    .await;
    let (a, b) = tokio::join!(f.confirm("c-conc-1"), f.confirm("c-conc-2"));
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(matches!(statuses[1], 202 | 409), "{statuses:?}");
    assert_eq!(f.confirm_calls().await, 1);
}

#[actix_web::test]
async fn t_503_is_502_upstream_error() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(503, "busy")).await;
    assert_code(itinerary(&f).await, 502, "upstream_error").await;
}

#[actix_web::test]
async fn five_failed_t_calls_open_the_breaker_and_the_next_answers_503_without_calling_12go() {
    let f = Funnel::start().await;
    mount_first(&f.server, "GET", &trip_path(), twelvego_error(500, "x")).await;
    for _ in 0..5 {
        assert_code(itinerary(&f).await, 502, "upstream_error").await;
    }
    let before = f.calls("GET", &trip_path()).await;
    let res = itinerary(&f).await;
    assert!(location_or_none(&res, "retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert_code(res, 503, "upstream_unavailable").await;
    assert_eq!(f.calls("GET", &trip_path()).await, before);
}
