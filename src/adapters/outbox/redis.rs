//! Redis [`Outbox`] (40 §3): durable across restarts and shared by every instance.
//!
//! Layout, under `connect:{ENVIRONMENT}:`:
//! - `outbox:due`: sorted set of pending ids scored by due time (ms); a leased
//!   item is scored by its lease end, so it comes due again if its worker dies;
//! - `outbox:item:{id}`: hash with `state` (`pending`|`dead`), `client_id`, `bid`,
//!   `payload` (raw bytes), `received_at` (RFC 3339), `attempts`, `due`,
//!   `last_status`, `claimed_until` and `dead_at` (ms); a dead letter's hash
//!   expires after the dead-letter retention;
//! - `outbox:done:{id}`: delivered ids, with the dedup retention as TTL;
//! - `outbox:dead`: sorted set of dead ids scored by dead time (ms).
//!
//! Every state change is one Lua script (see `scripts.rs`). Like the KV adapter,
//! each call is bounded by a timeout, and any failure is `StoreError::Unavailable`
//! counted as `outbox.errors{operation}`.

use async_trait::async_trait;
use jiff::Timestamp;
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::scripts::{self, Lua};
use super::{duration_ms, millis, timestamp, Cursor};
use crate::ports::kv::{key_prefix, StoreError};
use crate::ports::metrics::Metrics;
use crate::ports::outbox::{Enqueued, Outbox, OutboxEntry, OutboxItem, OutboxPage};

/// Dead letters re-driven per script run by `requeue_all`, so that one run
/// never blocks the server for long.
const REQUEUE_BATCH: usize = 500;

/// The most items one claim returns, whatever `max` asks.
const MAX_CLAIM: usize = 10_000;

/// A hash as read back: field → raw value.
type Hash = HashMap<String, Vec<u8>>;

struct Scripts {
    enqueue: Lua,
    claim: Lua,
    ack: Lua,
    retry: Lua,
    dead_letter: Lua,
    requeue: Lua,
    counts: Lua,
}

/// The Redis outbox; clones share the connection.
#[derive(Clone)]
pub struct RedisOutbox {
    conn: ConnectionManager,
    prefix: String,
    max_pending: usize,
    timeout: Duration,
    metrics: Arc<dyn Metrics>,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for RedisOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOutbox")
            .field("prefix", &self.prefix)
            .field("max_pending", &self.max_pending)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisOutbox {
    /// An outbox on `conn` (share the KV store's: `RedisStore::connection`) for
    /// `environment`, holding at most `max_pending` (`OUTBOX_MAX_PENDING`)
    /// pending items, each call bounded by `timeout` (the KV's `DEFAULT_TIMEOUT`).
    pub fn new(
        conn: ConnectionManager,
        environment: &str,
        max_pending: usize,
        timeout: Duration,
        metrics: Arc<dyn Metrics>,
    ) -> Self {
        Self {
            conn,
            prefix: key_prefix(environment),
            max_pending,
            timeout,
            metrics,
            scripts: Arc::new(Scripts {
                enqueue: Lua::new(scripts::ENQUEUE),
                claim: Lua::new(scripts::CLAIM),
                ack: Lua::new(scripts::ACK),
                retry: Lua::new(scripts::RETRY),
                dead_letter: Lua::new(scripts::DEAD_LETTER),
                requeue: Lua::new(scripts::REQUEUE),
                counts: Lua::new(scripts::COUNTS),
            }),
        }
    }

    fn due_key(&self) -> String {
        format!("{}outbox:due", self.prefix)
    }

    fn dead_key(&self) -> String {
        format!("{}outbox:dead", self.prefix)
    }

    /// The item hashes' prefix; scripts append the id.
    fn item_prefix(&self) -> String {
        format!("{}outbox:item:", self.prefix)
    }

    fn item_key(&self, id: &str) -> String {
        format!("{}{id}", self.item_prefix())
    }

    fn done_key(&self, id: &str) -> String {
        format!("{}outbox:done:{id}", self.prefix)
    }

    /// Runs one round trip under the timeout; failures are counted and mapped.
    async fn call<T, F>(&self, operation: &'static str, fut: F) -> Result<T, StoreError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let outcome = match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => format!("redis outbox {operation}: {e}"),
            Err(_) => format!(
                "redis outbox {operation}: no answer within {:?}",
                self.timeout
            ),
        };
        tracing::warn!(operation, error = %outcome, "outbox backend failure");
        self.metrics
            .count("outbox.errors", 1, &[("operation", operation)]);
        Err(StoreError::Unavailable(outcome))
    }

