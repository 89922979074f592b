//! The client registry file (00 §11): TOML or JSON by extension, secrets only by
//! reference to environment variables, swapped atomically on reload.

use base64::Engine;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::domain::auth::sha256_hex;
use crate::domain::clients::{ApiKey, Client, IdMode, KeyHash, Pbkdf2Algorithm};
use crate::domain::ids::ClientId;
use crate::domain::rate_limit::RateLimitOverrides;
use crate::domain::secret::Secret;
use crate::ports::clients::ClientDirectory;

#[path = "clients_file_notify.rs"]
mod notify;
pub use notify::RegistryRules;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default)]
    clients: BTreeMap<String, RawClient>,
}

#[derive(Debug, Deserialize)]
struct RawClient {
    enabled: bool,
    name: Option<String>,
    #[serde(default)]
    id_mode: Option<String>,
    #[serde(default)]
    cancel_enabled: Option<bool>,
    twelvego_key_env: String,
    api_keys: Vec<RawKey>,
    #[serde(default)]
    rate_limit: Option<RawRateLimit>,
    #[serde(default)]
    inbound_webhook: Option<notify::RawInboundWebhook>,
    #[serde(default)]
    notifications: Option<notify::RawNotifications>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateLimit {
    search_per_min: Option<u32>,
    booking_per_min: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    id: String,
    sha256: Option<String>,
    pbkdf2: Option<RawPbkdf2>,
    expires_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPbkdf2 {
    algorithm: String,
    iterations: u32,
    salt_b64: String,
    hash_b64: String,
}

/// Parses a registry; `env` resolves the `*_env` references. Every problem is
/// reported with the client it belongs to. `webhook_url` is checked for http(s)
/// only; see [`parse_registry_with`].
pub fn parse_registry(
    text: &str,
    json: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Client>, String> {
    parse_registry_with(text, json, env, RegistryRules::default())
}

/// As [`parse_registry`], with the environment-dependent rules.
pub fn parse_registry_with(
    text: &str,
    json: bool,
    env: &dyn Fn(&str) -> Option<String>,
    rules: RegistryRules,
) -> Result<Vec<Client>, String> {
    let raw: RawRegistry = if json {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    } else {
        toml::from_str(text).map_err(|e| e.to_string().replace('\n', " "))?
    };
    let mut out = Vec::new();
    for (id, c) in raw.clients {
        let cid =
            ClientId::parse(&id).ok_or_else(|| format!("client `{id}`: invalid client id"))?;
        if c.api_keys.is_empty() {
            return Err(format!(
                "client `{id}`: at least one api_keys entry is required"
            ));
        }
        let api_keys = c
            .api_keys
            .into_iter()
            .map(|k| parse_key(k).map_err(|e| format!("client `{id}`: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let id_mode = match c.id_mode.as_deref() {
            None | Some("native") => IdMode::Native,
            Some("mapped") => IdMode::Mapped,
            Some(other) => {
                return Err(format!(
                    "client `{id}`: id_mode `{other}` is not native or mapped"
                ))
            }
        };
        let twelvego_key = env(&c.twelvego_key_env)
            .filter(|v| !v.is_empty())
            .map(Secret::new);
        if c.enabled && twelvego_key.is_none() {
            tracing::error!(client_id = %id, variable = %c.twelvego_key_env, "12go key variable is unset; this client cannot authenticate");
        }
        out.push(Client {
            id: cid,
            name: c.name,
            enabled: c.enabled,
            api_keys,
            twelvego_key,
            id_mode,
            cancel_enabled: c.cancel_enabled.unwrap_or(true),
            rate_limit: rate_limit(&id, c.rate_limit)?,
            inbound_webhook: notify::inbound_webhook(&id, c.inbound_webhook, env),
            notifications: notify::notifications(&id, c.notifications, env, rules)?,
        });
    }
    Ok(out)
}

fn parse_key(k: RawKey) -> Result<ApiKey, String> {
    let expires_at = match &k.expires_at {
        None => None,
        Some(t) => Some(
            t.parse()
                .map_err(|_| format!("key `{}`: expires_at `{t}` is not RFC 3339", k.id))?,
        ),
    };
    let hash = match (k.sha256, k.pbkdf2) {
        (Some(h), None) => {
            let valid = h.len() == 64
                && h.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
            let mut bytes = [0u8; 32];
            if !valid || hex::decode_to_slice(&h, &mut bytes).is_err() {
                return Err(format!(
                    "key `{}`: sha256 must be 64 lowercase hex characters",
                    k.id
                ));
            }
            KeyHash::Sha256(bytes)
        }
        (None, Some(p)) => {
            let b64 = base64::engine::general_purpose::STANDARD;
            let algorithm = match p.algorithm.to_ascii_uppercase().as_str() {
                "SHA1" => Pbkdf2Algorithm::Sha1,
                "SHA256" => Pbkdf2Algorithm::Sha256,
                "SHA512" => Pbkdf2Algorithm::Sha512,
                other => {
                    return Err(format!(
                        "key `{}`: pbkdf2 algorithm `{other}` is not SHA1, SHA256 or SHA512",
                        k.id
                    ))
                }
            };
            let salt = b64
                .decode(&p.salt_b64)
                .map_err(|_| format!("key `{}`: salt_b64 is not base64", k.id))?;
            let hash = b64
                .decode(&p.hash_b64)
                .map_err(|_| format!("key `{}`: hash_b64 is not base64", k.id))?;
            if p.iterations == 0 || hash.is_empty() {
                return Err(format!(
                    "key `{}`: pbkdf2 needs iterations > 0 and a hash",
                    k.id
                ));
            }
            KeyHash::Pbkdf2 {
                algorithm,
                iterations: p.iterations,
                salt,
                hash,
            }
        }
        _ => {
            return Err(format!(
                "key `{}`: exactly one of sha256 or pbkdf2 is required",
                k.id
            ))
        }
    };
    Ok(ApiKey {
        id: k.id,
        hash,
        expires_at,
    })
}

/// The built-in sandbox client `demo` with key `demo-key`.
pub fn demo_client() -> Option<Client> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(sha256_hex("demo-key"), &mut hash).ok()?;
    Some(Client {
        id: ClientId::parse("demo")?,
        name: Some("Sandbox demo".into()),
        enabled: true,
        api_keys: vec![ApiKey {
            id: "demo".into(),
            hash: KeyHash::Sha256(hash),
            expires_at: None,
        }],
        twelvego_key: Some(Secret::new("sandbox-demo-key")),
        id_mode: IdMode::Native,
        cancel_enabled: true,
        rate_limit: RateLimitOverrides::default(),
        inbound_webhook: None,
        notifications: None,
    })
}

/// `[clients.X.rate_limit]`: each value, when set, at least 1.
fn rate_limit(id: &str, raw: Option<RawRateLimit>) -> Result<RateLimitOverrides, String> {
    let Some(r) = raw else {
        return Ok(RateLimitOverrides::default());
    };
    for (name, v) in [
        ("search_per_min", r.search_per_min),
        ("booking_per_min", r.booking_per_min),
    ] {
        if v == Some(0) {
            return Err(format!(
                "client `{id}`: rate_limit.{name} must be at least 1"
            ));
        }
    }
    Ok(RateLimitOverrides {
        search_per_min: r.search_per_min,
        booking_per_min: r.booking_per_min,
    })
}

/// An in-memory directory loaded from a file, swapped whole on reload.
pub struct FileClientDirectory {
    path: Option<PathBuf>,
    rules: RegistryRules,
    clients: RwLock<Arc<HashMap<String, Arc<Client>>>>,
    generation: AtomicU64,
}

impl FileClientDirectory {
    /// Loads `path` (TOML, or JSON when it ends in `.json`); `webhook_url` must
    /// be http(s).
    pub fn load(path: &Path) -> Result<Self, String> {
        Self::load_with(path, RegistryRules::default())
    }

    /// As [`Self::load`]; `rules` also apply on every reload.
    pub fn load_with(path: &Path, rules: RegistryRules) -> Result<Self, String> {
        let clients = read_file(path, rules)?;
        let mut d = Self::with(Some(path.to_path_buf()), clients);
        d.rules = rules;
        Ok(d)
    }

    /// A fixed directory (the sandbox demo client, tests).
    pub fn fixed(clients: Vec<Client>) -> Self {
        Self::with(None, clients)
    }

    fn with(path: Option<PathBuf>, clients: Vec<Client>) -> Self {
        Self {
            path,
            rules: RegistryRules::default(),
            clients: RwLock::new(Arc::new(index(clients))),
            generation: AtomicU64::new(1),
        }
    }

    /// Re-reads the file; an invalid file keeps the current registry.
    pub fn reload(&self) -> Result<usize, String> {
        let Some(path) = &self.path else {
            return Ok(self.len());
        };
        let clients = read_file(path, self.rules)?;
        let n = clients.len();
        if let Ok(mut guard) = self.clients.write() {
            *guard = Arc::new(index(clients));
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        Ok(n)
    }

    pub fn len(&self) -> usize {
        self.clients.read().map(|c| c.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ids of the clients in `mapped` id mode, sorted.
    pub fn mapped_client_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .clients
            .read()
            .map(|c| {
                c.values()
                    .filter(|c| c.id_mode == crate::domain::clients::IdMode::Mapped)
                    .map(|c| c.id.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }
}

fn index(clients: Vec<Client>) -> HashMap<String, Arc<Client>> {
    clients
        .into_iter()
        .map(|c| (c.id.as_str().to_string(), Arc::new(c)))
        .collect()
}

fn read_file(path: &Path, rules: RegistryRules) -> Result<Vec<Client>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("CLIENTS_FILE: cannot read `{}`: {e}", path.display()))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    parse_registry_with(&text, json, &|name| std::env::var(name).ok(), rules)
        .map_err(|e| format!("CLIENTS_FILE: `{}`: {e}", path.display()))
}

impl ClientDirectory for FileClientDirectory {
    fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        self.clients
            .read()
            .ok()
            .and_then(|c| c.get(client_id).cloned())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
#[path = "clients_file_tests.rs"]
mod tests;
