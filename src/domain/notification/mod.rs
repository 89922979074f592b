//! Booking notifications (30 §7–§8), the pure parts: the inbound 12go webhook body
//! and its authentication, the outbound envelope and signature, and the delivery
//! retry policy. No I/O: callers pass times, jitter and raw bytes.

pub mod allowlist;
pub mod envelope;
pub mod retry;
pub mod signature;
pub mod webhook;

pub use allowlist::SourceAllowlist;
pub use envelope::{build_notification, event_name, Envelope, Notification};
pub use retry::{parse_retry_after, AttemptResult, Decision, Outcome, RetryPolicy};
pub use signature::{
    sign_outbound, verify_inbound, AuthFailure, AuthMethod, InboundAuthHeaders, DEFAULT_TOLERANCE,
};
pub use webhook::{parse_webhook, WebhookBodyError, WebhookEvent};
