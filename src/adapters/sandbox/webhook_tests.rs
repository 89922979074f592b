use super::*;
use crate::domain::twelvego::Price;
use jiff::civil::date;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::HashMap;

fn booking(status: Status) -> Booking {
    Booking {
        bid: 87_654_321,
        status,
        tracker: "TRK-7QX2".into(),
        from_id: Some(1234),
        to_id: Some(5678),
        dep_date_time: "2026-05-01 08:30:00".into(),
        departure: date(2026, 5, 1).at(8, 30, 0, 0),
        seats: 2,
        price: Some(Price {
            value: Some(Decimal::new(125_000, 2)),
            fxcode: "THB".into(),
        }),
        netprice: None,
        agfee: None,
        sysfee: None,
        created_on: 1_775_300_000,
        stamp: 1_775_390_400,
        ticket_url: String::new(),
        delay: Duration::ZERO,
        confirmation_time: 0,
        ready_at: None,
        ends_cancelled: false,
        ticket_at: None,
        refund_fails: false,
        client_id: None,
    }
}

#[test]
fn the_body_is_12gos_webhook() {
    let before = Before::of(&booking(Status::Confirmed));
    let body = event(&before, &booking(Status::Cancelled)).unwrap();
    let want = r#"{"bid":87654321,"type":"booking_canceled","stamp":1775390400,"new_data":{"bid":87654321,"tracker":"TRK-7QX2","status":"cancelled","from_id":1234,"to_id":5678,"dep_date_time":"2026-05-01 08:30:00","seats":2,"price":{"value":1250.00,"fxcode":"THB"}},"previous_data":{"bid":87654321,"tracker":"TRK-7QX2","status":"confirmed","seats":2}}"#;
    assert_eq!(body, want);
}

#[test]
fn the_type_follows_the_change() {
    let kind = |from: Status, to: &Booking| {
        let mut b = booking(from);
        b.tracker = String::new();
        let v: Option<Value> =
            event(&Before::of(&b), to).map(|s| serde_json::from_str(&s).unwrap());
        v.map(|v| v["type"].as_str().unwrap().to_string())
    };
    let confirmed = booking(Status::Confirmed);
    assert_eq!(
        kind(Status::Pending, &confirmed).unwrap(),
        "booking_confirmed"
    );
    let pending = booking(Status::Pending);
    let pcc = Status::PendingClientConfirmation;
    assert_eq!(kind(pcc, &pending).unwrap(), "booking_updated");
    assert_eq!(kind(Status::Confirmed, &confirmed), None);
    let mut ticketed = booking(Status::Confirmed);
    ticketed.ticket_url = "http://x/t.pdf".into();
    assert_eq!(
        kind(Status::Confirmed, &ticketed).unwrap(),
        "booking_updated"
    );
    let prev: Value =
        serde_json::from_str(&event(&Before::of(&booking(pcc)), &pending).unwrap()).unwrap();
    assert_eq!(
        prev["previous_data"]["status"],
        "pending_client_confirmation"
    );
}

#[test]
fn hmac_headers_verify_with_the_secret() {
    let body = br#"{"bid":1}"#;
    let auth = WebhookAuth::Hmac(Secret::new("s3cret"));
    let h: HashMap<_, _> = auth_headers(&auth, 1_775_390_400, body)
        .into_iter()
        .collect();
    assert_eq!(h.len(), 2);
    assert_eq!(h["X-Webhook-Timestamp"], "1775390400");
    let sig = h["X-Webhook-Signature"].strip_prefix("sha256=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(b"1775390400.{\"bid\":1}");
    mac.verify_slice(&hex::decode(sig).unwrap()).unwrap();
    // `printf '1775390400.{"bid":1}' | openssl dgst -sha256 -hmac s3cret`
    let openssl = "08a3283eb10bc2cdfab4d7c60ab520fefbe0341473a341042ff4e5cdfdfd28ad";
    assert_eq!(sig, openssl);
    let key = auth_headers(&WebhookAuth::Key(Secret::new("k1")), 1, body);
    assert_eq!(key, vec![("X-Webhook-Key", "k1".to_string())]);
    assert!(auth_headers(&WebhookAuth::None, 1, body).is_empty());
}

#[test]
fn targets_carry_the_client_id() {
    let u = "http://127.0.0.1:8080/v1/notifications/12go";
    assert_eq!(target(u, "acme"), format!("{u}?client_id=acme"));
    assert_eq!(
        target(&format!("{u}?x=1"), "a b"),
        format!("{u}?x=1&client_id=a+b")
    );
}

type Env<'a> = &'a [(&'a str, &'a str)];

fn from(pairs: Env<'_>) -> Result<Option<WebhookConfig>, String> {
    WebhookConfig::from_env(|n| {
        pairs
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| (*v).to_string())
    })
}

#[test]
fn config_from_env() {
    assert_eq!(from(&[]), Ok(None));
    let url = ("SANDBOX_WEBHOOK_URL", "http://h/v1/notifications/12go");
    assert!(from(&[url]).is_err());
    let c = from(&[
        url,
        ("SANDBOX_WEBHOOK_CLIENTS", "key1=acme, key2=beta"),
        ("SANDBOX_WEBHOOK_SECRET", "s"),
        ("SANDBOX_WEBHOOK_KEY", "k"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.auth, WebhookAuth::Hmac(Secret::new("s")));
    assert_eq!(
        (c.client_for("key2"), c.client_for("other")),
        (Some("beta".into()), None)
    );
    let c = from(&[
        url,
        ("SANDBOX_WEBHOOK_CLIENT_ID", "acme"),
        ("SANDBOX_WEBHOOK_KEY", "k"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(c.auth, WebhookAuth::Key(Secret::new("k")));
    assert_eq!(c.client_for("any"), Some("acme".into()));
    let bad = ("SANDBOX_WEBHOOK_CLIENTS", "key1");
    let err = from(&[url, bad]).unwrap_err();
    assert!(!err.contains("key1"), "never echo keys");
}
