use super::*;
use crate::domain::booking::BookingView;
use crate::domain::twelvego::BookingAnswer;

fn booking(status: &str) -> Booking {
    let b = BookingAnswer::from_slice(
        format!(
            r#"{{"bid":87654321,"tracker":"TRK-7QX2","status":"{status}","from_id":1234,"to_id":5678,
 "dep_date_time":"2026-05-01 08:30:00","seats":2,"ticket_url":"/t/1.pdf",
 "created_on":1775001600,"stamp":1775005200,"netprice":{{"value":1100.00,"fxcode":"THB"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let view = BookingView {
        id: "87654321",
        twelvego_base: "https://api.12go.example/v1",
    };
    Booking::from_answer(&b, view).unwrap().0
}

fn event(kind: &str, stamp: Option<i64>, previous: Option<&str>) -> WebhookEvent {
    WebhookEvent {
        bid: "87654321".into(),
        kind: kind.into(),
        stamp,
        previous_status: previous.map(str::to_owned),
    }
}

fn now() -> Timestamp {
    Timestamp::from_second(1775400000).unwrap()
}

fn text(n: &Notification) -> &str {
    std::str::from_utf8(&n.body).unwrap()
}

#[test]
fn a_cancellation_of_a_mapped_booking_has_the_exact_bytes() {
    let (map, bad) = BookingIdMap::parse(
        "id,plain_id,bid,client_id\nXYXZ4Yq1w2e3,0102V10308onetwogo040887654321,87654321,acme\n",
    )
    .unwrap();
    assert!(bad.is_empty());
    let n = build_notification(
        &event("booking_canceled", Some(1775390400), Some("confirmed")),
        booking("cancelled"),
        Some(1775005200),
        Some(&map),
        now(),
    )
    .unwrap();
    assert_eq!(n.notification_id, "87654321-1775390400-booking_canceled");
    assert_eq!(n.bid, "87654321");
    assert_eq!(n.unknown_previous_status, None);
    assert_eq!(
        text(&n),
        concat!(
            r#"{"notification_id":"87654321-1775390400-booking_canceled","event":"booking.cancelled","#,
            r#""occurred_at":"2026-04-05T12:00:00Z","booking_id":"XYXZ4Yq1w2e3","previous_status":"approved","#,
            r#""booking":{"id":"XYXZ4Yq1w2e3","status":"cancelled","from_station":"1234","to_station":"5678","#,
            r#""departure_time":"2026-05-01T08:30:00","passenger_count":2,"integration":"onetwogo","#,
            r#""integration_booking_id":"87654321","operator_booking_id":"TRK-7QX2","voucher_url":null,"#,
            r#""created_at":"2026-04-01T00:00:00Z","updated_at":"2026-04-01T01:00:00Z","#,
            r#""total_price":{"amount":"1100.00","currency":"THB"}}}"#
        )
    );
}

#[test]
fn a_confirmation_without_webhook_stamp_uses_the_booking_stamp_and_the_bid() {
    let n = build_notification(
        &event(
            "booking_confirmed",
            None,
            Some("pending_client_confirmation"),
        ),
        booking("confirmed"),
        Some(1775005200),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(
        text(&n),
        concat!(
            r#"{"notification_id":"87654321-1775005200-booking_confirmed","event":"booking.confirmed","#,
            r#""occurred_at":"2026-04-01T01:00:00Z","booking_id":"87654321","previous_status":"reserved","#,
            r#""booking":{"id":"87654321","status":"approved","from_station":"1234","to_station":"5678","#,
            r#""departure_time":"2026-05-01T08:30:00","passenger_count":2,"integration":"onetwogo","#,
            r#""integration_booking_id":"87654321","operator_booking_id":"TRK-7QX2","#,
            r#""voucher_url":"https://api.12go.example/t/1.pdf","#,
            r#""created_at":"2026-04-01T00:00:00Z","updated_at":"2026-04-01T01:00:00Z","#,
            r#""total_price":{"amount":"1100.00","currency":"THB"}}}"#
        )
    );
}

#[test]
fn no_stamp_at_all_means_now_and_a_zero_in_the_id() {
    let n = build_notification(
        &event("booking_updated", None, None),
        booking("pending"),
        Some(0),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(n.notification_id, "87654321-0-booking_updated");
    let v: serde_json::Value = serde_json::from_slice(&n.body).unwrap();
    assert_eq!(v["occurred_at"], "2026-04-05T14:40:00Z");
    assert_eq!(v["event"], "booking.updated");
    assert_eq!(v["previous_status"], serde_json::Value::Null);
}

#[test]
fn an_unknown_previous_status_is_pending_and_reported() {
    let n = build_notification(
        &event("booking_updated", Some(5), Some("paid")),
        booking("confirmed"),
        None,
        None,
        now(),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&n.body).unwrap();
    assert_eq!(v["previous_status"], "pending");
    assert_eq!(n.unknown_previous_status.as_deref(), Some("paid"));
}

#[test]
fn events_map_from_12go_types() {
    assert_eq!(event_name("booking_confirmed"), "booking.confirmed");
    assert_eq!(event_name("booking_canceled"), "booking.cancelled");
    assert_eq!(event_name("booking_cancelled"), "booking.cancelled");
    assert_eq!(event_name("booking_updated"), "booking.updated");
    assert_eq!(event_name("ticket_issued"), "booking.updated");
}
