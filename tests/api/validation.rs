//! Search input validation (10 §1): 400 `invalid_parameter`, one `fields` entry
//! per problem, and never a 12go call.

use wiremock::matchers::{method, path, query_param};
use wiremock::Mock;

use crate::common::future_date;
use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, get_as_acme, ok_json, spawn_with_fake_12go,
    spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path, TRIP_KEY,
};

const INVALID: &str = "Some parameters are invalid.";

/// Searches with `query` and asserts 400 `invalid_parameter` with exactly `fields`
/// and no 12go call.
async fn assert_rejected(query: &str, fields: &[(&str, &str)]) {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    expect_no_12go_call(&server).await;
    // Act
    let res = get_as_acme(&app, &format!("/v1/acme/itineraries?{query}"), "val-1").await;
    // Assert
    assert_error(
        res,
        400,
        error_body("invalid_parameter", INVALID, fields, "val-1"),
    )
    .await;
    server.verify().await;
}

fn stations_3_to_4() -> &'static str {
    "departures[]=3&arrivals[]=4"
}

#[actix_web::test]
async fn search_rejects_a_missing_departure_date() {
    assert_rejected(
        &format!("{}&pax=1", stations_3_to_4()),
        &[("departure_date", "Required.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_badly_formatted_departure_date() {
    assert_rejected(
        &format!("{}&departure_date=05/04/2030&pax=1", stations_3_to_4()),
        &[("departure_date", "Must be a date YYYY-MM-DD.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_an_impossible_calendar_date() {
    assert_rejected(
        &format!("{}&departure_date=2030-02-30&pax=1", stations_3_to_4()),
        &[("departure_date", "Must be a date YYYY-MM-DD.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_departure_date_in_the_past() {
    assert_rejected(
        &format!("{}&departure_date=2020-01-01&pax=1", stations_3_to_4()),
        &[("departure_date", "Must not be in the past.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_return_date_before_the_departure_date() {
    let today = jiff::Zoned::now().date().to_string();
    assert_rejected(
        &format!(
            "{}&departure_date={}&return_date={today}&pax=1",
            stations_3_to_4(),
            future_date()
        ),
        &[("return_date", "Must not be before departure_date.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_pax_zero() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=0",
            stations_3_to_4(),
            future_date()
        ),
        &[("pax", "Must be an integer from 1 to 100.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_pax_101() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=101",
            stations_3_to_4(),
            future_date()
        ),
        &[("pax", "Must be an integer from 1 to 100.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_non_numeric_pax() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=abc",
            stations_3_to_4(),
            future_date()
        ),
        &[("pax", "Must be an integer from 1 to 100.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_passenger_age_of_200() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=1&pax_ages[]=200",
            stations_3_to_4(),
            future_date()
        ),
        &[("pax_ages[0]", "Must be an integer from 0 to 120.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_lowercase_currency() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=1&currency=usd",
            stations_3_to_4(),
            future_date()
        ),
        &[("currency", "Must be 3 uppercase letters.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_timeout_above_max_timeout() {
    assert_rejected(
        &format!(
            "{}&departure_date={}&pax=1&timeout=31",
            stations_3_to_4(),
            future_date()
        ),
        &[("timeout", "Must be an integer from 0 to 30.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_a_lowercase_second_departure_station() {
    assert_rejected(
        &format!(
            "departures[]=3&departures[]=ab&arrivals[]=4&departure_date={}&pax=1",
            future_date()
        ),
        &[(
            "departures[1]",
            "Must be 1 to 16 uppercase letters or digits.",
        )],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_both_departure_stations_and_a_departure_poi() {
    assert_rejected(
        &format!(
            "departures[]=3&departure_poi=1&arrivals[]=4&departure_date={}&pax=1",
            future_date()
        ),
        &[(
            "departure_poi",
            "Give either departures or departure_poi, not both.",
        )],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_neither_departure_stations_nor_a_departure_poi() {
    assert_rejected(
        &format!("arrivals[]=4&departure_date={}&pax=1", future_date()),
        &[("departures", "Give departures or departure_poi.")],
    )
    .await;
}

#[actix_web::test]
async fn search_rejects_more_routes_than_max_routes() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| s.max_routes = 2).await;
    expect_no_12go_call(&server).await;
    let query = format!(
        "/v1/acme/itineraries?departures[]=1&departures[]=2&departures[]=3&arrivals[]=4&departure_date={}&pax=1",
        future_date()
    );
    // Act
    let res = get_as_acme(&app, &query, "val-routes").await;
    // Assert
    assert_error(
        res,
        400,
        error_body(
            "invalid_parameter",
            INVALID,
            &[(
                "departures",
                "More than 2 routes requested; at most 2 are allowed.",
            )],
            "val-routes",
        ),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn search_rejects_routes_whose_origin_always_equals_the_destination() {
    assert_rejected(
        &format!(
            "departures[]=3&arrivals[]=3&departure_date={}&pax=1",
            future_date()
        ),
        &[(
            "arrivals",
            "No route left: every origin equals its destination.",
        )],
    )
    .await;
}

#[actix_web::test]
async fn search_lists_every_problem_together() {
    assert_rejected(
        &format!("{}&pax=0&currency=usd&timeout=99", stations_3_to_4()),
        &[
            ("departure_date", "Required."),
            ("pax", "Must be an integer from 1 to 100."),
            ("currency", "Must be 3 uppercase letters."),
            ("timeout", "Must be an integer from 0 to 30."),
        ],
    )
    .await;
}

/// Searches 3→4 with the given spelling of the repeated parameters and expects
/// 200 and exactly one 12go call.
async fn assert_accepted(departures: &str, arrivals: &str) {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .and(query_param("seats", "1"))
        .and(query_param("direct", "true"))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .expect(1)
        .mount(&server)
        .await;
    let query = format!(
        "/v1/acme/itineraries?{departures}=3&{arrivals}=4&departure_date={}&pax=1",
        future_date()
    );
    // Act
    let res = get_as_acme(&app, &query, "val-ok").await;
    // Assert
    assert_eq!(res.status(), 200);
    server.verify().await;
}

#[actix_web::test]
async fn search_accepts_percent_encoded_brackets() {
    assert_accepted("departures%5B%5D", "arrivals%5B%5D").await;
}

#[actix_web::test]
async fn search_accepts_raw_brackets() {
    assert_accepted("departures[]", "arrivals[]").await;
}

#[actix_web::test]
async fn search_accepts_plain_repeated_names() {
    assert_accepted("departures", "arrivals").await;
}
