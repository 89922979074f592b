//! Against a real `redis-server` started by each test on a free port.

use super::*;
use crate::adapters::outbox::suite::{self, Fixture, MAX_PENDING};
use crate::adapters::store::redis::{RedisStore, DEFAULT_TIMEOUT};
use crate::ports::metrics::NoMetrics;

use crate::adapters::redis_server::RedisServer;

/// A server and an outbox on it (the server stops on drop).
struct OnRedis {
    outbox: RedisOutbox,
    _server: RedisServer,
}

impl OnRedis {
    fn start() -> Self {
        let server = RedisServer::start();
        Self {
            outbox: outbox_on(&server, "test", Arc::new(NoMetrics)),
            _server: server,
        }
    }
}

impl Fixture for OnRedis {
    fn outbox(&self) -> &dyn Outbox {
        &self.outbox
    }
}

/// A new adapter (with its own connection, as another instance would have).
fn outbox_on(server: &RedisServer, environment: &str, metrics: Arc<dyn Metrics>) -> RedisOutbox {
    let store = RedisStore::new(
        &server.url(),
        environment,
        DEFAULT_TIMEOUT,
        Arc::new(NoMetrics),
    )
    .unwrap();
    RedisOutbox::new(
        store.connection(),
        environment,
        MAX_PENDING,
        DEFAULT_TIMEOUT,
        metrics,
    )
}

suite::contract_tests!(OnRedis::start());

fn t0() -> Timestamp {
    Timestamp::from_second(1_775_390_400).unwrap()
}

const LEASE: Duration = Duration::from_secs(30);

/// A plain connection for looking at keys.
async fn raw(server: &RedisServer) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

#[derive(Default)]
struct Errors(std::sync::atomic::AtomicI64);

