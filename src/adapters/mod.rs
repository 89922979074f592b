//! Inbound HTTP, outbound 12go, the sandbox, configuration and telemetry.
