//! The notification outbox (40 §3, 30 §8): a durable delivery queue shared by
//! every worker and, with Redis, by every instance. Delivery is at least once:
//! a claimed item is leased, and comes due again if its lease runs out (crash).

use async_trait::async_trait;
use jiff::Timestamp;
use std::time::Duration;

use crate::ports::kv::StoreError;

/// One notification to deliver. `payload` is the exact JSON body sent to the
/// client (signed per attempt); the outbox never looks inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// `{bid}-{stamp}-{type}` (30 §8): the dedup key.
    pub notification_id: String,
    pub client_id: String,
    pub bid: String,
    pub payload: Vec<u8>,
    /// When the webhook was received (delivery latency is measured from here).
    pub received_at: Timestamp,
}

/// An item with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub item: OutboxItem,
    /// Attempts made so far (0 before the first).
    pub attempts: u32,
    /// When it is (next) due.
    pub due_at: Timestamp,
    /// The last attempt's HTTP status, or a short reason (`timeout`, `connect`).
    pub last_status: Option<String>,
    /// When it was dead-lettered (dead letters only).
    pub dead_at: Option<Timestamp>,
}

/// What [`Outbox::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// New, due now.
    Enqueued,
    /// Already pending, delivered within the dedup retention, or dead: not added.
    Duplicate,
    /// `OUTBOX_MAX_PENDING` reached: not added (the caller answers 503).
    Full,
}

/// One page of an admin listing, oldest first; `next` is the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboxPage {
    pub entries: Vec<OutboxEntry>,
    pub next: Option<String>,
}

/// The outbox. Every operation may fail with `StoreError::Unavailable` when the
/// backend cannot be reached (the webhook then answers 503 so 12go redelivers).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Adds `item`, due at once; idempotent on `notification_id`.
    async fn enqueue(&self, item: OutboxItem, now: Timestamp) -> Result<Enqueued, StoreError>;

    /// Up to `max` items due at `now`, each leased for `lease`: no other claim
    /// (on any instance) returns it until the lease ends or it is acked,
    /// retried or dead-lettered. `attempts` is the count before this attempt;
    /// `due_at` is when it came due (before the lease). Oldest due first.
    /// Leases are in the callers' `now`, so instances' clocks must agree
    /// (NTP) to well within a lease. Times are kept to the millisecond.
    async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        max: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError>;

    /// Delivered: removed, and its id remembered for `dedup_retention`
    /// (remembered even when no longer pending).
    async fn ack(&self, notification_id: &str, dedup_retention: Duration)
        -> Result<(), StoreError>;

    /// Failed, to be tried again at `next_at`; attempts + 1; the lease ends.
    /// No effect when the id is not pending.
    async fn retry(
        &self,
        notification_id: &str,
        next_at: Timestamp,
        last_status: &str,
    ) -> Result<(), StoreError>;

    /// Failed for good: kept as a dead letter for `retention`; attempts + 1.
    /// No effect when the id is not pending.
    async fn dead_letter(
        &self,
        notification_id: &str,
        last_status: &str,
        now: Timestamp,
        retention: Duration,
    ) -> Result<(), StoreError>;

    /// Pending items (due or leased), oldest due first (a leased item is due at
    /// its lease end). `cursor` is a previous page's `next`; one this outbox did
    /// not hand out gives an empty page.
    async fn list_pending(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError>;

    /// Dead letters, oldest first; cursors as for [`Outbox::list_pending`].
    async fn list_dead(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError>;

    /// Re-drives one dead letter (attempts reset, due now, last status kept);
    /// `false` when no dead letter has that id.
    async fn requeue(&self, notification_id: &str, now: Timestamp) -> Result<bool, StoreError>;

    /// Re-drives every dead letter; how many.
    async fn requeue_all(&self, now: Timestamp) -> Result<usize, StoreError>;

    /// Pending and dead-letter counts (gauges `notification.outbox_pending`,
    /// `.dead_letters`).
    async fn counts(&self) -> Result<(usize, usize), StoreError>;
}
