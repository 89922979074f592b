//! Outbound delivery (30 §8): one attempt of a claimed outbox item. The client's
//! current registry entry gives the URL and signing secret; the attempt is
//! signed with a fresh timestamp, sent, and its result decides ack, retry (with
//! backoff and jitter) or dead letter. The loop that claims items is in `worker`.

use jiff::Timestamp;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::notification::{
    parse_retry_after, sign_outbound, AttemptResult, Decision, RetryPolicy,
};
use crate::ports::clients::ClientDirectory;
use crate::ports::clock::Clock;
use crate::ports::kv::StoreError;
use crate::ports::metrics::Metrics;
use crate::ports::notify::{Attempt, AttemptReply, NotificationSender};
use crate::ports::outbox::{Outbox, OutboxEntry};

/// A claim lasts the attempt timeout plus this, so a live worker always
/// finishes (or records) its attempt before another instance may take it.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// `NOTIFY_*` and `DEAD_LETTER_RETENTION_SECS`.
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    pub policy: RetryPolicy,
    pub attempt_timeout: Duration,
    pub dedup_retention: Duration,
    pub dead_retention: Duration,
    /// Attempts in flight at once (worker loop).
    pub concurrency: usize,
    /// How often the worker looks for due items without a wake-up.
    pub poll: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            attempt_timeout: Duration::from_secs(10),
            dedup_retention: Duration::from_secs(86_400),
            dead_retention: Duration::from_secs(604_800),
            concurrency: 32,
            poll: Duration::from_secs(1),
        }
    }
}

impl DeliverySettings {
    pub fn lease(&self) -> Duration {
        self.attempt_timeout + LEASE_MARGIN
    }
}

/// A value in [−1, 1] per retry, scaling the ±jitter of the delay.
pub type Jitter = Box<dyn Fn() -> f64>;

/// What became of one attempt (the worker's and tests' view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    Success,
    Retry {
        due: Timestamp,
    },
    DeadLetter,
    /// The outbox could not record the result; the lease runs out and the
    /// item comes due again (at least once).
    NotRecorded,
}

/// Delivers claimed items; lives on the worker's thread (the sender is `!Send`).
pub struct Deliverer {
    outbox: Arc<dyn Outbox>,
    sender: Rc<dyn NotificationSender>,
    clients: Arc<dyn ClientDirectory>,
    clock: Arc<dyn Clock>,
    metrics: Arc<dyn Metrics>,
    jitter: Jitter,
    settings: DeliverySettings,
}

impl Deliverer {
    pub fn new(
        outbox: Arc<dyn Outbox>,
        sender: Rc<dyn NotificationSender>,
        clients: Arc<dyn ClientDirectory>,
        clock: Arc<dyn Clock>,
        metrics: Arc<dyn Metrics>,
        settings: DeliverySettings,
    ) -> Self {
        Self {
            outbox,
            sender,
            clients,
            clock,
            metrics,
            jitter: Box::new(|| rand::random_range(-1.0..=1.0)),
            settings,
        }
    }

