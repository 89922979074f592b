//! A registered client (partner) and its credentials, as loaded from the registry.

use jiff::Timestamp;

use crate::domain::ids::ClientId;
use crate::domain::rate_limit::RateLimitOverrides;
use crate::domain::secret::Secret;

/// How a stored API key is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyHash {
    /// SHA-256 of the key's UTF-8 bytes.
    Sha256([u8; 32]),
    /// A record imported from the previous identity store.
    Pbkdf2 {
        algorithm: Pbkdf2Algorithm,
        iterations: u32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pbkdf2Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

/// One API key of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub hash: KeyHash,
    pub expires_at: Option<Timestamp>,
}

/// Client-facing id space (10 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdMode {
    #[default]
    Native,
    Mapped,
}

/// A client of the registry, with its 12go key already resolved from the environment.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: ClientId,
    pub name: Option<String>,
    pub enabled: bool,
    pub api_keys: Vec<ApiKey>,
    /// `None` when the referenced environment variable is unset or empty.
    pub twelvego_key: Option<Secret>,
    pub id_mode: IdMode,
    pub cancel_enabled: bool,
    /// `[clients.X.rate_limit]`; unset values use the instance defaults.
    pub rate_limit: RateLimitOverrides,
    /// `None` when the table is absent.
    pub inbound_webhook: Option<InboundWebhook>,
    /// `None` without a `webhook_url`: notifications are acknowledged and dropped.
    pub notifications: Option<Notifications>,
}

/// `[clients.X.inbound_webhook]` (30 §7), secrets resolved from the environment.
/// Unset variables are left out, so both may end up empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundWebhook {
    /// Every one verifies `X-Webhook-Signature` (rotation).
    pub hmac_secrets: Vec<Secret>,
    /// Compared with `X-Webhook-Key`.
    pub shared_key: Option<Secret>,
}

impl InboundWebhook {
    /// At least one usable secret.
    pub fn is_configured(&self) -> bool {
        !self.hmac_secrets.is_empty() || self.shared_key.is_some()
    }
}

/// `[clients.X.notifications]` with a `webhook_url` (30 §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    /// `http` or `https` (`https` only where the loader enforces it).
    pub webhook_url: url::Url,
    /// `None` when the referenced variable is unset: nothing can be signed.
    pub signing_secret: Option<Secret>,
}
