//! `GET /admin/notifications/pending?limit=&cursor=` (40 §5): pending deliveries,
//! oldest due first, without payloads.

use actix_web::web::{Data, Query};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::adapters::http::state::Shared;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Item {
    notification_id: String,
    client_id: String,
    bid: String,
    attempts: u32,
    due_at: String,
    last_status: Option<String>,
    received_at: String,
}

#[derive(Serialize)]
struct Page {
    items: Vec<Item>,
    next_cursor: Option<String>,
}

pub async fn pending(
    shared: Data<Shared>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let page = shared.outbox.list_pending(limit, q.cursor).await?;
    let items = page
        .entries
        .into_iter()
        .map(|e| Item {
            notification_id: e.item.notification_id,
            client_id: e.item.client_id,
            bid: e.item.bid,
            attempts: e.attempts,
            due_at: e.due_at.to_string(),
            last_status: e.last_status,
            received_at: e.item.received_at.to_string(),
        })
        .collect();
    let body = Page {
        items,
        next_cursor: page.next,
    };
    let bytes = serde_json::to_vec(&body).map_err(|_| ApiError::internal())?;
    Ok(json_bytes(200, bytes))
}
