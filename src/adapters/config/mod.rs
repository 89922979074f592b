//! Configuration: `config/default.toml` < `CONFIG_FILE` < `.env` < environment
//! variables (40 §2). The environment variable names are the public interface;
//! every setting is read under its variable name, lowercased.

mod load;
mod validate;

pub use load::load;

use serde::{Deserialize, Serialize};

use crate::domain::secret::Secret;

/// The typed configuration. Field names are the environment variable names, lowercased.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub environment: String,
    pub host: String,
    pub port: u16,
    pub admin_host: String,
    pub admin_port: u16,
    pub base_path: String,
    pub log_level: String,
    pub log_format: String,
    pub clients_file: Option<String>,
    pub api_versions: String,
    pub twelvego_base_url: Option<String>,
    pub twelvego_timeout_ms: u64,
    pub twelvego_connect_timeout_ms: u64,
    pub twelvego_recheck_timeout_ms: u64,
    pub twelvego_reserve_timeout_ms: u64,
    pub twelvego_confirm_timeout_ms: u64,
    pub twelvego_refund_timeout_ms: u64,
    pub twelvego_retry_max: u32,
    pub twelvego_max_body_bytes: usize,
    /// Bytes of 12go answers one worker reads at once (memory bound under load).
    pub twelvego_body_budget_bytes: usize,
    pub twelvego_pool_max: usize,
    pub request_timeout_ms: u64,
    pub drain_timeout_secs: u64,
    pub max_in_flight: usize,
    pub max_routes: usize,
    pub max_timeout: u32,
    pub return_partial_status: bool,
    pub recheck_dispatch: bool,
    pub price_type_map: String,
    pub workers: usize,
    pub breaker_failures: u32,
    pub breaker_window_secs: u64,
    pub breaker_open_secs: u64,
    pub breaker_probes: u32,
    pub rate_limit_search_per_min: u32,
    pub rate_limit_booking_per_min: u32,
    pub header_read_timeout_ms: u64,
    pub dd_service: String,
    /// Empty = `ENVIRONMENT`.
    pub dd_env: String,
    /// Empty = the crate version.
    pub dd_version: String,
    pub dd_agent_host: String,
    pub dd_trace_agent_port: u16,
    pub dd_dogstatsd_port: u16,
    pub dd_trace_enabled: bool,
    pub dd_trace_sample_rate: f64,
    pub dd_metrics_enabled: bool,
    /// Unset = the in-memory state store (40 §3). Secret: the URL may carry a password.
    #[serde(skip_serializing)]
    pub redis_url: Option<SecretString>,
    #[serde(skip_serializing)]
    pub admin_token: Option<SecretString>,
    /// Comma-separated; the first signs booking tokens and master-data links,
    /// all verify (20 §8). Required when `TWELVEGO_BASE_URL` is set.
    #[serde(skip_serializing)]
    pub booking_token_secrets: Option<SecretString>,
    pub booking_token_ttl_secs: u64,
    /// CSV of previous-platform booking ids (30 §1); unreadable stops start-up.
    pub booking_id_map_file: Option<String>,
    /// Directory of the `mapped` id-mode maps (10 §6); unreadable stops start-up.
    pub id_map_dir: Option<String>,
    /// The id maps are reloaded this often (and on SIGHUP).
    pub id_map_refresh_secs: u64,
    /// CreateBooking/ConfirmBooking wait this long before answering 202 (20 §6).
    pub booking_sync_budget_ms: u64,
    /// A pending `incomplete_results` record untouched this long is expired.
    pub incomplete_results_expiry_secs: u64,
    /// TTL of `incomplete_results` records.
    pub incomplete_results_retention_secs: u64,
    /// Most pending notifications the outbox holds (30 §8).
    pub outbox_max_pending: usize,
    /// How far an inbound webhook timestamp may be from now (30 §7).
    pub webhook_tolerance_secs: u64,
    /// Comma-separated CIDRs webhook calls may come from (unset = any).
    pub webhook_allowed_cidrs: Option<String>,
    /// How long a delivered notification id is remembered for dedup (30 §8).
    pub notify_dedup_retention_secs: u64,
    /// Delivery attempts per notification, counting the first (30 §8).
    pub notify_max_attempts: u32,
    /// Delay before the second attempt; doubles per attempt up to the max.
    pub notify_base_delay_secs: u64,
    pub notify_max_delay_secs: u64,
    /// One delivery attempt's timeout.
    pub notify_attempt_timeout_ms: u64,
    /// How long dead letters are kept.
    pub dead_letter_retention_secs: u64,
    /// Delivery attempts in flight at once, per instance.
    pub notify_concurrency: usize,
    /// `false`: this instance queues notifications but does not deliver them
    /// (pausing deliveries; with Redis, other instances deliver).
    pub notify_delivery_enabled: bool,
    /// How often the worker looks for due items (retries, other instances'
    /// receipts); items received here are sent at once.
    pub notify_poll_ms: u64,
    /// Absolute base of the links this service hands out (master-data
    /// snapshots); unset = `http://localhost:{PORT}`, required in prod.
    pub public_base_url: Option<String>,
    /// U3–U5 go here (unset = `TWELVEGO_BASE_URL`) with their own key.
    pub twelvego_masterdata_base_url: Option<String>,
    #[serde(skip_serializing)]
    pub twelvego_masterdata_key: Option<SecretString>,
    pub twelvego_masterdata_timeout_ms: u64,
    /// Off: no master data is loaded, its routes answer 503 and `/ready` does
    /// not wait for it.
    pub master_data_enabled: bool,
    pub master_data_refresh_secs: u64,
    pub master_data_link_ttl_secs: u64,
}

