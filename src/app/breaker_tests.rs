use super::*;
use crate::domain::ids::Place;
use crate::ports::metrics::Tags;
use crate::ports::twelvego::MockTwelveGo;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Records gauges as `(name, value, host)`.
#[derive(Default)]
struct Gauges(Mutex<Vec<(&'static str, f64, String)>>);

impl Metrics for Gauges {
    fn count<'a>(&self, _: &'static str, _: i64, _: Tags<'a>) {}
    fn gauge<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        let host = tags.first().map(|t| t.1.to_string()).unwrap_or_default();
        self.0.lock().unwrap().push((name, value, host));
    }
    fn histogram<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
}

struct Fixture {
    breaker: Arc<CircuitBreaker>,
    gauges: Arc<Gauges>,
    offset_secs: Arc<AtomicU64>,
}

fn fixture() -> Fixture {
    let t0 = Instant::now();
    let offset_secs = Arc::new(AtomicU64::new(0));
    let off = offset_secs.clone();
    let clock: MonoClock = Arc::new(move || t0 + Duration::from_secs(off.load(Ordering::SeqCst)));
    let gauges = Arc::new(Gauges::default());
    let breaker = Arc::new(CircuitBreaker::with_clock(
        "h.example",
        BreakerConfig::default(),
        gauges.clone(),
        clock,
    ));
    Fixture {
        breaker,
        gauges,
        offset_secs,
    }
}

fn ctx() -> CallContext {
    CallContext {
        key: Secret::new("k"),
        correlation_id: "c".into(),
        deadline: Instant::now() + Duration::from_secs(10),
    }
}

fn call() -> SearchCall {
    SearchCall {
        from: Place::Station(3),
        to: Place::Station(4),
        date: jiff::civil::date(2030, 1, 1),
        seats: 1,
    }
}

fn status(s: u16) -> UpstreamError {
    UpstreamError::Status {
        status: s,
        empty_object_body: false,
        retry_after: None,
        rejection: crate::domain::upstream::Rejection::default(),
    }
}

#[actix_rt::test]
async fn after_five_failures_nothing_is_sent_and_rechecks_are_skipped() {
    // Arrange
    let f = fixture();
    let mut tg = MockTwelveGo::new();
    tg.expect_search()
        .times(5)
        .returning(|_, _| Err(status(500)));
    tg.expect_recheck().times(0);
    let port = BreakerTwelveGo::new(tg, f.breaker.clone());
    // Act
    for _ in 0..5 {
        assert_eq!(port.search(&call(), &ctx()).await.unwrap_err(), status(500));
    }
    let sixth = port.search(&call(), &ctx()).await;
    let recheck = port.recheck("http://h/searchr", None, &ctx()).await;
    // Assert
    assert_eq!(
        sixth.unwrap_err(),
        UpstreamError::BreakerOpen { retry_after: 30 }
    );
    assert_eq!(
        recheck.unwrap_err(),
        UpstreamError::BreakerOpen { retry_after: 30 }
    );
    let snap = f.breaker.snapshot().unwrap();
    assert_eq!(snap.phase, BreakerPhase::Open);
    assert_eq!(snap.opened_secs_ago, Some(0));
    let gauges = f.gauges.0.lock().unwrap().clone();
    assert_eq!(
        gauges,
        vec![
            ("upstream.breaker_open", 0.0, "h.example".to_string()),
            ("upstream.breaker_open", 1.0, "h.example".to_string()),
        ]
    );
}

#[actix_rt::test]
async fn a_successful_probe_closes_and_publishes_zero() {
    // Arrange
    let f = fixture();
    let mut tg = MockTwelveGo::new();
    let mut seq = mockall::Sequence::new();
    tg.expect_search()
        .times(5)
        .in_sequence(&mut seq)
        .returning(|_, _| Err(UpstreamError::Timeout));
    tg.expect_search()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Err(status(404)));
    let port = BreakerTwelveGo::new(tg, f.breaker.clone());
    for _ in 0..5 {
        let _ = port.search(&call(), &ctx()).await;
    }
    // Act: 30 s later the breaker half-opens and the probe gets a 404 (not a failure).
    f.offset_secs.store(30, Ordering::SeqCst);
    let probe = port.search(&call(), &ctx()).await;
    // Assert
    assert_eq!(probe.unwrap_err(), status(404));
    assert_eq!(f.breaker.snapshot().unwrap().phase, BreakerPhase::Closed);
    let values: Vec<f64> = f.gauges.0.lock().unwrap().iter().map(|g| g.1).collect();
    // closed, open, half-open (at the probe), closed.
    assert_eq!(values, vec![0.0, 1.0, 0.0, 0.0]);
}
