//! Inbound HTTP, outbound 12go, the sandbox, configuration and telemetry.

pub mod clients_file;
pub mod config;
pub mod http;
pub mod metrics;
pub mod sandbox;
pub mod telemetry;
pub mod twelvego;
