//! Layering and error reporting for [`Settings`].

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use std::path::Path;
use std::str::FromStr;

use super::Settings;

/// Every variable the service reads (lowercased), and whether its value stays a
/// string even when it looks like a number or a date. Others are ignored.
const KEYS: &[(&str, bool)] = &[
    ("environment", true),
    ("host", true),
    ("port", false),
    ("admin_host", true),
    ("admin_port", false),
    ("base_path", true),
    ("log_level", true),
    ("log_format", true),
    ("clients_file", true),
    ("api_versions", true),
    ("twelvego_base_url", true),
    ("twelvego_timeout_ms", false),
    ("twelvego_connect_timeout_ms", false),
    ("twelvego_recheck_timeout_ms", false),
    ("twelvego_reserve_timeout_ms", false),
    ("twelvego_confirm_timeout_ms", false),
    ("twelvego_refund_timeout_ms", false),
    ("twelvego_retry_max", false),
    ("twelvego_max_body_bytes", false),
    ("twelvego_body_budget_bytes", false),
    ("twelvego_pool_max", false),
    ("request_timeout_ms", false),
    ("drain_timeout_secs", false),
    ("max_in_flight", false),
    ("max_routes", false),
    ("max_timeout", false),
    ("return_partial_status", false),
    ("recheck_dispatch", false),
    ("price_type_map", true),
    ("workers", false),
    ("breaker_failures", false),
    ("breaker_window_secs", false),
    ("breaker_open_secs", false),
    ("breaker_probes", false),
    ("rate_limit_search_per_min", false),
    ("rate_limit_booking_per_min", false),
    ("header_read_timeout_ms", false),
    ("dd_service", true),
    ("dd_env", true),
    ("dd_version", true),
    ("dd_agent_host", true),
    ("dd_trace_agent_port", false),
    ("dd_dogstatsd_port", false),
    ("dd_trace_enabled", false),
    ("dd_trace_sample_rate", false),
    ("dd_metrics_enabled", false),
    ("redis_url", true),
    ("admin_token", true),
    ("booking_token_secrets", true),
    ("booking_token_ttl_secs", false),
    ("booking_sync_budget_ms", false),
    ("booking_id_map_file", true),
    ("id_map_dir", true),
    ("id_map_refresh_secs", false),
    ("incomplete_results_expiry_secs", false),
    ("incomplete_results_retention_secs", false),
    ("outbox_max_pending", false),
    ("webhook_tolerance_secs", false),
    ("webhook_allowed_cidrs", true),
    ("notify_dedup_retention_secs", false),
    ("notify_max_attempts", false),
    ("notify_base_delay_secs", false),
    ("notify_max_delay_secs", false),
    ("notify_attempt_timeout_ms", false),
    ("dead_letter_retention_secs", false),
    ("notify_concurrency", false),
    ("notify_poll_ms", false),
    ("notify_delivery_enabled", false),
    ("public_base_url", true),
    ("twelvego_masterdata_base_url", true),
    ("twelvego_masterdata_key", true),
    ("twelvego_masterdata_timeout_ms", false),
    ("master_data_enabled", false),
    ("master_data_refresh_secs", false),
    ("master_data_link_ttl_secs", false),
];

/// Loads and validates the configuration from `dir` (the working directory) and
/// the process environment. The error is one line naming the setting(s).
pub fn load(dir: &Path) -> Result<Settings, String> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    load_from(dir, &env)
}

