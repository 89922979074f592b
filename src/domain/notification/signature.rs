//! Webhook signatures (30 §7–§8). Inbound: 12go's call is authenticated over the
//! raw body, before parsing, by an HMAC with a timestamp (preferred) or a shared
//! key. Outbound: our notifications are signed the same way.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

use crate::domain::clients::InboundWebhook;
use crate::domain::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// `WEBHOOK_TOLERANCE_SECS` default: how far the timestamp may be from now.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

const PREFIX: &str = "sha256=";

/// The authentication headers of an inbound call, as received.
#[derive(Debug, Clone, Copy, Default)]
pub struct InboundAuthHeaders<'a> {
    /// `X-Webhook-Timestamp`, unix seconds.
    pub timestamp: Option<&'a str>,
    /// `X-Webhook-Signature: sha256=<hex>`.
    pub signature: Option<&'a str>,
    /// `X-Webhook-Key`.
    pub key: Option<&'a str>,
}

/// How a call was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Hmac,
    SharedKey,
}

/// Why a call was not authenticated (all → 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credential for a configured method was sent.
    Missing,
    /// A credential was sent but matches no secret.
    BadSignature,
    /// The signature is right but the timestamp is outside the tolerance.
    StaleTimestamp,
    /// The client has no usable inbound secret.
    NotConfigured,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hmac => "hmac",
            Self::SharedKey => "shared_key",
        }
    }
}

impl AuthFailure {
    /// Metric and log label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::BadSignature => "bad_signature",
            Self::StaleTimestamp => "stale_timestamp",
            Self::NotConfigured => "not_configured",
        }
    }
}

fn mac(secret: &Secret, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.expose().as_bytes()).ok()?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// `sha256=<hex>` → the 32 digest bytes (hex in either case).
fn decode_signature(header: &str) -> Option<[u8; 32]> {
    let hex_part = header.trim().strip_prefix(PREFIX)?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_part, &mut out).ok()?;
    Some(out)
}

/// HMAC check against every secret; all are tried so the time does not tell
/// which one matched.
fn hmac_matches(secrets: &[Secret], timestamp: &str, body: &[u8], sig: &[u8; 32]) -> bool {
    secrets.iter().fold(false, |ok, s| {
        let hit = mac(s, timestamp, body).is_some_and(|m| m.verify_slice(sig).is_ok());
        hit | ok
    })
}

/// Equal-length digests, so neither the content nor the length leaks.
fn key_matches(expected: &Secret, sent: &str) -> bool {
    let a = Sha256::digest(expected.expose().as_bytes());
    let b = Sha256::digest(sent.as_bytes());
    a.ct_eq(&b).into()
}

fn within(timestamp: &str, now: Timestamp, tolerance: Duration) -> Option<bool> {
    let ts: i64 = timestamp.trim().parse().ok()?;
    let skew = now.as_second().abs_diff(ts);
    Some(skew <= tolerance.as_secs())
}

/// Authenticates an inbound call over its raw body (30 §7 step 2). The
/// signature is tried first, then the shared key; the failure reported is the
/// most specific one seen.
///
/// # Errors
/// [`AuthFailure`] saying why the call is refused.
pub fn verify_inbound(
    config: Option<&InboundWebhook>,
    headers: &InboundAuthHeaders<'_>,
    body: &[u8],
    now: Timestamp,
    tolerance: Duration,
) -> Result<AuthMethod, AuthFailure> {
    let Some(cfg) = config.filter(|c| c.is_configured()) else {
        return Err(AuthFailure::NotConfigured);
    };
    let mut failure = AuthFailure::Missing;
    if let (false, Some(sig)) = (cfg.hmac_secrets.is_empty(), headers.signature) {
        failure = match (headers.timestamp, decode_signature(sig)) {
            (None, _) => AuthFailure::Missing,
            (Some(_), None) => AuthFailure::BadSignature,
            (Some(ts), Some(sig)) if hmac_matches(&cfg.hmac_secrets, ts, body, &sig) => {
                match within(ts, now, tolerance) {
                    Some(true) => return Ok(AuthMethod::Hmac),
                    Some(false) => AuthFailure::StaleTimestamp,
                    None => AuthFailure::BadSignature,
                }
            }
            (Some(_), Some(_)) => AuthFailure::BadSignature,
        };
    }
    if let (Some(expected), Some(sent)) = (&cfg.shared_key, headers.key) {
        if key_matches(expected, sent) {
            return Ok(AuthMethod::SharedKey);
        }
        if failure == AuthFailure::Missing {
            failure = AuthFailure::BadSignature;
        }
    }
    Err(failure)
}

/// `X-Travelier-Signature` of an outbound notification:
/// `sha256=hex(HMAC_SHA256(signing_secret, timestamp + "." + raw_body))`.
/// `None` only for a secret HMAC cannot take (it takes any length).
pub fn sign_outbound(secret: &Secret, timestamp: i64, body: &[u8]) -> Option<String> {
    let m = mac(secret, &timestamp.to_string(), body)?;
    Some(format!(
        "{PREFIX}{}",
        hex::encode(m.finalize().into_bytes())
    ))
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
