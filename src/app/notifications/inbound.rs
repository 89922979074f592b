//! The inbound 12go webhook (30 §7 steps 2 and 5–8): authenticate, parse, re-fetch
//! the booking with the client's own key, build the notification and enqueue it.
//! The route resolves the client, rate-limits and maps the [`Outcome`].

use jiff::Timestamp;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::booking::{BookingService, Caller};
use crate::domain::clients::Client;
use crate::domain::funnel_error::FunnelError;
use crate::domain::idmap::IdMaps;
use crate::domain::notification::{
    build_notification, parse_webhook, verify_inbound, AuthFailure, AuthMethod, InboundAuthHeaders,
    WebhookBodyError, WebhookEvent,
};
use crate::ports::metrics::Metrics;
use crate::ports::outbox::{Enqueued, Outbox, OutboxItem};
use crate::ports::twelvego::CallContext;

/// What happened to one authenticated call.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Bad JSON or no usable `bid` → 400.
    BadRequest(WebhookBodyError),
    /// Enqueued, or already known (`duplicate`) → 200.
    Accepted { duplicate: bool },
    /// The client has no `webhook_url` → 200, nothing queued.
    Dropped,
    /// 12go does not show the booking to this client, or the mapping file names
    /// another client → 200, nothing queued (no redelivery loop).
    NotOwned,
    /// 12go or the outbox failed → this status, so 12go redelivers.
    Failed(FunnelError),
}

impl Outcome {
    /// The `outcome` tag of `webhook.received` (40 §7.3).
    pub fn tag(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Accepted { .. } | Self::Dropped => "accepted",
            Self::NotOwned => "not_owned",
            Self::Failed(_) => "error",
        }
    }
}

/// An outcome with the parsed event, when parsing got that far.
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    pub outcome: Outcome,
    pub event: Option<WebhookEvent>,
}

/// Step 2, over the raw body before any parsing.
///
/// # Errors
/// Why the call is refused (→ 401, no further work).
pub fn authenticate(
    client: &Client,
    headers: &InboundAuthHeaders<'_>,
    body: &[u8],
    now: Timestamp,
    tolerance: Duration,
) -> Result<AuthMethod, AuthFailure> {
    verify_inbound(
        client.inbound_webhook.as_ref(),
        headers,
        body,
        now,
        tolerance,
    )
}

/// The ports and request facts one authenticated call is processed with.
pub struct Inbound<'a> {
    pub booking: &'a BookingService,
    pub outbox: &'a dyn Outbox,
    pub metrics: &'a dyn Metrics,
    /// `mapped` clients: station ids are translated (10 §6).
    pub id_maps: Option<Arc<IdMaps>>,
    pub correlation_id: String,
    pub deadline: Instant,
}

impl Inbound<'_> {
    /// Steps 5–8 for an authenticated call.
    pub async fn process(&self, client: &Client, body: &[u8], now: Timestamp) -> Processed {
        let event = match parse_webhook(body) {
            Ok(e) => e,
            Err(e) => {
                return Processed {
                    outcome: Outcome::BadRequest(e),
                    event: None,
                }
            }
        };
        let outcome = self.deliver(client, &event, now).await;
        Processed {
            outcome,
            event: Some(event),
        }
    }

    async fn deliver(&self, client: &Client, event: &WebhookEvent, now: Timestamp) -> Outcome {
        let client_id = client.id.as_str();
        let Some(key) = client.twelvego_key.clone() else {
            tracing::error!(client_id, "webhook client has no 12go key");
            return Outcome::Failed(FunnelError::new(
                502,
                "upstream_auth_failed",
                "The travel platform rejected this client's credentials.",
            ));
        };
        let caller = Caller {
            client_id: client_id.to_string(),
            ctx: CallContext {
                key,
                correlation_id: self.correlation_id.clone(),
                deadline: self.deadline,
            },
            id_maps: self.id_maps.clone(),
        };
        let (booking, stamp) = match self.booking.notification_booking(&caller, &event.bid).await {
            Ok(b) => b,
            Err(e) if e.code == "booking_not_found" => {
                tracing::warn!(client_id, bid = %event.bid, "notification.rejected: booking not visible to the client");
                return Outcome::NotOwned;
            }
            Err(e) => return Outcome::Failed(e),
        };
        let id_map = self.booking.id_map();
        let owner = id_map
            .and_then(|m| m.id_of(&event.bid))
            .and_then(|id| id_map.and_then(|m| m.get(id)))
            .map(|m| m.client_id.as_str());
        if owner.is_some_and(|o| o != client_id) {
            tracing::error!(client_id, bid = %event.bid, "notification.rejected: the mapping file names another client");
            return Outcome::NotOwned;
        }
        if client.notifications.is_none() {
            tracing::info!(client_id, bid = %event.bid, "notification.dropped: no webhook_url");
            return Outcome::Dropped;
        }
        let n = match build_notification(event, booking, stamp, id_map, now) {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "notification not serialized");
                return Outcome::Failed(FunnelError::internal());
            }
        };
        if let Some(raw) = &n.unknown_previous_status {
            tracing::warn!(bid = %event.bid, status = %raw, "unknown previous 12go status mapped to pending");
        }
        let item = OutboxItem {
            notification_id: n.notification_id,
            client_id: client_id.to_string(),
            bid: n.bid,
            payload: n.body,
            received_at: now,
        };
        match self.outbox.enqueue(item, now).await {
            Ok(Enqueued::Enqueued) => Outcome::Accepted { duplicate: false },
            Ok(Enqueued::Duplicate) => Outcome::Accepted { duplicate: true },
            Ok(Enqueued::Full) => {
                tracing::error!(client_id, "notification outbox full; 12go will redeliver");
                self.metrics.count("notification.outbox_full", 1, &[]);
                Outcome::Failed(FunnelError::store_unavailable())
            }
            Err(e) => {
                tracing::error!(client_id, error = %e, "notification not enqueued");
                Outcome::Failed(FunnelError::store_unavailable())
            }
        }
    }
}
