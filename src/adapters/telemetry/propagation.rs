//! Trace context across processes: Datadog headers and W3C `traceparent` in,
//! Datadog headers out (40 §7.1).
// `opentelemetry-datadog` is marked deprecated upstream (dd-trace-rs is its
// successor); 40 §7.1 names it, so its deprecation warnings are allowed here.
#![allow(deprecated)]

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
use opentelemetry_datadog::DatadogPropagator;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The inbound headers read for the parent trace (lowercase).
pub const INBOUND: [&str; 5] = [
    "x-datadog-trace-id",
    "x-datadog-parent-id",
    "x-datadog-sampling-priority",
    "traceparent",
    "tracestate",
];

struct Pairs<'a>(&'a [(&'a str, &'a str)]);

impl Extractor for Pairs<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    }
    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| *k).collect()
    }
}

/// Makes `span` a child of the trace in `headers` (Datadog first, then W3C), if any.
pub fn continue_trace(span: &tracing::Span, headers: &[(&str, &str)]) {
    if headers.is_empty() {
        return;
    }
    let pairs = Pairs(headers);
    let mut cx = DatadogPropagator::new().extract(&pairs);
    if !cx.span().span_context().is_valid() {
        cx = TraceContextPropagator::new().extract(&pairs);
    }
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
}

/// Datadog headers for an outbound call made inside the current span.
pub fn outbound_headers() -> Vec<(String, String)> {
    let cx: Context = tracing::Span::current().context();
    let mut carrier: HashMap<String, String> = HashMap::new();
    if cx.span().span_context().is_valid() {
        DatadogPropagator::new().inject_context(&cx, &mut carrier);
    }
    carrier.into_iter().collect()
}

/// The current trace id as Datadog shows it (low 64 bits, decimal).
pub fn current_trace_id() -> Option<String> {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid()
        .then(|| (u128::from_be_bytes(sc.trace_id().to_bytes()) as u64).to_string())
}
