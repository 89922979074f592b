//! Sending webhook calls without holding up 12go answers: changes are queued
//! (bounded, never waited on) to one thread with its own runtime, which posts them
//! in order, each with the configured timeout and at most one retry after 1 s.
//! Failures and a full queue are logged at WARN (never the secret).

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use super::booking::{now, Booking, FunnelError};
use super::webhook::{auth_headers, event, target, Before, WebhookConfig};
use super::Sandbox;

/// Calls waiting to be sent, at most.
pub const QUEUE: usize = 1024;

struct Job {
    bid: u64,
    url: String,
    body: Vec<u8>,
}

/// The sending side: cloned with the [`Sandbox`]; the thread ends with the last clone.
#[derive(Clone)]
pub struct Emitter {
    config: Arc<WebhookConfig>,
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("url", &self.config.url)
            .finish_non_exhaustive()
    }
}

impl Emitter {
    /// Starts the sending thread; `None` (WARN) if it cannot be started.
    pub fn start(config: WebhookConfig) -> Option<Self> {
        let config = Arc::new(config);
        let (tx, rx) = mpsc::channel(QUEUE);
        let worker = Arc::clone(&config);
        let spawned = std::thread::Builder::new()
            .name("sandbox-webhooks".into())
            .spawn(move || actix_rt::System::new().block_on(run(worker, rx)));
        match spawned {
            Ok(_) => Some(Self { config, tx }),
            Err(e) => {
                tracing::warn!(error = %e, "sandbox webhooks: cannot start the sender; webhooks off");
                None
            }
        }
    }

    fn queue(&self, job: Job) {
        if let Err(e) = self.tx.try_send(job) {
            tracing::warn!(error = %e, "sandbox webhook dropped: queue full or closed");
        }
    }
}

async fn run(config: Arc<WebhookConfig>, mut rx: mpsc::Receiver<Job>) {
    let client = awc::Client::builder().timeout(config.timeout).finish();
    while let Some(job) = rx.recv().await {
        let mut last = String::new();
        for attempt in 0..2 {
            if attempt > 0 {
                actix_rt::time::sleep(Duration::from_secs(1)).await;
            }
            let mut req = client
                .post(&job.url)
                .insert_header(("content-type", "application/json"));
            for h in auth_headers(&config.auth, now(), &job.body) {
                req = req.insert_header(h);
            }
            match req.send_body(job.body.clone()).await {
                Ok(res) if res.status().is_success() => {
                    last.clear();
                    break;
                }
                Ok(res) => last = format!("status {}", res.status().as_u16()),
                Err(e) => last = e.to_string(),
            }
        }
        if !last.is_empty() {
            tracing::warn!(bid = job.bid, url = %job.url, error = %last, "sandbox webhook failed");
        }
    }
}

impl Sandbox {
    /// Sends a webhook call for every booking status change (and ticket) from now on.
    #[must_use]
    pub fn with_webhooks(mut self, config: WebhookConfig) -> Self {
        self.webhooks = Emitter::start(config);
        self
    }

    /// Records the client of booking `bid`, made with 12go key `key` (webhooks only).
    pub(super) fn assign_client(&self, bid: &str, key: &str) {
        let Some(w) = &self.webhooks else { return };
        let client = w.config.client_for(key);
        if let Ok(mut books) = self.books() {
            if let Some(b) = books.bookings.get_mut(bid) {
                b.client_id = client;
            }
        }
    }

    /// Runs `f` on booking `bid` and queues a webhook call for the change it made.
    pub(super) fn with_booking<T>(
        &self,
        bid: &str,
        f: impl FnOnce(&mut Booking) -> Result<T, FunnelError>,
    ) -> Result<T, FunnelError> {
        let mut books = self.books()?;
        let b = books
            .bookings
            .get_mut(bid)
            .ok_or_else(FunnelError::not_found)?;
        let before = Before::of(b);
        let r = f(b);
        if let Some(w) = &self.webhooks {
            notify(w, &before, b);
        }
        r
    }
}

fn notify(w: &Emitter, before: &Before, b: &Booking) {
    let Some(body) = event(before, b) else { return };
    let Some(client) = b.client_id.as_ref().or(w.config.client_id.as_ref()) else {
        tracing::warn!(
            bid = b.bid,
            "sandbox webhook skipped: no client id for the booking's key"
        );
        return;
    };
    w.queue(Job {
        bid: b.bid,
        url: target(&w.config.url, client),
        body: body.into_bytes(),
    });
}

#[cfg(test)]
#[path = "webhook_routes_tests.rs"]
mod tests;
