//! Traits the use cases need from the outside world. Outbound ports are
//! `#[async_trait(?Send)]`: the awc client lives on one actix worker thread.

pub mod clients;
pub mod clock;
pub mod metrics;
pub mod twelvego;
