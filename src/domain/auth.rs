//! API-key authentication rules (00 §4). Every failure looks the same to the
//! caller; the reason is only for logs and metrics.

use hmac::Hmac;
use jiff::Timestamp;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::domain::clients::{Client, KeyHash, Pbkdf2Algorithm};
use crate::domain::secret::Secret;

/// Why authentication failed (logged at WARN, counted, never shown to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    MissingKey,
    UnknownClient,
    Disabled,
    KeyMismatch,
    KeyExpired,
    No12goKey,
}

impl AuthFailure {
    pub fn reason(self) -> &'static str {
        match self {
            Self::MissingKey => "missing_key",
            Self::UnknownClient => "unknown_client",
            Self::Disabled => "disabled",
            Self::KeyMismatch => "key_mismatch",
            Self::KeyExpired => "key_expired",
            Self::No12goKey => "no_12go_key",
        }
    }
}

/// Lowercase hex SHA-256 of a key, as stored in the registry.
pub fn sha256_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Checks `presented` against `client` (steps 1–4 of 00 §4) and returns the
/// client's 12go key. Hash comparisons run in constant time.
pub fn authenticate(
    client: Option<&Client>,
    presented: Option<&str>,
    now: Timestamp,
) -> Result<Secret, AuthFailure> {
    let presented = presented
        .filter(|k| !k.is_empty())
        .ok_or(AuthFailure::MissingKey)?;
    let client = client.ok_or(AuthFailure::UnknownClient)?;
    if !client.enabled {
        return Err(AuthFailure::Disabled);
    }
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let mut matched_expired = false;
    let mut matched_live = false;
    for key in &client.api_keys {
        if key_matches(&key.hash, presented, &digest) {
            if key.expires_at.is_some_and(|t| t <= now) {
                matched_expired = true;
            } else {
                matched_live = true;
            }
        }
    }
    if !matched_live {
        return Err(if matched_expired {
            AuthFailure::KeyExpired
        } else {
            AuthFailure::KeyMismatch
        });
    }
    client
        .twelvego_key
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or(AuthFailure::No12goKey)
}

fn key_matches(stored: &KeyHash, presented: &str, digest: &[u8; 32]) -> bool {
    match stored {
        KeyHash::Sha256(h) => bool::from(h.ct_eq(digest)),
        KeyHash::Pbkdf2 {
            algorithm,
            iterations,
            salt,
            hash,
        } => {
            let mut out = vec![0u8; hash.len()];
            let pw = presented.as_bytes();
            let ok = match algorithm {
                Pbkdf2Algorithm::Sha1 => {
                    pbkdf2::pbkdf2::<Hmac<sha1::Sha1>>(pw, salt, *iterations, &mut out)
                }
                Pbkdf2Algorithm::Sha256 => {
                    pbkdf2::pbkdf2::<Hmac<Sha256>>(pw, salt, *iterations, &mut out)
                }
                Pbkdf2Algorithm::Sha512 => {
                    pbkdf2::pbkdf2::<Hmac<Sha512>>(pw, salt, *iterations, &mut out)
                }
            };
            ok.is_ok() && !hash.is_empty() && bool::from(out.ct_eq(hash))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clients::{ApiKey, IdMode};
    use crate::domain::ids::ClientId;

    fn client(keys: Vec<ApiKey>) -> Client {
        Client {
            id: ClientId::parse("acme").unwrap(),
            name: None,
            enabled: true,
            api_keys: keys,
            twelvego_key: Some(Secret::new("12go-acme")),
            id_mode: IdMode::Native,
            cancel_enabled: true,
            rate_limit: Default::default(),
            inbound_webhook: None,
            notifications: None,
        }
    }

    fn sha(key: &str, expires_at: Option<Timestamp>) -> ApiKey {
        let mut h = [0u8; 32];
        h.copy_from_slice(&Sha256::digest(key.as_bytes()));
        ApiKey {
            id: "k".into(),
            hash: KeyHash::Sha256(h),
            expires_at,
        }
    }

    fn now() -> Timestamp {
        "2026-11-26T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_matching_live_key_yields_the_12go_key() {
        let c = client(vec![sha("secret", None)]);
        let k = authenticate(Some(&c), Some("secret"), now()).unwrap();
        assert_eq!(k.expose(), "12go-acme");
    }

    #[test]
    fn each_failure_has_its_reason() {
        let c = client(vec![sha("secret", None)]);
        assert_eq!(
            authenticate(Some(&c), None, now()),
            Err(AuthFailure::MissingKey)
        );
        assert_eq!(
            authenticate(Some(&c), Some(""), now()),
            Err(AuthFailure::MissingKey)
        );
        assert_eq!(
            authenticate(None, Some("secret"), now()),
            Err(AuthFailure::UnknownClient)
        );
        assert_eq!(
            authenticate(Some(&c), Some("nope"), now()),
            Err(AuthFailure::KeyMismatch)
        );
        let mut off = c.clone();
        off.enabled = false;
        assert_eq!(
            authenticate(Some(&off), Some("secret"), now()),
            Err(AuthFailure::Disabled)
        );
        let mut nokey = c.clone();
        nokey.twelvego_key = None;
        assert_eq!(
            authenticate(Some(&nokey), Some("secret"), now()),
            Err(AuthFailure::No12goKey)
        );
        nokey.twelvego_key = Some(Secret::new(""));
        assert_eq!(
            authenticate(Some(&nokey), Some("secret"), now()),
            Err(AuthFailure::No12goKey)
        );
    }

    #[test]
    fn expired_keys_fail_but_a_second_live_key_works() {
        let past: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let future: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        let c = client(vec![sha("old", Some(past))]);
        assert_eq!(
            authenticate(Some(&c), Some("old"), now()),
            Err(AuthFailure::KeyExpired)
        );
        let c = client(vec![sha("old", Some(past)), sha("new", Some(future))]);
        assert!(authenticate(Some(&c), Some("new"), now()).is_ok());
    }

    #[test]
    fn pbkdf2_records_from_the_previous_store_verify() {
        let salt = b"saltsalt".to_vec();
        let mut hash = vec![0u8; 32];
        pbkdf2::pbkdf2::<Hmac<Sha256>>(b"legacy-key", &salt, 1000, &mut hash).unwrap();
        let c = client(vec![ApiKey {
            id: "imported".into(),
            hash: KeyHash::Pbkdf2 {
                algorithm: Pbkdf2Algorithm::Sha256,
                iterations: 1000,
                salt,
                hash,
            },
            expires_at: None,
        }]);
        assert!(authenticate(Some(&c), Some("legacy-key"), now()).is_ok());
        assert_eq!(
            authenticate(Some(&c), Some("legacy-kez"), now()),
            Err(AuthFailure::KeyMismatch)
        );
    }

    #[test]
    fn sha256_hex_is_lowercase() {
        assert_eq!(
            sha256_hex("demo-key"),
            hex::encode(Sha256::digest(b"demo-key"))
        );
        assert_eq!(sha256_hex("x").len(), 64);
    }
}
