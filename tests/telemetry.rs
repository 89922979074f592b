//! Telemetry against a fake Datadog agent (40 §7–§8): trace payloads over HTTP,
//! DogStatsD lines over UDP, and the JSON log lines captured in memory. The
//! global subscriber is installed once per process, so this binary runs one app.

#[path = "common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use connect_api::adapters::config::SecretString;
use connect_api::adapters::telemetry;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use helpers::{
    spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path, ACME_KEY, TRIP_KEY,
};

const ADMIN_TOKEN: &str = "admin-token-never-logged";
const TRACE_ID: u64 = 1_234_567_890_123;
const PARENT_ID: u64 = 42;

/// Log lines written in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
            .collect()
    }
}

/// `(path, body)` of every request the fake trace agent received.
type Payloads = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A fake trace agent: records `(path, body)` of every request, answers 200.
fn trace_agent() -> (u16, Payloads) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_owned();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap();
                    }
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            sink.lock().unwrap().push((path, body));
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        }
    });
    (port, seen)
}

/// A fake DogStatsD agent: records every line.
fn statsd_agent() -> (u16, Arc<Mutex<Vec<String>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            sink.lock().unwrap().extend(text.lines().map(str::to_owned));
        }
    });
    (port, seen)
}

/// Every span of every payload received so far.
fn spans(payloads: &Payloads) -> Vec<Value> {
    let payloads = payloads.lock().unwrap();
    let mut out = Vec::new();
    for (path, body) in payloads.iter() {
        assert_eq!(path, "/v0.3/traces");
        let traces: Vec<Vec<Value>> = rmp_serde::from_slice(body).expect("msgpack traces");
        out.extend(traces.into_iter().flatten());
    }
    out
}

fn find<'a>(spans: &'a [Value], name: &str) -> Option<&'a Value> {
    spans.iter().find(|s| s["name"] == name)
}

