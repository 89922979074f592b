//! Metrics (DogStatsD in production). Names are given without the `connect.`
//! prefix, which the adapter adds; tags never carry booking, itinerary or
//! correlation ids (40 §7.3).

/// `(key, value)` tag pairs, snake_case keys.
pub type Tags<'a> = &'a [(&'static str, &'a str)];

/// Emits metrics without blocking the caller.
#[cfg_attr(test, mockall::automock)]
pub trait Metrics: Send + Sync {
    /// A count, e.g. `request.count`.
    fn count<'a>(&self, name: &'static str, value: i64, tags: Tags<'a>);
    /// A gauge, e.g. `upstream.breaker_open`.
    fn gauge<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>);
    /// A histogram sample in milliseconds, e.g. `request.duration`.
    fn histogram<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>);
}

/// Drops everything (metrics off, unit tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMetrics;

impl Metrics for NoMetrics {
    fn count<'a>(&self, _: &'static str, _: i64, _: Tags<'a>) {}
    fn gauge<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
    fn histogram<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
}