/// As [`load`], with the environment given explicitly (tests).
pub fn load_from(dir: &Path, env: &[(String, String)]) -> Result<Settings, String> {
    let mut fig = Figment::from(Serialized::defaults(Settings::default()));
    let default_file = dir.join("config/default.toml");
    if default_file.exists() {
        fig = fig.merge(Toml::file(default_file));
    }
    let env_value = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if let Some(file) = env_value("CONFIG_FILE") {
        let path = dir.join(&file);
        if !path.exists() {
            return Err(format!("CONFIG_FILE: file `{file}` does not exist"));
        }
        fig = fig.merge(Toml::file(path));
    }
    let dotenv = dir.join(".env");
    if dotenv.exists() {
        let pairs = dotenvy::from_path_iter(&dotenv)
            .map_err(|e| format!(".env: cannot be read: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!(".env: {e}"))?;
        fig = fig.merge(KeyValues::new(".env file", pairs));
    }
    fig = fig.merge(KeyValues::new("environment variable", env.to_vec()));
    let mut settings: Settings = fig.extract().map_err(|e| describe(&e))?;
    if settings.clients_file.is_none() && dir.join("config/clients.toml").exists() {
        settings.clients_file = Some("config/clients.toml".into());
    }
    settings
        .validate()
        .map_err(|problems| problems.join("; "))?;
    Ok(settings)
}

/// One line: `PORT: invalid type: found string "abc", expected u16`.
fn describe(e: &figment::Error) -> String {
    let name = e
        .path
        .last()
        .map(|p| p.to_ascii_uppercase())
        .unwrap_or_else(|| "configuration".into());
    format!("{name}: {}", e.kind)
}

/// A provider for `NAME=value` pairs (`.env` file or the process environment):
/// only known names, values parsed as figment's `Env` does, except for string settings.
struct KeyValues {
    name: &'static str,
    pairs: Vec<(String, String)>,
}

impl KeyValues {
    fn new(name: &'static str, pairs: Vec<(String, String)>) -> Self {
        Self { name, pairs }
    }
}

impl Provider for KeyValues {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (k, v) in &self.pairs {
            let key = k.to_ascii_lowercase();
            let Some((_, is_string)) = KEYS.iter().find(|(name, _)| *name == key) else {
                continue;
            };
            let value = if *is_string {
                Value::from(v.clone())
            } else {
                Value::from_str(v).unwrap_or_else(|_| Value::from(v.clone()))
            };
            dict.insert(key, value);
        }
        Ok(Profile::Default.collect(dict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A fresh directory with a `config/` in it, removed when dropped.
    struct TmpDir(std::path::PathBuf);

    impl std::ops::Deref for TmpDir {
        type Target = std::path::Path;
        fn deref(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for TmpDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tmp() -> TmpDir {
        let d = std::env::temp_dir().join(format!("connect-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(d.join("config")).unwrap();
        TmpDir(d)
    }

    #[test]
    fn defaults_apply_without_any_source() {
        let s = load_from(&tmp(), &[]).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("0.0.0.0", 8080));
        assert_eq!((s.admin_host.as_str(), s.admin_port), ("127.0.0.1", 9090));
        assert_eq!(s.twelvego_timeout_ms, 10_000);
        assert_eq!(s.twelvego_reserve_timeout_ms, 60_000);
        assert_eq!(s.twelvego_confirm_timeout_ms, 60_000);
        assert_eq!(s.twelvego_refund_timeout_ms, 15_000);
        assert_eq!(s.max_routes, 25);
        assert_eq!(s.log_format, "json");
        assert!(s.sandbox_mode());
        assert_eq!(s.clients_file, None);
    }

    #[test]
    fn layers_apply_in_order_file_then_dotenv_then_environment() {
        let d = tmp();
        std::fs::write(
            d.join("config/default.toml"),
            "port = 1000\nmax_routes = 3\nlog_level = \"debug\"\n",
        )
        .unwrap();
        std::fs::write(d.join("extra.toml"), "port = 2000\nmax_routes = 4\n").unwrap();
        std::fs::write(d.join(".env"), "PORT=3000\nLOG_FORMAT=pretty\n").unwrap();
        let s = load_from(&d, &env(&[("CONFIG_FILE", "extra.toml"), ("PORT", "4000")])).unwrap();
        assert_eq!(s.port, 4000);
        assert_eq!(s.max_routes, 4);
        assert_eq!(s.log_format, "pretty");
        assert_eq!(s.log_level, "debug");
    }

    #[test]
    fn redis_url_is_read_as_a_secret_string() {
        let s = load_from(&tmp(), &env(&[("REDIS_URL", "redis://r:6379")])).unwrap();
        assert_eq!(s.redis_url.unwrap().0.expose(), "redis://r:6379");
        assert!(load_from(&tmp(), &[]).unwrap().redis_url.is_none());
    }

    #[test]
    fn an_invalid_value_names_the_setting_in_one_line() {
        let e = load_from(&tmp(), &env(&[("PORT", "abc")])).unwrap_err();
        assert!(e.starts_with("PORT: "), "{e}");
        assert!(!e.contains('\n'));
        let e = load_from(&tmp(), &env(&[("LOG_FORMAT", "xml")])).unwrap_err();
        assert!(e.starts_with("LOG_FORMAT: "), "{e}");
        let e = load_from(&tmp(), &env(&[("TWELVEGO_BASE_URL", "not a url")])).unwrap_err();
        assert!(e.starts_with("TWELVEGO_BASE_URL: "), "{e}");
        let e = load_from(&tmp(), &env(&[("CONFIG_FILE", "missing.toml")])).unwrap_err();
        assert!(e.starts_with("CONFIG_FILE: "), "{e}");
    }

    #[test]
    fn reserve_confirm_and_refund_timeouts_are_read_and_must_be_positive() {
        let s = load_from(
            &tmp(),
            &env(&[
                ("TWELVEGO_RESERVE_TIMEOUT_MS", "45000"),
                ("TWELVEGO_CONFIRM_TIMEOUT_MS", "70000"),
                ("TWELVEGO_REFUND_TIMEOUT_MS", "20000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.twelvego_reserve_timeout_ms, 45_000);
        assert_eq!(s.twelvego_confirm_timeout_ms, 70_000);
        assert_eq!(s.twelvego_refund_timeout_ms, 20_000);
        let e = load_from(&tmp(), &env(&[("TWELVEGO_REFUND_TIMEOUT_MS", "0")])).unwrap_err();
        assert_eq!(e, "TWELVEGO_REFUND_TIMEOUT_MS: must be greater than 0");
        let e = load_from(&tmp(), &env(&[("TWELVEGO_RESERVE_TIMEOUT_MS", "0")])).unwrap_err();
        assert_eq!(e, "TWELVEGO_RESERVE_TIMEOUT_MS: must be greater than 0");
        let e = load_from(&tmp(), &env(&[("TWELVEGO_CONFIRM_TIMEOUT_MS", "0")])).unwrap_err();
        assert_eq!(e, "TWELVEGO_CONFIRM_TIMEOUT_MS: must be greater than 0");
    }

    #[test]
    fn unrelated_environment_variables_are_ignored() {
        let s = load_from(
            &tmp(),
            &env(&[("PATH", "/bin"), ("HOME", "x"), ("MAX_ROUTES", "7")]),
        )
        .unwrap();
        assert_eq!(s.max_routes, 7);
    }

    #[test]
    fn a_clients_file_in_config_is_found_by_default() {
        let d = tmp();
        std::fs::write(d.join("config/clients.toml"), "").unwrap();
        let s = load_from(&d, &[]).unwrap();
        assert_eq!(s.clients_file.as_deref(), Some("config/clients.toml"));
    }

    #[test]
    fn every_settings_field_is_readable_from_the_environment() {
        let fields = serde_json::to_value(Settings {
            clients_file: Some(String::new()),
            twelvego_base_url: Some(String::new()),
            ..Settings::default()
        })
        .unwrap();
        let mut names: Vec<&str> = fields
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.push("admin_token");
        names.push("booking_token_secrets");
        names.push("redis_url");
        names.push("twelvego_masterdata_key");
        names.sort_unstable();
        let mut known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
        known.sort_unstable();
        assert_eq!(names, known);
    }

    #[test]
    fn string_settings_stay_strings() {
        let s = load_from(
            &tmp(),
            &env(&[("API_VERSIONS", "2023-07-01"), ("ADMIN_TOKEN", "12345")]),
        )
        .unwrap();
        assert_eq!(s.api_versions, "2023-07-01");
        assert_eq!(s.admin_token.unwrap().0.expose(), "12345");
    }

    #[test]
    fn master_data_settings_default_and_a_real_12go_needs_its_key() {
        let s = load_from(&tmp(), &[]).unwrap();
        assert!(s.master_data_enabled);
        assert_eq!(
            (s.master_data_refresh_secs, s.master_data_link_ttl_secs),
            (86_400, 3600)
        );
        assert_eq!(s.twelvego_masterdata_timeout_ms, 30_000);
        assert_eq!(s.public_base_url(), "http://localhost:8080");
        let real = [
            ("TWELVEGO_BASE_URL", "https://recheck10.12go.asia"),
            ("BOOKING_TOKEN_SECRETS", S1),
        ];
        let e = load_from(&tmp(), &env(&real)).unwrap_err();
        assert_eq!(
            e,
            "TWELVEGO_MASTERDATA_KEY: required when MASTER_DATA_ENABLED and TWELVEGO_BASE_URL is set"
        );
        let mut with_key = real.to_vec();
        with_key.push(("TWELVEGO_MASTERDATA_KEY", "md-key"));
        with_key.push(("PUBLIC_BASE_URL", "https://connect.example.com/"));
        let s = load_from(&tmp(), &env(&with_key)).unwrap();
        assert_eq!(
            s.twelvego_masterdata_key.as_ref().unwrap().0.expose(),
            "md-key"
        );
        assert_eq!(s.public_base_url(), "https://connect.example.com");
        let mut off = real.to_vec();
        off.push(("MASTER_DATA_ENABLED", "false"));
        assert!(load_from(&tmp(), &env(&off)).is_ok());
        let e = load_from(
            &tmp(),
            &env(&[
                ("ENVIRONMENT", "prod"),
                ("ADMIN_TOKEN", "t"),
                ("PUBLIC_BASE_URL", "ftp://x"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e, "PUBLIC_BASE_URL: must be an http(s) URL (got `ftp://x`)");
        let e = load_from(
            &tmp(),
            &env(&[("ENVIRONMENT", "prod"), ("ADMIN_TOKEN", "t")]),
        )
        .unwrap_err();
        assert_eq!(e, "PUBLIC_BASE_URL: required when ENVIRONMENT=prod");
    }

    const S1: &str = "first-secret-first-secret-first-secret";
    const S2: &str = "second-secret-second-secret-second-sec";

    #[test]
    fn a_real_12go_requires_booking_token_secrets() {
        let e = load_from(
            &tmp(),
            &env(&[
                ("TWELVEGO_BASE_URL", "https://recheck10.12go.asia"),
                ("TWELVEGO_MASTERDATA_KEY", "md-key"),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "BOOKING_TOKEN_SECRETS: required when TWELVEGO_BASE_URL is set"
        );
        let e = load_from(
            &tmp(),
            &env(&[
                ("TWELVEGO_BASE_URL", "https://recheck10.12go.asia"),
                ("BOOKING_TOKEN_SECRETS", " , "),
                ("TWELVEGO_MASTERDATA_KEY", "md-key"),
            ]),
        )
        .unwrap_err();
        assert!(e.starts_with("BOOKING_TOKEN_SECRETS: required"), "{e}");
        // Sandbox mode: optional (a random key is generated at start-up).
        let s = load_from(&tmp(), &[]).unwrap();
        assert!(s.booking_token_secrets().is_empty());
        assert_eq!(s.booking_token_ttl_secs, 10_800);
    }

    #[test]
    fn booking_token_secrets_are_a_comma_separated_list_never_printed() {
        let list = format!("{S1}, {S2},");
        let s = load_from(
            &tmp(),
            &env(&[
                ("TWELVEGO_BASE_URL", "https://recheck10.12go.asia"),
                ("BOOKING_TOKEN_SECRETS", &list),
                ("BOOKING_TOKEN_TTL_SECS", "60"),
                ("MASTER_DATA_ENABLED", "false"),
            ]),
        )
        .unwrap();
        let secrets: Vec<String> = s
            .booking_token_secrets()
            .iter()
            .map(|x| x.expose().to_owned())
            .collect();
        assert_eq!(secrets, [S1, S2]);
        assert_eq!(s.booking_token_ttl_secs, 60);
        let shown = format!("{s:?}{}", serde_json::to_string(&s).unwrap());
        assert!(!shown.contains("secret-"), "{shown}");
    }

    #[test]
    fn short_booking_token_secrets_and_a_zero_ttl_are_refused() {
        let list = format!("{S1},too-short");
        let e = load_from(&tmp(), &env(&[("BOOKING_TOKEN_SECRETS", &list)])).unwrap_err();
        assert_eq!(
            e,
            "BOOKING_TOKEN_SECRETS: secret #2 is shorter than 32 bytes"
        );
        assert!(!e.contains("too-short"));
        let e = load_from(&tmp(), &env(&[("BOOKING_TOKEN_TTL_SECS", "0")])).unwrap_err();
        assert!(e.starts_with("BOOKING_TOKEN_TTL_SECS: "), "{e}");
    }
}
