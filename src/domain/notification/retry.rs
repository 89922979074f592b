//! Delivery policy of outbound notifications (30 §8): which attempt results are
//! retried, and when the next attempt is due. Jitter comes in as an argument so
//! schedules are deterministic under test.

use jiff::Timestamp;
use std::time::Duration;

/// One delivery attempt, as the worker saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    /// The client answered with this status.
    Status(u16),
    /// Connection, TLS or DNS failure.
    NetworkError,
    /// No answer within the attempt timeout.
    Timeout,
    /// Nothing was sent: the client has no usable `webhook_url` or signing
    /// secret right now (retried, since a registry reload can fix it).
    NotConfigured,
}

/// How an attempt result counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Any 2xx.
    Delivered,
    /// Network error, timeout, 408, 429, 5xx.
    Retryable,
    /// Any other status: no further attempt.
    Final,
}

impl AttemptResult {
    pub fn outcome(self) -> Outcome {
        match self {
            Self::NetworkError | Self::Timeout | Self::NotConfigured => Outcome::Retryable,
            Self::Status(s) if (200..300).contains(&s) => Outcome::Delivered,
            Self::Status(408 | 429) => Outcome::Retryable,
            Self::Status(s) if (500..600).contains(&s) => Outcome::Retryable,
            Self::Status(_) => Outcome::Final,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    /// Try again at `due`.
    Retry {
        due: Timestamp,
    },
    /// Give up: a final status, or the last allowed attempt failed.
    DeadLetter {
        exhausted: bool,
    },
}

/// `NOTIFY_*` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// `NOTIFY_MAX_ATTEMPTS`, counting the first.
    pub max_attempts: u32,
    /// `NOTIFY_BASE_DELAY_SECS`: the delay before the second attempt.
    pub base_delay: Duration,
    /// `NOTIFY_MAX_DELAY_SECS`.
    pub max_delay: Duration,
    /// ±fraction applied to each delay.
    pub jitter: f64,
    /// A client's `Retry-After` is honoured up to this.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(1800),
            jitter: 0.2,
            retry_after_cap: Duration::from_secs(1800),
        }
    }
}

impl RetryPolicy {
    /// The wait after attempt `attempt` (1-based) failed: base × 2^(attempt−1),
    /// jittered by `jitter_unit` ∈ [−1, 1] (clamped; NaN = none), capped at
    /// `max_delay`, and never shorter than the (capped) `Retry-After`.
    pub fn delay_after(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter_unit: f64,
    ) -> Duration {
        let exp = attempt.saturating_sub(1).min(32);
        let raw = self.base_delay.as_secs_f64() * 2f64.powi(exp as i32);
        let unit = if jitter_unit.is_nan() {
            0.0
        } else {
            jitter_unit.clamp(-1.0, 1.0)
        };
        let jittered = (raw * (1.0 + self.jitter * unit)).max(0.0);
        // The cap is applied after jitter, so it is a hard maximum.
        let delay = Duration::from_secs_f64(jittered.min(self.max_delay.as_secs_f64()));
        let floor = retry_after.map_or(Duration::ZERO, |r| r.min(self.retry_after_cap));
        delay.max(floor)
    }

    /// The decision after attempt `attempt` (1-based) ended with `result`.
    pub fn decide(
        &self,
        attempt: u32,
        result: AttemptResult,
        retry_after: Option<Duration>,
        jitter_unit: f64,
        now: Timestamp,
    ) -> Decision {
        match result.outcome() {
            Outcome::Delivered => Decision::Delivered,
            Outcome::Final => Decision::DeadLetter { exhausted: false },
            Outcome::Retryable if attempt >= self.max_attempts => {
                Decision::DeadLetter { exhausted: true }
            }
            Outcome::Retryable => {
                let delay = self.delay_after(attempt, retry_after, jitter_unit);
                let due = jiff::SignedDuration::try_from(delay)
                    .ok()
                    .and_then(|d| now.checked_add(d).ok())
                    .unwrap_or(Timestamp::MAX);
                Decision::Retry { due }
            }
        }
    }
}

/// `Retry-After`: delay seconds or an HTTP date (a past date means no wait).
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse().unwrap_or(u64::MAX)));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(v)
        .ok()?;
    let secs = at.as_second().saturating_sub(now.as_second()).max(0);
    Some(Duration::from_secs(secs.unsigned_abs()))
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
