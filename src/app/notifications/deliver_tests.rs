//! The attempt logic over mocked ports: what is sent, what is recorded, and
//! that a store failure never loses the item. Real HTTP delivery and the retry
//! schedule are in `tests/api/delivery.rs`.

use jiff::Timestamp;
use mockall::predicate::eq;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::{Delivered, Deliverer, DeliverySettings};
use crate::domain::clients::{Client, IdMode, Notifications};
use crate::domain::ids::ClientId;
use crate::domain::notification::{sign_outbound, AttemptResult};
use crate::domain::secret::Secret;
use crate::ports::clients::MockClientDirectory;
use crate::ports::clock::Clock;
use crate::ports::kv::StoreError;
use crate::ports::metrics::NoMetrics;
use crate::ports::notify::{AttemptReply, MockNotificationSender};
use crate::ports::outbox::{MockOutbox, OutboxEntry, OutboxItem};

const NOW: i64 = 1_780_000_000;

struct At;

impl Clock for At {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(NOW).unwrap()
    }
}

fn client() -> Arc<Client> {
    Arc::new(Client {
        id: ClientId::parse("acme").unwrap(),
        name: None,
        enabled: true,
        api_keys: vec![],
        twelvego_key: None,
        id_mode: IdMode::Native,
        cancel_enabled: true,
        rate_limit: Default::default(),
        inbound_webhook: None,
        notifications: Some(Notifications {
            webhook_url: url::Url::parse("https://hooks.acme.example/tc").unwrap(),
            signing_secret: Some(Secret::new("s3cret")),
        }),
    })
}

fn entry(attempts: u32) -> OutboxEntry {
    OutboxEntry {
        item: OutboxItem {
            notification_id: "1-2-booking_confirmed".into(),
            client_id: "acme".into(),
            bid: "1".into(),
            payload: b"{\"a\":1}".to_vec(),
            received_at: Timestamp::from_second(NOW - 5).unwrap(),
        },
        attempts,
        due_at: Timestamp::from_second(NOW).unwrap(),
        last_status: None,
        dead_at: None,
    }
}

fn replying(status: u16) -> MockNotificationSender {
    let mut sender = MockNotificationSender::new();
    sender.expect_send().times(1).returning(move |a| {
        // Signed over this attempt's timestamp, with the client's secret.
        assert_eq!(a.timestamp, NOW);
        assert_eq!(
            Some(a.signature.to_owned()),
            sign_outbound(&Secret::new("s3cret"), NOW, b"{\"a\":1}")
        );
        assert_eq!(a.url.as_str(), "https://hooks.acme.example/tc");
        assert_eq!(a.timeout, Duration::from_secs(10));
        AttemptReply {
            result: AttemptResult::Status(status),
            retry_after: None,
        }
    });
    sender
}

fn deliverer(outbox: MockOutbox, sender: MockNotificationSender, jitter: f64) -> Deliverer {
    let mut clients = MockClientDirectory::new();
    clients
        .expect_get()
        .returning(|id| (id == "acme").then(client));
    Deliverer::new(
        Arc::new(outbox),
        Rc::new(sender),
        Arc::new(clients),
        Arc::new(At),
        Arc::new(NoMetrics),
        DeliverySettings::default(),
    )
    .with_jitter(Box::new(move || jitter))
}

#[actix_rt::test]
async fn a_failed_ack_is_reported_and_leaves_the_item_to_its_lease() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_ack()
        .with(eq("1-2-booking_confirmed"), eq(Duration::from_secs(86_400)))
        .times(1)
        .returning(|_, _| Err(StoreError::Unavailable("down".into())));
    let d = deliverer(outbox, replying(200), 0.0);

    assert_eq!(d.attempt(entry(0)).await, Delivered::NotRecorded);
}

#[actix_rt::test]
async fn jitter_stretches_the_delay_by_up_to_20_percent() {
    let mut outbox = MockOutbox::new();
    let due = Timestamp::from_second(NOW + 144).unwrap(); // 120 s × 1.2
    outbox
        .expect_retry()
        .with(eq("1-2-booking_confirmed"), eq(due), eq("502"))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let d = deliverer(outbox, replying(502), 1.0);

    assert_eq!(d.attempt(entry(1)).await, Delivered::Retry { due });
}

#[actix_rt::test]
async fn the_last_attempt_dead_letters_for_the_retention() {
    let mut outbox = MockOutbox::new();
    outbox
        .expect_dead_letter()
        .with(
            eq("1-2-booking_confirmed"),
            eq("500"),
            eq(Timestamp::from_second(NOW).unwrap()),
            eq(Duration::from_secs(604_800)),
        )
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let d = deliverer(outbox, replying(500), 0.0);

    assert_eq!(d.attempt(entry(5)).await, Delivered::DeadLetter);
}

#[actix_rt::test]
async fn a_lease_outlasts_the_attempt_timeout() {
    let s = DeliverySettings::default();
    assert_eq!(s.lease(), Duration::from_secs(40));
}
