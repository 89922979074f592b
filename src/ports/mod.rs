//! Traits the use cases need from the outside world. Outbound ports are
//! `#[async_trait(?Send)]`: the awc client lives on one actix worker thread.
//! State ports ([`kv`]) are `Send`: one store is shared by every worker.

pub mod clients;
pub mod clock;
pub mod kv;
pub mod masterdata;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod twelvego;
