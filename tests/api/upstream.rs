//! How 12go answers become search answers (00 §10, 10 §1–§3), against a fake 12go.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{future_date, TestApp};
use crate::helpers::{
    assert_error, day_after_future_date, error_body, get_as_acme, header, itinerary_id,
    itinerary_ids, ok_json, search_3_to_4, spawn_with_fake_12go, spawn_with_fake_12go_and,
    twelvego_answer, twelvego_search_path, JSON_UTF8, OTHER_TRIP_KEY, TRIP_KEY,
};

const UPSTREAM_ERROR: &str = "The travel platform failed to answer.";
const AUTH_FAILED: &str = "The travel platform rejected this client's credentials.";
const TWELVEGO_ERROR_BODY: &str = r#"{"fields":{"date":"Invalid"},"messages":["Trip is no longer available"],"data":{"reasons":[{"reason_code":"bad_trip_details","reason_message":"Secret supplier detail"}]}}"#;

/// Mounts `response` for the 12go search `from`→`to`, expected `calls` times.
async fn mount_search(
    server: &MockServer,
    from: i64,
    to: i64,
    response: ResponseTemplate,
    calls: u64,
) {
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(from, to)))
        .respond_with(response)
        .expect(calls)
        .mount(server)
        .await;
}

/// `/v1/acme/itineraries` from station 3 to stations 4 and 5.
fn search_3_to_4_and_5() -> String {
    format!(
        "/v1/acme/itineraries?departures[]=3&arrivals[]=4&arrivals[]=5&departure_date={}&pax=1",
        future_date()
    )
}

/// Searches 3→4 against a fake answering `response` (expected `calls` times) and
/// asserts the error answer.
async fn assert_single_route_error(
    response: ResponseTemplate,
    calls: u64,
    status: u16,
    code: &str,
    message: &str,
) {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(&server, 3, 4, response, calls).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-1").await;
    // Assert
    assert_error(res, status, error_body(code, message, &[], "up-1")).await;
    server.verify().await;
}

#[actix_web::test]
async fn a_complete_12go_answer_gives_200_with_the_translated_body() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])),
        1,
    )
    .await;
    let (date, next) = (future_date(), day_after_future_date());
    let segment = format!("16779-3-4-{date}T20:22-{next}T08:45-16");
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-ok").await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(header(&res, "x-correlation-id"), "up-ok");
    let body: Value = res.json().await.unwrap();
    let expected = json!({
        "vehicles": [{"id": "16779-Train", "name": "Train", "seat_classes": [{"id": "16", "name": "Class 3 Fan",
            "description": "", "keywords": null, "images": null, "amenities": ["WC"]}],
            "images": null, "description": null, "keywords": null, "amenities": null}],
        "segments": [{"id": segment, "from_station": "3", "to_station": "4",
            "departure_time": format!("{date}T20:22"), "arrival_time": format!("{next}T08:45"),
            "travel_duration": "PT12H23M", "vehicle_id": "16779-Train", "operating_carrier_id": "16779",
            "seat_class_id": "16", "transportation_types": ["Train"]}],
        "itineraries": [{"id": itinerary_id(TRIP_KEY), "departure_segments": [segment],
            "connection_guaranteed": true, "cancellation_policies": [{"from": null, "penalty": {"percent": 100}}],
            "number_of_available_seats": 83,
            "pricing": {"gross_price": {"amount": "370.37", "currency": "THB", "price_type": "Recommended"},
                "net_price": {"amount": "308.00", "currency": "THB"},
                "taxes_and_fees": {"amount": "62.37", "currency": "THB"}},
            "confirmation_type": "Instant", "ticket_type": "PaperTicket"}]
    });
    assert_eq!(body, expected);
    server.verify().await;
}

#[actix_web::test]
async fn a_route_with_a_non_empty_recheck_gives_206() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| s.recheck_dispatch = false).await;
    let answer = twelvego_answer(TRIP_KEY, 3, 4, &["/searchr?id=1".to_owned()]);
    mount_search(&server, 3, 4, ok_json(&answer), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-206").await;
    // Assert
    assert_eq!(res.status(), 206);
    let body: Value = res.json().await.unwrap();
    assert_eq!(itinerary_ids(&body), [itinerary_id(TRIP_KEY)]);
    server.verify().await;
}

