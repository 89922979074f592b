//! Inbound HTTP, outbound 12go, the sandbox, state stores, configuration and telemetry.

pub mod clients_file;
pub mod config;
pub mod http;
pub mod metrics;
pub mod outbox;
pub mod sandbox;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod twelvego;
pub mod webhook_sender;

/// A real `redis-server` for the Redis adapters' tests (shared with `tests/`).
#[cfg(test)]
#[path = "../../tests/common/redis_server.rs"]
pub(crate) mod redis_server;
