//! The booking token (20 §8) and the signed master-data link (10 §5.1).
//!
//! Token: `v1.{payload}.{signature}` where `payload` is base64url (no padding) of
//! the JSON claims and `signature` is base64url HMAC-SHA256 over the ASCII of
//! `v1.{payload}`. Signed, not encrypted. `BOOKING_TOKEN_SECRETS` holds the keys:
//! the first signs, every one verifies (rotation: new key first, drop the old
//! one after one TTL). The same keys sign master-data links.
//!
//! Pure: the caller supplies the time and the random nonce. Nothing here panics,
//! whatever the input.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiff::civil::DateTime;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::money::{Currency, Money};
use super::secret::Secret;
use super::time::format_minutes;

type HmacSha256 = Hmac<Sha256>;

/// The version prefix, including its dot.
const PREFIX: &str = "v1.";
/// Shortest accepted secret, in bytes (20 §8).
pub const MIN_SECRET_BYTES: usize = 32;
/// Longer tokens are refused before any decoding (ours are a few hundred bytes).
const MAX_TOKEN_LEN: usize = 4096;
/// Base64url length of a 32-byte HMAC-SHA256 without padding.
const SIGNATURE_B64_LEN: usize = 43;

/// Random 96-bit nonce (`u`): two tokens for the same cart never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nonce([u8; 12]);

impl Nonce {
    pub fn from_bytes(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// What GetItinerary puts in a token; later funnel steps read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// `c`: the client the token was issued to.
    pub client_id: String,
    /// `k`: the 12go cart id.
    pub cart_id: String,
    /// `n`: seat count.
    pub seats: u32,
    /// `t`: 12go trip key.
    pub trip_key: String,
    /// `d`: local departure, minute precision (`YYYY-MM-DDTHH:MM`).
    pub departure: DateTime,
    /// `p`: quoted net price for all seats; the amount keeps its exact decimal text.
    pub price: Money,
    /// `u`.
    pub nonce: Nonce,
}

/// A token that verified: its claims and expiry (`x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub claims: TokenClaims,
    pub expires_at: Timestamp,
}

impl VerifiedToken {
    /// Remaining life (TTL of the `lock:` and `idem:` records, 20 §1); zero once expired.
    pub fn remaining(&self, now: Timestamp) -> Duration {
        let secs = self.expires_at.as_second().saturating_sub(now.as_second());
        Duration::from_secs(u64::try_from(secs).unwrap_or(0))
    }
}

/// Why a token was refused. The answers follow 20 §8 (used by §3, §4):
/// "Not `v1.`, bad base64 or JSON, or no key verifies (constant-time) → 400
/// `invalid_booking_token`. Expired, or `c` ≠ path `client_id` → 404
/// `booking_token_not_found`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not `v1.`, wrong number of parts, bad base64 or JSON, or a bad claim.
    #[error("booking token is malformed")]
    Malformed,
    /// Well-formed, but no configured key produced the signature.
    #[error("booking token signature does not verify")]
    BadSignature,
    /// Signed by us, but past its expiry `x`.
    #[error("booking token has expired")]
    Expired,
    /// Signed by us for another client (`c` ≠ path `client_id`).
    #[error("booking token belongs to another client")]
    WrongClient,
}

impl TokenError {
    /// HTTP status (20 §8).
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed | Self::BadSignature => 400,
            Self::Expired | Self::WrongClient => 404,
        }
    }

    /// Error code of the answer body (20 §8).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed | Self::BadSignature => "invalid_booking_token",
            Self::Expired | Self::WrongClient => "booking_token_not_found",
        }
    }
}

/// Why a key set could not be built from `BOOKING_TOKEN_SECRETS`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("at least one secret is required")]
    Empty,
    /// 1-based position in the list; the value is never shown.
    #[error("secret #{0} is shorter than {MIN_SECRET_BYTES} bytes")]
    TooShort(usize),
    #[error("the TTL must be greater than 0")]
    ZeroTtl,
}

/// HMAC keys from `BOOKING_TOKEN_SECRETS`: the first signs, all verify.
#[derive(Clone)]
pub struct BookingTokenKeys {
    /// Keyed HMAC states, cloned per use; the secrets themselves are not kept.
    keys: Vec<HmacSha256>,
    ttl: Duration,
}

impl fmt::Debug for BookingTokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BookingTokenKeys")
            .field("keys", &self.keys.len())
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The payload JSON (20 §8).
#[derive(Serialize, Deserialize)]
struct Wire {
    c: String,
    k: String,
    n: u32,
    t: String,
    d: String,
    p: WirePrice,
    x: i64,
    u: String,
}

#[derive(Serialize, Deserialize)]
struct WirePrice {
    a: String,
    c: String,
}

