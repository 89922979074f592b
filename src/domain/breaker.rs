//! The 12go circuit breaker as a pure state machine (00 §12). Time is passed in
//! (`now`), so the rules are tested with a fake clock and no sleeps.

use std::time::{Duration, Instant};

use crate::domain::upstream::UpstreamError;

/// Thresholds (`BREAKER_*`, 40 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub failures: u32,
    /// The failures must fall within this window, counted from the first one.
    pub window: Duration,
    /// How long it stays open before half-opening.
    pub open_for: Duration,
    /// Probe calls admitted while half-open.
    pub probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failures: 5,
            window: Duration::from_secs(60),
            open_for: Duration::from_secs(30),
            probes: 3,
        }
    }
}

/// The public state names (`/admin/stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerPhase {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

/// How a finished call counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// 12go answered (2xx, or any 4xx: those never count as failures).
    Success,
    /// 5xx, timeout or connection error.
    Failure,
    /// Nothing that says anything about 12go's health (e.g. nothing was sent).
    Ignored,
}

impl CallOutcome {
    /// Classifies a call result per 00 §12.
    pub fn of<T>(result: &Result<T, UpstreamError>) -> Self {
        match result {
            Ok(_) => Self::Success,
            Err(UpstreamError::Timeout | UpstreamError::Connect) => Self::Failure,
            Err(UpstreamError::Status { status, .. }) if *status >= 500 => Self::Failure,
            Err(UpstreamError::Status { .. }) | Err(UpstreamError::Decode) => Self::Success,
            Err(
                UpstreamError::TooLarge
                | UpstreamError::ForeignUrl
                | UpstreamError::BreakerOpen { .. },
            ) => Self::Ignored,
        }
    }
}

/// Whether a call may go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A normal call (breaker closed).
    Normal,
    /// A half-open probe: its outcome decides the state.
    Probe,
    /// Refused; seconds until the breaker half-opens (≥ 1).
    Rejected { retry_after: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
        first_failure: Option<Instant>,
    },
    Open {
        since: Instant,
    },
    HalfOpen {
        probes_out: u32,
    },
}

/// The breaker state machine.
#[derive(Debug, Clone)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: State,
}

impl Breaker {
    pub fn new(cfg: BreakerConfig) -> Self {
        Self {
            cfg,
            state: State::Closed {
                failures: 0,
                first_failure: None,
            },
        }
    }

    /// The phase at `now` (an expired open period reads as half-open).
    pub fn phase(&self, now: Instant) -> BreakerPhase {
        match self.state {
            State::Closed { .. } => BreakerPhase::Closed,
            State::Open { since } if now.duration_since(since) >= self.cfg.open_for => {
                BreakerPhase::HalfOpen
            }
            State::Open { .. } => BreakerPhase::Open,
            State::HalfOpen { .. } => BreakerPhase::HalfOpen,
        }
    }

    /// The phase as last recorded: an expired open period still reads as open
    /// until the next call half-opens it (transitions are published then).
    pub fn recorded_phase(&self) -> BreakerPhase {
        match self.state {
            State::Closed { .. } => BreakerPhase::Closed,
            State::Open { .. } => BreakerPhase::Open,
            State::HalfOpen { .. } => BreakerPhase::HalfOpen,
        }
    }

    /// Consecutive failures counted in the current window (closed state).
    pub fn consecutive_failures(&self) -> u32 {
        match self.state {
            State::Closed { failures, .. } => failures,
            State::Open { .. } | State::HalfOpen { .. } => self.cfg.failures,
        }
    }

    /// When it last opened, while open.
    pub fn opened_at(&self) -> Option<Instant> {
        match self.state {
            State::Open { since } => Some(since),
            _ => None,
        }
    }

    /// Whole seconds until half-open (≥ 1) while open, else 0.
    pub fn retry_after(&self, now: Instant) -> u64 {
        match self.state {
            State::Open { since } => {
                let left = (since + self.cfg.open_for).saturating_duration_since(now);
                left.as_secs_f64().ceil().max(1.0) as u64
            }
            _ => 0,
        }
    }

    /// Asks to send a covered call at `now`.
    pub fn admit(&mut self, now: Instant) -> Admission {
        if let State::Open { since } = self.state {
            if now.duration_since(since) < self.cfg.open_for {
                return Admission::Rejected {
                    retry_after: self.retry_after(now),
                };
            }
            self.state = State::HalfOpen { probes_out: 0 };
        }
        match &mut self.state {
            State::Closed { .. } => Admission::Normal,
            State::HalfOpen { probes_out } if *probes_out < self.cfg.probes => {
                *probes_out += 1;
                Admission::Probe
            }
            // All probes are out: wait for one of them (1 s is the smallest hint).
            State::HalfOpen { .. } | State::Open { .. } => Admission::Rejected { retry_after: 1 },
        }
    }

    /// Records the outcome of a call admitted as `admission`.
    pub fn record(&mut self, admission: Admission, outcome: CallOutcome, now: Instant) {
        match (self.state, outcome) {
            (_, CallOutcome::Ignored) => self.release(admission),
            // Late answers of calls sent before it opened change nothing.
            (State::Open { .. }, _) => {}
            (State::HalfOpen { .. }, _) if admission != Admission::Probe => {}
            (State::HalfOpen { .. }, CallOutcome::Success) => self.close(),
            (State::HalfOpen { .. }, CallOutcome::Failure) => {
                self.state = State::Open { since: now }
            }
            (State::Closed { .. }, CallOutcome::Success) => self.close(),
            (
                State::Closed {
                    failures,
                    first_failure,
                },
                CallOutcome::Failure,
            ) => {
                let (failures, first) = match first_failure {
                    Some(first) if now.duration_since(first) <= self.cfg.window => {
                        (failures + 1, first)
                    }
                    _ => (1, now),
                };
                self.state = if failures >= self.cfg.failures {
                    State::Open { since: now }
                } else {
                    State::Closed {
                        failures,
                        first_failure: Some(first),
                    }
                };
            }
        }
    }

    /// A probe that ended without an outcome (cancelled, or nothing sent) frees its slot.
    pub fn release(&mut self, admission: Admission) {
        if let (State::HalfOpen { probes_out }, Admission::Probe) = (&mut self.state, admission) {
            *probes_out = probes_out.saturating_sub(1);
        }
    }

    fn close(&mut self) {
        self.state = State::Closed {
            failures: 0,
            first_failure: None,
        };
    }
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
