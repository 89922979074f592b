//! In-memory [`Outbox`]: the default when `REDIS_URL` is unset. Everything lives
//! in this process, so **pending deliveries and dead letters are lost on
//! restart** and other instances do not see them: one instance only (40 §3).
//!
//! Dedup ids and dead letters expire by the wall clock (like Redis TTLs); they
//! are pruned lazily, on the next enqueue, listing or count, or by [`MemoryOutbox::sweep`].

use async_trait::async_trait;
use jiff::Timestamp;
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{duration_ms, millis, timestamp, Cursor};
use crate::ports::kv::StoreError;
use crate::ports::outbox::{Enqueued, Outbox, OutboxEntry, OutboxItem, OutboxPage};

/// One item, pending or dead.
struct Record {
    item: OutboxItem,
    attempts: u32,
    due_ms: i64,
    last_status: Option<String>,
    /// Leased to a worker until then (ms); 0 when not leased.
    claimed_until_ms: i64,
    dead: Option<Dead>,
}

struct Dead {
    at_ms: i64,
    expires: Instant,
}

impl Record {
    fn entry(&self) -> OutboxEntry {
        OutboxEntry {
            item: self.item.clone(),
            attempts: self.attempts,
            due_at: timestamp(self.due_ms),
            last_status: self.last_status.clone(),
            dead_at: self.dead.as_ref().map(|d| timestamp(d.at_ms)),
        }
    }
}

#[derive(Default)]
struct State {
    records: HashMap<String, Record>,
    /// Pending ids by (due ms, id): the order of claims and listings.
    due: BTreeSet<(i64, String)>,
    /// Dead ids by (dead ms, id).
    dead: BTreeSet<(i64, String)>,
    dead_expiry: BTreeSet<(Instant, String)>,
    /// Delivered ids and when they are forgotten.
    done: HashMap<String, Instant>,
    done_expiry: BTreeSet<(Instant, String)>,
}

impl State {
    /// Forgets expired dedup ids and dead letters.
    fn prune(&mut self, now: Instant) -> usize {
        let mut removed = 0;
        while let Some((at, id)) = self.done_expiry.first().cloned() {
            if at > now {
                break;
            }
            self.done_expiry.pop_first();
            self.done.remove(&id);
            removed += 1;
        }
        while let Some((at, id)) = self.dead_expiry.first().cloned() {
            if at > now {
                break;
            }
            self.dead_expiry.pop_first();
            if let Some(Dead { at_ms, .. }) = self.records.remove(&id).and_then(|r| r.dead) {
                self.dead.remove(&(at_ms, id));
            }
            removed += 1;
        }
        removed
    }

    /// The pending (not dead) record `id`.
    fn pending(&mut self, id: &str) -> Option<&mut Record> {
        self.records.get_mut(id).filter(|r| r.dead.is_none())
    }

    /// Moves pending `id` to `due_ms`.
    fn reschedule(&mut self, id: &str, due_ms: i64) {
        if let Some(r) = self.records.get_mut(id) {
            self.due.remove(&(r.due_ms, id.to_string()));
            r.due_ms = due_ms;
            self.due.insert((due_ms, id.to_string()));
        }
    }

    /// Makes dead letter `id` pending again, due at `now_ms`, attempts reset.
    fn revive(&mut self, id: &str, now_ms: i64) -> bool {
        let Some(r) = self.records.get_mut(id) else {
            return false;
        };
        let Some(dead) = r.dead.take() else {
            return false;
        };
        r.attempts = 0;
        r.claimed_until_ms = 0;
        r.due_ms = now_ms;
        self.dead.remove(&(dead.at_ms, id.to_string()));
        self.dead_expiry.remove(&(dead.expires, id.to_string()));
        self.due.insert((now_ms, id.to_string()));
        true
    }

    fn page(
        &self,
        set: &BTreeSet<(i64, String)>,
        limit: usize,
        cursor: Option<String>,
    ) -> OutboxPage {
        let start = match cursor {
            None => None,
            Some(raw) => match Cursor::parse(&raw) {
                Some(c) => Some((c.score, c.id)),
                None => return OutboxPage::default(),
            },
        };
        let from = start.map_or(Bound::Unbounded, Bound::Excluded);
        let keys: Vec<&(i64, String)> = set
            .range((from, Bound::Unbounded))
            .take(limit.saturating_add(1))
            .collect();
        let more = keys.len() > limit;
        let keys = &keys[..keys.len().min(limit)];
        OutboxPage {
            entries: keys
                .iter()
                .filter_map(|(_, id)| self.records.get(id).map(Record::entry))
                .collect(),
            next: more.then(|| keys.last()).flatten().map(|(score, id)| {
                Cursor {
                    score: *score,
                    id: id.clone(),
                }
                .encode()
            }),
        }
    }
}

