use super::*;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn statuses_are_classified() {
    use AttemptResult::*;
    for s in [200, 201, 204, 299] {
        assert_eq!(Status(s).outcome(), Outcome::Delivered, "{s}");
    }
    for r in [
        NetworkError,
        Timeout,
        Status(408),
        Status(429),
        Status(500),
        Status(503),
        Status(599),
    ] {
        assert_eq!(r.outcome(), Outcome::Retryable, "{r:?}");
    }
    for s in [100, 301, 302, 400, 401, 403, 404, 410, 422, 600] {
        assert_eq!(Status(s).outcome(), Outcome::Final, "{s}");
    }
}

#[test]
fn delays_double_from_one_minute() {
    let p = RetryPolicy::default();
    let delays: Vec<f64> = (1..=5).map(|k| secs(p.delay_after(k, None, 0.0))).collect();
    assert_eq!(delays, vec![60.0, 120.0, 240.0, 480.0, 960.0]);
    // About 31 minutes from the first attempt to the last.
    assert_eq!(delays.iter().sum::<f64>(), 1860.0);
}

#[test]
fn the_delay_is_capped() {
    let p = RetryPolicy::default();
    assert_eq!(secs(p.delay_after(6, None, 0.0)), 1800.0);
    assert_eq!(secs(p.delay_after(40, None, 1.0)), 1800.0);
    assert_eq!(secs(p.delay_after(u32::MAX, None, 0.0)), 1800.0);
}

#[test]
fn jitter_stays_within_twenty_percent() {
    let p = RetryPolicy::default();
    assert_eq!(secs(p.delay_after(1, None, 1.0)), 72.0);
    assert_eq!(secs(p.delay_after(1, None, -1.0)), 48.0);
    assert_eq!(secs(p.delay_after(3, None, 0.5)), 264.0);
    // Out-of-range and NaN jitter sources cannot widen the band.
    assert_eq!(secs(p.delay_after(1, None, 7.0)), 72.0);
    assert_eq!(secs(p.delay_after(1, None, -7.0)), 48.0);
    assert_eq!(secs(p.delay_after(1, None, f64::NAN)), 60.0);
    for i in 0..=20 {
        let j = -1.0 + f64::from(i) / 10.0;
        let d = secs(p.delay_after(2, None, j));
        assert!((96.0..=144.0).contains(&d), "{j} → {d}");
    }
}

#[test]
fn retry_after_is_a_floor_capped_at_thirty_minutes() {
    let p = RetryPolicy::default();
    let ra = |s| Some(Duration::from_secs(s));
    assert_eq!(secs(p.delay_after(1, ra(600), -1.0)), 600.0);
    assert_eq!(secs(p.delay_after(1, ra(10), 0.0)), 60.0);
    assert_eq!(secs(p.delay_after(1, ra(86_400), 0.0)), 1800.0);
}

#[test]
fn decisions_follow_the_outcome_and_the_attempt_count() {
    let p = RetryPolicy::default();
    let now = Timestamp::from_second(1_000_000).unwrap();
    let d = |k, r| p.decide(k, r, None, 0.0, now);
    assert_eq!(d(1, AttemptResult::Status(204)), Decision::Delivered);
    assert_eq!(
        d(1, AttemptResult::Status(503)),
        Decision::Retry {
            due: Timestamp::from_second(1_000_060).unwrap()
        }
    );
    assert_eq!(
        d(5, AttemptResult::Timeout),
        Decision::Retry {
            due: Timestamp::from_second(1_000_960).unwrap()
        }
    );
    assert_eq!(
        d(6, AttemptResult::Timeout),
        Decision::DeadLetter { exhausted: true }
    );
    assert_eq!(
        d(2, AttemptResult::Status(404)),
        Decision::DeadLetter { exhausted: false }
    );
    assert_eq!(d(6, AttemptResult::Status(200)), Decision::Delivered);
}

#[test]
fn retry_after_is_read_as_seconds_or_a_date() {
    let now = Timestamp::from_second(1775390400).unwrap(); // Sun, 05 Apr 2026 12:00:00 GMT
    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after("Sun, 05 Apr 2026 12:05:00 GMT", now),
        Some(Duration::from_secs(300))
    );
    assert_eq!(
        parse_retry_after("Sun, 05 Apr 2026 11:00:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-5", now), None);
}
