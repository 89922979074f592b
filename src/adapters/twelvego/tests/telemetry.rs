//! Metrics and logs of the funnel calls.

use super::booking::{mount_call, Call, ALL, POSTS};
use super::*;
use crate::ports::metrics::{Metrics, Tags};
use std::sync::{Arc, Mutex};

/// Every count and histogram as `name endpoint=…,…`.
#[derive(Default)]
pub(super) struct Recorded(Mutex<Vec<String>>);

impl Recorded {
    fn push(&self, name: &str, tags: Tags<'_>) {
        let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("{name} {}", tags.join(",")));
    }

    pub(super) fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Metrics for Recorded {
    fn count<'a>(&self, name: &'static str, _: i64, tags: Tags<'a>) {
        self.push(name, tags);
    }
    fn gauge<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
    fn histogram<'a>(&self, name: &'static str, _: f64, tags: Tags<'a>) {
        self.push(name, tags);
    }
}

async fn recorded(call: Call, response: ResponseTemplate, times: u64) -> Vec<String> {
    let server = MockServer::start().await;
    mount_call(&server, call, response, times).await;
    let metrics = Arc::new(Recorded::default());
    let twelvego = client(&server).with_metrics(metrics.clone());
    let _ = call.invoke(&twelvego, &ctx(Duration::from_secs(10))).await;
    server.verify().await;
    metrics.lines()
}

#[actix_web::test]
async fn each_call_is_tagged_with_its_own_endpoint_name() {
    for call in ALL {
        let ok = ResponseTemplate::new(200).set_body_string(call.ok_body());
        let lines = recorded(call, ok, 1).await;
        let name = call.metric();
        assert_eq!(
            lines,
            [
                format!("upstream.count endpoint={name},status_code=200"),
                format!("upstream.duration endpoint={name}"),
            ],
            "{call:?}"
        );
    }
}

#[actix_web::test]
async fn a_failed_post_counts_one_attempt_and_no_retry() {
    for call in POSTS {
        let lines = recorded(call, ResponseTemplate::new(502), 1).await;
        let name = call.metric();
        assert_eq!(
            lines,
            [
                format!("upstream.count endpoint={name},status_code=502"),
                format!("upstream.duration endpoint={name}"),
                format!("upstream.errors endpoint={name},error_type=5xx"),
            ],
            "{call:?}"
        );
    }
}

#[actix_web::test]
async fn a_retried_read_counts_its_retries() {
    let lines = recorded(Call::Booking, ResponseTemplate::new(502), 3).await;
    let retries = lines
        .iter()
        .filter(|l| *l == "upstream.retries endpoint=booking")
        .count();
    assert_eq!(retries, 2, "{lines:?}");
}

#[actix_web::test]
async fn funnel_logs_show_redacted_urls_and_never_the_key() {
    // Arrange
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    mount_call(&server, Call::Reserve, ResponseTemplate::new(504), 1).await;
    mount_call(
        &server,
        Call::Checkout,
        ResponseTemplate::new(422).set_body_string(r#"{"messages":["no"]}"#),
        1,
    )
    .await;
    mount_call(&server, Call::Cart, ResponseTemplate::new(200), 1).await;
    let twelvego = client(&server);
    // Act
    for call in [Call::Reserve, Call::Checkout, Call::Cart] {
        let result = call.invoke(&twelvego, &ctx(Duration::from_secs(10))).await;
        assert!(result.is_err(), "{call:?}");
    }
    // Assert: events may be missed (global interest cache), but what was
    // captured must be redacted.
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("test-key"), "{text}");
    for line in text.lines().filter(|l| l.contains("url=")) {
        assert!(line.contains("k=***"), "{line}");
    }
    server.verify().await;
}
