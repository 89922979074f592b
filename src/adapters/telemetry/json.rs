//! One JSON object per log line (40 §7.2): `timestamp`, `level`, `message`, the
//! event's fields, the fields of its spans (root first, inner wins), the
//! `dd.trace_id`/`dd.span_id` of the current OpenTelemetry span and the
//! unified service tags.

use serde_json::{Map, Value};
use std::fmt::Debug;
use std::io::Write;
use std::sync::OnceLock;
use tracing::dispatcher::WeakDispatch;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::events::EVENT_FIELD;
use super::RESOURCE_ATTR;

/// `dd.service`, `dd.env`, `dd.version` on every line.
#[derive(Debug, Clone)]
pub struct ServiceTags {
    pub service: String,
    pub env: String,
    pub version: String,
}

pub(super) struct JsonLayer<W> {
    writer: W,
    tags: ServiceTags,
    enabled: bool,
    dispatch: OnceLock<WeakDispatch>,
}

impl<W> JsonLayer<W> {
    pub(super) fn new(writer: W, tags: ServiceTags, enabled: bool) -> Self {
        Self {
            writer,
            tags,
            enabled,
            dispatch: OnceLock::new(),
        }
    }
}

/// A span's recorded fields, kept for the log lines inside it.
struct SpanFields(Map<String, Value>);

struct Visitor<'a>(&'a mut Map<String, Value>);

impl Visit for Visitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let text = format!("{value:?}");
        if field.name() == EVENT_FIELD {
            // A business event: its members go to the top level of the line.
            if let Ok(Value::Object(members)) = serde_json::from_str::<Value>(&text) {
                self.0.extend(members);
                return;
            }
        }
        self.0.insert(field.name().into(), Value::from(text));
    }
}

/// The Datadog ids (low 64 bits of the trace id, span id) of span `id`.
pub fn dd_ids(id: &Id, dispatch: &Dispatch) -> Option<(u64, u64)> {
    use opentelemetry::trace::TraceContextExt;
    let cx = tracing_opentelemetry::get_otel_context(id, dispatch)?;
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| {
        (
            u128::from_be_bytes(sc.trace_id().to_bytes()) as u64,
            u64::from_be_bytes(sc.span_id().to_bytes()),
        )
    })
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.dispatch.set(subscriber.downgrade());
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !self.enabled {
            return;
        }
        let mut fields = Map::new();
        attrs.record(&mut Visitor(&mut fields));
        fields.remove(RESOURCE_ATTR);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<SpanFields>() {
                values.record(&mut Visitor(&mut fields.0));
                fields.0.remove(RESOURCE_ATTR);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !self.enabled {
            return;
        }
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::from(format!("{:.3}", jiff::Timestamp::now())),
        );
        line.insert(
            "level".into(),
            Value::from(event.metadata().level().as_str()),
        );
        let current = ctx.event_span(event);
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.0.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut Visitor(&mut line));
        line.entry("message").or_insert_with(|| Value::from(""));
        let ids = current.map(|s| s.id()).and_then(|id| {
            let dispatch = self.dispatch.get()?.upgrade()?;
            dd_ids(&id, &dispatch)
        });
        if let Some((trace_id, span_id)) = ids {
            line.insert("dd.trace_id".into(), Value::from(trace_id.to_string()));
            line.insert("dd.span_id".into(), Value::from(span_id.to_string()));
        }
        line.insert("dd.service".into(), Value::from(self.tags.service.as_str()));
        line.insert("dd.env".into(), Value::from(self.tags.env.as_str()));
        line.insert("dd.version".into(), Value::from(self.tags.version.as_str()));
        let Ok(mut text) = serde_json::to_vec(&Value::Object(line)) else {
            return;
        };
        text.push(b'\n');
        let _ = self.writer.make_writer().write_all(&text);
    }
}
