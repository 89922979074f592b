//! U1 search against the fake 12go.

use super::*;
use crate::domain::twelvego::Text;

#[actix_web::test]
async fn search_parses_a_200_and_sends_the_expected_request() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(SEARCH_PATH))
        .and(query_param("seats", "2"))
        .and(query_param("direct", "true"))
        .and(query_param("k", "test-key"))
        .and(header("x-correlation-id", "corr-1"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string(ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let answer = client(&server)
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await
        .unwrap();
    // Assert
    assert_eq!(answer.get().trips[0].id, "T1");
    assert_eq!(answer.get().recheck, vec![Text::from("/searchr?x=1")]);
    let req = &server.received_requests().await.unwrap()[0];
    let ua = req.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("travelier-connect/"), "{ua}");
    assert!(req.headers.get("authorization").is_none());
    assert!(req.headers.get("x-api-key").is_none());
    server.verify().await;
}

#[actix_web::test]
async fn search_maps_404_to_a_status_error() {
    let err = search_status(ResponseTemplate::new(404), 1).await;
    assert_eq!(err, status(404, false, None));
}

#[actix_web::test]
async fn search_flags_a_400_with_an_empty_object_body() {
    let err = search_status(ResponseTemplate::new(400).set_body_string(" {} \n"), 1).await;
    assert_eq!(err, status(400, true, None));
}

#[actix_web::test]
async fn search_maps_422_with_a_12go_error_body() {
    let body = r#"{"fields":{},"messages":["Trip is no longer available"],"data":{"reasons":[]}}"#;
    let err = search_status(ResponseTemplate::new(422).set_body_string(body), 1).await;
    let expected = UpstreamError::Status {
        status: 422,
        empty_object_body: false,
        retry_after: None,
        rejection: crate::domain::upstream::Rejection {
            messages: vec!["Trip is no longer available".into()],
            ..Default::default()
        },
    };
    assert_eq!(err, expected);
}

#[actix_web::test]
async fn search_passes_retry_after_of_a_429_and_does_not_retry() {
    let err = search_status(
        ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        1,
    )
    .await;
    assert_eq!(err, status(429, false, Some(7)));
}

#[actix_web::test]
async fn search_does_not_retry_500_or_503() {
    for code in [500, 503] {
        let err = search_status(ResponseTemplate::new(code), 1).await;
        assert_eq!(err, status(code, false, None));
    }
}

#[actix_web::test]
async fn search_retries_502_twice_then_fails() {
    let err = search_status(ResponseTemplate::new(502), 3).await;
    assert_eq!(err, status(502, false, None));
}

#[actix_web::test]
async fn search_succeeds_when_a_retry_after_502_succeeds() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(SEARCH_PATH))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_string(ANSWER),
        1,
    )
    .await;
    // Act
    let answer = client(&server)
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(answer.unwrap().get().trips.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[actix_web::test]
async fn search_retries_timeouts_while_the_deadline_allows() {
    // Arrange: 300 ms reads, 10 s left: 1 + 2 attempts.
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(200).set_delay(ms(3000)), 3).await;
    let started = Instant::now();
    // Act
    let err = client(&server)
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await
        .unwrap_err();
    // Assert
    assert_eq!(err, UpstreamError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(5));
    server.verify().await;
}

#[actix_web::test]
async fn search_does_not_retry_a_timeout_when_less_than_a_read_timeout_would_be_left() {
    // Arrange: 300 ms reads, 400 ms left: after ~200 ms backoff < 300 ms remain.
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(200).set_delay(ms(3000)), 1).await;
    let started = Instant::now();
    // Act
    let err = client(&server).search(&call(), &ctx(ms(400))).await;
    // Assert
    assert_eq!(err.unwrap_err(), UpstreamError::Timeout);
    assert!(started.elapsed() < ms(1500));
    server.verify().await;
}

#[actix_web::test]
async fn search_never_outlives_the_deadline() {
    // Arrange: the read timeout alone would allow 5 s.
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(200).set_delay(ms(3000)), 1).await;
    let mut cfg = config(&server.uri());
    cfg.read_timeout = Duration::from_secs(5);
    let started = Instant::now();
    // Act
    let err = AwcTwelveGo::new(cfg)
        .unwrap()
        .search(&call(), &ctx(ms(250)))
        .await;
    // Assert
    assert_eq!(err.unwrap_err(), UpstreamError::Timeout);
    assert!(started.elapsed() < ms(1500), "{:?}", started.elapsed());
}

#[actix_web::test]
async fn search_sends_nothing_when_no_time_is_left() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(200), 0).await;
    let err = client(&server).search(&call(), &ctx(Duration::ZERO)).await;
    assert_eq!(err.unwrap_err(), UpstreamError::Timeout);
    server.verify().await;
}

#[actix_web::test]
async fn search_maps_connection_refused_to_connect() {
    // Arrange: a port that was just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = config(&format!("http://127.0.0.1:{port}/"));
    cfg.retry_max = 0;
    // Act
    let err = AwcTwelveGo::new(cfg)
        .unwrap()
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(err.unwrap_err(), UpstreamError::Connect);
}

#[actix_web::test]
async fn search_rejects_a_body_over_the_cap() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_string("a".repeat(4096)),
        1,
    )
    .await;
    let mut cfg = config(&server.uri());
    cfg.max_body_bytes = 1024;
    let err = AwcTwelveGo::new(cfg)
        .unwrap()
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(err.unwrap_err(), UpstreamError::TooLarge);
}

#[actix_web::test]
async fn search_maps_an_unparsable_200_to_decode() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_string("{\"trips\": [oops"),
        1,
    )
    .await;
    let err = client(&server)
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(err.unwrap_err(), UpstreamError::Decode);
    server.verify().await;
}

#[actix_web::test]
async fn search_keeps_a_base_url_path() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/api{SEARCH_PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&format!("{}/api/", server.uri()));
    let answer = AwcTwelveGo::new(cfg)
        .unwrap()
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    assert!(answer.unwrap().get().trips.is_empty());
    server.verify().await;
}
