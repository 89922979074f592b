//! Shared helpers for the black-box tests: spawn the real app on random ports.
#![allow(dead_code)]

use connect_api::adapters::config::Settings;
use connect_api::startup::Application;
use std::sync::Once;

/// Every test registry refers to these variables; they are set once, before any app starts.
pub const TEST_12GO_KEY_VAR: &str = "CONNECT_TEST_12GO_KEY";
pub const TEST_12GO_KEY: &str = "test-12go-key";
/// A second client's own 12go key (ownership tests).
pub const OTHER_12GO_KEY_VAR: &str = "CONNECT_TEST_12GO_KEY_OTHER";
pub const OTHER_12GO_KEY: &str = "other-12go-key";
/// `BOOKING_TOKEN_SECRETS` for apps on a real (fake) 12go: one 32-byte-plus secret.
pub const TEST_TOKEN_SECRET: &str = "test-booking-token-secret-0123456789abcdef";

static INIT: Once = Once::new();

fn init() {
    INIT.call_once(|| {
        // Set before any test thread reads the environment (every test starts here).
        std::env::set_var(TEST_12GO_KEY_VAR, TEST_12GO_KEY);
        std::env::set_var(OTHER_12GO_KEY_VAR, OTHER_12GO_KEY);
        if std::env::var("TEST_LOG").is_ok() {
            connect_api::adapters::telemetry::init("debug", "pretty");
        }
    });
}

pub struct TestApp {
    pub port: u16,
    pub admin_port: u16,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.admin_port, path)
    }

    /// Polls the admin `/ready` (never under `BASE_PATH`) until 200 (the first master-data snapshot loads in the
    /// background); panics after 5 s.
    pub async fn wait_ready(&self) {
        for _ in 0..250 {
            let res = self.client.get(self.admin_url("/ready")).send().await;
            if res.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("never ready");
    }

    /// GET with the given headers.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.send().await.expect("request failed")
    }
}

/// Settings for tests: loopback, random ports, sandbox unless changed by `tweak`.
pub fn test_settings() -> Settings {
    Settings {
        host: "127.0.0.1".into(),
        port: 0,
        admin_host: "127.0.0.1".into(),
        admin_port: 0,
        workers: 1,
        ..Settings::default()
    }
}

/// Starts the app in the current actix system and returns once it listens.
pub async fn spawn_app(settings: Settings) -> TestApp {
    init();
    settings.validate().expect("test settings must be valid");
    let app = Application::build(settings).expect("app failed to build");
    let (port, admin_port) = (app.port(), app.admin_port());
    actix_rt::spawn(async move {
        let _ = app.run_until_stopped().await;
    });
    TestApp {
        port,
        admin_port,
        client: reqwest::Client::new(),
    }
}

/// Writes a registry with one client `acme` (key `acme-key`, 12go key from
/// [`TEST_12GO_KEY_VAR`]) plus any extra TOML, and returns its path.
pub fn write_registry(extra: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = hex::encode(Sha256::digest(b"acme-key"));
    let text = format!(
        "[clients.acme]\nenabled = true\ntwelvego_key_env = \"{TEST_12GO_KEY_VAR}\"\n[[clients.acme.api_keys]]\nid = \"k1\"\nsha256 = \"{hash}\"\n{extra}"
    );
    let dir = std::env::temp_dir().join(format!("connect-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("clients.toml");
    std::fs::write(&path, text).expect("write registry");
    path.to_string_lossy().into_owned()
}

/// A departure date a week ahead (searches reject past dates).
pub fn future_date() -> String {
    let d = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::Span::new().days(7));
    d.to_string()
}

/// A child process, killed (SIGKILL on unix) and reaped on drop.
pub struct Proc(pub std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Registry TOML for client `id` (12go key [`OTHER_12GO_KEY_VAR`], no usable API
/// key) whose 12go webhooks carry the shared key in variable `key_var`, and whose
/// notifications go to `notify = (url, signing secret variable)`.
pub fn webhook_client(id: &str, key_var: &str, notify: Option<(&str, &str)>) -> String {
    let mut toml = format!(
        "[clients.{id}]\nenabled = true\ntwelvego_key_env = \"{OTHER_12GO_KEY_VAR}\"\n\
         [[clients.{id}.api_keys]]\nid = \"{id}1\"\nsha256 = \"{zero}\"\n\
         [clients.{id}.inbound_webhook]\nshared_key_env = \"{key_var}\"\n",
        zero = "0".repeat(64),
    );
    if let Some((url, sign_var)) = notify {
        toml.push_str(&format!(
            "[clients.{id}.notifications]\nwebhook_url = \"{url}\"\nsigning_secret_env = \"{sign_var}\"\n"
        ));
    }
    toml
}
