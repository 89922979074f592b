//! Webhook calls for booking status changes (30 §7), as 12go would send them.
//!
//! Pure parts: [`WebhookConfig`] (from `SANDBOX_WEBHOOK_*`), [`event`] (the body),
//! [`auth_headers`] and [`target`]. Sending is [`super::webhook_send`].

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;

use super::state::{Booking, Status};
use crate::domain::secret::Secret;
use crate::domain::twelvego::Price;

/// How the receiver authenticates the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookAuth {
    /// `X-Webhook-Timestamp` + `X-Webhook-Signature: sha256=<hex>`.
    Hmac(Secret),
    /// `X-Webhook-Key`.
    Key(Secret),
    /// No authentication headers (the service answers 401).
    None,
}

/// Where and how webhook calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `…/v1/notifications/12go`; `client_id` is appended as a query parameter.
    pub url: String,
    /// The client of bookings whose key is not in `clients`.
    pub client_id: Option<String>,
    /// 12go key → client id.
    pub clients: Vec<(Secret, String)>,
    pub auth: WebhookAuth,
    /// Per attempt.
    pub timeout: Duration,
}

impl WebhookConfig {
    /// Webhooks to `url` for every booking, as `client_id`, without authentication.
    pub fn new(url: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            client_id: Some(client_id.into()),
            clients: Vec::new(),
            auth: WebhookAuth::None,
            timeout: Duration::from_secs(5),
        }
    }

    #[must_use]
    pub fn with_auth(mut self, auth: WebhookAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Reads `SANDBOX_WEBHOOK_URL` (unset: `Ok(None)`, no webhooks),
    /// `SANDBOX_WEBHOOK_CLIENT_ID`, `SANDBOX_WEBHOOK_CLIENTS` (`key=client,…`; one of
    /// the two is required), `SANDBOX_WEBHOOK_SECRET` or else `SANDBOX_WEBHOOK_KEY`.
    ///
    /// # Errors
    /// A message naming the variable at fault (never its value).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let get = |n: &str| {
            var(n)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(url) = get("SANDBOX_WEBHOOK_URL") else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err("SANDBOX_WEBHOOK_URL must be an http(s) URL".into());
        }
        let mut clients = Vec::new();
        for pair in get("SANDBOX_WEBHOOK_CLIENTS")
            .unwrap_or_default()
            .split(',')
        {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            match pair.split_once('=') {
                Some((k, c)) if !k.trim().is_empty() && !c.trim().is_empty() => {
                    clients.push((Secret::new(k.trim()), c.trim().to_string()));
                }
                _ => return Err("SANDBOX_WEBHOOK_CLIENTS must be `key=client_id,…`".into()),
            }
        }
        let client_id = get("SANDBOX_WEBHOOK_CLIENT_ID");
        if client_id.is_none() && clients.is_empty() {
            return Err(
                "SANDBOX_WEBHOOK_URL needs SANDBOX_WEBHOOK_CLIENT_ID or SANDBOX_WEBHOOK_CLIENTS"
                    .into(),
            );
        }
        let auth = match (get("SANDBOX_WEBHOOK_SECRET"), get("SANDBOX_WEBHOOK_KEY")) {
            (Some(s), _) => WebhookAuth::Hmac(Secret::new(s)),
            (None, Some(k)) => WebhookAuth::Key(Secret::new(k)),
            (None, None) => WebhookAuth::None,
        };
        Ok(Some(Self {
            url,
            client_id,
            clients,
            auth,
            timeout: Duration::from_secs(5),
        }))
    }

    /// The client a booking made with `key` belongs to.
    pub fn client_for(&self, key: &str) -> Option<String> {
        self.clients
            .iter()
            .find(|(k, _)| k.expose() == key)
            .map(|(_, c)| c.clone())
            .or_else(|| self.client_id.clone())
    }
}

/// What a booking looked like before a call changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    pub status: Status,
    pub tracker: String,
    pub seats: u8,
    pub ticket_url: String,
}

impl Before {
    pub fn of(b: &Booking) -> Self {
        Self {
            status: b.status,
            tracker: b.tracker.clone(),
            seats: b.seats,
            ticket_url: b.ticket_url.clone(),
        }
    }
}

#[derive(Serialize)]
struct Event<'a> {
    bid: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    stamp: i64,
    new_data: NewData<'a>,
    previous_data: PreviousData<'a>,
}

#[derive(Serialize)]
struct NewData<'a> {
    bid: u64,
    tracker: &'a str,
    status: &'static str,
    from_id: Option<i64>,
    to_id: Option<i64>,
    dep_date_time: &'a str,
    seats: u8,
    /// Serialized as B shows it, decimals kept (`1250.00`).
    price: &'a Option<Price>,
}

#[derive(Serialize)]
struct PreviousData<'a> {
    bid: u64,
    tracker: &'a str,
    status: &'static str,
    seats: u8,
}

/// The webhook body (JSON text) for the change `before` → `after`, if it is one: a
/// new status (`booking_confirmed`, `booking_canceled`, else `booking_updated`) or a
/// ticket that appeared (`booking_updated`). `stamp` is the booking's.
pub fn event(before: &Before, after: &Booking) -> Option<String> {
    let moved = before.status != after.status;
    let ticket = before.ticket_url.is_empty() && !after.ticket_url.is_empty();
    let kind = match after.status {
        _ if !moved && !ticket => return None,
        Status::Confirmed if moved => "booking_confirmed",
        Status::Cancelled if moved => "booking_canceled",
        _ => "booking_updated",
    };
    let event = Event {
        bid: after.bid,
        kind,
        stamp: after.stamp,
        new_data: NewData {
            bid: after.bid,
            tracker: &after.tracker,
            status: after.status.as_str(),
            from_id: after.from_id,
            to_id: after.to_id,
            dep_date_time: &after.dep_date_time,
            seats: after.seats,
            price: &after.price,
        },
        previous_data: PreviousData {
            bid: after.bid,
            tracker: &before.tracker,
            status: before.status.as_str(),
            seats: before.seats,
        },
    };
    serde_json::to_string(&event).ok()
}

/// `sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The authentication headers of a call sent at `timestamp` (unix s) with `body`.
pub fn auth_headers(
    auth: &WebhookAuth,
    timestamp: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    match auth {
        WebhookAuth::Hmac(s) => vec![
            ("X-Webhook-Timestamp", timestamp.to_string()),
            (
                "X-Webhook-Signature",
                signature(s.expose(), timestamp, body),
            ),
        ],
        WebhookAuth::Key(k) => vec![("X-Webhook-Key", k.expose().to_string())],
        WebhookAuth::None => Vec::new(),
    }
}

/// `url` with `client_id` added to its query.
pub fn target(url: &str, client_id: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let id: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    format!("{url}{sep}client_id={id}")
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