    /// Replaces the random jitter (tests pin it).
    #[must_use]
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    pub fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.outbox
    }

    pub fn metrics(&self) -> &dyn Metrics {
        self.metrics.as_ref()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Claims up to `max` items due now and attempts them all at once; the
    /// outcomes in claim order. The worker loop claims instead and spawns.
    ///
    /// # Errors
    /// The outbox could not be read (nothing was claimed).
    pub async fn deliver_due(&self, max: usize) -> Result<Vec<Delivered>, StoreError> {
        let entries = self
            .outbox
            .claim_due(self.clock.now(), self.settings.lease(), max)
            .await?;
        Ok(futures_util::future::join_all(entries.into_iter().map(|e| self.attempt(e))).await)
    }

    /// One attempt of a claimed entry, with its result recorded.
    pub async fn attempt(&self, entry: OutboxEntry) -> Delivered {
        let attempt_no = entry.attempts.saturating_add(1);
        let item = &entry.item;
        let span = tracing::info_span!(
            "notification.deliver",
            notification_id = %item.notification_id,
            client_id = %item.client_id,
            attempt = attempt_no
        );
        let _guard = span.enter();
        let reply = self.send(&entry).await;
        let now = self.clock.now();
        let retry_after = reply
            .retry_after
            .as_deref()
            .and_then(|v| parse_retry_after(v, now));
        let decision = self.settings.policy.decide(
            attempt_no,
            reply.result,
            retry_after,
            (self.jitter)(),
            now,
        );
        let status = status_label(reply.result);
        let tags = [("client_id", item.client_id.as_str())];
        let id = item.notification_id.as_str();
        let (recorded, delivered, outcome) = match decision {
            Decision::Delivered => {
                let latency = now
                    .duration_since(item.received_at)
                    .as_millis_f64()
                    .max(0.0);
                self.metrics
                    .histogram("notification.delivery_latency", latency, &tags);
                tracing::info!(
                    notification_id = id,
                    client_id = %item.client_id,
                    bid = %item.bid,
                    attempt = attempt_no,
                    status = %status,
                    latency_ms = latency as u64,
                    "notification.forwarded"
                );
                let r = self.outbox.ack(id, self.settings.dedup_retention).await;
                (r, Delivered::Success, "success")
            }
            Decision::Retry { due } => {
                tracing::warn!(
                    notification_id = id,
                    client_id = %item.client_id,
                    attempt = attempt_no,
                    status = %status,
                    next_at = %due,
                    "notification.retry_scheduled"
                );
                let r = self.outbox.retry(id, due, &status).await;
                (r, Delivered::Retry { due }, "retry")
            }
            Decision::DeadLetter { exhausted } => {
                tracing::error!(
                    notification_id = id,
                    client_id = %item.client_id,
                    bid = %item.bid,
                    attempts = attempt_no,
                    last_status = %status,
                    exhausted,
                    "notification.dead_lettered"
                );
                let r = self
                    .outbox
                    .dead_letter(id, &status, now, self.settings.dead_retention)
                    .await;
                (r, Delivered::DeadLetter, "dead_letter")
            }
        };
        self.metrics.count(
            "notification.delivery",
            1,
            &[("client_id", item.client_id.as_str()), ("outcome", outcome)],
        );
        match recorded {
            Ok(()) => delivered,
            Err(e) => {
                tracing::error!(notification_id = id, error = %e, "notification outcome not recorded; the item comes due again when its lease ends");
                Delivered::NotRecorded
            }
        }
    }

    /// Signs and sends; a client without a usable `notifications` entry fails
    /// like a network error (retried: a registry reload can fix it).
    async fn send(&self, entry: &OutboxEntry) -> AttemptReply {
        let item = &entry.item;
        let client = self.clients.get(&item.client_id);
        let target = client.as_ref().and_then(|c| c.notifications.as_ref());
        let Some((url, secret)) =
            target.and_then(|n| n.signing_secret.as_ref().map(|s| (&n.webhook_url, s)))
        else {
            tracing::error!(client_id = %item.client_id, "notification target not configured (no client, webhook_url or signing secret)");
            return not_configured();
        };
        let timestamp = self.clock.now().as_second();
        let Some(signature) = sign_outbound(secret, timestamp, &item.payload) else {
            return not_configured();
        };
        self.sender
            .send(Attempt {
                url,
                notification_id: &item.notification_id,
                timestamp,
                signature: &signature,
                body: &item.payload,
                timeout: self.settings.attempt_timeout,
            })
            .await
    }
}

fn not_configured() -> AttemptReply {
    AttemptReply {
        result: AttemptResult::NotConfigured,
        retry_after: None,
    }
}

/// `last_status` of the outbox: the HTTP status, or why there was none.
fn status_label(r: AttemptResult) -> String {
    match r {
        AttemptResult::Status(s) => s.to_string(),
        AttemptResult::Timeout => "timeout".into(),
        AttemptResult::NetworkError => "network_error".into(),
        AttemptResult::NotConfigured => "not_configured".into(),
    }
}

#[cfg(test)]
#[path = "deliver_tests.rs"]
mod tests;
