//! Notification use cases (30 §7–§8).

pub mod inbound;

pub use inbound::{authenticate, Inbound, Outcome, Processed};
