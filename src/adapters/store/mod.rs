//! State-store adapters for the [`KeyValue`] port (40 §3) and their selection.
//!
//! - `REDIS_URL` set → [`RedisStore`]: survives restarts, shared by instances;
//!   required when more than one instance runs.
//! - unset → [`MemoryStore`]: this process only; everything is lost on restart
//!   and other instances do not see it, so it suits one instance (dev, sandbox).

pub mod memory;
pub mod redis;

#[cfg(test)]
mod suite;

pub use memory::MemoryStore;
pub use redis::RedisStore;

use std::sync::Arc;

use crate::adapters::config::Settings;
use crate::ports::kv::KeyValue;
use crate::ports::metrics::Metrics;

/// The selected store. With the in-memory adapter, call [`Store::spawn_sweeper`]
/// once inside the runtime.
#[derive(Clone)]
pub struct Store {
    pub kv: Arc<dyn KeyValue>,
    memory: Option<MemoryStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("kind", &self.kind()).finish()
    }
}

impl Store {
    /// `"redis"` or `"memory"`, for the start-up log.
    pub fn kind(&self) -> &'static str {
        if self.memory.is_some() {
            "memory"
        } else {
            "redis"
        }
    }

    /// Starts the in-memory sweeper (every minute); nothing with Redis, whose
    /// keys expire by themselves.
    ///
    /// # Panics
    /// Outside a tokio runtime, with the in-memory adapter.
    pub fn spawn_sweeper(&self) -> Option<tokio::task::JoinHandle<()>> {
        self.memory
            .as_ref()
            .map(|m| m.spawn_sweeper(memory::SWEEP_EVERY))
    }
}

/// Redis when `REDIS_URL` is set (connecting lazily, 1 s per call), else memory.
///
/// # Errors
/// `REDIS_URL` does not parse; the message names the setting, not its value.
pub fn from_settings(settings: &Settings, metrics: Arc<dyn Metrics>) -> anyhow::Result<Store> {
    match settings
        .redis_url
        .as_ref()
        .map(|u| u.0.expose())
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => {
            let store =
                RedisStore::new(url, &settings.environment, redis::DEFAULT_TIMEOUT, metrics)
                    .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
            Ok(Store {
                kv: Arc::new(store),
                memory: None,
            })
        }
        None => {
            let store = MemoryStore::new(&settings.environment, metrics);
            Ok(Store {
                kv: Arc::new(store.clone()),
                memory: Some(store),
            })
        }
    }
}