    /// One page of `set` (due or dead) after `cursor`, in (score, id) order.
    /// Ids whose hash has gone (an expired dead letter) are left out.
    async fn page(
        &self,
        operation: &'static str,
        set: String,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError> {
        let after = match cursor.as_deref().map(Cursor::parse) {
            None => None,
            Some(Some(c)) => Some(c),
            Some(None) => return Ok(OutboxPage::default()),
        };
        let min = after
            .as_ref()
            .map_or_else(|| "-inf".to_string(), |c| c.score.to_string());
        let want = limit.saturating_add(1);
        let mut keys: Vec<Cursor> = Vec::new();
        let mut offset = 0usize;
        // Equal scores are ordered by id bytes in Redis as in `Cursor`'s `Ord`,
        // so skipping up to the cursor here gives the same order as memory.
        while keys.len() < want {
            let batch = (want - keys.len()).min(1000) + 16;
            let mut conn = self.conn.clone();
            let cmd = redis::cmd("ZRANGEBYSCORE")
                .arg(&set)
                .arg(&min)
                .arg("+inf")
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(offset)
                .arg(batch)
                .clone();
            let rows: Vec<(String, f64)> = self
                .call(operation, async move { cmd.query_async(&mut conn).await })
                .await?;
            offset += rows.len();
            let exhausted = rows.len() < batch;
            #[allow(clippy::cast_possible_truncation)] // scores are whole ms
            keys.extend(
                rows.into_iter()
                    .map(|(id, score)| Cursor {
                        score: score as i64,
                        id,
                    })
                    .filter(|c| after.as_ref().is_none_or(|a| c > a)),
            );
            if exhausted {
                break;
            }
        }
        keys.truncate(want);
        let more = keys.len() > limit;
        keys.truncate(limit);
        let hashes = self.hashes(operation, &keys).await?;
        Ok(OutboxPage {
            next: more.then(|| keys.last().map(Cursor::encode)).flatten(),
            entries: keys
                .into_iter()
                .zip(hashes)
                .filter_map(|(c, h)| entry(c.id, h))
                .collect(),
        })
    }

    async fn hashes(
        &self,
        operation: &'static str,
        keys: &[Cursor],
    ) -> Result<Vec<Hash>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for c in keys {
            pipe.cmd("HGETALL").arg(self.item_key(&c.id));
        }
        let mut conn = self.conn.clone();
        self.call(operation, async move { pipe.query_async(&mut conn).await })
            .await
    }
}

