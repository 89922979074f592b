use super::*;

fn env(name: &str) -> Option<String> {
    match name {
        "TWELVEGO_KEY_ACME" => Some("12go-acme".into()),
        "EMPTY" => Some(String::new()),
        "WH_IN_ACME" => Some("in-1".into()),
        "WH_IN_ACME_OLD" => Some("in-0".into()),
        "WH_IN_KEY_ACME" => Some("key".into()),
        "WH_OUT_ACME" => Some("out".into()),
        _ => None,
    }
}

const ACME: &str = r#"
[clients.acme]
enabled = true
name = "Acme Travel"
twelvego_key_env = "TWELVEGO_KEY_ACME"
[[clients.acme.api_keys]]
id = "primary"
sha256 = "2f4a1d9b1ae0a6d2cbdc4d5fc4e4a1b1a7c8e3f2b0d1c2e3f4a5b6c7d8e9f0a1"
expires_at = "2027-01-01T00:00:00Z"
[[clients.acme.api_keys]]
id = "imported"
pbkdf2 = { algorithm = "SHA256", iterations = 10000, salt_b64 = "c2FsdA==", hash_b64 = "aGFzaA==" }
"#;

#[test]
fn a_toml_registry_resolves_keys_and_secrets_by_reference() {
    let clients = parse_registry(ACME, false, &env).unwrap();
    assert_eq!(clients.len(), 1);
    let c = &clients[0];
    assert_eq!(c.id.as_str(), "acme");
    assert_eq!(
        c.twelvego_key.as_ref().map(|k| k.expose()),
        Some("12go-acme")
    );
    assert_eq!(c.api_keys.len(), 2);
    assert!(c.api_keys[0].expires_at.is_some());
    assert!(matches!(
        c.api_keys[1].hash,
        KeyHash::Pbkdf2 {
            iterations: 10000,
            ..
        }
    ));
    assert!(c.cancel_enabled);
    assert_eq!(c.id_mode, IdMode::Native);
}

#[test]
fn the_same_registry_reads_from_json() {
    let json = r#"{"clients":{"acme":{"enabled":false,"twelvego_key_env":"UNSET","api_keys":[{"id":"a","sha256":"2f4a1d9b1ae0a6d2cbdc4d5fc4e4a1b1a7c8e3f2b0d1c2e3f4a5b6c7d8e9f0a1"}]}}}"#;
    let clients = parse_registry(json, true, &env).unwrap();
    assert!(!clients[0].enabled);
    assert!(clients[0].twelvego_key.is_none());
}

#[test]
fn an_empty_12go_key_variable_counts_as_unset() {
    let text = ACME.replace("TWELVEGO_KEY_ACME", "EMPTY");
    let clients = parse_registry(&text, false, &env).unwrap();
    assert!(clients[0].twelvego_key.is_none());
}

#[test]
fn bad_entries_are_reported_with_their_client() {
    let cases = [
        (
            ACME.replace("2f4a1d9b", "2F4A1D9B"),
            "sha256 must be 64 lowercase hex",
        ),
        (
            ACME.replace("2027-01-01T00:00:00Z", "next year"),
            "expires_at",
        ),
        (ACME.replace("SHA256", "MD5"), "algorithm"),
        (
            ACME.replace("clients.acme", "clients.Acme"),
            "invalid client id",
        ),
        (ACME.replace("c2FsdA==", "!!!"), "salt_b64"),
        (
            "[clients.x]\nenabled = true\ntwelvego_key_env = \"A\"\napi_keys = []\n".to_string(),
            "at least one",
        ),
        ("[clients.x\n".to_string(), ""),
    ];
    for (text, needle) in cases {
        let e = parse_registry(&text, false, &env).unwrap_err();
        assert!(e.contains(needle), "{e} should mention {needle}");
    }
}

