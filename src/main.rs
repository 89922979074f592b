//! `connect-api`: the service binary.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use connect_api::adapters::{config, telemetry};
use connect_api::startup::Application;

/// jemalloc rather than the C library's allocator: a search allocates thousands of
/// small strings, and in the stage benchmark (benches/search_cpu.rs) glibc's malloc
/// took a quarter of the CPU of a 140-itinerary search; musl's is slower still.
/// Its options (two arenas, dirty pages returned after 1 s, no huge pages) are
/// compiled in: `.cargo/config.toml`; `_RJEM_MALLOC_CONF` overrides them.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
