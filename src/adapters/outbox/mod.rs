//! Adapters for the notification [`Outbox`](crate::ports::outbox::Outbox) port
//! (40 §3, 30 §8):
//!
//! - [`RedisOutbox`]: durable and shared by every instance (used with `REDIS_URL`).
//! - [`MemoryOutbox`]: this process only; pending deliveries are lost on restart.
//!
//! Both keep due times at millisecond precision (Redis sorted-set scores) and
//! list in (due or dead time, id) order, so admin cursors mean the same on both.

pub mod memory;
pub mod redis;
mod scripts;

#[cfg(test)]
mod suite;

pub use memory::MemoryOutbox;
pub use redis::RedisOutbox;

use jiff::Timestamp;
use std::time::Duration;

/// `t` in milliseconds since the epoch (the Redis score).
fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// The inverse of [`millis`], saturating outside jiff's range.
fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `d` in milliseconds, at least 1 (a zero lease or TTL would never hold).
fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// An admin listing position: the last entry returned, as `{score}:{id}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cursor {
    score: i64,
    id: String,
}

impl Cursor {
    fn encode(&self) -> String {
        format!("{}:{}", self.score, self.id)
    }

    /// `None` for a cursor this adapter did not hand out.
    fn parse(raw: &str) -> Option<Self> {
        let (score, id) = raw.split_once(':')?;
        Some(Self {
            score: score.parse().ok()?,
            id: id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_ids_with_colons() {
        let c = Cursor {
            score: -5,
            id: "1-2:x".into(),
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        assert_eq!(Cursor::parse("junk"), None);
        assert_eq!(Cursor::parse("x:1"), None);
    }

    #[test]
    fn timestamps_round_trip_at_millisecond_precision() {
        let t = timestamp(1_775_390_400_123);
        assert_eq!(millis(t), 1_775_390_400_123);
        assert_eq!(timestamp(i64::MAX), Timestamp::MAX);
        assert_eq!(duration_ms(Duration::ZERO), 1);
    }
}
