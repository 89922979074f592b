//! DogStatsD over UDP (40 §7.3): prefix `connect`, unified service tags on every
//! metric. Sending is queued to a background thread, so callers never block; a
//! missing agent only loses metrics.

use cadence::prelude::*;
use cadence::{MetricBuilder, QueuingMetricSink, StatsdClient, UdpMetricSink};
use std::net::UdpSocket;

use crate::ports::metrics::{Metrics, Tags};

const QUEUE: usize = 16 * 1024;

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
        let udp = UdpMetricSink::from((cfg.host.as_str(), cfg.port), socket)
            .map_err(std::io::Error::other)?;
        let sink = QueuingMetricSink::with_capacity(udp, QUEUE);
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

    #[test]
    fn a_count_arrives_as_a_dogstatsd_line() {
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
}
