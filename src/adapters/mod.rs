//! Inbound HTTP, outbound 12go, the sandbox, configuration and telemetry.

pub mod sandbox;
pub mod twelvego;
