//! The in-flight cap (00 §3 step 1, 40 §6).

use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::Mock;

use crate::helpers::{
    assert_error, error_body, get_as_acme, header, ok_json, search_3_to_4,
    spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path, TRIP_KEY,
};

#[actix_web::test]
async fn a_request_beyond_max_in_flight_answers_503_overloaded() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |s| s.max_in_flight = 1).await;
    let slow = ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])).set_delay(Duration::from_millis(800));
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(slow)
        .expect(1)
        .mount(&server)
        .await;
    let path = search_3_to_4();
    // Act
    let first = get_as_acme(&app, &path, "ovl-1");
    let second = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        get_as_acme(&app, &path, "ovl-2").await
    };
    let (first, second) = tokio::join!(first, second);
    // Assert
    assert_eq!(first.status(), 200);
    assert_eq!(header(&second, "retry-after"), "1");
    assert_error(
        second,
        503,
        error_body(
            "overloaded",
            "The service is overloaded; retry shortly.",
            &[],
            "ovl-2",
        ),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn the_admin_port_is_not_counted_against_the_cap() {
    // Arrange: the one API slot is taken by a slow search.
    let (app, server) = spawn_with_fake_12go_and("", |s| s.max_in_flight = 1).await;
    let slow = ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])).set_delay(Duration::from_millis(800));
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(slow)
        .mount(&server)
        .await;
    let path = search_3_to_4();
    // Act
    let first = get_as_acme(&app, &path, "ovl-3");
    let admin = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.client
            .get(app.admin_url("/ready"))
            .send()
            .await
            .unwrap()
    };
    let (first, admin) = tokio::join!(first, admin);
    // Assert
    assert_eq!(first.status(), 200);
    assert_eq!(admin.status(), 200);
}