/// The in-memory outbox, bounded at `max_pending` pending items.
pub struct MemoryOutbox {
    max_pending: usize,
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryOutbox")
            .field("max_pending", &self.max_pending)
            .finish_non_exhaustive()
    }
}

impl MemoryOutbox {
    /// An empty outbox holding at most `max_pending` (`OUTBOX_MAX_PENDING`) pending items.
    pub fn new(max_pending: usize) -> Self {
        Self {
            max_pending,
            state: Mutex::new(State::default()),
        }
    }

    /// Forgets expired dedup ids and dead letters now; returns how many.
    pub fn sweep(&self) -> usize {
        self.lock().prune(Instant::now())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every mutation leaves the state consistent before it can panic.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn pruned(&self) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        state.prune(Instant::now());
        state
    }
}

#[async_trait]
impl Outbox for MemoryOutbox {
    async fn enqueue(&self, item: OutboxItem, now: Timestamp) -> Result<Enqueued, StoreError> {
        let mut state = self.pruned();
        let id = item.notification_id.clone();
        if state.records.contains_key(&id) || state.done.contains_key(&id) {
            return Ok(Enqueued::Duplicate);
        }
        if state.due.len() >= self.max_pending {
            return Ok(Enqueued::Full);
        }
        let due_ms = millis(now);
        state.due.insert((due_ms, id.clone()));
        state.records.insert(
            id,
            Record {
                item,
                attempts: 0,
                due_ms,
                last_status: None,
                claimed_until_ms: 0,
                dead: None,
            },
        );
        Ok(Enqueued::Enqueued)
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        max: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let now_ms = millis(now);
        let until = now_ms.saturating_add(duration_ms(lease));
        let mut state = self.lock();
        let ids: Vec<String> = state
            .due
            .iter()
            .take_while(|(due, _)| *due <= now_ms)
            .filter(|(_, id)| {
                state
                    .records
                    .get(id)
                    .is_some_and(|r| r.claimed_until_ms <= now_ms)
            })
            .take(max)
            .map(|(_, id)| id.clone())
            .collect();
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = state.records.get_mut(&id) {
                claimed.push(r.entry());
                r.claimed_until_ms = until;
            }
            // Comes due again when the lease ends, should the worker die.
            state.reschedule(&id, until);
        }
        Ok(claimed)
    }

    async fn ack(
        &self,
        notification_id: &str,
        dedup_retention: Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let id = notification_id.to_string();
        if let Some(r) = state.pending(notification_id) {
            let due_ms = r.due_ms;
            state.records.remove(&id);
            state.due.remove(&(due_ms, id.clone()));
        }
        let expires = Instant::now() + dedup_retention;
        if let Some(old) = state.done.insert(id.clone(), expires) {
            state.done_expiry.remove(&(old, id.clone()));
        }
        state.done_expiry.insert((expires, id));
        Ok(())
    }

    async fn retry(
        &self,
        notification_id: &str,
        next_at: Timestamp,
        last_status: &str,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let Some(r) = state.pending(notification_id) else {
            return Ok(());
        };
        r.attempts = r.attempts.saturating_add(1);
        r.last_status = Some(last_status.to_string());
        r.claimed_until_ms = 0;
        state.reschedule(notification_id, millis(next_at));
        Ok(())
    }

    async fn dead_letter(
        &self,
        notification_id: &str,
        last_status: &str,
        now: Timestamp,
        retention: Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let id = notification_id.to_string();
        let expires = Instant::now() + retention;
        let at_ms = millis(now);
        let Some(r) = state.pending(notification_id) else {
            return Ok(());
        };
        r.attempts = r.attempts.saturating_add(1);
        r.last_status = Some(last_status.to_string());
        r.claimed_until_ms = 0;
        r.dead = Some(Dead { at_ms, expires });
        let due_ms = r.due_ms;
        state.due.remove(&(due_ms, id.clone()));
        state.dead.insert((at_ms, id.clone()));
        state.dead_expiry.insert((expires, id));
        Ok(())
    }

    async fn list_pending(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError> {
        let state = self.lock();
        Ok(state.page(&state.due, limit, cursor))
    }

    async fn list_dead(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<OutboxPage, StoreError> {
        let state = self.pruned();
        Ok(state.page(&state.dead, limit, cursor))
    }

    async fn requeue(&self, notification_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        Ok(self.pruned().revive(notification_id, millis(now)))
    }

    async fn requeue_all(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut state = self.pruned();
        let ids: Vec<String> = state.dead.iter().map(|(_, id)| id.clone()).collect();
        Ok(ids
            .iter()
            .filter(|id| state.revive(id, millis(now)))
            .count())
    }

    async fn counts(&self) -> Result<(usize, usize), StoreError> {
        let state = self.pruned();
        Ok((state.due.len(), state.dead.len()))
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
