//! The funnel's short-lived records behind the key-value port (20 §1).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

use crate::domain::booking::Booking;
use crate::domain::funnel_error::FunnelError;
use crate::ports::kv::{KeyValue, StoreError};

/// `sha256(token)` in hex: tokens never appear in keys or logs.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn lock_key(token: &str) -> String {
    format!("lock:{}", token_hash(token))
}

pub fn idem_key(token: &str) -> String {
    format!("idem:{}", token_hash(token))
}

pub fn ir_key(id: &str) -> String {
    format!("ir:{id}")
}

pub fn confirm_key(client_id: &str, bid: &str) -> String {
    format!("confirm:{client_id}:{bid}")
}

/// `idem:{sha256(token)}`: what CreateBooking did with a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Idem {
    /// A CreateBooking is running; its record is `ir:{ir}`.
    Pending { ir: String },
    /// R is being sent for the running request `ir:{ir}`.
    Reserving { ir: String },
    /// R answered this bid.
    Reserved { bid: String },
    /// R was sent and its outcome is unknown: never send it again.
    Unknown,
}

/// `ir:{id}` (20 §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IrRecord {
    pub client_id: String,
    pub operation: Operation,
    pub state: IrState,
    /// The final answer once `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Confirm,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Confirm => "confirm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IrState {
    Pending,
    Done,
}

/// The stored final answer: a Booking (200) or an error with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Booking(serde_json::Value),
    Error(FunnelError),
}

impl Outcome {
    pub fn of(result: &Result<Booking, FunnelError>) -> Self {
        match result {
            Ok(b) => serde_json::to_value(b)
                .map(Self::Booking)
                .unwrap_or_else(|_| Self::Error(FunnelError::internal())),
            Err(e) => Self::Error(e.clone()),
        }
    }
}

/// Typed JSON access to the store; a record that does not parse counts as absent.
pub struct Records<'a> {
    pub kv: &'a dyn KeyValue,
}

impl Records<'_> {
    pub async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.kv.get(key).await?.and_then(|raw| {
            serde_json::from_slice(&raw)
                .map_err(|e| tracing::warn!(key, error = %e, "unreadable state record ignored"))
                .ok()
        }))
    }

    pub async fn put<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let raw = serde_json::to_vec(value).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        self.kv.put(key, &raw, ttl).await
    }

    pub async fn create<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let raw = serde_json::to_vec(value).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        self.kv.put_if_absent(key, &raw, ttl).await
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.kv.delete(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_the_token() {
        let k = idem_key("v1.abc.def");
        assert!(k.starts_with("idem:") && k.len() == 5 + 64);
        assert!(!k.contains("abc"));
        assert_eq!(lock_key("t")[5..], idem_key("t")[5..]);
        assert_eq!(confirm_key("acme", "42"), "confirm:acme:42");
    }

    #[test]
    fn idem_records_are_tagged_json() {
        let raw = serde_json::to_string(&Idem::Reserved { bid: "42".into() }).unwrap();
        assert_eq!(raw, r#"{"state":"reserved","bid":"42"}"#);
        assert_eq!(
            serde_json::to_string(&Idem::Unknown).unwrap(),
            r#"{"state":"unknown"}"#
        );
    }
}