/// A secret read from configuration; never printed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "String")]
pub struct SecretString(pub Secret);

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self(Secret::new(s))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            environment: "dev".into(),
            host: "0.0.0.0".into(),
            port: 8080,
            admin_host: "127.0.0.1".into(),
            admin_port: 9090,
            base_path: String::new(),
            log_level: "info".into(),
            log_format: "json".into(),
            clients_file: None,
            api_versions: "2023-07-01".into(),
            twelvego_base_url: None,
            twelvego_timeout_ms: 10_000,
            twelvego_connect_timeout_ms: 3_000,
            twelvego_recheck_timeout_ms: 300_000,
            twelvego_reserve_timeout_ms: 60_000,
            twelvego_confirm_timeout_ms: 60_000,
            twelvego_refund_timeout_ms: 15_000,
            twelvego_retry_max: 2,
            twelvego_max_body_bytes: 16 * 1024 * 1024,
            twelvego_body_budget_bytes: 512 * 1024,
            twelvego_pool_max: 200,
            request_timeout_ms: 30_000,
            drain_timeout_secs: 30,
            max_in_flight: 1024,
            max_routes: 25,
            max_timeout: 30,
            return_partial_status: true,
            recheck_dispatch: true,
            price_type_map: "0:Recommended".into(),
            workers: 0,
            breaker_failures: 5,
            breaker_window_secs: 60,
            breaker_open_secs: 30,
            breaker_probes: 3,
            rate_limit_search_per_min: 100,
            rate_limit_booking_per_min: 20,
            header_read_timeout_ms: 15_000,
            dd_service: "connect-api".into(),
            dd_env: String::new(),
            dd_version: String::new(),
            dd_agent_host: "localhost".into(),
            dd_trace_agent_port: 8126,
            dd_dogstatsd_port: 8125,
            dd_trace_enabled: true,
            dd_trace_sample_rate: 1.0,
            dd_metrics_enabled: true,
            redis_url: None,
            admin_token: None,
            booking_token_secrets: None,
            booking_token_ttl_secs: 10_800,
            booking_id_map_file: None,
            id_map_dir: None,
            id_map_refresh_secs: 3600,
            booking_sync_budget_ms: 20_000,
            incomplete_results_expiry_secs: 900,
            incomplete_results_retention_secs: 3600,
            outbox_max_pending: 100_000,
            webhook_tolerance_secs: 300,
            webhook_allowed_cidrs: None,
            notify_dedup_retention_secs: 86_400,
            notify_max_attempts: 6,
            notify_base_delay_secs: 60,
            notify_max_delay_secs: 1800,
            notify_attempt_timeout_ms: 10_000,
            dead_letter_retention_secs: 604_800,
            notify_concurrency: 32,
            notify_poll_ms: 1000,
            notify_delivery_enabled: true,
            public_base_url: None,
            twelvego_masterdata_base_url: None,
            twelvego_masterdata_key: None,
            twelvego_masterdata_timeout_ms: 30_000,
            master_data_enabled: true,
            master_data_refresh_secs: 86_400,
            master_data_link_ttl_secs: 3600,
        }
    }
}

impl Settings {
    /// True when no real 12go is configured: the embedded sandbox answers.
    pub fn sandbox_mode(&self) -> bool {
        self.twelvego_base_url.is_none()
    }

    /// `BOOKING_TOKEN_SECRETS` split on commas, trimmed, empty entries dropped.
    pub fn booking_token_secrets(&self) -> Vec<Secret> {
        self.booking_token_secrets
            .as_ref()
            .map(|s| {
                s.0.expose()
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(Secret::new)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `PUBLIC_BASE_URL` without a trailing `/`, else `http://localhost:{PORT}`.
    pub fn public_base_url(&self) -> String {
        match self.public_base_url.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://localhost:{}", self.port),
        }
    }

    /// `DD_ENV`, defaulting to `ENVIRONMENT`.
    pub fn dd_env(&self) -> &str {
        if self.dd_env.is_empty() {
            &self.environment
        } else {
            &self.dd_env
        }
    }

    /// `DD_VERSION`, defaulting to the crate version.
    pub fn dd_version(&self) -> &str {
        if self.dd_version.is_empty() {
            env!("CARGO_PKG_VERSION")
        } else {
            &self.dd_version
        }
    }
}
