//! DogStatsD over UDP (40 §7.3): prefix `connect`, unified service tags on every
//! metric. Sending is queued to a background thread, so callers never block; a
//! missing agent only loses metrics. Lines are batched into datagrams of up to
//! [`DATAGRAM`] bytes (DogStatsD reads one line per metric), flushed when full and
//! at least every [`FLUSH_EVERY`]: one `sendto` per metric cost about a tenth of the
//! CPU of a small search.

use cadence::prelude::*;
use cadence::{
    BufferedUdpMetricSink, MetricBuilder, MetricSink, QueuingMetricSink, SinkStats, StatsdClient,
};
use std::net::UdpSocket;
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::ports::metrics::{Metrics, Tags};

const QUEUE: usize = 16 * 1024;
/// Fits one Ethernet frame, as Datadog advises for UDP.
const DATAGRAM: usize = 1432;
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// The batching sink, shared by the queue's worker and the periodic flush.
struct SharedSink(Arc<BufferedUdpMetricSink>);

impl MetricSink for SharedSink {
    fn emit(&self, metric: &str) -> std::io::Result<usize> {
        self.0.emit(metric)
    }

    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }

    fn stats(&self) -> SinkStats {
        self.0.stats()
    }
}

/// Flushes the batch every [`FLUSH_EVERY`] until the sink is dropped.
fn spawn_flusher(sink: Weak<BufferedUdpMetricSink>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("statsd-flush".into())
        .spawn(move || loop {
            std::thread::sleep(FLUSH_EVERY);
            match sink.upgrade() {
                Some(sink) => {
                    // A missing agent only loses metrics.
                    let _ = sink.flush();
                }
                None => break,
            }
        })
        .map(drop)
}

pub struct StatsdMetrics {
    client: StatsdClient,
    /// `service`, `env`, `version`, after the metric's own tags.
    common: [(&'static str, String); 3],
}

/// Where and how metrics are sent.
#[derive(Debug, Clone)]
pub struct StatsdConfig {
    pub host: String,
    pub port: u16,
    pub service: String,
    pub env: String,
    pub version: String,
}

impl StatsdMetrics {
    pub fn new(cfg: &StatsdConfig) -> std::io::Result<Self> {
        let socket = UdpSocket::bind("0.0.0.0:0")?;
        socket.set_nonblocking(true)?;
        let udp =
            BufferedUdpMetricSink::with_capacity((cfg.host.as_str(), cfg.port), socket, DATAGRAM)
                .map_err(std::io::Error::other)?;
        let udp = Arc::new(udp);
        spawn_flusher(Arc::downgrade(&udp))?;
        let sink = QueuingMetricSink::with_capacity(SharedSink(udp), QUEUE);
        let client = StatsdClient::builder("connect", sink)
            .with_error_handler(|_| {})
            .build();
        let common = [
            ("service", cfg.service.clone()),
            ("env", cfg.env.clone()),
            ("version", cfg.version.clone()),
        ];
        Ok(Self { client, common })
    }

    fn send<'a, T: cadence::Metric + From<String>>(
        &'a self,
        mut builder: MetricBuilder<'a, '_, T>,
        tags: Tags<'a>,
    ) {
        for (k, v) in tags {
            builder = builder.with_tag(k, v);
        }
        for (k, v) in &self.common {
            builder = builder.with_tag(k, v.as_str());
        }
        builder.send();
    }
}

impl Drop for StatsdMetrics {
    /// Sends the last batch rather than leaving it to the periodic flush.
    fn drop(&mut self) {
        let _ = self.client.flush();
    }
}

impl Metrics for StatsdMetrics {
    fn count<'a>(&self, name: &'static str, value: i64, tags: Tags<'a>) {
        self.send(self.client.count_with_tags(name, value), tags);
    }

    fn gauge<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        self.send(self.client.gauge_with_tags(name, value), tags);
    }

    fn histogram<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        self.send(self.client.histogram_with_tags(name, value), tags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A fake agent socket (5 s read timeout) and metrics sent to it.
    fn agent_and_metrics() -> (UdpSocket, StatsdMetrics) {
        let agent = UdpSocket::bind("127.0.0.1:0").unwrap();
        agent
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let m = StatsdMetrics::new(&StatsdConfig {
            host: "127.0.0.1".into(),
            port: agent.local_addr().unwrap().port(),
            service: "connect-api".into(),
            env: "dev".into(),
            version: "1".into(),
        })
        .unwrap();
        (agent, m)
    }

    #[test]
    fn a_count_arrives_as_a_dogstatsd_line() {
        let (agent, m) = agent_and_metrics();
        m.count(
            "request.count",
            1,
            &[("client_id", "acme"), ("endpoint", "search")],
        );
        let mut buf = [0u8; 1024];
        let n = agent.recv(&mut buf).unwrap();
        let line = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(
            line.starts_with("connect.request.count:1|c|#client_id:acme,endpoint:search"),
            "{line}"
        );
        assert!(line.contains("service:connect-api"), "{line}");
    }

    #[test]
    fn metrics_sent_together_share_a_datagram_one_line_each() {
        let (agent, m) = agent_and_metrics();
        m.count("request.count", 1, &[("endpoint", "search")]);
        m.histogram("request.duration", 12.5, &[("endpoint", "search")]);
        let mut buf = [0u8; 2048];
        let n = agent.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("connect.request.count:1|c|#endpoint:search"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("connect.request.duration:12.5|h|#endpoint:search"),
            "{text}"
        );
        assert!(n <= DATAGRAM, "{n} bytes");
    }
}