#[actix_web::test]
async fn partial_status_switched_off_turns_206_into_200() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.return_partial_status = false;
        s.recheck_dispatch = false;
    })
    .await;
    let answer = twelvego_answer(TRIP_KEY, 3, 4, &["/searchr?id=1".to_owned()]);
    mount_search(&server, 3, 4, ok_json(&answer), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-flag").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(itinerary_ids(&body), [itinerary_id(TRIP_KEY)]);
    server.verify().await;
}

#[actix_web::test]
async fn one_failed_route_of_two_gives_206_with_the_other_routes_itineraries() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])),
        1,
    )
    .await;
    mount_search(&server, 3, 5, ResponseTemplate::new(500), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4_and_5(), "up-half").await;
    // Assert
    assert_eq!(res.status(), 206);
    let body: Value = res.json().await.unwrap();
    assert_eq!(itinerary_ids(&body), [itinerary_id(TRIP_KEY)]);
    server.verify().await;
}

#[actix_web::test]
async fn two_complete_routes_give_200_with_both_itineraries_in_route_order() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])),
        1,
    )
    .await;
    mount_search(
        &server,
        3,
        5,
        ok_json(&twelvego_answer(OTHER_TRIP_KEY, 3, 5, &[])),
        1,
    )
    .await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4_and_5(), "up-both").await;
    // Assert
    assert_both_routes(res).await;
    server.verify().await;
}

/// A 200 with the itinerary of 3→4, then that of 3→5.
async fn assert_both_routes(res: reqwest::Response) {
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        itinerary_ids(&body),
        [itinerary_id(TRIP_KEY), itinerary_id(OTHER_TRIP_KEY)]
    );
}

#[actix_web::test]
async fn answers_larger_than_the_body_budget_are_read_one_at_a_time_and_every_search_is_answered() {
    // Arrange: a budget far below one answer, so every read takes all of it.
    let (app, server) = spawn_with_fake_12go_and("", |s| s.twelvego_body_budget_bytes = 64).await;
    let delay = Duration::from_millis(20);
    for (to, key) in [(4, TRIP_KEY), (5, OTHER_TRIP_KEY)] {
        let answer = ok_json(&twelvego_answer(key, 3, to, &[])).set_delay(delay);
        mount_search(&server, 3, to, answer, 10).await;
    }
    // Act: 10 two-route searches at once, 20 reads wanting the whole budget.
    let searches = (0..10).map(|i| {
        let app = &app;
        async move { get_as_acme(app, &search_3_to_4_and_5(), &format!("up-budget-{i}")).await }
    });
    let answers = futures_util::future::join_all(searches).await;
    // Assert: no read waits for another forever; each search has both routes.
    for res in answers {
        assert_both_routes(res).await;
    }
    server.verify().await;
}

#[actix_web::test]
async fn every_route_500_gives_502_with_one_call_per_route() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(&server, 3, 4, ResponseTemplate::new(500), 1).await;
    mount_search(&server, 3, 5, ResponseTemplate::new(500), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4_and_5(), "up-500").await;
    // Assert
    assert_error(
        res,
        502,
        error_body("upstream_error", UPSTREAM_ERROR, &[], "up-500"),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn a_12go_502_is_retried_twice_then_gives_502() {
    assert_single_route_error(
        ResponseTemplate::new(502),
        3,
        502,
        "upstream_error",
        UPSTREAM_ERROR,
    )
    .await;
}

#[actix_web::test]
async fn a_12go_504_is_retried_twice_then_gives_502() {
    assert_single_route_error(
        ResponseTemplate::new(504),
        3,
        502,
        "upstream_error",
        UPSTREAM_ERROR,
    )
    .await;
}

#[actix_web::test]
async fn a_12go_503_is_not_retried_and_gives_502() {
    assert_single_route_error(
        ResponseTemplate::new(503),
        1,
        502,
        "upstream_error",
        UPSTREAM_ERROR,
    )
    .await;
}

#[actix_web::test]
async fn a_12go_404_gives_200_with_three_empty_arrays() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(&server, 3, 4, ResponseTemplate::new(404), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-404").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"vehicles": [], "segments": [], "itineraries": []})
    );
    server.verify().await;
}

