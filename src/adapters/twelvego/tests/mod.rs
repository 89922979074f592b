//! The awc client against wiremock as a fake 12go.

mod booking;
mod masterdata;
mod recheck;
mod search;
mod telemetry;

use std::time::{Duration, Instant};
use url::Url;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{AwcTwelveGo, BuildError, TwelveGoClientConfig};
use crate::domain::ids::Place;
use crate::domain::secret::Secret;
use crate::domain::upstream::UpstreamError;
use crate::ports::twelvego::{CallContext, SearchCall, TwelveGo};

const SEARCH_PATH: &str = "/search/3s/44p/2026-04-05";
const ANSWER: &str = r#"{"trips":[{"id":"T1","params":{"vehclasses":["train"]},"segments":[],"travel_options":[]}],"operators":{},"stations":{},"classes":{},"recheck":["/searchr?x=1"]}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn config(base: &str) -> TwelveGoClientConfig {
    let mut cfg = TwelveGoClientConfig::new(Url::parse(base).unwrap());
    cfg.read_timeout = ms(300);
    cfg.connect_timeout = ms(300);
    cfg
}

fn client(server: &MockServer) -> AwcTwelveGo {
    AwcTwelveGo::new(config(&server.uri())).unwrap()
}

fn ctx(time_left: Duration) -> CallContext {
    CallContext {
        key: Secret::new("test-key"),
        correlation_id: "corr-1".into(),
        deadline: Instant::now() + time_left,
    }
}

fn call() -> SearchCall {
    SearchCall {
        from: Place::Station(3),
        to: Place::Province(44),
        date: jiff::civil::date(2026, 4, 5),
        seats: 2,
    }
}

async fn mount(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(SEARCH_PATH))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

async fn search_status(response: ResponseTemplate, times: u64) -> UpstreamError {
    let server = MockServer::start().await;
    mount(&server, response, times).await;
    let err = client(&server)
        .search(&call(), &ctx(Duration::from_secs(10)))
        .await
        .unwrap_err();
    server.verify().await;
    err
}

fn status(status: u16, empty_object_body: bool, retry_after: Option<u64>) -> UpstreamError {
    UpstreamError::Status {
        status,
        empty_object_body,
        retry_after,
        rejection: crate::domain::upstream::Rejection::default(),
    }
}

/// A log writer the test can read back.
#[derive(Clone, Default)]
struct Capture(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn building_rejects_a_base_url_that_is_not_http() {
    let cfg = TwelveGoClientConfig::new(Url::parse("mailto:x@y.z").unwrap());
    assert!(matches!(AwcTwelveGo::new(cfg), Err(BuildError::BaseUrl)));
}

#[test]
fn default_config_matches_the_spec() {
    let cfg = TwelveGoClientConfig::new(Url::parse("http://127.0.0.1/").unwrap());
    assert_eq!(cfg.read_timeout, Duration::from_secs(10));
    assert_eq!(cfg.recheck_timeout, Duration::from_secs(300));
    assert_eq!(cfg.reserve_timeout, Duration::from_secs(60));
    assert_eq!(cfg.confirm_timeout, Duration::from_secs(60));
    assert_eq!(cfg.refund_timeout, Duration::from_secs(15));
    assert_eq!(cfg.connect_timeout, Duration::from_secs(3));
    assert_eq!(cfg.retry_max, 2);
    assert_eq!(cfg.max_body_bytes, 16 * 1024 * 1024);
    assert_eq!(cfg.pool_max, 200);
    assert_eq!(
        cfg.user_agent,
        format!("travelier-connect/{}", env!("CARGO_PKG_VERSION"))
    );
}
