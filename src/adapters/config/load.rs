//! Layering and error reporting for [`Settings`].

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use std::path::Path;
use std::str::FromStr;

use super::Settings;

/// Every variable the service reads; others in the environment are ignored.
pub const KNOWN_KEYS: &[&str] = &[
    "environment",
    "host",
    "port",
    "admin_host",
    "admin_port",
    "base_path",
    "log_level",
    "log_format",
    "clients_file",
    "api_versions",
    "twelvego_base_url",
    "twelvego_timeout_ms",
    "twelvego_connect_timeout_ms",
    "twelvego_recheck_timeout_ms",
    "twelvego_retry_max",
    "twelvego_max_body_bytes",
    "twelvego_pool_max",
    "request_timeout_ms",
    "drain_timeout_secs",
    "max_in_flight",
    "max_routes",
    "max_timeout",
    "return_partial_status",
    "recheck_dispatch",
    "price_type_map",
    "workers",
    "admin_token",
];

/// Settings whose values stay strings even when they look like numbers or dates.
const STRING_KEYS: &[&str] = &[
    "environment",
    "host",
    "admin_host",
    "base_path",
    "log_level",
    "log_format",
    "clients_file",
    "api_versions",
    "twelvego_base_url",
    "price_type_map",
    "admin_token",
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
            if !KNOWN_KEYS.contains(&key.as_str()) {
                continue;
            }
            let value = if STRING_KEYS.contains(&key.as_str()) {
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

    fn tmp() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("connect-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(d.join("config")).unwrap();
        d
    }

    #[test]
    fn defaults_apply_without_any_source() {
        let s = load_from(&tmp(), &[]).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("0.0.0.0", 8080));
        assert_eq!((s.admin_host.as_str(), s.admin_port), ("127.0.0.1", 9090));
        assert_eq!(s.twelvego_timeout_ms, 10_000);
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
    fn string_settings_stay_strings() {
        let s = load_from(
            &tmp(),
            &env(&[("API_VERSIONS", "2023-07-01"), ("ADMIN_TOKEN", "12345")]),
        )
        .unwrap();
        assert_eq!(s.api_versions, "2023-07-01");
        assert_eq!(s.admin_token.unwrap().0.expose(), "12345");
    }
}