impl BookingTokenKeys {
    /// Keys in `BOOKING_TOKEN_SECRETS` order; each at least 32 bytes. `ttl` is
    /// `BOOKING_TOKEN_TTL_SECS`.
    pub fn new(secrets: &[Secret], ttl: Duration) -> Result<Self, KeysError> {
        if secrets.is_empty() {
            return Err(KeysError::Empty);
        }
        if let Some(i) = secrets
            .iter()
            .position(|s| s.expose().len() < MIN_SECRET_BYTES)
        {
            return Err(KeysError::TooShort(i + 1));
        }
        if ttl.as_secs() == 0 {
            return Err(KeysError::ZeroTtl);
        }
        let keys = secrets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                <HmacSha256 as Mac>::new_from_slice(s.expose().as_bytes())
                    .map_err(|_| KeysError::TooShort(i + 1))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { keys, ttl })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A token for `claims`, expiring at `now` + TTL, signed with the first key.
    pub fn issue(&self, claims: &TokenClaims, now: Timestamp) -> String {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let wire = Wire {
            c: claims.client_id.clone(),
            k: claims.cart_id.clone(),
            n: claims.seats,
            t: claims.trip_key.clone(),
            d: format_minutes(claims.departure),
            p: WirePrice {
                a: claims.price.amount.to_string(),
                c: claims.price.currency.as_str().to_owned(),
            },
            x: now.as_second().saturating_add(ttl),
            u: claims.nonce.encode(),
        };
        // Serializing plain strings and integers cannot fail.
        let json = serde_json::to_vec(&wire).unwrap_or_default();
        let signed = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json));
        let sig = URL_SAFE_NO_PAD.encode(self.sign(signed.as_bytes()));
        format!("{signed}.{sig}")
    }

    /// Checks the token for the path's `client_id` at `now` (20 §8): format,
    /// signature against every key (constant-time), then expiry and client.
    pub fn verify(
        &self,
        token: &str,
        client_id: &str,
        now: Timestamp,
    ) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_LEN || !token.starts_with(PREFIX) {
            return Err(TokenError::Malformed);
        }
        let (signed, sig_b64) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let payload_b64 = &signed[PREFIX.len().min(signed.len())..];
        if signed.len() < PREFIX.len()
            || payload_b64.is_empty()
            || payload_b64.contains('.')
            || sig_b64.len() != SIGNATURE_B64_LEN
        {
            return Err(TokenError::Malformed);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(sig_b64)
            .map_err(|_| TokenError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Malformed)?;
        if !self.verifies(signed.as_bytes(), &sig) {
            return Err(TokenError::BadSignature);
        }
        let wire: Wire = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        let verified = from_wire(wire).ok_or(TokenError::Malformed)?;
        if now >= verified.expires_at {
            return Err(TokenError::Expired);
        }
        if verified.claims.client_id != client_id {
            return Err(TokenError::WrongClient);
        }
        Ok(verified)
    }

    /// `sig` of a master-data link (10 §5.1): lowercase hex HMAC-SHA256 over
    /// `link.v1\n{client_id}\n{kind}\n{locale}\n{expires}` with the first key.
    pub fn sign_link(&self, client_id: &str, kind: &str, locale: &str, expires: i64) -> String {
        let msg = link_message(client_id, kind, locale, expires);
        hex::encode(self.sign(msg.as_bytes()))
    }

    /// True when `sig` verifies under any key and `now` is before `expires`
    /// (otherwise the route answers 401 `unauthorized`, 10 §5.1).
    pub fn verify_link(
        &self,
        client_id: &str,
        kind: &str,
        locale: &str,
        expires: i64,
        sig: &str,
        now: Timestamp,
    ) -> bool {
        if now.as_second() >= expires || sig.len() != 64 {
            return false;
        }
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        let msg = link_message(client_id, kind, locale, expires);
        self.verifies(msg.as_bytes(), &sig)
    }

    /// HMAC with the signing (first) key.
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let mut mac = self.keys[0].clone();
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }

    /// Constant-time comparison against every key (all are tried).
    fn verifies(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.keys.iter().fold(false, |ok, key| {
            let mut mac = key.clone();
            mac.update(msg);
            mac.verify_slice(sig).is_ok() | ok
        })
    }
}

fn link_message(client_id: &str, kind: &str, locale: &str, expires: i64) -> String {
    format!("link.v1\n{client_id}\n{kind}\n{locale}\n{expires}")
}

fn from_wire(w: Wire) -> Option<VerifiedToken> {
    let departure = DateTime::from_str(&w.d).ok()?;
    let amount = Decimal::from_str(&w.p.a).ok()?;
    let expires_at = Timestamp::from_second(w.x).ok()?;
    if w.c.is_empty() || w.k.is_empty() || w.t.is_empty() || w.n == 0 || w.p.c.is_empty() {
        return None;
    }
    Some(VerifiedToken {
        claims: TokenClaims {
            client_id: w.c,
            cart_id: w.k,
            seats: w.n,
            trip_key: w.t,
            departure,
            price: Money::new(amount, Currency::new(&w.p.c)),
            nonce: Nonce::decode(&w.u)?,
        },
        expires_at,
    })
}

#[cfg(test)]
#[path = "booking_token_tests.rs"]
mod tests;
