//! `connect-api`: the service binary.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use connect_api::adapters::{config, telemetry};
use connect_api::startup::Application;

fn main() -> ExitCode {
    let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let settings = match config::load(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("connect-api: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let telemetry = telemetry::init_from(&settings);
    let result = actix_rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        app.run_until_stopped().await.map_err(anyhow::Error::from)
    });
    // Flushes the spans still queued for the agent.
    telemetry.shutdown();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connect-api: {e:#}");
            ExitCode::from(1)
        }
    }
}
