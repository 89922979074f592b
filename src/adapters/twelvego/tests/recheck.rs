//! U2 recheck, and what the client logs.

use super::*;

#[actix_web::test]
async fn recheck_refuses_a_foreign_url_and_sends_nothing() {
    let server = MockServer::start().await;
    let twelvego = client(&server);
    for url in [
        "https://evil.example/searchr?k=x",
        "http://127.0.0.1:1/searchr?k=x",
        "//evil.example/searchr",
    ] {
        let err = twelvego
            .recheck(url, None, &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(err.unwrap_err(), UpstreamError::ForeignUrl, "{url}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn recheck_sends_the_url_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .and(query_param("trip", "1"))
        .and(query_param("k", "orig"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ignored"))
        .expect(1)
        .mount(&server)
        .await;
    let url = format!("{}/searchr?trip=1&k=orig", server.uri());
    let done = client(&server)
        .recheck(&url, None, &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(done, Ok(()));
    server.verify().await;
}

#[actix_web::test]
async fn recheck_with_a_key_override_sends_that_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/searchr"))
        .and(query_param("trip", "1"))
        .and(query_param("k", "new key&"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let twelvego = client(&server);
    for url in ["/searchr?k=old&trip=1", "/searchr?trip=1"] {
        let done = twelvego
            .recheck(
                url,
                Some(Secret::new("new key&")),
                &ctx(Duration::from_secs(10)),
            )
            .await;
        assert_eq!(done, Ok(()), "{url}");
    }
    for req in server.received_requests().await.unwrap() {
        let ks = req.url.query_pairs().filter(|(n, _)| n == "k").count();
        assert_eq!(ks, 1);
    }
    server.verify().await;
}

#[actix_web::test]
async fn recheck_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/searchr"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .recheck("/searchr?x=1", None, &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(err.unwrap_err(), status(502, false, None));
    server.verify().await;
}

#[actix_web::test]
async fn logs_show_redacted_urls_and_never_the_key() {
    // Arrange: every level, span fields included.
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(502).set_body_string("{}"), 3).await;
    Mock::given(path("/searchr"))
        .respond_with(ResponseTemplate::new(401).set_body_string("{}"))
        .mount(&server)
        .await;
    let twelvego = client(&server);
    // Act
    let _ = twelvego
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await;
    let _ = twelvego
        .recheck("/searchr?k=test-key", None, &ctx(Duration::from_secs(10)))
        .await;
    let _ = twelvego
        .recheck(
            "https://evil.example/x?k=test-key",
            None,
            &ctx(Duration::from_secs(10)),
        )
        .await;
    // Assert: tracing's interest cache is global and other tests run in parallel,
    // so an event may be missed here; whatever was captured must be redacted.
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("test-key"), "{text}");
    for line in text.lines().filter(|l| l.contains("url=")) {
        assert!(line.contains("k=***"), "{line}");
    }
}
