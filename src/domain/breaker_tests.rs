use super::*;

const S: Duration = Duration::from_secs(1);

fn st(status: u16) -> UpstreamError {
    UpstreamError::Status {
        status,
        empty_object_body: false,
        retry_after: None,
        rejection: crate::domain::upstream::Rejection::default(),
    }
}

/// Sends one call at `now` with `outcome`; returns how it was admitted.
fn call(b: &mut Breaker, now: Instant, outcome: CallOutcome) -> Admission {
    let a = b.admit(now);
    if !matches!(a, Admission::Rejected { .. }) {
        b.record(a, outcome, now);
    }
    a
}

fn fail_n(b: &mut Breaker, t0: Instant, n: u32) {
    for i in 0..n {
        assert_eq!(call(b, t0 + i * S, CallOutcome::Failure), Admission::Normal);
    }
}

#[test]
fn outcomes_follow_00_12() {
    assert_eq!(CallOutcome::of(&Ok::<(), _>(())), CallOutcome::Success);
    for e in [
        UpstreamError::Timeout,
        UpstreamError::Connect,
        st(500),
        st(502),
        st(503),
    ] {
        assert_eq!(
            CallOutcome::of::<()>(&Err(e.clone())),
            CallOutcome::Failure,
            "{e}"
        );
    }
    for s in [400, 401, 404, 422, 429] {
        assert_eq!(
            CallOutcome::of::<()>(&Err(st(s))),
            CallOutcome::Success,
            "{s}"
        );
    }
    let open = UpstreamError::BreakerOpen { retry_after: 3 };
    assert_eq!(CallOutcome::of::<()>(&Err(open)), CallOutcome::Ignored);
}

#[test]
fn opens_after_five_consecutive_failures_and_rejects_with_retry_after() {
    let mut b = Breaker::new(BreakerConfig::default());
    let t0 = Instant::now();
    fail_n(&mut b, t0, 4);
    assert_eq!(b.phase(t0 + 4 * S), BreakerPhase::Closed);
    assert_eq!(b.consecutive_failures(), 4);
    assert_eq!(
        call(&mut b, t0 + 4 * S, CallOutcome::Failure),
        Admission::Normal
    );
    assert_eq!(b.phase(t0 + 4 * S), BreakerPhase::Open);
    assert_eq!(b.opened_at(), Some(t0 + 4 * S));
    assert_eq!(b.admit(t0 + 4 * S), Admission::Rejected { retry_after: 30 });
    assert_eq!(
        b.admit(t0 + 33 * S + Duration::from_millis(500)),
        Admission::Rejected { retry_after: 1 }
    );
}

#[test]
fn four_xx_never_count_and_a_success_resets_the_streak() {
    let mut b = Breaker::new(BreakerConfig::default());
    let t0 = Instant::now();
    fail_n(&mut b, t0, 4);
    call(&mut b, t0 + 5 * S, CallOutcome::of::<()>(&Err(st(404))));
    assert_eq!(b.consecutive_failures(), 0);
    fail_n(&mut b, t0 + 6 * S, 4);
    call(&mut b, t0 + 10 * S, CallOutcome::Success);
    fail_n(&mut b, t0 + 11 * S, 4);
    assert_eq!(b.phase(t0 + 15 * S), BreakerPhase::Closed);
}

#[test]
fn failures_outside_the_window_start_a_new_count() {
    let mut b = Breaker::new(BreakerConfig::default());
    let t0 = Instant::now();
    fail_n(&mut b, t0, 4);
    // The fifth comes 61 s after the first: the count restarts at 1.
    call(&mut b, t0 + 61 * S, CallOutcome::Failure);
    assert_eq!(b.phase(t0 + 61 * S), BreakerPhase::Closed);
    assert_eq!(b.consecutive_failures(), 1);
}

#[test]
fn half_open_admits_three_probes_and_a_success_closes() {
    let mut b = Breaker::new(BreakerConfig::default());
    let t0 = Instant::now();
    fail_n(&mut b, t0, 5);
    let t1 = t0 + 4 * S + 30 * S;
    assert_eq!(b.phase(t1), BreakerPhase::HalfOpen);
    let probes: Vec<Admission> = (0..3).map(|_| b.admit(t1)).collect();
    assert_eq!(probes, vec![Admission::Probe; 3]);
    assert_eq!(b.admit(t1), Admission::Rejected { retry_after: 1 });
    b.record(Admission::Probe, CallOutcome::Success, t1);
    assert_eq!(b.phase(t1), BreakerPhase::Closed);
    assert_eq!(b.admit(t1), Admission::Normal);
}

#[test]
fn a_failed_probe_reopens_for_the_full_period() {
    let mut b = Breaker::new(BreakerConfig::default());
    let t0 = Instant::now();
    fail_n(&mut b, t0, 5);
    let t1 = t0 + 40 * S;
    assert_eq!(call(&mut b, t1, CallOutcome::Failure), Admission::Probe);
    assert_eq!(b.phase(t1), BreakerPhase::Open);
    assert_eq!(b.admit(t1 + S), Admission::Rejected { retry_after: 29 });
    // A late normal call that fails while half-open later does not reopen it.
    let t2 = t1 + 30 * S;
    assert_eq!(b.admit(t2), Admission::Probe);
    b.record(Admission::Normal, CallOutcome::Failure, t2);
    assert_eq!(b.phase(t2), BreakerPhase::HalfOpen);
}

#[test]
fn a_released_probe_frees_its_slot() {
    let mut b = Breaker::new(BreakerConfig {
        probes: 1,
        ..BreakerConfig::default()
    });
    let t0 = Instant::now();
    fail_n(&mut b, t0, 5);
    let t1 = t0 + 40 * S;
    assert_eq!(b.admit(t1), Admission::Probe);
    assert_eq!(b.admit(t1), Admission::Rejected { retry_after: 1 });
    b.release(Admission::Probe);
    assert_eq!(b.admit(t1), Admission::Probe);
}
