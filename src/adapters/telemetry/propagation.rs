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

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::layer::SubscriberExt;

    fn with_otel(f: impl FnOnce()) {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, f);
    }

    #[test]
    fn a_w3c_parent_is_continued_and_datadog_headers_go_out() {
        with_otel(|| {
            let span = tracing::info_span!("http.request");
            continue_trace(
                &span,
                &[(
                    "traceparent",
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                )],
            );
            let _entered = span.enter();
            let low = u64::from_str_radix("8448eb211c80319c", 16)
                .unwrap()
                .to_string();
            assert_eq!(current_trace_id(), Some(low.clone()));
            let out: HashMap<String, String> = outbound_headers().into_iter().collect();
            assert_eq!(out["x-datadog-trace-id"], low);
            let parent = u64::from_str_radix("b7ad6b7169203331", 16)
                .unwrap()
                .to_string();
            assert_ne!(out["x-datadog-parent-id"], parent, "our span is the parent");
            assert_eq!(out["x-datadog-sampling-priority"], "1");
        });
    }

    #[test]
    fn a_datadog_parent_wins_and_no_headers_start_a_new_trace() {
        with_otel(|| {
            let span = tracing::info_span!("http.request");
            continue_trace(
                &span,
                &[
                    ("x-datadog-trace-id", "77"),
                    ("x-datadog-parent-id", "5"),
                    (
                        "traceparent",
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    ),
                ],
            );
            assert_eq!(span.in_scope(current_trace_id), Some("77".into()));
            let fresh = tracing::info_span!("http.request");
            continue_trace(&fresh, &[]);
            let id = fresh.in_scope(current_trace_id).expect("a new trace");
            assert_ne!(id, "77");
        });
    }
}