#[test]
fn reload_swaps_atomically_and_keeps_the_old_registry_on_error() {
    let dir = std::env::temp_dir().join(format!("connect-reg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("clients.toml");
    std::fs::write(&path, ACME).unwrap();
    let d = FileClientDirectory::load(&path).unwrap();
    assert!(d.get("acme").is_some());
    let g1 = d.generation();
    std::fs::write(&path, "not = [valid").unwrap();
    assert!(d.reload().is_err());
    assert!(d.get("acme").is_some());
    assert_eq!(d.generation(), g1);
    std::fs::write(&path, ACME.replace("acme", "beta")).unwrap();
    assert_eq!(d.reload(), Ok(1));
    assert!(d.get("acme").is_none());
    assert!(d.get("beta").is_some());
    assert!(d.generation() > g1);
}

#[test]
fn an_unreadable_file_fails_naming_the_setting() {
    let e = FileClientDirectory::load(Path::new("/nonexistent/clients.toml"))
        .err()
        .unwrap();
    assert!(e.starts_with("CLIENTS_FILE: "), "{e}");
}

#[test]
fn the_demo_client_accepts_demo_key() {
    let c = demo_client().unwrap();
    let now = jiff::Timestamp::now();
    assert!(crate::domain::auth::authenticate(Some(&c), Some("demo-key"), now).is_ok());
    assert!(crate::domain::auth::authenticate(Some(&c), Some("demo"), now).is_err());
}

#[test]
fn rate_limit_overrides_are_read_and_checked() {
    let with = format!("{ACME}[clients.acme.rate_limit]\nsearch_per_min = 2\n");
    let c = &parse_registry(&with, false, &env).unwrap()[0];
    assert_eq!(
        c.rate_limit,
        RateLimitOverrides {
            search_per_min: Some(2),
            booking_per_min: None
        }
    );
    let plain = &parse_registry(ACME, false, &env).unwrap()[0];
    assert_eq!(plain.rate_limit, RateLimitOverrides::default());
    let zero = format!("{ACME}[clients.acme.rate_limit]\nbooking_per_min = 0\n");
    let e = parse_registry(&zero, false, &env).unwrap_err();
    assert_eq!(
        e,
        "client `acme`: rate_limit.booking_per_min must be at least 1"
    );
    let typo = format!("{ACME}[clients.acme.rate_limit]\nsearch_per_minute = 2\n");
    assert!(parse_registry(&typo, false, &env).is_err());
}

const HOOKS: &str = r#"
[clients.acme.inbound_webhook]
hmac_secret_envs = ["WH_IN_ACME", "WH_IN_ACME_OLD", "UNSET_IN"]
shared_key_env = "WH_IN_KEY_ACME"
[clients.acme.notifications]
webhook_url = "https://hooks.acme.example/tc"
signing_secret_env = "WH_OUT_ACME"
"#;

fn exposed(s: &[crate::domain::secret::Secret]) -> Vec<&str> {
    s.iter().map(|s| s.expose()).collect()
}

#[test]
fn webhook_tables_resolve_their_secrets_and_skip_unset_ones() {
    let c = &parse_registry(&format!("{ACME}{HOOKS}"), false, &env).unwrap()[0];
    let inbound = c.inbound_webhook.as_ref().unwrap();
    assert_eq!(exposed(&inbound.hmac_secrets), ["in-1", "in-0"]);
    assert_eq!(inbound.shared_key.as_ref().map(|k| k.expose()), Some("key"));
    let n = c.notifications.as_ref().unwrap();
    assert_eq!(n.webhook_url.as_str(), "https://hooks.acme.example/tc");
    assert_eq!(n.signing_secret.as_ref().map(|k| k.expose()), Some("out"));
    // Secrets never show in Debug output.
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("in-1") && !debug.contains("\"out\""),
        "{debug}"
    );
}

#[test]
fn webhook_tables_are_optional() {
    let c = &parse_registry(ACME, false, &env).unwrap()[0];
    assert!(c.inbound_webhook.is_none() && c.notifications.is_none());
    let no_url =
        format!("{ACME}[clients.acme.notifications]\nsigning_secret_env = \"WH_OUT_ACME\"\n");
    assert!(parse_registry(&no_url, false, &env).unwrap()[0]
        .notifications
        .is_none());
}

#[test]
fn an_inbound_table_without_usable_secrets_loads_but_is_not_configured() {
    let text = format!(
        "{ACME}[clients.acme.inbound_webhook]\nhmac_secret_envs = [\"UNSET\"]\nshared_key_env = \"EMPTY\"\n"
    );
    let c = &parse_registry(&text, false, &env).unwrap()[0];
    let inbound = c.inbound_webhook.as_ref().unwrap();
    assert!(!inbound.is_configured());
}

#[test]
fn an_unset_signing_secret_leaves_the_url_without_secret() {
    let text = format!("{ACME}{HOOKS}").replace("\"WH_OUT_ACME\"", "\"UNSET_OUT\"");
    let n = parse_registry(&text, false, &env).unwrap()[0]
        .notifications
        .clone()
        .unwrap();
    assert!(n.signing_secret.is_none());
}

#[test]
fn webhook_url_rules_are_enforced() {
    let with = |url: &str| format!("{ACME}{HOOKS}").replace("https://hooks.acme.example/tc", url);
    let http = with("http://hooks.acme.example/tc");
    assert!(parse_registry(&http, false, &env).is_ok());
    let prod = RegistryRules {
        https_webhooks: true,
    };
    let e = parse_registry_with(&http, false, &env, prod).unwrap_err();
    assert_eq!(
        e,
        "client `acme`: notifications.webhook_url must be https in production"
    );
    assert!(parse_registry_with(&format!("{ACME}{HOOKS}"), false, &env, prod).is_ok());
    for (url, needle) in [
        ("ftp://hooks.acme.example/tc", "must be http or https"),
        ("hooks.acme.example/tc", "is not a URL"),
        ("mailto:ops@acme.example", "must be http or https"),
    ] {
        let e = parse_registry(&with(url), false, &env).unwrap_err();
        assert!(e.contains(needle), "{url}: {e}");
    }
    let no_secret =
        format!("{ACME}[clients.acme.notifications]\nwebhook_url = \"https://h.example/\"\n");
    let e = parse_registry(&no_secret, false, &env).unwrap_err();
    assert!(e.contains("signing_secret_env is required"), "{e}");
}

#[test]
fn typos_in_webhook_tables_are_errors() {
    for typo in [
        "[clients.acme.inbound_webhook]\nhmac_secret_env = \"X\"\n",
        "[clients.acme.notifications]\nwebhook = \"https://h.example/\"\n",
    ] {
        assert!(
            parse_registry(&format!("{ACME}{typo}"), false, &env).is_err(),
            "{typo}"
        );
    }
}

#[test]
fn webhook_tables_read_from_json() {
    let json = r#"{"clients":{"acme":{"enabled":true,"twelvego_key_env":"TWELVEGO_KEY_ACME",
 "api_keys":[{"id":"a","sha256":"2f4a1d9b1ae0a6d2cbdc4d5fc4e4a1b1a7c8e3f2b0d1c2e3f4a5b6c7d8e9f0a1"}],
 "inbound_webhook":{"shared_key_env":"WH_IN_KEY_ACME"},
 "notifications":{"webhook_url":"https://h.example/n","signing_secret_env":"WH_OUT_ACME"}}}}"#;
    let c = &parse_registry(json, true, &env).unwrap()[0];
    let inbound = c.inbound_webhook.as_ref().unwrap();
    assert!(inbound.hmac_secrets.is_empty() && inbound.is_configured());
    assert_eq!(
        c.notifications.as_ref().unwrap().webhook_url.host_str(),
        Some("h.example")
    );
}

