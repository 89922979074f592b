//! Authenticate a request's API key for the path client (00 §4), with a short
//! cache of successful checks so PBKDF2 does not run on every request.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::auth::{authenticate, AuthFailure};
use crate::domain::clients::Client;
use crate::domain::secret::Secret;
use crate::ports::clients::ClientDirectory;
use crate::ports::clock::Clock;

const CACHE_TTL: Duration = Duration::from_secs(600);
const CACHE_MAX: usize = 10_000;

/// A client whose key checked out.
#[derive(Debug, Clone)]
pub struct AuthedClient {
    pub client: Arc<Client>,
    /// The client's own 12go key, for every 12go call made on its behalf.
    pub twelvego_key: Secret,
}

type CacheKey = (u64, [u8; 32], String);

pub struct Authenticator {
    directory: Arc<dyn ClientDirectory>,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<CacheKey, Instant>>,
}

impl Authenticator {
    pub fn new(directory: Arc<dyn ClientDirectory>, clock: Arc<dyn Clock>) -> Self {
        Self {
            directory,
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The client with this id if it is enabled (signed links carry no API key).
    pub fn enabled_client(&self, client_id: &str) -> Option<Arc<Client>> {
        self.directory.get(client_id).filter(|c| c.enabled)
    }

    /// Checks `presented` against `client_id`. Failures are logged at WARN with the
    /// reason only (never the key).
    pub fn authenticate(
        &self,
        client_id: &str,
        presented: Option<&str>,
    ) -> Result<AuthedClient, AuthFailure> {
        let result = self.check(client_id, presented);
        if let Err(reason) = &result {
            tracing::warn!(client_id = %client_id, reason = reason.reason(), "authentication failed");
        }
        result
    }

    fn check(&self, client_id: &str, presented: Option<&str>) -> Result<AuthedClient, AuthFailure> {
        let client = self.directory.get(client_id);
        let key = presented
            .filter(|k| !k.is_empty())
            .ok_or(AuthFailure::MissingKey)?;
        let cache_key: CacheKey = (
            self.directory.generation(),
            Sha256::digest(key.as_bytes()).into(),
            client_id.to_string(),
        );
        if let Some(client) = &client {
            if self.cached(&cache_key) {
                if let Some(k) = client.twelvego_key.clone().filter(|k| !k.is_empty()) {
                    if client.enabled {
                        return Ok(AuthedClient {
                            client: client.clone(),
                            twelvego_key: k,
                        });
                    }
                }
            }
        }
        let twelvego_key = authenticate(client.as_deref(), Some(key), self.clock.now())?;
        let client = client.ok_or(AuthFailure::UnknownClient)?;
        self.remember(cache_key);
        Ok(AuthedClient {
            client,
            twelvego_key,
        })
    }

    fn cached(&self, key: &CacheKey) -> bool {
        self.cache
            .lock()
            .map(|c| c.get(key).is_some_and(|at| at.elapsed() < CACHE_TTL))
            .unwrap_or(false)
    }

    fn remember(&self, key: CacheKey) {
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_MAX {
                c.retain(|_, at| at.elapsed() < CACHE_TTL);
                if c.len() >= CACHE_MAX {
                    c.clear();
                }
            }
            c.insert(key, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clients::{ApiKey, IdMode, KeyHash};
    use crate::domain::ids::ClientId;
    use crate::ports::clients::MockClientDirectory;
    use crate::ports::clock::SystemClock;

    fn client() -> Arc<Client> {
        let mut h = [0u8; 32];
        h.copy_from_slice(&Sha256::digest(b"k1"));
        Arc::new(Client {
            id: ClientId::parse("acme").unwrap(),
            name: None,
            enabled: true,
            api_keys: vec![ApiKey {
                id: "a".into(),
                hash: KeyHash::Sha256(h),
                expires_at: None,
            }],
            twelvego_key: Some(Secret::new("tg")),
            id_mode: IdMode::Native,
            cancel_enabled: true,
            rate_limit: Default::default(),
            inbound_webhook: None,
            notifications: None,
        })
    }

    #[test]
    fn keys_are_bound_to_their_client() {
        let mut dir = MockClientDirectory::new();
        dir.expect_get().returning(|id| (id == "acme").then(client));
        dir.expect_generation().return_const(1u64);
        let a = Authenticator::new(Arc::new(dir), Arc::new(SystemClock));
        assert_eq!(
            a.authenticate("acme", Some("k1"))
                .unwrap()
                .twelvego_key
                .expose(),
            "tg"
        );
        assert_eq!(
            a.authenticate("other", Some("k1")).unwrap_err(),
            AuthFailure::UnknownClient
        );
        assert_eq!(
            a.authenticate("acme", Some("k2")).unwrap_err(),
            AuthFailure::KeyMismatch
        );
        assert_eq!(
            a.authenticate("acme", None).unwrap_err(),
            AuthFailure::MissingKey
        );
    }

    #[test]
    fn a_reload_invalidates_cached_successes() {
        let mut dir = MockClientDirectory::new();
        let gen = Arc::new(std::sync::atomic::AtomicU64::new(1));
        let enabled = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (g, e) = (gen.clone(), enabled.clone());
        dir.expect_get().returning(move |_| {
            let mut c = (*client()).clone();
            c.enabled = e.load(std::sync::atomic::Ordering::SeqCst);
            Some(Arc::new(c))
        });
        dir.expect_generation()
            .returning(move || g.load(std::sync::atomic::Ordering::SeqCst));
        let a = Authenticator::new(Arc::new(dir), Arc::new(SystemClock));
        assert!(a.authenticate("acme", Some("k1")).is_ok());
        // The registry now disables the client and its generation moves on.
        enabled.store(false, std::sync::atomic::Ordering::SeqCst);
        gen.store(2, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            a.authenticate("acme", Some("k1")).unwrap_err(),
            AuthFailure::Disabled
        );
    }
}