#[actix_web::test]
async fn traces_metrics_logs_and_events_reach_datadog_without_secrets() {
    // Arrange
    let (trace_port, payloads) = trace_agent();
    let (statsd_port, metric_lines) = statsd_agent();
    let capture = Capture::default();
    let mut guard = None;
    let (app, server) = spawn_with_fake_12go_and("", |s| {
        s.dd_agent_host = "127.0.0.1".into();
        s.dd_trace_agent_port = trace_port;
        s.dd_dogstatsd_port = statsd_port;
        s.dd_env = "test".into();
        s.log_level = "debug".into();
        s.admin_token = Some(SecretString::from(ADMIN_TOKEN.to_owned()));
        guard = Some(telemetry::install(s, capture.clone()));
    })
    .await;
    let telemetry = guard.unwrap();
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .respond_with(ResponseTemplate::new(200).set_body_json(twelvego_answer(
            TRIP_KEY,
            3,
            4,
            &[],
        )))
        .mount(&server)
        .await;
    let search = helpers::search_3_to_4();

    // Act
    let trace_id = TRACE_ID.to_string();
    let parent_id = PARENT_ID.to_string();
    let res = app
        .get(
            &search,
            &[
                ("x-api-key", ACME_KEY),
                ("x-correlation-id", "tel-1"),
                ("x-datadog-trace-id", &trace_id),
                ("x-datadog-parent-id", &parent_id),
                ("x-datadog-sampling-priority", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app.get(&search, &[("x-api-key", "wrong-key")]).await;
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .get(app.admin_url("/build"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status() == 401);

    // Assert: the trace
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut all = Vec::new();
    while Instant::now() < deadline {
        telemetry.flush();
        all = spans(&payloads);
        if ["http.request", "12go.request", "mapping"]
            .iter()
            .all(|n| find(&all, n).is_some())
        {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    let request = all
        .iter()
        .find(|s| s["name"] == "http.request" && s["meta"]["correlation_id"] == "tel-1")
        .unwrap_or_else(|| panic!("no request span in {all:#?}"));
    assert_eq!(request["service"], "connect-api");
    assert_eq!(request["resource"], "GET /v1/{client_id}/itineraries");
    assert_eq!(
        request["trace_id"], TRACE_ID,
        "incoming Datadog trace continued"
    );
    assert_eq!(request["parent_id"], PARENT_ID);
    assert_eq!(request["meta"]["http.status_code"], "200");
    assert_eq!(request["meta"]["client_id"], "acme");
    assert_eq!(request["meta"]["env"], "test");
    let upstream = find(&all, "12go.request").unwrap();
    assert_eq!(upstream["resource"], "GET /search/{from}/{to}/{date}");
    assert_eq!(upstream["trace_id"], TRACE_ID);
    assert_eq!(upstream["meta"]["http.status_code"], "200");
    assert_eq!(upstream["meta"]["retry"], "0");
    let search_span = all
        .iter()
        .find(|s| s["span_id"] == upstream["parent_id"])
        .expect("12go span has a parent");
    assert_eq!(
        search_span["parent_id"], request["span_id"],
        "12go.request sits under the request span (via the search use case)"
    );
    assert_eq!(find(&all, "mapping").unwrap()["trace_id"], TRACE_ID);
    let received = server.received_requests().await.unwrap();
    let sent = &received[0].headers;
    assert_eq!(sent["x-datadog-trace-id"].to_str().unwrap(), trace_id);
    assert_eq!(
        sent["x-datadog-parent-id"].to_str().unwrap(),
        upstream["span_id"].to_string(),
        "12go gets the 12go span as its parent"
    );

    // Assert: the logs
    let lines = capture.lines();
    let summary = lines
        .iter()
        .find(|l| l["message"] == "request completed" && l["correlation_id"] == "tel-1")
        .expect("summary line");
    assert_eq!(summary["dd.trace_id"], trace_id);
    assert_eq!(summary["dd.span_id"], request["span_id"].to_string());
    assert_eq!(summary["dd.service"], "connect-api");
    assert_eq!(summary["dd.env"], "test");
    assert_eq!(summary["dd.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["level"], "INFO");
    assert_eq!(summary["route"], "/v1/{client_id}/itineraries");
    assert_eq!(summary["http.method"], "GET");
    assert_eq!(summary["http_status"], 200);
    assert_eq!(summary["client_id"], "acme");
    assert!(summary["duration_ms"].is_number());
    assert!(summary["timestamp"].as_str().unwrap().ends_with('Z'));

    // Assert: the business event
    let event = lines
        .iter()
        .find(|l| l["log_type"] == "business_event" && l["correlation_id"] == "tel-1")
        .expect("search event");
    assert_eq!(event["event_type"], "connect.search.completed");
    assert_eq!(event["event_version"], 1);
    assert_eq!(event["trace_id"], trace_id);
    assert_eq!(event["client_id"], "acme");
    assert_eq!(event["environment"], "test");
    assert_eq!(event["service"], "connect-api");
    assert_eq!(event["response"]["status"], 200);
    assert_eq!(event["response"]["itinerary_count"], 1);
    assert_eq!(
        event["response"]["itinerary_ids"].as_array().unwrap().len(),
        1
    );
    assert_eq!(event["request"]["pax"], "1");
    assert_eq!(event["request"]["routes"], 1);
    let hash = hex::encode(Sha256::digest(ACME_KEY.as_bytes()));
    assert_eq!(event["api_key_hash"], &hash[..8]);
    assert!(event["error"].is_null());
    assert!(event["timing"]["total_ms"].is_number());

    // Assert: the metrics
    let wanted = [
        "connect.request.count:1|c|#client_id:acme,endpoint:search,status_code:200",
        "connect.request.count:1|c|#client_id:unauthenticated,endpoint:search,status_code:401",
        "connect.request.duration:",
        "connect.upstream.count:1|c|#endpoint:search,status_code:200",
        "connect.upstream.duration:",
        "connect.auth.failed:1|c|#reason:",
    ];
    let deadline = Instant::now() + Duration::from_secs(5);
    let metrics = loop {
        let got = metric_lines.lock().unwrap().clone();
        if wanted.iter().all(|w| got.iter().any(|l| l.starts_with(w))) || Instant::now() > deadline
        {
            break got;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    };
    for w in wanted {
        assert!(
            metrics.iter().any(|l| l.starts_with(w)),
            "{w} not in {metrics:#?}"
        );
    }
    assert!(metrics
        .iter()
        .all(|l| l.contains("service:connect-api") && !l.contains("tel-1")));

    // Assert: no configured secret anywhere (40 §8)
    let logs = capture.text();
    let traces: Vec<String> = payloads
        .lock()
        .unwrap()
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    for secret in [ACME_KEY, common::TEST_12GO_KEY, ADMIN_TOKEN] {
        assert!(!logs.contains(secret), "{secret} in the logs");
        assert!(
            !traces.iter().any(|t| t.contains(secret)),
            "{secret} in a trace"
        );
        assert!(
            !metrics.iter().any(|m| m.contains(secret)),
            "{secret} in metrics"
        );
    }
    assert!(!logs.contains("k=test"), "12go key parameter in the logs");
    assert!(
        logs.contains("\"level\":\"DEBUG\""),
        "debug lines were captured too"
    );
}
