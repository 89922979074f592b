//! Redis [`KeyValue`] (40 §3), used when `REDIS_URL` is set: state survives
//! restarts and is shared by every instance.
//!
//! One [`ConnectionManager`] (a multiplexed connection that reconnects after I/O
//! errors) serves all workers. Every call is bounded by a timeout; a timeout,
//! a refused connection or any Redis error is `StoreError::Unavailable` and
//! counts `kv.errors{operation}`.

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::ports::kv::{key_prefix, KeyValue, StoreError};
use crate::ports::metrics::Metrics;

/// Default per-call bound (connection included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// The Redis store; clones share the connection.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
    metrics: Arc<dyn Metrics>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on `url` (`redis://[user:password@]host:port[/db]`) for
    /// `environment`. Connects lazily, on the first call: an unreachable server
    /// does not stop start-up, it makes calls fail with `Unavailable`.
    ///
    /// # Errors
    /// The URL does not parse (the message never repeats the URL).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn new(
        url: &str,
        environment: &str,
        timeout: Duration,
        metrics: Arc<dyn Metrics>,
    ) -> Result<Self, String> {
        let client =
            redis::Client::open(url).map_err(|e| format!("invalid redis URL ({:?})", e.kind()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("cannot be used ({:?})", e.kind()))?;
        Ok(Self {
            conn,
            prefix: key_prefix(environment),
            timeout,
            metrics,
        })
    }

    /// The shared connection, for other Redis adapters (the outbox) to reuse.
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// `ttl` in milliseconds for `PX`: at least 1 (Redis refuses 0).
    fn px(ttl: Duration) -> u64 {
        u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
    }

    /// Runs one command under the timeout; failures are counted and mapped.
    async fn call<T, F>(&self, operation: &'static str, fut: F) -> Result<T, StoreError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let outcome = match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => format!("redis {operation}: {e}"),
            Err(_) => format!("redis {operation}: no answer within {:?}", self.timeout),
        };
        tracing::warn!(operation, error = %outcome, "kv backend failure");
        self.metrics
            .count("kv.errors", 1, &[("operation", operation)]);
        Err(StoreError::Unavailable(outcome))
    }
}

#[async_trait]
impl KeyValue for RedisStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("GET").arg(self.key(key)).clone();
        self.call("get", async move { cmd.query_async(&mut conn).await })
            .await
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(Self::px(ttl))
            .clone();
        self.call("put", async move { cmd.query_async(&mut conn).await })
            .await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(Self::px(ttl))
            .clone();
        // `OK` when set, nil when the key exists.
        let set: Option<String> = self
            .call(
                "put_if_absent",
                async move { cmd.query_async(&mut conn).await },
            )
            .await?;
        Ok(set.is_some())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("DEL").arg(self.key(key)).clone();
        let _removed: i64 = self
            .call("delete", async move { cmd.query_async(&mut conn).await })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "redis_tests.rs"]
mod tests;
