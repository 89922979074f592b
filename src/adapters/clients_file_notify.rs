//! `[clients.X.inbound_webhook]` and `[clients.X.notifications]` (00 §11): secrets
//! resolved from the environment at load, like the 12go key.

use serde::Deserialize;

use crate::domain::clients::{InboundWebhook, Notifications};
use crate::domain::secret::Secret;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInboundWebhook {
    #[serde(default)]
    hmac_secret_envs: Vec<String>,
    shared_key_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotifications {
    webhook_url: Option<String>,
    signing_secret_env: Option<String>,
}

/// What the loader checks beyond the file itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegistryRules {
    /// `ENVIRONMENT=prod`: `webhook_url` must be `https`. The loader does not read
    /// the configuration itself, so whoever knows the environment sets this.
    pub https_webhooks: bool,
}

/// One `*_env` reference; unset or empty → `None` with an ERROR naming the
/// variable (never its value).
fn secret(
    id: &str,
    setting: &str,
    var: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Secret> {
    let value = env(var).filter(|v| !v.is_empty()).map(Secret::new);
    if value.is_none() {
        tracing::error!(client_id = %id, setting, variable = %var, "secret variable is unset; that secret is ignored");
    }
    value
}

pub(super) fn inbound_webhook(
    id: &str,
    raw: Option<RawInboundWebhook>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<InboundWebhook> {
    let raw = raw?;
    let hmac_secrets = raw
        .hmac_secret_envs
        .iter()
        .filter_map(|v| secret(id, "inbound_webhook.hmac_secret_envs", v, env))
        .collect();
    let shared_key = raw
        .shared_key_env
        .as_deref()
        .and_then(|v| secret(id, "inbound_webhook.shared_key_env", v, env));
    let hook = InboundWebhook {
        hmac_secrets,
        shared_key,
    };
    if !hook.is_configured() {
        // Every inbound call for this client will answer 401.
        tracing::error!(client_id = %id, "inbound_webhook has no usable secret; 12go webhooks for this client are rejected");
    }
    Some(hook)
}

pub(super) fn notifications(
    id: &str,
    raw: Option<RawNotifications>,
    env: &dyn Fn(&str) -> Option<String>,
    rules: RegistryRules,
) -> Result<Option<Notifications>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let Some(text) = raw.webhook_url else {
        return Ok(None);
    };
    let url = url::Url::parse(&text)
        .map_err(|_| format!("client `{id}`: notifications.webhook_url is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if !rules.https_webhooks => {}
        "http" => {
            return Err(format!(
                "client `{id}`: notifications.webhook_url must be https in production"
            ))
        }
        _ => {
            return Err(format!(
                "client `{id}`: notifications.webhook_url must be http or https"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "client `{id}`: notifications.webhook_url has no host"
        ));
    }
    let var = raw.signing_secret_env.ok_or_else(|| {
        format!("client `{id}`: notifications.signing_secret_env is required with webhook_url")
    })?;
    Ok(Some(Notifications {
        webhook_url: url,
        signing_secret: secret(id, "notifications.signing_secret_env", &var, env),
    }))
}