impl Metrics for Errors {
    fn count<'a>(&self, name: &'static str, value: i64, _: crate::ports::metrics::Tags<'a>) {
        assert_eq!(name, "outbox.errors");
        self.0
            .fetch_add(value, std::sync::atomic::Ordering::Relaxed);
    }
    fn gauge<'a>(&self, _: &'static str, _: f64, _: crate::ports::metrics::Tags<'a>) {}
    fn histogram<'a>(&self, _: &'static str, _: f64, _: crate::ports::metrics::Tags<'a>) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_claiming_concurrently_never_share_an_item_within_a_lease() {
    let server = RedisServer::start();
    let a = outbox_on(&server, "test", Arc::new(NoMetrics));
    let b = outbox_on(&server, "test", Arc::new(NoMetrics));
    let a = RedisOutbox {
        max_pending: 1000,
        ..a
    };
    let n = 200;
    for i in 0..n {
        let queued = a
            .enqueue(suite::item(&format!("{i}-1-a")), t0())
            .await
            .unwrap();
        assert_eq!(queued, Enqueued::Enqueued);
    }

    // Two waves: at t0, then when every lease has run out.
    for wave in 0..2 {
        let now = t0() + jiff::SignedDuration::from_secs(30 * wave);
        let mut tasks = Vec::new();
        for k in 0..40 {
            let outbox = if k % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                outbox.claim_due(now, LEASE, 7).await.unwrap()
            }));
        }
        let mut seen = std::collections::HashSet::new();
        for task in tasks {
            for entry in task.await.unwrap() {
                assert!(
                    seen.insert(entry.item.notification_id.clone()),
                    "wave {wave}: {} claimed twice",
                    entry.item.notification_id
                );
                assert_eq!(entry.attempts, 0);
            }
        }
        assert_eq!(seen.len(), n, "wave {wave}: every item claimed once");
        assert!(b.claim_due(now, LEASE, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn items_survive_a_restart_of_the_adapter() {
    let server = RedisServer::start();
    let before = outbox_on(&server, "test", Arc::new(NoMetrics));
    for id in ["1-1-a", "2-1-a", "3-1-a", "4-1-a"] {
        before.enqueue(suite::item(id), t0()).await.unwrap();
    }
    let claimed = before.claim_due(t0(), LEASE, 3).await.unwrap();
    assert_eq!(claimed.len(), 3);
    before
        .ack("1-1-a", Duration::from_secs(3600))
        .await
        .unwrap();
    before
        .dead_letter("2-1-a", "410", t0(), Duration::from_secs(3600))
        .await
        .unwrap();
    drop(before);

    let after = outbox_on(&server, "test", Arc::new(NoMetrics));
    assert_eq!(after.counts().await.unwrap(), (2, 1));
    let dup = after.enqueue(suite::item("1-1-a"), t0()).await.unwrap();
    assert_eq!(dup, Enqueued::Duplicate, "the dedup id survived");
    let dead = after.list_dead(10, None).await.unwrap().entries;
    assert_eq!(dead[0].item, suite::item("2-1-a"));
    // 3 is still leased by the dead instance; 4 was never claimed.
    let now = after.claim_due(t0(), LEASE, 10).await.unwrap();
    assert_eq!(now[0].item, suite::item("4-1-a"));
    assert_eq!(now.len(), 1);
    let later = after
        .claim_due(t0() + jiff::SignedDuration::from_secs(30), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(later[0].item, suite::item("3-1-a"));
}

#[tokio::test]
async fn keys_follow_the_layout_under_the_environment_prefix() {
    let server = RedisServer::start();
    let outbox = outbox_on(&server, "staging", Arc::new(NoMetrics));
    for id in ["1-1-a", "2-1-a", "3-1-a"] {
        outbox.enqueue(suite::item(id), t0()).await.unwrap();
    }
    outbox.claim_due(t0(), LEASE, 2).await.unwrap();
    outbox.ack("1-1-a", Duration::from_secs(60)).await.unwrap();
    outbox
        .dead_letter("2-1-a", "410", t0(), Duration::from_secs(120))
        .await
        .unwrap();

    let mut conn = raw(&server).await;
    let mut keys: Vec<String> = ::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "connect:staging:outbox:dead",
            "connect:staging:outbox:done:1-1-a",
            "connect:staging:outbox:due",
            "connect:staging:outbox:item:2-1-a",
            "connect:staging:outbox:item:3-1-a",
        ]
    );
    let pttl = |key: &'static str| ::redis::cmd("PTTL").arg(key).clone();
    let done: i64 = pttl("connect:staging:outbox:done:1-1-a")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((59_000..=60_000).contains(&done), "{done}");
    let dead: i64 = pttl("connect:staging:outbox:item:2-1-a")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((119_000..=120_000).contains(&dead), "{dead}");
    let pending: i64 = pttl("connect:staging:outbox:item:3-1-a")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(pending, -1, "pending items never expire");
    let payload: Vec<u8> = ::redis::cmd("HGET")
        .arg("connect:staging:outbox:item:3-1-a")
        .arg("payload")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(payload, suite::item("3-1-a").payload, "raw bytes");
    let due: Vec<(String, f64)> = ::redis::cmd("ZRANGE")
        .arg("connect:staging:outbox:due")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(due, [("3-1-a".to_string(), 1_775_390_400_000.0)]);

    // Another environment on the same server sees nothing of it.
    let prod = outbox_on(&server, "prod", Arc::new(NoMetrics));
    assert_eq!(prod.counts().await.unwrap(), (0, 0));
}

#[tokio::test]
async fn scripts_are_reloaded_after_a_script_flush() {
    let server = RedisServer::start();
    let outbox = outbox_on(&server, "test", Arc::new(NoMetrics));
    outbox.enqueue(suite::item("1-1-a"), t0()).await.unwrap();
    let mut conn = raw(&server).await;
    let _: () = ::redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    let queued = outbox.enqueue(suite::item("2-1-a"), t0()).await.unwrap();
    assert_eq!(queued, Enqueued::Enqueued);
    assert_eq!(outbox.claim_due(t0(), LEASE, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_stopped_server_is_unavailable_and_counted() {
    let mut server = RedisServer::start();
    let errors = Arc::new(Errors::default());
    let outbox = outbox_on(&server, "test", errors.clone());
    outbox.enqueue(suite::item("1-1-a"), t0()).await.unwrap();
    server.stop();

    let started = std::time::Instant::now();
    let err = outbox
        .enqueue(suite::item("2-1-a"), t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(started.elapsed() < DEFAULT_TIMEOUT + Duration::from_millis(500));
    let err = outbox.claim_due(t0(), LEASE, 10).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    let err = outbox.list_pending(10, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(errors.0.load(std::sync::atomic::Ordering::Relaxed), 3);
}
