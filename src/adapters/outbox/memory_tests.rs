use super::*;
use crate::adapters::outbox::suite::{self, Fixture, MAX_PENDING};

impl Fixture for MemoryOutbox {
    fn outbox(&self) -> &dyn Outbox {
        self
    }
}

suite::contract_tests!(MemoryOutbox::new(MAX_PENDING));

#[tokio::test]
async fn sweep_forgets_expired_dedup_ids_and_dead_letters() {
    let outbox = MemoryOutbox::new(10);
    let now = Timestamp::from_second(1_775_390_400).unwrap();
    for id in ["a", "b", "c"] {
        outbox.enqueue(suite::item(id), now).await.unwrap();
    }
    outbox
        .claim_due(now, Duration::from_secs(30), 3)
        .await
        .unwrap();
    outbox.ack("a", Duration::from_millis(50)).await.unwrap();
    outbox
        .dead_letter("b", "410", now, Duration::from_millis(50))
        .await
        .unwrap();
    outbox.ack("c", Duration::from_secs(3600)).await.unwrap();
    assert_eq!(outbox.sweep(), 0);

    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(outbox.sweep(), 2);
    assert_eq!(outbox.counts().await.unwrap(), (0, 0));
    let again = outbox.enqueue(suite::item("c"), now).await.unwrap();
    assert_eq!(again, Enqueued::Duplicate, "c is still remembered");
}

#[tokio::test]
async fn an_ack_again_extends_the_dedup_retention() {
    let outbox = MemoryOutbox::new(10);
    let now = Timestamp::from_second(1_775_390_400).unwrap();
    outbox.ack("a", Duration::from_millis(50)).await.unwrap();
    outbox.ack("a", Duration::from_secs(3600)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(outbox.sweep(), 0);
    let again = outbox.enqueue(suite::item("a"), now).await.unwrap();
    assert_eq!(again, Enqueued::Duplicate);
}
