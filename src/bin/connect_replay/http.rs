//! The one HTTP client: awc on the current actix system, TLS as the service's adapters.

use std::sync::Arc;
use std::time::Duration;

use connect_api::replay::compare::Observed;
use connect_api::replay::corpus::Prepared;

/// Largest answer body read (master-data lists can be large).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub struct Http {
    client: awc::Client,
    base_url: String,
    timeout: Duration,
}

impl Http {
    /// A client for `base_url` (no trailing `/`); `timeout` covers each whole exchange.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, String> {
        let tls = connect_api::adapters::tls::client_config()
            .map_err(|e| format!("TLS configuration: {e}"))?;
        let connector = awc::Connector::new()
            .rustls_0_23(Arc::new(tls))
            .timeout(timeout);
        let client = awc::Client::builder()
            .connector(connector)
            .disable_redirects()
            .timeout(timeout)
            .finish();
        Ok(Self {
            client,
            base_url: base_url.to_owned(),
            timeout,
        })
    }

    /// Sends one request; `Err` when no answer came (connection, timeout, body).
    pub async fn send(&self, req: &Prepared) -> Result<Observed, String> {
        let method = awc::http::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| format!("method {}: {e}", req.method))?;
        let url = format!("{}{}", self.base_url, req.path);
        let mut request = self.client.request(method, &url).timeout(self.timeout);
        for (name, value) in &req.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        let sent = match &req.body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(|e| format!("{} {url}: {e}", req.method))?;
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = response
            .body()
            .limit(BODY_LIMIT)
            .await
            .map_err(|e| format!("{} {url}: reading the body: {e}", req.method))?;
        Ok(Observed {
            status: response.status().as_u16(),
            headers,
            body: Observed::body_from_bytes(&bytes),
        })
    }
}
