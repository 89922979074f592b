//! The behaviour every [`KeyValue`] adapter must show, run against each adapter.

use std::time::Duration;

use crate::ports::kv::KeyValue;

const LONG: Duration = Duration::from_secs(60);

/// Runs every check, with keys under a fresh random namespace so that suites
/// can share one backend.
pub async fn behaves(kv: &dyn KeyValue) {
    let ns = uuid::Uuid::new_v4().simple().to_string();
    let k = |name: &str| format!("suite:{ns}:{name}");

    // get: absent.
    assert_eq!(kv.get(&k("absent")).await.unwrap(), None);

    // put / get round trip, JSON bytes and arbitrary bytes alike.
    let json = br#"{"booking_id":"b1","seats":[1,2]}"#;
    kv.put(&k("a"), json, LONG).await.unwrap();
    assert_eq!(kv.get(&k("a")).await.unwrap().as_deref(), Some(&json[..]));
    let binary = [0u8, 255, 10, 13, 0];
    kv.put(&k("bin"), &binary, LONG).await.unwrap();
    assert_eq!(
        kv.get(&k("bin")).await.unwrap().as_deref(),
        Some(&binary[..])
    );

    // put overwrites.
    kv.put(&k("a"), b"2", LONG).await.unwrap();
    assert_eq!(kv.get(&k("a")).await.unwrap().as_deref(), Some(&b"2"[..]));

    // put_if_absent: creates once, never overwrites a live value.
    assert!(kv.put_if_absent(&k("once"), b"first", LONG).await.unwrap());
    assert!(!kv.put_if_absent(&k("once"), b"second", LONG).await.unwrap());
    assert_eq!(
        kv.get(&k("once")).await.unwrap().as_deref(),
        Some(&b"first"[..])
    );

    // delete: removes; absent is fine; the key can be created again.
    kv.delete(&k("once")).await.unwrap();
    assert_eq!(kv.get(&k("once")).await.unwrap(), None);
    kv.delete(&k("once")).await.unwrap();
    assert!(kv.put_if_absent(&k("once"), b"third", LONG).await.unwrap());

    // TTL: visible before, gone after; put_if_absent succeeds on an expired key;
    // put resets the TTL.
    let short = Duration::from_millis(150);
    kv.put(&k("ttl"), b"x", short).await.unwrap();
    assert!(kv.put_if_absent(&k("ttl-nx"), b"x", short).await.unwrap());
    kv.put(&k("renewed"), b"x", short).await.unwrap();
    kv.put(&k("renewed"), b"y", LONG).await.unwrap();
    assert!(kv.get(&k("ttl")).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(kv.get(&k("ttl")).await.unwrap(), None);
    assert!(kv
        .put_if_absent(&k("ttl-nx"), b"again", LONG)
        .await
        .unwrap());
    assert_eq!(
        kv.get(&k("renewed")).await.unwrap().as_deref(),
        Some(&b"y"[..])
    );

    // A zero TTL is accepted and expires.
    kv.put(&k("zero"), b"x", Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(kv.get(&k("zero")).await.unwrap(), None);

    // Concurrent creators through one adapter: exactly one wins.
    for i in 0..20 {
        let key = k(&format!("race-{i}"));
        let (a, b) = tokio::join!(
            kv.put_if_absent(&key, b"a", LONG),
            kv.put_if_absent(&key, b"b", LONG)
        );
        assert!(
            a.unwrap() ^ b.unwrap(),
            "race {i}: exactly one creator wins"
        );
    }
}
