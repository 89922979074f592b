//! Metrics adapters for the [`crate::ports::metrics::Metrics`] port.

pub mod aggregate;
pub mod statsd;