#[actix_web::test]
async fn a_12go_401_gives_502_upstream_auth_failed() {
    assert_single_route_error(
        ResponseTemplate::new(401),
        1,
        502,
        "upstream_auth_failed",
        AUTH_FAILED,
    )
    .await;
}

#[actix_web::test]
async fn a_12go_400_with_an_empty_object_body_gives_502_upstream_auth_failed() {
    assert_single_route_error(
        ResponseTemplate::new(400).set_body_string("{}"),
        1,
        502,
        "upstream_auth_failed",
        AUTH_FAILED,
    )
    .await;
}

/// 12go rejects the only route with `status` and its error body.
async fn assert_search_rejected(status: u16) {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    let rejection =
        ResponseTemplate::new(status).set_body_raw(TWELVEGO_ERROR_BODY, "application/json");
    mount_search(&server, 3, 4, rejection, 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-rej").await;
    // Assert
    assert_eq!(res.status(), 400);
    let text = res.text().await.unwrap();
    assert!(!text.contains("Trip is no longer available"), "{text}");
    assert!(!text.contains("bad_trip_details"), "{text}");
    assert!(!text.contains("Secret supplier detail"), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body,
        error_body(
            "search_rejected",
            "The travel platform rejected this search.",
            &[],
            "up-rej"
        )
    );
    server.verify().await;
}

#[actix_web::test]
async fn a_12go_400_with_an_error_body_gives_400_search_rejected_without_12go_text() {
    assert_search_rejected(400).await;
}

#[actix_web::test]
async fn a_12go_422_with_an_error_body_gives_400_search_rejected_without_12go_text() {
    assert_search_rejected(422).await;
}

#[actix_web::test]
async fn a_12go_429_gives_429_with_12gos_retry_after() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(
        &server,
        3,
        4,
        ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        1,
    )
    .await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-429").await;
    // Assert
    assert_eq!(header(&res, "retry-after"), "7");
    assert_error(
        res,
        429,
        error_body(
            "rate_limited",
            "Too many requests; retry later.",
            &[],
            "up-429",
        ),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn a_12go_429_without_retry_after_gives_retry_after_1() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    mount_search(&server, 3, 4, ResponseTemplate::new(429), 1).await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-429b").await;
    // Assert
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "retry-after"), "1");
    server.verify().await;
}

#[actix_web::test]
async fn an_unparsable_12go_200_gives_502() {
    assert_single_route_error(
        ResponseTemplate::new(200).set_body_raw("<html>oops</html>", "text/html"),
        1,
        502,
        "upstream_error",
        UPSTREAM_ERROR,
    )
    .await;
}

#[actix_web::test]
async fn a_slow_12go_gives_504_within_the_request_deadline_after_bounded_attempts() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.twelvego_timeout_ms = 300;
        s.request_timeout_ms = 1_000;
    })
    .await;
    let slow = ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])).set_delay(Duration::from_secs(5));
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(slow)
        .mount(&server)
        .await;
    let started = Instant::now();
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-slow").await;
    let elapsed = started.elapsed();
    // Assert
    assert_error(
        res,
        504,
        error_body(
            "upstream_timeout",
            "The travel platform did not answer in time.",
            &[],
            "up-slow",
        ),
    )
    .await;
    assert!(elapsed < Duration::from_millis(2_500), "took {elapsed:?}");
    let attempts = server.received_requests().await.unwrap().len();
    assert!((1..=3).contains(&attempts), "{attempts} attempts");
}

