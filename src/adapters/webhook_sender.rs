//! The awc adapter of [`NotificationSender`]: one signed POST per attempt to a
//! client's `webhook_url` (30 §8). Redirects are not followed and the response
//! body is never read, so a client cannot stall or flood the worker.

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::notification::AttemptResult;
use crate::ports::notify::{Attempt, AttemptReply, NotificationSender};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// Built on the thread that runs the delivery worker (awc is `!Send`).
pub struct AwcNotificationSender {
    http: awc::Client,
}

impl AwcNotificationSender {
    /// `pool` bounds connections across all clients' hosts.
    ///
    /// # Errors
    /// When rustls rejects its configuration.
    pub fn new(pool: usize) -> Result<Self, rustls::Error> {
        let tls = crate::adapters::tls::client_config()?;
        let connector = awc::Connector::new()
            .rustls_0_23(Arc::new(tls))
            .timeout(CONNECT_TIMEOUT)
            .limit(pool.max(1))
            .conn_keep_alive(KEEP_ALIVE);
        let http = awc::Client::builder()
            .connector(connector)
            .max_http_version(awc::http::Version::HTTP_11)
            .disable_redirects()
            .disable_timeout()
            .finish();
        Ok(Self { http })
    }
}

#[async_trait(?Send)]
impl NotificationSender for AwcNotificationSender {
    async fn send<'a>(&self, a: Attempt<'a>) -> AttemptReply {
        let req = self
            .http
            .post(a.url.as_str())
            .timeout(a.timeout)
            .insert_header(("content-type", "application/json"))
            .insert_header(("x-travelier-notification-id", a.notification_id))
            .insert_header(("x-travelier-timestamp", a.timestamp.to_string()))
            .insert_header(("x-travelier-signature", a.signature));
        let sent = req.send_body(a.body.to_vec());
        // awc's own timeout covers connect + send + response head; the outer one
        // is a backstop so no attempt can outlive its lease.
        match actix_rt::time::timeout(a.timeout + Duration::from_secs(1), sent).await {
            Ok(Ok(res)) => AttemptReply {
                result: AttemptResult::Status(res.status().as_u16()),
                retry_after: res
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            },
            Ok(Err(awc::error::SendRequestError::Timeout)) | Err(_) => AttemptReply {
                result: AttemptResult::Timeout,
                retry_after: None,
            },
            Ok(Err(_)) => AttemptReply {
                result: AttemptResult::NetworkError,
                retry_after: None,
            },
        }
    }
}
