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
use crate::adapters::outbox::{MemoryOutbox, RedisOutbox};
use crate::ports::kv::KeyValue;
use crate::ports::metrics::Metrics;
use crate::ports::outbox::Outbox;

/// The selected store. With the in-memory adapter, call [`Store::spawn_sweeper`]
/// once inside the runtime.
#[derive(Clone)]
pub struct Store {
    pub kv: Arc<dyn KeyValue>,
    memory: Option<MemoryStore>,
    /// The KV's Redis connection, shared with the outbox.
    redis: Option<::redis::aio::ConnectionManager>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("kind", &self.kind()).finish()
    }
}

impl Store {
    /// The notification outbox on the same backend: Redis (sharing the KV's
    /// connection) or this process's memory.
    pub fn outbox(
        &self,
        environment: &str,
        max_pending: usize,
        metrics: Arc<dyn Metrics>,
    ) -> Arc<dyn Outbox> {
        match &self.redis {
            Some(conn) => Arc::new(RedisOutbox::new(
                conn.clone(),
                environment,
                max_pending,
                redis::DEFAULT_TIMEOUT,
                metrics,
            )),
            None => Arc::new(MemoryOutbox::new(max_pending)),
        }
    }

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
/// Call it inside the tokio runtime (actix's): the Redis connection task lives there.
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
                redis: Some(store.connection()),
                kv: Arc::new(store),
                memory: None,
            })
        }
        None => {
            let store = MemoryStore::new(&settings.environment, metrics);
            Ok(Store {
                kv: Arc::new(store.clone()),
                memory: Some(store),
                redis: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::config::SecretString;
    use crate::ports::metrics::NoMetrics;

    fn settings(redis_url: Option<&str>) -> Settings {
        Settings {
            redis_url: redis_url.map(|u| SecretString::from(u.to_string())),
            ..Settings::default()
        }
    }

    #[test]
    fn redis_url_unset_or_empty_selects_memory() {
        for url in [None, Some(""), Some("  ")] {
            let store = from_settings(&settings(url), Arc::new(NoMetrics)).unwrap();
            assert_eq!(store.kind(), "memory", "{url:?}");
        }
    }

    #[tokio::test]
    async fn redis_url_selects_redis_without_connecting() {
        // Nothing listens there: the connection is made on the first call.
        let store = from_settings(
            &settings(Some("redis://127.0.0.1:1/0")),
            Arc::new(NoMetrics),
        )
        .unwrap();
        assert_eq!(store.kind(), "redis");
        assert!(store.spawn_sweeper().is_none());
    }

    #[test]
    fn an_invalid_redis_url_names_the_setting_not_its_value() {
        let e = from_settings(&settings(Some("ftp://u:s3cret@h")), Arc::new(NoMetrics))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("REDIS_URL: "), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
    }

    #[tokio::test]
    async fn memory_is_selected_with_its_sweeper() {
        let store = from_settings(&settings(None), Arc::new(NoMetrics)).unwrap();
        store
            .kv
            .put("k", b"1", std::time::Duration::from_secs(5))
            .await
            .unwrap();
        let sweeper = store.spawn_sweeper().expect("a sweeper for memory");
        sweeper.abort();
    }
}