#[actix_web::test]
async fn search_re_polls_a_partial_route_within_the_timeout_and_answers_200() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| s.recheck_dispatch = false).await;
    let partial = twelvego_answer(TRIP_KEY, 3, 4, &["/searchr?id=1".to_owned()]);
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ok_json(&partial))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])),
        1,
    )
    .await;
    // Act
    let res = get_as_acme(&app, &format!("{}&timeout=2", search_3_to_4()), "up-poll").await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(itinerary_ids(&body), [itinerary_id(TRIP_KEY)]);
    server.verify().await;
}

/// Polls until `server` received a request on `path`, for up to ~2 s.
async fn wait_for_request(server: &MockServer, wanted: &str) -> bool {
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        let received = server.received_requests().await.unwrap();
        if received.iter().any(|r| r.url.path() == wanted) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn search_with_rechecks(app: &TestApp) -> u16 {
    get_as_acme(app, &search_3_to_4(), "up-recheck")
        .await
        .status()
        .as_u16()
}

#[actix_web::test]
async fn recheck_urls_on_the_12go_host_are_called_in_the_background_and_others_never() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    let foreign = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&foreign)
        .await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let rechecks = [
        format!("{}/searchr?trip=1", server.uri()),
        format!("{}/searchpm?trip=2", foreign.uri()),
    ];
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &rechecks)),
        1,
    )
    .await;
    // Act
    let status = search_with_rechecks(&app).await;
    // Assert
    assert_eq!(status, 206);
    assert!(
        wait_for_request(&server, "/searchr").await,
        "recheck never called"
    );
    let call = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/searchr")
        .unwrap();
    assert_eq!(call.url.query(), Some("trip=1"));
    assert_eq!(call.headers["x-correlation-id"], "up-recheck");
    tokio::time::sleep(Duration::from_millis(300)).await;
    foreign.verify().await;
    server.verify().await;
}

#[actix_web::test]
async fn a_12go_slower_than_the_request_deadline_is_cut_at_the_deadline_without_retry() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.twelvego_timeout_ms = 5_000;
        s.request_timeout_ms = 500;
    })
    .await;
    let slow = ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])).set_delay(Duration::from_secs(5));
    mount_search(&server, 3, 4, slow, 1).await;
    let started = Instant::now();
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-deadline").await;
    let elapsed = started.elapsed();
    // Assert
    assert_error(
        res,
        504,
        error_body(
            "upstream_timeout",
            "The travel platform did not answer in time.",
            &[],
            "up-deadline",
        ),
    )
    .await;
    assert!(elapsed < Duration::from_millis(1_500), "took {elapsed:?}");
    server.verify().await;
}

#[actix_web::test]
async fn an_unreachable_12go_gives_502_upstream_error() {
    // Arrange
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (app, _server) = spawn_with_fake_12go_and("", |s| {
        s.twelvego_base_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    // Act
    let res = get_as_acme(&app, &search_3_to_4(), "up-refused").await;
    // Assert
    assert_error(
        res,
        502,
        error_body("upstream_error", UPSTREAM_ERROR, &[], "up-refused"),
    )
    .await;
}

#[actix_web::test]
async fn a_recheck_url_is_dispatched_once_within_15_seconds() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let rechecks = [format!("{}/searchr?trip=1", server.uri())];
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &rechecks)),
        2,
    )
    .await;
    // Act
    let first = search_with_rechecks(&app).await;
    assert!(
        wait_for_request(&server, "/searchr").await,
        "recheck never called"
    );
    let second = search_with_rechecks(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Assert
    assert_eq!((first, second), (206, 206));
    server.verify().await;
}

#[actix_web::test]
async fn a_recheck_answered_401_is_retried_once_with_the_clients_12go_key() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .and(wiremock::matchers::query_param(
            "k",
            crate::common::TEST_12GO_KEY,
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let rechecks = [format!("{}/searchr?trip=1&k=stale", server.uri())];
    mount_search(
        &server,
        3,
        4,
        ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &rechecks)),
        1,
    )
    .await;
    // Act
    let status = search_with_rechecks(&app).await;
    // Assert
    assert_eq!(status, 206);
    let until = Instant::now() + Duration::from_secs(2);
    let mut calls = 0;
    while Instant::now() < until && calls < 2 {
        calls = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/searchr")
            .count();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(calls, 2);
    server.verify().await;
}
