//! Sending one notification attempt to a client's webhook (30 §8). The worker
//! signs and schedules; the sender only carries the request and reports what
//! came back.

use async_trait::async_trait;
use std::time::Duration;

use crate::domain::notification::AttemptResult;

/// One signed POST, ready to send.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub url: &'a url::Url,
    pub notification_id: &'a str,
    /// `X-Travelier-Timestamp`, unix seconds, new for every attempt.
    pub timestamp: i64,
    /// `X-Travelier-Signature: sha256=…`.
    pub signature: &'a str,
    pub body: &'a [u8],
    /// The whole attempt (connect, send, response head) must end within this.
    pub timeout: Duration,
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReply {
    pub result: AttemptResult,
    /// The raw `Retry-After` header of the answer, if any.
    pub retry_after: Option<String>,
}

/// Carries attempts. Redirects are never followed (a 3xx is a final answer).
#[cfg_attr(test, mockall::automock)]
#[async_trait(?Send)]
pub trait NotificationSender {
    async fn send<'a>(&self, attempt: Attempt<'a>) -> AttemptReply;
}
