use super::*;
use crate::adapters::store::suite;
use crate::ports::metrics::{NoMetrics, Tags};
use std::sync::atomic::AtomicI64;

fn store() -> MemoryStore {
    MemoryStore::new("test", Arc::new(NoMetrics))
}

#[derive(Default)]
struct Errors(AtomicI64);

impl Metrics for Errors {
    fn count<'a>(&self, name: &'static str, value: i64, tags: Tags<'a>) {
        assert_eq!(name, "kv.errors");
        assert_eq!(tags, &[("operation", "put")]);
        self.0.fetch_add(value, Ordering::Relaxed);
    }
    fn gauge<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
    fn histogram<'a>(&self, _: &'static str, _: f64, _: Tags<'a>) {}
}

#[tokio::test]
async fn behaves_as_a_key_value_store() {
    suite::behaves(&store()).await;
}

#[tokio::test]
async fn keys_carry_the_environment_prefix() {
    let s = MemoryStore::new("staging", Arc::new(NoMetrics));
    s.put("lock:1", b"{}", Duration::from_secs(5))
        .await
        .unwrap();
    let keys: Vec<String> = s.lock().keys().cloned().collect();
    assert_eq!(keys, ["connect:staging:lock:1"]);
}

#[tokio::test]
async fn clones_share_one_map() {
    let a = store();
    let b = a.clone();
    a.put("k", b"1", Duration::from_secs(5)).await.unwrap();
    assert_eq!(b.get("k").await.unwrap().as_deref(), Some(&b"1"[..]));
    assert!(!b
        .put_if_absent("k", b"2", Duration::from_secs(5))
        .await
        .unwrap());
}

#[test]
fn concurrent_creators_on_many_threads_exactly_one_wins() {
    for round in 0..50 {
        let s = store();
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let s = s.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .unwrap();
                    barrier.wait();
                    rt.block_on(s.put_if_absent("seat", &[i], Duration::from_secs(5)))
                        .unwrap()
                })
            })
            .collect();
        let wins = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|w| *w)
            .count();
        assert_eq!(wins, 1, "round {round}");
    }
}

#[tokio::test]
async fn expired_entries_are_removed_on_read_and_by_sweep() {
    let s = store();
    s.put("a", b"1", Duration::from_millis(30)).await.unwrap();
    s.put("b", b"1", Duration::from_millis(30)).await.unwrap();
    s.put("c", b"1", Duration::from_secs(60)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(s.len(), 3, "expired entries stay until read or swept");
    assert_eq!(s.get("a").await.unwrap(), None);
    assert_eq!(s.len(), 2, "read removed the expired entry");
    assert_eq!(s.sweep(), 1);
    assert_eq!(s.len(), 1);
    assert!(s.get("c").await.unwrap().is_some());
}

#[tokio::test]
async fn the_sweeper_runs_periodically_and_stops_with_the_store() {
    let s = store();
    s.put("a", b"1", Duration::from_millis(10)).await.unwrap();
    let handle = s.spawn_sweeper(Duration::from_millis(20));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(s.is_empty(), "swept without a read");
    drop(s);
    tokio::time::timeout(Duration::from_secs(2), handle)
        .await
        .expect("the sweeper stops once the store is dropped")
        .unwrap();
}

#[tokio::test]
async fn a_full_store_refuses_new_keys_but_not_overwrites() {
    let errors = Arc::new(Errors::default());
    let s = MemoryStore::with_max_entries("test", 2, errors.clone());
    let ttl = Duration::from_secs(60);
    s.put("a", b"1", ttl).await.unwrap();
    assert!(s.put_if_absent("b", b"1", ttl).await.unwrap());

    let err = s.put("c", b"1", ttl).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unavailable(ref m) if m.contains("full")),
        "{err}"
    );
    assert!(s.put_if_absent("c", b"1", ttl).await.is_err());
    assert_eq!(errors.0.load(Ordering::Relaxed), 2);
    assert!(s.inner.full.load(Ordering::Relaxed));

    // Existing keys can still be overwritten, read and deleted.
    s.put("a", b"2", ttl).await.unwrap();
    assert_eq!(s.get("a").await.unwrap().as_deref(), Some(&b"2"[..]));
    s.delete("b").await.unwrap();
    s.put("c", b"1", ttl).await.unwrap();
    assert!(!s.inner.full.load(Ordering::Relaxed), "accepting again");
}

#[tokio::test]
async fn a_full_store_makes_room_by_dropping_expired_entries() {
    let s = MemoryStore::with_max_entries("test", 1, Arc::new(NoMetrics));
    s.put("a", b"1", Duration::from_millis(10)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(s
        .put_if_absent("b", b"1", Duration::from_secs(5))
        .await
        .unwrap());
    assert_eq!(s.len(), 1);
}
