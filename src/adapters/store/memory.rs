//! In-memory [`KeyValue`]: the default when `REDIS_URL` is unset. One map shared
//! by every worker of this process; state is lost on restart and not seen by
//! other instances, so it suits a single instance only (40 §3).
//!
//! Expired entries are invisible on read and removed by [`MemoryStore::spawn_sweeper`]
//! (every minute in production) or when the store is full. The store is bounded:
//! at `max_entries` new keys are refused with `StoreError::Unavailable` (never by
//! evicting a live seat lock or idempotency record), with an error log once per
//! episode.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::ports::kv::{key_prefix, KeyValue, StoreError};
use crate::ports::metrics::Metrics;

/// Default bound on live entries: far above one instance's seat locks and
/// idempotency records for the TTLs in use.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// How often the production sweeper runs (40 §3).
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

struct Entry {
    value: Vec<u8>,
    expires_at: Instant,
}

struct Inner {
    prefix: String,
    max_entries: usize,
    map: Mutex<HashMap<String, Entry>>,
    /// Set while the store is refusing new keys, so the error is logged once.
    full: AtomicBool,
    metrics: Arc<dyn Metrics>,
}

/// The in-memory store; clones share the same map.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("prefix", &self.inner.prefix)
            .field("max_entries", &self.inner.max_entries)
            .finish_non_exhaustive()
    }
}

enum Write {
    Overwrite,
    IfAbsent,
}

impl MemoryStore {
    /// A store for `environment` (keys prefixed `connect:{environment}:`) holding
    /// at most [`DEFAULT_MAX_ENTRIES`] entries.
    pub fn new(environment: &str, metrics: Arc<dyn Metrics>) -> Self {
        Self::with_max_entries(environment, DEFAULT_MAX_ENTRIES, metrics)
    }

    /// As [`MemoryStore::new`] with another bound (at least one entry).
    pub fn with_max_entries(
        environment: &str,
        max_entries: usize,
        metrics: Arc<dyn Metrics>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                prefix: key_prefix(environment),
                max_entries: max_entries.max(1),
                map: Mutex::new(HashMap::new()),
                full: AtomicBool::new(false),
                metrics,
            }),
        }
    }

    /// Removes expired entries; returns how many.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, e| e.expires_at > now);
        before - map.len()
    }

    /// Entries held, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts the sweeper on the current tokio runtime: [`MemoryStore::sweep`]
    /// every `every`. It stops by itself once every clone of the store is dropped.
    ///
    /// # Panics
    /// Outside a tokio runtime (as `tokio::spawn`).
    pub fn spawn_sweeper(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the first tick is immediate
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let removed = MemoryStore { inner }.sweep();
                if removed > 0 {
                    tracing::debug!(removed, "kv sweep");
                }
            }
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves the map consistent (no partial writes).
        self.inner
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.inner.prefix)
    }

    fn write(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        mode: Write,
    ) -> Result<bool, StoreError> {
        let now = Instant::now();
        let key = self.key(key);
        let mut map = self.lock();
        let live = map.get(&key).is_some_and(|e| e.expires_at > now);
        if live && matches!(mode, Write::IfAbsent) {
            return Ok(false);
        }
        if !map.contains_key(&key) && map.len() >= self.inner.max_entries {
            map.retain(|_, e| e.expires_at > now);
            if map.len() >= self.inner.max_entries {
                drop(map);
                return Err(self.refuse_full());
            }
        }
        map.insert(
            key,
            Entry {
                value: value.to_vec(),
                expires_at: now + ttl.max(Duration::from_millis(1)),
            },
        );
        drop(map);
        if self.inner.full.swap(false, Ordering::Relaxed) {
            tracing::info!("in-memory state store accepts new keys again");
        }
        Ok(true)
    }

    fn refuse_full(&self) -> StoreError {
        let max = self.inner.max_entries;
        if !self.inner.full.swap(true, Ordering::Relaxed) {
            tracing::error!(
                max_entries = max,
                "in-memory state store full: new keys are refused (503 store_unavailable) \
                 until entries expire; run with REDIS_URL for more state"
            );
        }
        self.inner
            .metrics
            .count("kv.errors", 1, &[("operation", "put")]);
        StoreError::Unavailable(format!("in-memory store full ({max} entries)"))
    }
}

#[async_trait]
impl KeyValue for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let now = Instant::now();
        let key = self.key(key);
        let mut map = self.lock();
        match map.get(&key) {
            Some(e) if e.expires_at > now => Ok(Some(e.value.clone())),
            Some(_) => {
                map.remove(&key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        self.write(key, value, ttl, Write::Overwrite).map(|_| ())
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        self.write(key, value, ttl, Write::IfAbsent)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        self.lock().remove(&key);
        Ok(())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
