//! The behaviour every [`Outbox`] adapter must show, one async fn per behaviour,
//! each called by the memory and the Redis tests with a fresh, empty outbox
//! bounded at [`MAX_PENDING`]. Times are explicit (`T0` plus offsets) wherever
//! the port takes them; only the retentions run on the wall clock.

use jiff::{Timestamp, ToSpan};
use std::time::Duration;

use crate::ports::outbox::{Enqueued, Outbox, OutboxEntry, OutboxItem};

/// The bound every suite outbox is built with.
pub const MAX_PENDING: usize = 5;

const LEASE: Duration = Duration::from_secs(30);
const LONG: Duration = Duration::from_secs(3600);

/// 2026-04-05T12:00:00Z.
fn t0() -> Timestamp {
    Timestamp::from_second(1_775_390_400).unwrap()
}

fn at(ms: i64) -> Timestamp {
    t0() + ms.milliseconds()
}

pub fn item(id: &str) -> OutboxItem {
    OutboxItem {
        notification_id: id.to_string(),
        client_id: "acme".into(),
        bid: id.split('-').next().unwrap_or(id).into(),
        // Arbitrary bytes survive, not only JSON.
        payload: [
            br#"{"notification_id":""#.as_slice(),
            id.as_bytes(),
            b"\"}\0\xff",
        ]
        .concat(),
        // Sub-millisecond precision survives too.
        received_at: t0() + 123_456_789.nanoseconds(),
    }
}

fn ids(entries: &[OutboxEntry]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e.item.notification_id.as_str())
        .collect()
}

async fn enqueue(outbox: &dyn Outbox, id: &str, ms: i64) {
    assert_eq!(
        outbox.enqueue(item(id), at(ms)).await.unwrap(),
        Enqueued::Enqueued,
        "{id}"
    );
}

/// Delivers `id` (claims it first, as a worker would).
async fn claim_one(outbox: &dyn Outbox, id: &str, ms: i64) -> OutboxEntry {
    let claimed = outbox.claim_due(at(ms), LEASE, 1).await.unwrap();
    assert_eq!(ids(&claimed), [id]);
    claimed.into_iter().next().unwrap()
}

