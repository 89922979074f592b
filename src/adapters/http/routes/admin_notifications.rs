//! The notification outbox on the admin port (40 §5, 30 §8), without payloads:
//!
//! - `GET /admin/notifications/pending?limit=&cursor=`: pending deliveries, oldest due first;
//! - `GET /admin/notifications/dead-letters?limit=&cursor=`: dead letters, oldest first;
//! - `POST /admin/notifications/dead-letters/{notification_id}/requeue`: re-drive one;
//! - `POST /admin/notifications/dead-letters/requeue`: re-drive every dead letter.
//!
//! The handlers only extract; the work is done on `&dyn Outbox` so that it can be
//! tested without the whole app.

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use jiff::Timestamp;
use serde::Serialize;

use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::adapters::http::state::Shared;
use crate::domain::field_error::FieldError;
use crate::ports::outbox::{Outbox, OutboxEntry, OutboxPage};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// `limit` and `cursor` of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageQuery {
    limit: usize,
    cursor: Option<String>,
}

/// `limit`: absent → 100, else an integer from 1 to 1000; `cursor`: a previous
/// page's `next_cursor` (empty = first page). The first occurrence of each counts.
fn page_query(query_string: &str) -> Result<PageQuery, ApiError> {
    let mut limit = None;
    let mut cursor = None;
    for (k, v) in form_urlencoded::parse(query_string.as_bytes()) {
        match &*k {
            "limit" if limit.is_none() => limit = Some(v.into_owned()),
            "cursor" if cursor.is_none() => cursor = Some(v.into_owned()),
            _ => {}
        }
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_parameter(vec![FieldError::new(
                    "limit",
                    "Must be an integer from 1 to 1000.",
                )])
            })?,
    };
    Ok(PageQuery {
        limit,
        cursor: cursor.filter(|c| !c.is_empty()),
    })
}

#[derive(Debug, Serialize)]
struct Item {
    notification_id: String,
    client_id: String,
    bid: String,
    attempts: u32,
    due_at: String,
    last_status: Option<String>,
    received_at: String,
    /// Dead letters only.
    #[serde(skip_serializing_if = "Option::is_none")]
    dead_at: Option<String>,
}

impl From<OutboxEntry> for Item {
    fn from(e: OutboxEntry) -> Self {
        Self {
            notification_id: e.item.notification_id,
            client_id: e.item.client_id,
            bid: e.item.bid,
            attempts: e.attempts,
            due_at: e.due_at.to_string(),
            last_status: e.last_status,
            received_at: e.item.received_at.to_string(),
            dead_at: e.dead_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
struct Page {
    items: Vec<Item>,
    next_cursor: Option<String>,
}

impl From<OutboxPage> for Page {
    fn from(page: OutboxPage) -> Self {
        Self {
            items: page.entries.into_iter().map(Item::from).collect(),
            next_cursor: page.next,
        }
    }
}

#[derive(Debug, Serialize)]
struct Requeued {
    requeued: usize,
}

fn json_200(body: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|_| ApiError::internal())?;
    Ok(json_bytes(200, bytes))
}

fn no_such_dead_letter() -> ApiError {
    ApiError::new(404, "not_found", "No such dead letter.")
}

/// Which listing.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Pending,
    Dead,
}

async fn list(
    outbox: &dyn Outbox,
    query_string: &str,
    listing: Listing,
) -> Result<HttpResponse, ApiError> {
    let q = page_query(query_string)?;
    let page = match listing {
        Listing::Pending => outbox.list_pending(q.limit, q.cursor).await?,
        Listing::Dead => outbox.list_dead(q.limit, q.cursor).await?,
    };
    json_200(&Page::from(page))
}

async fn requeue_one(
    outbox: &dyn Outbox,
    notification_id: &str,
    now: Timestamp,
) -> Result<HttpResponse, ApiError> {
    if !outbox.requeue(notification_id, now).await? {
        return Err(no_such_dead_letter());
    }
    tracing::info!(notification_id, count = 1, "notification.requeued");
    json_200(&Requeued { requeued: 1 })
}

async fn requeue_every(outbox: &dyn Outbox, now: Timestamp) -> Result<HttpResponse, ApiError> {
    let count = outbox.requeue_all(now).await?;
    tracing::info!(count, "notification.requeued");
    json_200(&Requeued { requeued: count })
}

/// `GET /admin/notifications/pending`.
pub async fn pending(req: HttpRequest, shared: Data<Shared>) -> Result<HttpResponse, ApiError> {
    list(&*shared.outbox, req.query_string(), Listing::Pending).await
}

/// `GET /admin/notifications/dead-letters`.
pub async fn dead_letters(
    req: HttpRequest,
    shared: Data<Shared>,
) -> Result<HttpResponse, ApiError> {
    list(&*shared.outbox, req.query_string(), Listing::Dead).await
}

/// `POST /admin/notifications/dead-letters/{notification_id}/requeue`.
pub async fn requeue(req: HttpRequest, shared: Data<Shared>) -> Result<HttpResponse, ApiError> {
    let id = req.match_info().query("notification_id");
    requeue_one(&*shared.outbox, id, Timestamp::now()).await
}

/// `POST /admin/notifications/dead-letters/requeue`.
pub async fn requeue_all(shared: Data<Shared>) -> Result<HttpResponse, ApiError> {
    requeue_every(&*shared.outbox, Timestamp::now()).await
}

#[cfg(test)]
#[path = "admin_notifications_tests.rs"]
mod tests;
