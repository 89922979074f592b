//! Logging: JSON lines (or pretty text) on stdout, filtered by `LOG_LEVEL`.

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `level` is `error`..`trace` or a `RUST_LOG`-style filter.
pub fn init(level: &str, format: &str) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_writer(std::io::stdout);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if format == "pretty" {
        builder.pretty().try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    };
}
