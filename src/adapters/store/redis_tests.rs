//! Against a real `redis-server` started by each test on a free port.

use super::*;
use crate::adapters::store::suite;
use crate::ports::metrics::{NoMetrics, Tags};
use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use crate::adapters::redis_server::RedisServer;

/// The adapter under test, connected to `server`.
trait StoreOf {
    fn store(&self, environment: &str) -> RedisStore;
}

impl StoreOf for RedisServer {
    fn store(&self, environment: &str) -> RedisStore {
        RedisStore::new(
            &self.url(),
            environment,
            DEFAULT_TIMEOUT,
            Arc::new(NoMetrics),
        )
        .unwrap()
    }
}

#[derive(Default)]
struct Errors(AtomicI64);

impl Metrics for Errors {
    fn count<'a>(&self, name: &'static str, value: i64, _: Tags<'a>) {
        assert_eq!(name, "kv.errors");
        self.0.fetch_add(value, Ordering::Relaxed);
    }
    fn gauge<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
    fn histogram<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
}

#[tokio::test]
async fn behaves_as_a_key_value_store() {
    let server = RedisServer::start();
    suite::behaves(&server.store("test")).await;
}

#[tokio::test]
async fn keys_carry_the_environment_prefix_and_a_px_ttl() {
    let server = RedisServer::start();
    let store = server.store("staging");
    store
        .put("lock:1", b"{}", Duration::from_secs(30))
        .await
        .unwrap();

    let client = ::redis::Client::open(server.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = ::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(keys, ["connect:staging:lock:1"]);
    let pttl: i64 = ::redis::cmd("PTTL")
        .arg("connect:staging:lock:1")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!((29_000..=30_000).contains(&pttl), "{pttl}");

    // Another environment on the same server sees nothing of it.
    assert_eq!(server.store("prod").get("lock:1").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creators_through_two_instances_exactly_one_wins() {
    let server = RedisServer::start();
    let a = server.store("test");
    let b = server.store("test");
    for i in 0..50 {
        let key = format!("seat:{i}");
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let (a, key) = (a.clone(), key.clone());
                async move { a.put_if_absent(&key, b"a", Duration::from_secs(30)).await }
            }),
            tokio::spawn({
                let (b, key) = (b.clone(), key.clone());
                async move { b.put_if_absent(&key, b"b", Duration::from_secs(30)).await }
            }),
        );
        let (wa, wb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
        assert!(wa ^ wb, "key {i}: exactly one instance creates it");
        let stored = a.get(&key).await.unwrap().unwrap();
        assert_eq!(stored, if wa { b"a" } else { b"b" });
    }
}

#[tokio::test]
async fn a_stopped_server_is_unavailable_within_the_timeout() {
    let mut server = RedisServer::start();
    let errors = Arc::new(Errors::default());
    let store = RedisStore::new(&server.url(), "test", DEFAULT_TIMEOUT, errors.clone()).unwrap();
    store.put("k", b"1", Duration::from_secs(30)).await.unwrap();
    server.stop();

    for op in 0..4 {
        let started = Instant::now();
        let err = match op {
            0 => store.get("k").await.map(|_| ()),
            1 => store.put("k", b"2", Duration::from_secs(1)).await,
            2 => store
                .put_if_absent("n", b"2", Duration::from_secs(1))
                .await
                .map(|_| ()),
            _ => store.delete("k").await,
        }
        .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
        assert!(
            started.elapsed() < DEFAULT_TIMEOUT + Duration::from_millis(500),
            "op {op} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(errors.0.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn a_hung_server_times_out_and_the_store_recovers() {
    let server = RedisServer::start();
    let timeout = Duration::from_millis(300);
    let store = RedisStore::new(&server.url(), "test", timeout, Arc::new(NoMetrics)).unwrap();
    store.put("k", b"1", Duration::from_secs(30)).await.unwrap();

    server.signal("-STOP");
    let started = Instant::now();
    let err = store.get("k").await.unwrap_err();
    let took = started.elapsed();
    server.signal("-CONT");
    // The connection's response timeout or ours, whichever fires first.
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(
        took >= timeout && took < timeout + Duration::from_millis(500),
        "{took:?}"
    );

    // Once the server answers again, so does the store.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match store.get("k").await {
            Ok(v) => {
                assert_eq!(v.as_deref(), Some(&b"1"[..]));
                break;
            }
            Err(e) => assert!(Instant::now() < deadline, "no recovery: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_server_that_never_ran_is_unavailable_not_a_startup_failure() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisStore::new(
        &format!("redis://127.0.0.1:{port}/"),
        "test",
        DEFAULT_TIMEOUT,
        Arc::new(NoMetrics),
    )
    .unwrap();
    let err = store.get("k").await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
}

#[test]
fn an_invalid_url_is_refused_without_echoing_it() {
    let err = RedisStore::new(
        "http://user:hunter2@x",
        "test",
        DEFAULT_TIMEOUT,
        Arc::new(NoMetrics),
    )
    .unwrap_err();
    assert!(!err.contains("hunter2"), "{err}");
}
