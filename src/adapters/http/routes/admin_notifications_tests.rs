use super::*;
use crate::adapters::http::JSON_CONTENT_TYPE;
use crate::adapters::outbox::MemoryOutbox;
use crate::ports::kv::StoreError;
use crate::ports::outbox::{MockOutbox, OutboxItem};
use actix_web::http::header::CONTENT_TYPE;
use serde_json::{json, Value};
use std::time::Duration;

const T0: i64 = 1_775_390_400;
const LEASE: Duration = Duration::from_secs(30);
const RETENTION: Duration = Duration::from_secs(3600);

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

fn item(id: &str, bid: &str) -> OutboxItem {
    OutboxItem {
        notification_id: id.to_string(),
        client_id: "acme".into(),
        bid: bid.into(),
        payload: br#"{"secret":"never listed"}"#.to_vec(),
        received_at: at(T0),
    }
}

/// An outbox with `ids` enqueued at T0, claimed at T0 (due again at T0 + 30 s)
/// and dead-lettered with status 410 at T0 + 60 s, in that order.
async fn with_dead_letters(ids: &[&str]) -> MemoryOutbox {
    let outbox = MemoryOutbox::new(10);
    for (i, id) in ids.iter().enumerate() {
        let bid = (1000 + i).to_string();
        outbox.enqueue(item(id, &bid), at(T0)).await.unwrap();
    }
    outbox.claim_due(at(T0), LEASE, ids.len()).await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let dead = at(T0 + 60 + i64::try_from(i).unwrap());
        outbox
            .dead_letter(id, "410", dead, RETENTION)
            .await
            .unwrap();
    }
    outbox
}

/// Status, content type and JSON body.
async fn parts(res: HttpResponse) -> (u16, String, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = actix_web::body::to_bytes(res.into_body()).await.unwrap();
    (status, ct, serde_json::from_slice(&bytes).unwrap())
}

fn assert_invalid_limit(e: &ApiError) {
    assert_eq!(e.status.as_u16(), 400);
    assert_eq!(e.code, "invalid_parameter");
    assert_eq!(e.message, "Some parameters are invalid.");
    assert_eq!(
        e.fields,
        vec![FieldError::new(
            "limit",
            "Must be an integer from 1 to 1000."
        )]
    );
}

#[test]
fn the_page_query_defaults_to_100_and_the_first_page() {
    let q = page_query("").unwrap();
    assert_eq!(
        q,
        PageQuery {
            limit: 100,
            cursor: None
        }
    );
    let q = page_query("limit=1000&cursor=&other=x").unwrap();
    assert_eq!(
        q,
        PageQuery {
            limit: 1000,
            cursor: None
        }
    );
}

#[test]
fn the_page_query_takes_the_first_limit_and_a_decoded_cursor() {
    let q = page_query("limit=1&cursor=1775390400000%3Aa-1&limit=abc").unwrap();
    assert_eq!(
        q,
        PageQuery {
            limit: 1,
            cursor: Some("1775390400000:a-1".into())
        }
    );
}

#[test]
fn a_limit_that_is_not_an_integer_from_1_to_1000_is_invalid_parameter() {
    for raw in ["abc", "", "0", "1001", "-1", "1.5", "%20%31"] {
        let e = page_query(&format!("limit={raw}")).unwrap_err();
        assert_invalid_limit(&e);
    }
}

#[actix_web::test]
async fn dead_letters_are_listed_oldest_first_with_dead_at_and_without_payloads() {
    // Arrange
    let outbox = with_dead_letters(&["a", "b"]).await;
    // Act
    let res = list(&outbox, "", Listing::Dead).await.unwrap();
    // Assert
    let (status, ct, body) = parts(res).await;
    assert_eq!((status, ct.as_str()), (200, JSON_CONTENT_TYPE));
    assert_eq!(
        body,
        json!({"items": [
            {"notification_id": "a", "client_id": "acme", "bid": "1000", "attempts": 1,
             "due_at": "2026-04-05T12:00:30Z", "last_status": "410",
             "received_at": "2026-04-05T12:00:00Z", "dead_at": "2026-04-05T12:01:00Z"},
            {"notification_id": "b", "client_id": "acme", "bid": "1001", "attempts": 1,
             "due_at": "2026-04-05T12:00:30Z", "last_status": "410",
             "received_at": "2026-04-05T12:00:00Z", "dead_at": "2026-04-05T12:01:01Z"}
        ], "next_cursor": null})
    );
}