#[test]
fn load_with_keeps_its_rules_on_reload() {
    let dir = std::env::temp_dir().join(format!("connect-reg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("clients.toml");
    let https = format!("{ACME}[clients.acme.notifications]\nwebhook_url = \"https://h.example/\"\nsigning_secret_env = \"S\"\n");
    std::fs::write(&path, &https).unwrap();
    let d = FileClientDirectory::load_with(
        &path,
        RegistryRules {
            https_webhooks: true,
        },
    )
    .unwrap();
    std::fs::write(&path, https.replace("https://", "http://")).unwrap();
    assert!(d.reload().unwrap_err().contains("must be https"));
    assert!(d.get("acme").is_some());
}

#[test]
fn mapped_clients_are_listed_for_the_start_up_check() {
    let mapped = |id: &str| {
        ACME.replace("clients.acme", &format!("clients.{id}"))
            .replace("enabled = true", "enabled = true\nid_mode = \"mapped\"")
    };
    let text = format!("{ACME}{}{}", mapped("zeta"), mapped("beta"));
    let clients = parse_registry(&text, false, &env).unwrap();
    let directory = FileClientDirectory::fixed(clients);
    assert_eq!(directory.mapped_client_ids(), ["beta", "zeta"]);
    let natives = FileClientDirectory::fixed(parse_registry(ACME, false, &env).unwrap());
    assert!(natives.mapped_client_ids().is_empty());
}