pub async fn enqueue_is_idempotent_while_pending_delivered_or_dead(outbox: &dyn Outbox) {
    enqueue(outbox, "1-1-a", 0).await;
    assert_eq!(
        outbox.enqueue(item("1-1-a"), at(5)).await.unwrap(),
        Enqueued::Duplicate
    );

    claim_one(outbox, "1-1-a", 0).await;
    outbox.ack("1-1-a", LONG).await.unwrap();
    assert_eq!(
        outbox.enqueue(item("1-1-a"), at(10)).await.unwrap(),
        Enqueued::Duplicate
    );

    enqueue(outbox, "2-1-a", 0).await;
    claim_one(outbox, "2-1-a", 0).await;
    outbox
        .dead_letter("2-1-a", "410", at(1), LONG)
        .await
        .unwrap();
    assert_eq!(
        outbox.enqueue(item("2-1-a"), at(10)).await.unwrap(),
        Enqueued::Duplicate
    );

    // Nothing changed by the duplicates.
    assert_eq!(outbox.counts().await.unwrap(), (0, 1));
    assert!(outbox
        .claim_due(at(100), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn dedup_ids_and_dead_letters_expire_after_their_retention(outbox: &dyn Outbox) {
    let short = Duration::from_millis(150);
    enqueue(outbox, "1-1-a", 0).await;
    enqueue(outbox, "2-1-a", 0).await;
    claim_one(outbox, "1-1-a", 0).await;
    outbox.ack("1-1-a", short).await.unwrap();
    claim_one(outbox, "2-1-a", 0).await;
    outbox
        .dead_letter("2-1-a", "410", at(1), short)
        .await
        .unwrap();
    assert_eq!(outbox.counts().await.unwrap(), (0, 1));

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(outbox.counts().await.unwrap(), (0, 0));
    assert!(outbox.list_dead(10, None).await.unwrap().entries.is_empty());
    assert!(!outbox.requeue("2-1-a", at(2)).await.unwrap());
    enqueue(outbox, "1-1-a", 10).await;
    enqueue(outbox, "2-1-a", 10).await;
    let fresh = outbox.claim_due(at(10), LEASE, 10).await.unwrap();
    assert_eq!(ids(&fresh), ["1-1-a", "2-1-a"]);
    assert!(fresh
        .iter()
        .all(|e| e.attempts == 0 && e.last_status.is_none()));
}

pub async fn enqueue_is_full_at_the_bound(outbox: &dyn Outbox) {
    for i in 0..MAX_PENDING {
        enqueue(outbox, &format!("{i}-1-a"), 0).await;
    }
    assert_eq!(
        outbox.enqueue(item("9-1-a"), at(1)).await.unwrap(),
        Enqueued::Full
    );
    // A duplicate is still a duplicate when full.
    assert_eq!(
        outbox.enqueue(item("0-1-a"), at(1)).await.unwrap(),
        Enqueued::Duplicate
    );

    // Leased items still count; delivered and dead ones do not.
    claim_one(outbox, "0-1-a", 0).await;
    assert_eq!(
        outbox.enqueue(item("9-1-a"), at(1)).await.unwrap(),
        Enqueued::Full
    );
    outbox.ack("0-1-a", LONG).await.unwrap();
    claim_one(outbox, "1-1-a", 0).await;
    outbox
        .dead_letter("1-1-a", "410", at(1), LONG)
        .await
        .unwrap();
    enqueue(outbox, "9-1-a", 2).await;
    enqueue(outbox, "8-1-a", 2).await;
    assert_eq!(
        outbox.enqueue(item("7-1-a"), at(2)).await.unwrap(),
        Enqueued::Full
    );
    assert_eq!(outbox.counts().await.unwrap(), (MAX_PENDING, 1));
}

pub async fn claim_returns_due_items_oldest_first_up_to_max(outbox: &dyn Outbox) {
    enqueue(outbox, "2-1-a", 10).await;
    enqueue(outbox, "1-1-a", 0).await;
    enqueue(outbox, "3-1-a", 1000).await;
    assert!(outbox
        .claim_due(at(-1), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(outbox
        .claim_due(at(500), LEASE, 0)
        .await
        .unwrap()
        .is_empty());

    let first = outbox.claim_due(at(500), LEASE, 1).await.unwrap();
    assert_eq!(
        first,
        [OutboxEntry {
            item: item("1-1-a"),
            attempts: 0,
            due_at: at(0),
            last_status: None,
            dead_at: None,
        }]
    );
    let rest = outbox.claim_due(at(500), LEASE, 10).await.unwrap();
    assert_eq!(ids(&rest), ["2-1-a"]);
    assert_eq!(rest[0].due_at, at(10));
    let last = outbox.claim_due(at(1000), LEASE, usize::MAX).await.unwrap();
    assert_eq!(ids(&last), ["3-1-a"]);
}

pub async fn a_claim_is_leased_until_the_lease_ends(outbox: &dyn Outbox) {
    enqueue(outbox, "1-1-a", 0).await;
    claim_one(outbox, "1-1-a", 0).await;
    assert!(outbox.claim_due(at(0), LEASE, 10).await.unwrap().is_empty());
    assert!(outbox
        .claim_due(at(29_999), LEASE, 10)
        .await
        .unwrap()
        .is_empty());

    // Still pending while leased, due again at the lease end.
    let pending = outbox.list_pending(10, None).await.unwrap().entries;
    assert_eq!(ids(&pending), ["1-1-a"]);
    assert_eq!(pending[0].due_at, at(30_000));
    assert_eq!(outbox.counts().await.unwrap(), (1, 0));

    // The worker died: another claim takes it, attempts unchanged.
    let again = claim_one(outbox, "1-1-a", 30_000).await;
    assert_eq!(again.attempts, 0);
    assert!(outbox
        .claim_due(at(59_999), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn retry_reschedules_counts_the_attempt_and_ends_the_lease(outbox: &dyn Outbox) {
    enqueue(outbox, "1-1-a", 0).await;
    claim_one(outbox, "1-1-a", 0).await;
    outbox.retry("1-1-a", at(60_000), "503").await.unwrap();
    assert!(outbox
        .claim_due(at(59_999), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let second = claim_one(outbox, "1-1-a", 60_000).await;
    assert_eq!(second.attempts, 1);
    assert_eq!(second.last_status.as_deref(), Some("503"));
    assert_eq!(second.due_at, at(60_000));

    // A retry due before the lease would have ended is claimable at once.
    outbox.retry("1-1-a", at(60_001), "timeout").await.unwrap();
    let third = claim_one(outbox, "1-1-a", 60_001).await;
    assert_eq!(third.attempts, 2);
    assert_eq!(third.last_status.as_deref(), Some("timeout"));

    // Unknown ids are ignored, not created.
    outbox.retry("9-9-x", at(0), "503").await.unwrap();
    outbox
        .dead_letter("9-9-x", "410", at(0), LONG)
        .await
        .unwrap();
    outbox.ack("9-9-x", LONG).await.unwrap();
    assert_eq!(outbox.counts().await.unwrap(), (1, 0));
}

pub async fn dead_letter_keeps_the_item_with_its_attempts(outbox: &dyn Outbox) {
    enqueue(outbox, "1-1-a", 0).await;
    claim_one(outbox, "1-1-a", 0).await;
    outbox.retry("1-1-a", at(100), "500").await.unwrap();
    claim_one(outbox, "1-1-a", 100).await;
    outbox
        .dead_letter("1-1-a", "410", at(150), LONG)
        .await
        .unwrap();

    assert_eq!(outbox.counts().await.unwrap(), (0, 1));
    assert!(outbox
        .claim_due(at(1_000_000), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(outbox
        .list_pending(10, None)
        .await
        .unwrap()
        .entries
        .is_empty());
    let dead = outbox.list_dead(10, None).await.unwrap();
    assert_eq!(dead.next, None);
    let [entry] = dead.entries.as_slice() else {
        panic!("one dead letter: {dead:?}")
    };
    assert_eq!(entry.item, item("1-1-a"));
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.last_status.as_deref(), Some("410"));
    assert_eq!(entry.dead_at, Some(at(150)));

    // Not pending any more: a late retry or dead letter changes nothing.
    outbox.retry("1-1-a", at(200), "500").await.unwrap();
    outbox
        .dead_letter("1-1-a", "500", at(200), LONG)
        .await
        .unwrap();
    assert_eq!(
        outbox.list_dead(10, None).await.unwrap().entries,
        dead.entries
    );
    assert_eq!(outbox.counts().await.unwrap(), (0, 1));
}

pub async fn listings_page_in_order_with_a_cursor(outbox: &dyn Outbox) {
    // Due order, ties broken by id.
    for (id, ms) in [
        ("5-1-a", 40),
        ("3-1-a", 20),
        ("2-1-a", 20),
        ("1-1-a", 0),
        ("4-1-a", 30),
    ] {
        enqueue(outbox, id, ms).await;
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    for _ in 0..10 {
        let page = outbox.list_pending(2, cursor).await.unwrap();
        assert!(page.entries.len() <= 2);
        seen.extend(ids(&page.entries).into_iter().map(String::from));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["1-1-a", "2-1-a", "3-1-a", "4-1-a", "5-1-a"]);
    let all = outbox.list_pending(5, None).await.unwrap();
    assert_eq!(all.next, None, "an exact fit has no next page");
    let huge = outbox.list_pending(usize::MAX, None).await.unwrap();
    assert_eq!((huge.entries.len(), huge.next), (5, None));
    assert!(outbox
        .list_pending(0, None)
        .await
        .unwrap()
        .entries
        .is_empty());
    let bogus = outbox
        .list_pending(10, Some("not a cursor".into()))
        .await
        .unwrap();
    assert!(bogus.entries.is_empty() && bogus.next.is_none());

    // Dead letters: dead-time order.
    let claimed = outbox.claim_due(at(100), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 5);
    for (id, ms) in [("4-1-a", 300), ("2-1-a", 100), ("5-1-a", 200)] {
        outbox.dead_letter(id, "410", at(ms), LONG).await.unwrap();
    }
    let first = outbox.list_dead(2, None).await.unwrap();
    assert_eq!(ids(&first.entries), ["2-1-a", "5-1-a"]);
    let second = outbox.list_dead(2, first.next).await.unwrap();
    assert_eq!(ids(&second.entries), ["4-1-a"]);
    assert_eq!(second.next, None);
}

pub async fn requeue_re_drives_dead_letters(outbox: &dyn Outbox) {
    for id in ["1-1-a", "2-1-a", "3-1-a"] {
        enqueue(outbox, id, 0).await;
    }
    outbox.claim_due(at(0), LEASE, 10).await.unwrap();
    for id in ["1-1-a", "2-1-a", "3-1-a"] {
        outbox.retry(id, at(10), "500").await.unwrap();
    }
    outbox.claim_due(at(10), LEASE, 10).await.unwrap();
    for id in ["1-1-a", "2-1-a", "3-1-a"] {
        outbox.dead_letter(id, "500", at(20), LONG).await.unwrap();
    }

    assert!(!outbox.requeue("9-9-x", at(100)).await.unwrap());
    assert!(outbox.requeue("2-1-a", at(100)).await.unwrap());
    assert!(
        !outbox.requeue("2-1-a", at(100)).await.unwrap(),
        "no longer dead"
    );
    assert_eq!(outbox.counts().await.unwrap(), (1, 2));
    assert!(outbox
        .claim_due(at(99), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let redriven = claim_one(outbox, "2-1-a", 100).await;
    assert_eq!(redriven.attempts, 0);
    assert_eq!(redriven.dead_at, None);
    assert_eq!(redriven.due_at, at(100));

    assert_eq!(outbox.requeue_all(at(200)).await.unwrap(), 2);
    assert_eq!(outbox.requeue_all(at(200)).await.unwrap(), 0);
    assert_eq!(outbox.counts().await.unwrap(), (3, 0));
    let all = outbox.claim_due(at(200), LEASE, 10).await.unwrap();
    assert_eq!(ids(&all), ["1-1-a", "3-1-a"]);
    assert!(all.iter().all(|e| e.attempts == 0 && e.due_at == at(200)));

    // A re-driven item can be delivered and is then a duplicate.
    outbox.ack("1-1-a", LONG).await.unwrap();
    assert_eq!(
        outbox.enqueue(item("1-1-a"), at(300)).await.unwrap(),
        Enqueued::Duplicate
    );
    assert_eq!(outbox.counts().await.unwrap(), (2, 0));
}

/// What the contract tests get from an adapter's test module: a fresh, empty
/// outbox bounded at [`MAX_PENDING`] (plus whatever keeps its backend alive).
pub trait Fixture {
    fn outbox(&self) -> &dyn Outbox;
}

/// Defines one `#[tokio::test]` per behaviour above, each on a fresh fixture
/// built by `$make`.
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::adapters::outbox::suite::contract_tests!(@each $make;
            enqueue_is_idempotent_while_pending_delivered_or_dead,
            dedup_ids_and_dead_letters_expire_after_their_retention,
            enqueue_is_full_at_the_bound,
            claim_returns_due_items_oldest_first_up_to_max,
            a_claim_is_leased_until_the_lease_ends,
            retry_reschedules_counts_the_attempt_and_ends_the_lease,
            dead_letter_keeps_the_item_with_its_attempts,
            listings_page_in_order_with_a_cursor,
            requeue_re_drives_dead_letters,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        mod contract {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let fixture = $make;
                    $crate::adapters::outbox::suite::$name(fixture.outbox()).await;
                }
            )*
        }
    };
}
pub(crate) use contract_tests;
