//! DogStatsD over UDP (40 §7.3): prefix `connect`, unified service tags on every
//! metric. Callers only record into an [`Aggregator`]; a background thread sends
//! each interval's lines every [`FLUSH_EVERY`], batched into datagrams of up to
//! [`DATAGRAM`] bytes (DogStatsD reads one line per metric). So a request never
//! formats a line or touches a socket, and a missing agent only loses metrics.

use cadence::{BufferedUdpMetricSink, MetricSink};
use std::net::UdpSocket;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::aggregate::{write_lines, Aggregator};
use crate::ports::metrics::{Metrics, Tags};

const PREFIX: &str = "connect";
/// Fits one Ethernet frame, as Datadog advises for UDP.
const DATAGRAM: usize = 1432;
/// Datadog's agent aggregates per 10 s; a 1 s interval keeps dashboards live.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// What the callers and the flusher thread share.
struct Shared {
    agg: Aggregator,
    sink: BufferedUdpMetricSink,
    /// `service`, `env`, `version`, after the metric's own tags.
    common: [(&'static str, String); 3],
}

impl Shared {
    /// Sends the interval's lines (a missing agent only loses metrics).
    fn flush(&self) {
        let mut lines = String::new();
        for ctx in self.agg.take() {
            lines.clear();
            write_lines(&mut lines, PREFIX, &ctx, &self.common, DATAGRAM);
            for line in lines.lines() {
                let _ = self.sink.emit(line);
            }
        }
        let _ = self.sink.flush();
    }
}

/// Flushes every [`FLUSH_EVERY`] until the metrics are dropped.
fn spawn_flusher(shared: Weak<Shared>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("statsd-flush".into())
        .spawn(move || loop {
            std::thread::sleep(FLUSH_EVERY);
            match shared.upgrade() {
                Some(shared) => shared.flush(),
                None => break,
            }
        })
        .map(drop)
}

pub struct StatsdMetrics {
    shared: Arc<Shared>,
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
        let sink =
            BufferedUdpMetricSink::with_capacity((cfg.host.as_str(), cfg.port), socket, DATAGRAM)
                .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            agg: Aggregator::default(),
            sink,
            common: [
                ("service", cfg.service.clone()),
                ("env", cfg.env.clone()),
                ("version", cfg.version.clone()),
            ],
        });
        spawn_flusher(Arc::downgrade(&shared))?;
        Ok(Self { shared })
    }
}

impl Drop for StatsdMetrics {
    /// Sends the last interval rather than losing it.
    fn drop(&mut self) {
        self.shared.flush();
    }
}

impl Metrics for StatsdMetrics {
    fn count<'a>(&self, name: &'static str, value: i64, tags: Tags<'a>) {
        self.shared.agg.count(name, value, tags);
    }

    fn gauge<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        self.shared.agg.gauge(name, value, tags);
    }

    fn histogram<'a>(&self, name: &'static str, value: f64, tags: Tags<'a>) {
        self.shared.agg.histogram(name, value, tags);
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
        assert_eq!(
            lines[0],
            "connect.request.count:1|c|#endpoint:search,service:connect-api,env:dev,version:1"
        );
        assert_eq!(
            lines[1],
            "connect.request.duration:12.5|h|#endpoint:search,service:connect-api,env:dev,version:1"
        );
        assert!(n <= DATAGRAM, "{n} bytes");
    }

    #[test]
    fn an_interval_sends_one_line_per_context_with_counts_summed_and_samples_together() {
        let (agent, m) = agent_and_metrics();
        for ms in [3.0, 4.5, 9.0] {
            m.count("request.count", 1, &[("endpoint", "search")]);
            m.histogram("request.duration", ms, &[("endpoint", "search")]);
        }
        m.count("request.count", 2, &[("endpoint", "book")]);
        m.gauge("breaker_open", 1.0, &[]);
        m.gauge("breaker_open", 0.0, &[]);
        let mut buf = [0u8; 2048];
        let n = agent.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let common = "service:connect-api,env:dev,version:1";
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                format!("connect.request.count:3|c|#endpoint:search,{common}"),
                format!("connect.request.duration:3:4.5:9|h|#endpoint:search,{common}"),
                format!("connect.request.count:2|c|#endpoint:book,{common}"),
                format!("connect.breaker_open:0|g|#{common}"),
            ]
        );
    }

    #[test]
    fn dropping_the_metrics_sends_what_the_interval_holds() {
        let (agent, m) = agent_and_metrics();
        m.count("shutdown.count", 1, &[]);
        let started = std::time::Instant::now();
        drop(m);
        let mut buf = [0u8; 1024];
        let n = agent.recv(&mut buf).unwrap();
        assert!(
            started.elapsed() < FLUSH_EVERY,
            "sent by the drop, not the flusher"
        );
        assert_eq!(
            std::str::from_utf8(&buf[..n]).unwrap(),
            "connect.shutdown.count:1|c|#service:connect-api,env:dev,version:1\n"
        );
    }
}
