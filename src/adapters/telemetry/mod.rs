//! Telemetry (40 §7): JSON logs on stdout carrying `dd.*` fields, and `tracing`
//! spans bridged to OpenTelemetry and exported to the Datadog agent.
// `opentelemetry-datadog` is marked deprecated upstream (dd-trace-rs is its
// successor); 40 §7.1 names it, so its deprecation warnings are allowed here.
#![allow(deprecated)]

mod agent;
pub mod events;
mod json;
pub mod propagation;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};
use opentelemetry_sdk::Resource;
use std::time::Duration;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::adapters::config::Settings;

pub use json::ServiceTags;

/// The span attribute that becomes the Datadog `resource`.
pub const RESOURCE_ATTR: &str = "resource.name";

/// Installs the global subscriber without trace export. `level` is
/// `error`..`trace` or a `RUST_LOG`-style filter.
pub fn init(level: &str, format: &str) {
    let settings = Settings {
        log_level: level.into(),
        log_format: format.into(),
        dd_trace_enabled: false,
        ..Settings::default()
    };
    // Without a tracer provider there is nothing to flush.
    let _ = install(&settings, std::io::stdout);
}

/// Keeps the tracer provider; dropping it (or [`Telemetry::shutdown`]) flushes
/// the spans still queued.
#[must_use = "dropping the guard shuts the trace exporter down"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Flushes queued spans without shutting down (tests).
    pub fn flush(&self) {
        if let Some(p) = &self.provider {
            let _ = p.force_flush();
        }
    }

    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(p) = self.provider.take() {
            let _ = p.force_flush();
            let _ = p.shutdown();
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Installs the global subscriber from the settings: logs go to stdout.
pub fn init_from(settings: &Settings) -> Telemetry {
    install(settings, std::io::stdout)
}

/// Installs the global subscriber writing log lines to `writer` (tests capture
/// them). A second install in the same process leaves the first in place.
pub fn install<W>(settings: &Settings, writer: W) -> Telemetry
where
    W: for<'a> MakeWriter<'a> + Clone + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let provider = settings
        .dd_trace_enabled
        .then(|| tracer_provider(settings))
        .flatten();
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("connect-api"))
            .with_location(false)
            .with_threads(false)
            .with_level(false)
            .with_target(false)
    });
    let tags = ServiceTags {
        service: settings.dd_service.clone(),
        env: settings.dd_env().to_owned(),
        version: settings.dd_version().to_owned(),
    };
    events::set_tags(tags.clone());
    let pretty = (settings.log_format == "pretty").then(|| {
        tracing_subscriber::fmt::layer()
            .pretty()
            .with_span_events(FmtSpan::NONE)
            .with_writer(writer.clone())
    });
    // Not wrapped in an `Option`: that would hide the dispatch it needs for `dd.*` ids.
    let json_layer = json::JsonLayer::new(writer, tags, pretty.is_none());
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(otel)
        .with(json_layer)
        .with(pretty)
        .try_init()
        .is_ok();
    Telemetry {
        provider: if installed { provider } else { None },
    }
}

/// The Datadog exporter behind a batch processor (its own thread); `None` if it
/// cannot be built (logged).
fn tracer_provider(settings: &Settings) -> Option<SdkTracerProvider> {
    let endpoint = format!(
        "http://{}:{}",
        settings.dd_agent_host, settings.dd_trace_agent_port
    );
    let exporter = opentelemetry_datadog::new_pipeline()
        .with_service_name(settings.dd_service.clone())
        .with_env(settings.dd_env().to_owned())
        .with_version(settings.dd_version().to_owned())
        .with_agent_endpoint(endpoint)
        // v0.3: plain msgpack maps (v0.5 adds a string table; the agent takes both).
        .with_api_version(opentelemetry_datadog::ApiVersion::Version03)
        .with_http_client(agent::AgentClient::new(Duration::from_secs(2)))
        .with_name_mapping(|span, _| span.name.as_ref())
        .with_resource_mapping(|span, _| {
            span.attributes
                .iter()
                .find(|kv| kv.key.as_str() == RESOURCE_ATTR)
                .and_then(|kv| match &kv.value {
                    opentelemetry::Value::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .unwrap_or(span.name.as_ref())
        })
        .build_exporter();
    let exporter = match exporter {
        Ok(e) => e,
        Err(e) => {
            eprintln!("connect-api: Datadog trace exporter not started: {e}");
            return None;
        }
    };
    let batch = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_millis(500))
                // std preallocates and touches the whole queue (~350 B a span), and the
                // exporter keeps a batch-sized buffer: 2048/512 were ~0.9 MiB of RSS
                // (heaptrack, issue 8). A batch is sent as soon as 128 spans wait, so
                // 512 absorbs bursts of ~4 batches while the agent answers.
                .with_max_queue_size(512)
                .with_max_export_batch_size(128)
                .build(),
        )
        .build();
    let resource = Resource::builder_empty()
        .with_attributes([
            KeyValue::new("env", settings.dd_env().to_owned()),
            KeyValue::new("version", settings.dd_version().to_owned()),
        ])
        .build();
    Some(
        SdkTracerProvider::builder()
            .with_span_processor(batch)
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                settings.dd_trace_sample_rate,
            ))))
            .with_resource(resource)
            .build(),
    )
}
