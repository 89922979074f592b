//! Key-value state with a time to live (40 §3): seat locks, CreateBooking
//! idempotency, `incomplete_results` records, pending confirms and cancel records.
//!
//! Keys are given without the `connect:{ENVIRONMENT}:` prefix, which the adapter
//! adds. Values are JSON bytes; the store never looks inside them.

use async_trait::async_trait;
use std::time::Duration;

/// The backend could not be reached or did not answer in time. Maps to
/// 503 `store_unavailable`; the adapter has already counted `kv.errors`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Timeout, connection failure, protocol error, or the in-memory store is full.
    #[error("state store unavailable: {0}")]
    Unavailable(String),
}

/// Key-value with TTL. Shared by every worker (`Send + Sync`, futures `Send`).
/// A TTL of zero is treated as one millisecond: every entry expires.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait KeyValue: Send + Sync {
    /// The value under `key`, or `None` when absent or expired.
    ///
    /// # Errors
    /// `StoreError::Unavailable` when the backend fails or times out.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores `value` under `key` for `ttl`, overwriting any previous value.
    ///
    /// # Errors
    /// `StoreError::Unavailable` when the backend fails or times out, or the
    /// in-memory store is full (and `key` is new).
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;

    /// Atomic create: stores `value` for `ttl` only when `key` is absent (or
    /// expired). `true` when this call created it; of concurrent creators, across
    /// instances too with Redis, exactly one gets `true`.
    ///
    /// # Errors
    /// As for [`KeyValue::put`]. After a timeout the outcome is unknown: the
    /// value may or may not have been stored.
    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError>;

    /// Removes `key`; removing an absent key is not an error.
    ///
    /// # Errors
    /// `StoreError::Unavailable` when the backend fails or times out.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// `connect:{environment}:`, the prefix of every key (40 §3).
pub fn key_prefix(environment: &str) -> String {
    format!("connect:{environment}:")
}