/// An entry from its hash; `None` (logged) when gone or unreadable.
fn entry(id: String, mut h: Hash) -> Option<OutboxEntry> {
    if h.is_empty() {
        return None;
    }
    let text = |field: &str| {
        h.get(field)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    let ms = |v: Option<String>| v.and_then(|v| v.parse::<i64>().ok());
    let client_id = text("client_id");
    let bid = text("bid");
    let received_at = text("received_at").and_then(|v| v.parse::<Timestamp>().ok());
    let attempts = text("attempts").and_then(|v| v.parse::<u32>().ok());
    let due = ms(text("due"));
    let last_status = text("last_status");
    let dead_at = ms(text("dead_at")).map(timestamp);
    let payload = h.remove("payload");
    match (client_id, bid, received_at, attempts, due, payload) {
        (
            Some(client_id),
            Some(bid),
            Some(received_at),
            Some(attempts),
            Some(due),
            Some(payload),
        ) => Some(OutboxEntry {
            item: OutboxItem {
                notification_id: id,
                client_id,
                bid,
                payload,
                received_at,
            },
            attempts,
            due_at: timestamp(due),
            last_status,
            dead_at,
        }),
        _ => {
            tracing::error!(notification_id = %id, "unreadable outbox item skipped");
            None
        }
    }
}

#[async_trait]
impl Outbox for RedisOutbox {
    async fn enqueue(&self, item: OutboxItem, now: Timestamp) -> Result<Enqueued, StoreError> {
        let id = &item.notification_id;
        let call = self
            .scripts
            .enqueue
            .keys(&[
                self.due_key(),
                self.item_key(id),
                self.done_key(id),
                self.dead_key(),
            ])
            .arg(id)
            .arg(self.max_pending)
            .arg(millis(now))
            .arg(&item.client_id)
            .arg(&item.bid)
            .arg(item.payload.as_slice())
            .arg(item.received_at.to_string());
        let outcome: String = self.call("enqueue", call.run(self.conn.clone())).await?;
        Ok(match outcome.as_str() {
            "enqueued" => Enqueued::Enqueued,
            "full" => Enqueued::Full,
            _ => Enqueued::Duplicate,
        })
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        max: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now_ms = millis(now);
        // Lua numbers are doubles: keep `max` a small integer.
        let max = max.min(MAX_CLAIM);
        let call = self
            .scripts
            .claim
            .keys(&[self.due_key()])
            .arg(self.item_prefix())
            .arg(now_ms)
            .arg(now_ms.saturating_add(duration_ms(lease)))
            .arg(max);
        let hashes: Vec<Hash> = self.call("claim_due", call.run(self.conn.clone())).await?;
        Ok(hashes
            .into_iter()
            .filter_map(|mut h| {
                let id = String::from_utf8_lossy(&h.remove("id")?).into_owned();
                entry(id, h)
            })
            .collect())
    }

    async fn ack(
        &self,
        notification_id: &str,
        dedup_retention: Duration,
    ) -> Result<(), StoreError> {
        let call = self
            .scripts
            .ack
            .keys(&[
                self.due_key(),
                self.item_key(notification_id),
                self.done_key(notification_id),
            ])
            .arg(notification_id)
            .arg(duration_ms(dedup_retention));
        let _: i64 = self.call("ack", call.run(self.conn.clone())).await?;
        Ok(())
    }

    async fn retry(
        &self,
        notification_id: &str,
        next_at: Timestamp,
        last_status: &str,
    ) -> Result<(), StoreError> {
        let call = self
            .scripts
            .retry
            .keys(&[self.due_key(), self.item_key(notification_id)])
            .arg(notification_id)
            .arg(millis(next_at))
            .arg(last_status);
        let _: i64 = self.call("retry", call.run(self.conn.clone())).await?;
        Ok(())
    }

    async fn dead_letter(
        &self,
        notification_id: &str,
        last_status: &str,
        now: Timestamp,
        retention: Duration,
    ) -> Result<(), StoreError> {
        let call = self
            .scripts
            .dead_letter
            .keys(&[
                self.due_key(),
                self.item_key(notification_id),
                self.dead_key(),
            ])
            .arg(notification_id)
            .arg(last_status)
            .arg(millis(now))
            .arg(duration_ms(retention));
        let _: i64 = self
            .call("dead_letter", call.run(self.conn.clone()))
            .await?;
        Ok(())
    }

    async fn list_pending(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError> {
        self.page("list_pending", self.due_key(), limit, cursor)
            .await
    }

    async fn list_dead(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError> {
        self.page("list_dead", self.dead_key(), limit, cursor).await
    }

    async fn requeue(&self, notification_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let call = self
            .scripts
            .requeue
            .keys(&[self.due_key(), self.dead_key()])
            .arg(self.item_prefix())
            .arg(millis(now))
            .arg(notification_id);
        let n: i64 = self.call("requeue", call.run(self.conn.clone())).await?;
        Ok(n > 0)
    }

    async fn requeue_all(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut total = 0usize;
        loop {
            let mut conn = self.conn.clone();
            let cmd = redis::cmd("ZRANGE")
                .arg(self.dead_key())
                .arg(0)
                .arg(REQUEUE_BATCH - 1)
                .clone();
            let ids: Vec<String> = self
                .call(
                    "requeue_all",
                    async move { cmd.query_async(&mut conn).await },
                )
                .await?;
            if ids.is_empty() {
                return Ok(total);
            }
            // Every id leaves the dead set, re-driven or not: the loop ends.
            let call = self
                .scripts
                .requeue
                .keys(&[self.due_key(), self.dead_key()])
                .arg(self.item_prefix())
                .arg(millis(now))
                .arg(&ids);
            let n: usize = self
                .call("requeue_all", call.run(self.conn.clone()))
                .await?;
            total += n;
        }
    }

    async fn counts(&self) -> Result<(usize, usize), StoreError> {
        let call = self
            .scripts
            .counts
            .keys(&[self.due_key(), self.dead_key()])
            .arg(self.item_prefix());
        self.call("counts", call.run(self.conn.clone())).await
    }
}

#[cfg(test)]
#[path = "redis_tests.rs"]
mod tests;