#[actix_web::test]
async fn dead_letters_page_with_the_cursor_they_hand_out() {
    // Arrange
    let outbox = with_dead_letters(&["a", "b", "c"]).await;
    // Act
    let (_, _, first) = parts(list(&outbox, "limit=2", Listing::Dead).await.unwrap()).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let next = format!("limit=2&cursor={cursor}");
    let (_, _, second) = parts(list(&outbox, &next, Listing::Dead).await.unwrap()).await;
    // Assert
    let ids = |b: &Value| -> Vec<String> {
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["notification_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ["a", "b"]);
    assert_eq!(cursor, "1775390461000:b");
    assert_eq!(ids(&second), ["c"]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn pending_items_have_no_dead_at() {
    // Arrange
    let outbox = MemoryOutbox::new(10);
    outbox.enqueue(item("p", "7"), at(T0)).await.unwrap();
    // Act
    let res = list(&outbox, "limit=5", Listing::Pending).await.unwrap();
    // Assert
    let (status, _, body) = parts(res).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"items": [
            {"notification_id": "p", "client_id": "acme", "bid": "7", "attempts": 0,
             "due_at": "2026-04-05T12:00:00Z", "last_status": null,
             "received_at": "2026-04-05T12:00:00Z"}
        ], "next_cursor": null})
    );
}

#[actix_web::test]
async fn a_bad_limit_is_rejected_before_the_outbox_is_read() {
    // A mock with no expectations fails the test if called.
    let outbox = MockOutbox::new();
    for listing in [Listing::Pending, Listing::Dead] {
        let e = list(&outbox, "limit=ten", listing).await.unwrap_err();
        assert_invalid_limit(&e);
    }
}

#[actix_web::test]
async fn requeue_one_revives_the_dead_letter_with_attempts_reset() {
    // Arrange
    let outbox = with_dead_letters(&["a", "b"]).await;
    let now = at(T0 + 120);
    // Act
    let res = requeue_one(&outbox, "a", now).await.unwrap();
    // Assert
    let (status, ct, body) = parts(res).await;
    assert_eq!((status, ct.as_str()), (200, JSON_CONTENT_TYPE));
    assert_eq!(body, json!({"requeued": 1}));
    let (_, _, pending) = parts(list(&outbox, "", Listing::Pending).await.unwrap()).await;
    assert_eq!(
        pending,
        json!({"items": [
            {"notification_id": "a", "client_id": "acme", "bid": "1000", "attempts": 0,
             "due_at": "2026-04-05T12:02:00Z", "last_status": "410",
             "received_at": "2026-04-05T12:00:00Z"}
        ], "next_cursor": null})
    );
    let (_, _, dead) = parts(list(&outbox, "", Listing::Dead).await.unwrap()).await;
    assert_eq!(dead["items"].as_array().unwrap().len(), 1);
    assert_eq!(dead["items"][0]["notification_id"], "b");
}

#[actix_web::test]
async fn requeue_one_of_an_unknown_or_pending_id_is_404_not_found() {
    // Arrange
    let outbox = with_dead_letters(&["a"]).await;
    outbox.enqueue(item("p", "7"), at(T0)).await.unwrap();
    for id in ["nope", "p"] {
        // Act
        let e = requeue_one(&outbox, id, at(T0 + 120)).await.unwrap_err();
        // Assert
        assert_eq!(
            (e.status.as_u16(), e.code.as_ref(), e.message.as_str()),
            (404, "not_found", "No such dead letter."),
            "{id}"
        );
    }
    assert_eq!(outbox.counts().await.unwrap(), (1, 1));
}

#[actix_web::test]
async fn requeue_all_revives_every_dead_letter_and_counts_them() {
    // Arrange
    let outbox = with_dead_letters(&["a", "b", "c"]).await;
    // Act
    let first = requeue_every(&outbox, at(T0 + 120)).await.unwrap();
    let again = requeue_every(&outbox, at(T0 + 121)).await.unwrap();
    // Assert
    assert_eq!(parts(first).await.2, json!({"requeued": 3}));
    assert_eq!(parts(again).await.2, json!({"requeued": 0}));
    assert_eq!(outbox.counts().await.unwrap(), (3, 0));
}

#[actix_web::test]
async fn an_outbox_failure_is_503_store_unavailable() {
    // Arrange
    let down = || StoreError::Unavailable("redis: connection refused".into());
    let mut outbox = MockOutbox::new();
    outbox
        .expect_list_pending()
        .returning(move |_, _| Err(down()));
    outbox.expect_list_dead().returning(move |_, _| Err(down()));
    outbox.expect_requeue().returning(move |_, _| Err(down()));
    outbox.expect_requeue_all().returning(move |_| Err(down()));
    // Act
    let errors = [
        list(&outbox, "", Listing::Pending).await.unwrap_err(),
        list(&outbox, "", Listing::Dead).await.unwrap_err(),
        requeue_one(&outbox, "a", at(T0)).await.unwrap_err(),
        requeue_every(&outbox, at(T0)).await.unwrap_err(),
    ];
    // Assert
    for e in errors {
        assert_eq!(
            (e.status.as_u16(), e.code.as_ref(), e.retry_after),
            (503, "store_unavailable", Some(1))
        );
    }
}
