//! Cross-field checks, run before anything binds. Each problem names its variable.

use super::Settings;
use crate::domain::booking_token::MIN_SECRET_BYTES;
use crate::domain::notification::SourceAllowlist;
use crate::domain::translate::PriceTypeMap;
use crate::domain::version::ApiVersions;

impl Settings {
    /// Every problem found, each starting with the variable name.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut p = Vec::new();
        if !matches!(self.environment.as_str(), "dev" | "staging" | "prod") {
            p.push(format!(
                "ENVIRONMENT: must be dev, staging or prod (got `{}`)",
                self.environment
            ));
        }
        if !matches!(self.log_format.as_str(), "json" | "pretty") {
            p.push(format!(
                "LOG_FORMAT: must be json or pretty (got `{}`)",
                self.log_format
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log_level).is_err()
            || self.log_level.trim().is_empty()
        {
            p.push(format!("LOG_LEVEL: must be error, warn, info, debug, trace or a RUST_LOG filter (got `{}`)", self.log_level));
        }
        if let Some(raw) = &self.twelvego_base_url {
            match url::Url::parse(raw) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => p.push(format!(
                    "TWELVEGO_BASE_URL: must be an http(s) URL (got `{raw}`)"
                )),
            }
        }
        self.validate_master_data(&mut p);
        if !self.base_path.is_empty()
            && (!self.base_path.starts_with('/') || self.base_path.ends_with('/'))
        {
            p.push(format!(
                "BASE_PATH: must start with `/` and not end with one (got `{}`)",
                self.base_path
            ));
        }
        for (name, v) in [
            ("TWELVEGO_TIMEOUT_MS", self.twelvego_timeout_ms),
            (
                "TWELVEGO_CONNECT_TIMEOUT_MS",
                self.twelvego_connect_timeout_ms,
            ),
            (
                "TWELVEGO_RECHECK_TIMEOUT_MS",
                self.twelvego_recheck_timeout_ms,
            ),
            (
                "TWELVEGO_RESERVE_TIMEOUT_MS",
                self.twelvego_reserve_timeout_ms,
            ),
            (
                "TWELVEGO_CONFIRM_TIMEOUT_MS",
                self.twelvego_confirm_timeout_ms,
            ),
            (
                "TWELVEGO_REFUND_TIMEOUT_MS",
                self.twelvego_refund_timeout_ms,
            ),
            (
                "TWELVEGO_MASTERDATA_TIMEOUT_MS",
                self.twelvego_masterdata_timeout_ms,
            ),
            ("MASTER_DATA_REFRESH_SECS", self.master_data_refresh_secs),
            ("MASTER_DATA_LINK_TTL_SECS", self.master_data_link_ttl_secs),
            ("REQUEST_TIMEOUT_MS", self.request_timeout_ms),
            ("HEADER_READ_TIMEOUT_MS", self.header_read_timeout_ms),
            ("BREAKER_WINDOW_SECS", self.breaker_window_secs),
            ("BREAKER_OPEN_SECS", self.breaker_open_secs),
            ("BREAKER_FAILURES", u64::from(self.breaker_failures)),
            ("BREAKER_PROBES", u64::from(self.breaker_probes)),
            (
                "RATE_LIMIT_SEARCH_PER_MIN",
                u64::from(self.rate_limit_search_per_min),
            ),
            (
                "RATE_LIMIT_BOOKING_PER_MIN",
                u64::from(self.rate_limit_booking_per_min),
            ),
        ] {
            if v == 0 {
                p.push(format!("{name}: must be greater than 0"));
            }
        }
        for (name, v) in [
            ("MAX_ROUTES", self.max_routes),
            ("MAX_IN_FLIGHT", self.max_in_flight),
            ("TWELVEGO_MAX_BODY_BYTES", self.twelvego_max_body_bytes),
            (
                "TWELVEGO_BODY_BUDGET_BYTES",
                self.twelvego_body_budget_bytes,
            ),
            ("TWELVEGO_POOL_MAX", self.twelvego_pool_max),
        ] {
            if v == 0 {
                p.push(format!("{name}: must be greater than 0"));
            }
        }
        if let Err(e) = ApiVersions::parse(&self.api_versions) {
            p.push(format!("API_VERSIONS: {e}"));
        }
        if let Err(e) = PriceTypeMap::parse(&self.price_type_map) {
            p.push(format!("PRICE_TYPE_MAP: {e}"));
        }
        if self.environment == "prod" && self.admin_token.as_ref().is_none_or(|t| t.0.is_empty()) {
            p.push("ADMIN_TOKEN: required when ENVIRONMENT=prod".into());
        }
        let secrets = self.booking_token_secrets();
        if secrets.is_empty() && !self.sandbox_mode() {
            p.push("BOOKING_TOKEN_SECRETS: required when TWELVEGO_BASE_URL is set".into());
        }
        if let Some(i) = secrets
            .iter()
            .position(|s| s.expose().len() < MIN_SECRET_BYTES)
        {
            p.push(format!(
                "BOOKING_TOKEN_SECRETS: secret #{} is shorter than {MIN_SECRET_BYTES} bytes",
                i + 1
            ));
        }
        if self.booking_token_ttl_secs == 0 {
            p.push("BOOKING_TOKEN_TTL_SECS: must be greater than 0".into());
        }
        if self.id_map_refresh_secs == 0 {
            p.push("ID_MAP_REFRESH_SECS: must be greater than 0".into());
        }
        if self.booking_sync_budget_ms == 0 {
            p.push("BOOKING_SYNC_BUDGET_MS: must be greater than 0".into());
        }
        if self.outbox_max_pending == 0 {
            p.push("OUTBOX_MAX_PENDING: must be > 0".into());
        }
        if self.notify_max_attempts == 0 || self.notify_concurrency == 0 || self.notify_poll_ms == 0
        {
            p.push("NOTIFY_MAX_ATTEMPTS/_CONCURRENCY/_POLL_MS: must be > 0".into());
        }
        if self.notify_base_delay_secs > self.notify_max_delay_secs {
            p.push("NOTIFY_BASE_DELAY_SECS: must not exceed NOTIFY_MAX_DELAY_SECS".into());
        }
        if self.notify_attempt_timeout_ms == 0 || self.dead_letter_retention_secs == 0 {
            p.push("NOTIFY_ATTEMPT_TIMEOUT_MS/DEAD_LETTER_RETENTION_SECS: must be > 0".into());
        }
        if let Err(e) = SourceAllowlist::parse(self.webhook_allowed_cidrs.as_deref().unwrap_or(""))
        {
            p.push(format!("WEBHOOK_ALLOWED_CIDRS: {e}"));
        }
        if self.webhook_tolerance_secs == 0 {
            p.push("WEBHOOK_TOLERANCE_SECS: must be > 0".into());
        }
        if self.incomplete_results_expiry_secs == 0
            || self.incomplete_results_retention_secs < self.incomplete_results_expiry_secs
        {
            p.push("INCOMPLETE_RESULTS_EXPIRY_SECS/_RETENTION_SECS: expiry must be > 0 and not above retention".into());
        }
        if !(0.0..=1.0).contains(&self.dd_trace_sample_rate) {
            p.push("DD_TRACE_SAMPLE_RATE: must be between 0.0 and 1.0".into());
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(p)
        }
    }

    /// Master-data settings (10 §5, 40 §2).
    fn validate_master_data(&self, p: &mut Vec<String>) {
        for (name, raw) in [
            (
                "TWELVEGO_MASTERDATA_BASE_URL",
                &self.twelvego_masterdata_base_url,
            ),
            ("PUBLIC_BASE_URL", &self.public_base_url),
        ] {
            if let Some(raw) = raw.as_deref().filter(|r| !r.is_empty()) {
                match url::Url::parse(raw) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                    _ => p.push(format!("{name}: must be an http(s) URL (got `{raw}`)")),
                }
            }
        }
        if self.environment == "prod" && self.public_base_url.as_deref().is_none_or(str::is_empty) {
            p.push("PUBLIC_BASE_URL: required when ENVIRONMENT=prod".into());
        }
        let key_missing = self
            .twelvego_masterdata_key
            .as_ref()
            .is_none_or(|k| k.0.is_empty());
        if self.master_data_enabled && !self.sandbox_mode() && key_missing {
            p.push("TWELVEGO_MASTERDATA_KEY: required when MASTER_DATA_ENABLED and TWELVEGO_BASE_URL is set".into());
        }
    }
}
