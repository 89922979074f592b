//! `twelvego-sandbox`: the deterministic 12go stand-in over HTTP.
//!
//! Env: `SANDBOX_HOST` (default `127.0.0.1`), `SANDBOX_PORT` (default `8089`, `0` = any
//! free port), `SANDBOX_PUBLIC_URL` (default `http://{host}:{port}`, used in recheck and
//! ticket URLs), `SANDBOX_SLOW_MS` (default `0`: extra delay of every booking-funnel
//! answer), `SANDBOX_PENDING_SECS` (default `30`; `never` = Pending bookings stay
//! `pending`), `SANDBOX_TICKET_SECS` (default `5`: how long after confirmation a
//! booking's `ticket_url` stays empty; `never` = tickets never appear), and webhooks
//! (off unless `SANDBOX_WEBHOOK_URL` is set): `SANDBOX_WEBHOOK_URL`,
//! `SANDBOX_WEBHOOK_CLIENT_ID`, `SANDBOX_WEBHOOK_CLIENTS`, `SANDBOX_WEBHOOK_SECRET`,
//! `SANDBOX_WEBHOOK_KEY` (see `connect_api::adapters::sandbox`). Carts and bookings
//! are shared by all workers.
//! Prints one line when listening: `twelvego-sandbox listening on http://{host}:{port}`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use actix_web::{App, HttpServer};
use connect_api::adapters::sandbox::http::configure_shared;
use connect_api::adapters::sandbox::webhook::WebhookConfig;
use connect_api::adapters::sandbox::Sandbox;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// A number of seconds, or `never` (`None`).
fn secs_or_never(name: &str, default: &str) -> Result<Option<Duration>, String> {
    match env_or(name, default).as_str() {
        "never" => Ok(None),
        secs => secs
            .parse()
            .map(|s| Some(Duration::from_secs(s)))
            .map_err(|_| format!("{name} must be a number of seconds or `never`")),
    }
}

fn run() -> Result<(), String> {
    let host = env_or("SANDBOX_HOST", "127.0.0.1");
    let port: u16 = env_or("SANDBOX_PORT", "8089")
        .parse()
        .map_err(|_| "SANDBOX_PORT must be a port number (0-65535)".to_string())?;
    // Bind first so the advertised URL can carry the port actually chosen.
    let listener = TcpListener::bind((host.as_str(), port))
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?
        .port();
    let url = format!("http://{host}:{port}");
    let public = env_or("SANDBOX_PUBLIC_URL", &url);
    let slow: u64 = env_or("SANDBOX_SLOW_MS", "0")
        .parse()
        .map_err(|_| "SANDBOX_SLOW_MS must be a number of milliseconds".to_string())?;
    let pending = secs_or_never("SANDBOX_PENDING_SECS", "30")?;
    let ticket = secs_or_never("SANDBOX_TICKET_SECS", "5")?;
    let webhooks = WebhookConfig::from_env(|n| std::env::var(n).ok())?;
    let mut sandbox = Sandbox::new(public)
        .with_latency(Duration::from_millis(slow))
        .with_pending_delay(pending)
        .with_ticket_delay(ticket);
    if let Some(w) = webhooks {
        eprintln!("twelvego-sandbox: webhooks to {}", w.url);
        sandbox = sandbox.with_webhooks(w);
    }
    actix_rt::System::new().block_on(async move {
        let server =
            HttpServer::new(move || App::new().configure(|c| configure_shared(c, sandbox.clone())))
                .listen(listener)
                .map_err(|e| format!("cannot serve on {url}: {e}"))?
                .run();
        let mut out = std::io::stdout().lock();
        writeln!(out, "twelvego-sandbox listening on {url}")
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write to stdout: {e}"))?;
        drop(out);
        server.await.map_err(|e| format!("server failed: {e}"))
    })
}

fn main() -> ExitCode {
    // Webhook failures are logged at WARN, to stderr (`RUST_LOG` filters).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("twelvego-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
