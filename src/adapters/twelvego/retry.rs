//! The GET retry rule (00 §12), as pure functions of time.

use rand::RngExt;
use std::time::{Duration, Instant};

const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const LATER_BACKOFF: Duration = Duration::from_secs(1);

/// The timeout of one read attempt: the smaller of `read_timeout` and the time
/// left before `deadline`; `None` when no time is left.
pub(super) fn attempt_timeout(
    read_timeout: Duration,
    deadline: Instant,
    now: Instant,
) -> Option<Duration> {
    let left = deadline.checked_duration_since(now)?;
    (!left.is_zero()).then(|| left.min(read_timeout))
}

/// The nominal pause before retry number `retry` (1-based): ~200 ms, then ~1 s.
pub(super) fn base_backoff(retry: u32) -> Duration {
    if retry <= 1 {
        FIRST_BACKOFF
    } else {
        LATER_BACKOFF
    }
}

/// `base` with ±20 % jitter.
pub(super) fn jittered(base: Duration) -> Duration {
    base.mul_f64(rand::rng().random_range(0.8..=1.2))
}

/// Whether, after sleeping `backoff` from `now`, at least `read_timeout` is left.
pub(super) fn time_allows(
    now: Instant,
    backoff: Duration,
    read_timeout: Duration,
    deadline: Instant,
) -> bool {
    now.checked_add(backoff)
        .and_then(|t| t.checked_add(read_timeout))
        .is_some_and(|t| t <= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn attempt_timeout_is_capped_by_the_deadline() {
        let now = Instant::now();
        assert_eq!(attempt_timeout(MS(300), now + MS(1000), now), Some(MS(300)));
        assert_eq!(attempt_timeout(MS(300), now + MS(100), now), Some(MS(100)));
    }

    #[test]
    fn attempt_timeout_is_none_when_no_time_is_left() {
        let now = Instant::now();
        assert_eq!(attempt_timeout(MS(300), now, now), None);
        assert_eq!(attempt_timeout(MS(300), now, now + MS(5)), None);
    }

    #[test]
    fn backoff_is_200ms_then_1s_with_twenty_percent_jitter() {
        assert_eq!(base_backoff(1), MS(200));
        assert_eq!(base_backoff(2), MS(1000));
        assert_eq!(base_backoff(7), MS(1000));
        for _ in 0..200 {
            let d = jittered(MS(1000));
            assert!(d >= MS(800) && d <= MS(1200), "{d:?}");
        }
    }

    #[test]
    fn a_retry_needs_a_full_read_timeout_after_the_backoff() {
        let now = Instant::now();
        assert!(time_allows(now, MS(200), MS(300), now + MS(500)));
        assert!(!time_allows(now, MS(200), MS(300), now + MS(499)));
        assert!(!time_allows(now + MS(600), MS(0), MS(0), now));
    }
}
