//! Outbound delivery (30 §8) against a real test receiver (wiremock) over real
//! HTTP, with the awc sender, the in-memory outbox and a hand-moved clock: the
//! retry schedule is checked by moving time, never by sleeping.

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use connect_api::adapters::clients_file::FileClientDirectory;
use connect_api::adapters::outbox::MemoryOutbox;
use connect_api::adapters::webhook_sender::AwcNotificationSender;
use connect_api::app::notifications::{Delivered, Deliverer, DeliverySettings};
use connect_api::ports::clock::Clock;
use connect_api::ports::metrics::{Metrics, Tags};
use connect_api::ports::outbox::{Enqueued, Outbox, OutboxItem};

const SIGN_VAR: &str = "CONNECT_TEST_DELIVERY_SIGN";
const SIGN_SECRET: &str = "delivery-signing-secret";
const ID: &str = "87654321-1775390400-booking_canceled";
const BODY: &str =
    r#"{"notification_id":"87654321-1775390400-booking_canceled","event":"booking.cancelled"}"#;

/// A clock the test moves by hand.
#[derive(Clone)]
struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    fn at(t: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(t)))
    }
    fn set(&self, t: Timestamp) {
        *self.0.lock().unwrap() = t;
    }
    fn get(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.get()
    }
}

/// Every metric as `name|tag:value,…`.
#[derive(Default)]
struct Recorded(Mutex<Vec<String>>);

impl Recorded {
    fn record(&self, name: &str, tags: Tags<'_>) {
        let t: Vec<String> = tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("{name}|{}", t.join(",")));
    }
    fn names(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Metrics for Recorded {
    fn count<'a>(&self, name: &'static str, _: i64, tags: Tags<'a>) {
        self.record(name, tags);
    }
    fn gauge<'a>(&self, name: &'static str, _: f64, tags: Tags<'a>) {
        self.record(name, tags);
    }
    fn histogram<'a>(&self, name: &'static str, _: f64, tags: Tags<'a>) {
        self.record(name, tags);
    }
}

struct Rig {
    receiver: MockServer,
    outbox: Arc<MemoryOutbox>,
    clock: ManualClock,
    metrics: Arc<Recorded>,
    deliverer: Deliverer,
    t0: Timestamp,
}

fn t0() -> Timestamp {
    // Whole seconds, so timestamps compare exactly.
    Timestamp::from_second(Timestamp::now().as_second()).unwrap()
}

/// Client `acme` posts to `{receiver}/hook`; `client_url` overrides the URL
/// (`None` = no `notifications` table).
async fn rig_with(attempt_timeout: Duration, client_url: Option<Option<&str>>) -> Rig {
    std::env::set_var(SIGN_VAR, SIGN_SECRET);
    let receiver = MockServer::start().await;
    let hook = format!("{}/hook", receiver.uri());
    let table = match client_url {
        None => Some(hook.as_str()),
        Some(u) => u,
    }
    .map(|u| {
        format!(
            "[clients.acme.notifications]\nwebhook_url = \"{u}\"\nsigning_secret_env = \"{SIGN_VAR}\"\n"
        )
    })
    .unwrap_or_default();
    let file = crate::common::write_registry(&table);
    let clients = Arc::new(FileClientDirectory::load(std::path::Path::new(&file)).unwrap());
    let outbox = Arc::new(MemoryOutbox::new(100));
    let t0 = t0();
    let clock = ManualClock::at(t0);
    let metrics = Arc::new(Recorded::default());
    let settings = DeliverySettings {
        attempt_timeout,
        ..DeliverySettings::default()
    };
    let deliverer = Deliverer::new(
        outbox.clone(),
        Rc::new(AwcNotificationSender::new(4).unwrap()),
        clients,
        Arc::new(clock.clone()),
        metrics.clone(),
        settings,
    )
    .with_jitter(Box::new(|| 0.0));
    outbox
        .enqueue(
            OutboxItem {
                notification_id: ID.into(),
                client_id: "acme".into(),
                bid: "87654321".into(),
                payload: BODY.as_bytes().to_vec(),
                received_at: t0,
            },
            t0,
        )
        .await
        .unwrap();
    Rig {
        receiver,
        outbox,
        clock,
        metrics,
        deliverer,
        t0,
    }
}

async fn rig() -> Rig {
    rig_with(Duration::from_secs(10), None).await
}

fn sign(ts: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SIGN_SECRET.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn answer(r: &Rig, template: ResponseTemplate) {
    r.receiver.reset().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(template)
        .mount(&r.receiver)
        .await;
}

async fn calls(r: &Rig) -> usize {
    r.receiver.received_requests().await.unwrap().len()
}

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

#[actix_rt::test]
async fn a_2xx_delivers_once_with_the_signed_envelope() {
    // Arrange
    let r = rig().await;
    answer(&r, ResponseTemplate::new(204)).await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert
    assert_eq!(out, vec![Delivered::Success]);
    let reqs = r.receiver.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    let h = |k: &str| req.headers.get(k).unwrap().to_str().unwrap().to_owned();
    assert_eq!(req.body, BODY.as_bytes());
    assert_eq!(h("content-type"), "application/json");
    assert_eq!(h("x-travelier-notification-id"), ID);
    assert_eq!(h("x-travelier-timestamp"), r.t0.as_second().to_string());
    assert_eq!(
        h("x-travelier-signature"),
        sign(&r.t0.as_second().to_string(), BODY.as_bytes())
    );
    assert_eq!(r.outbox.counts().await.unwrap(), (0, 0));
    // Delivered ids are remembered: the same notification is not queued again.
    let again = OutboxItem {
        notification_id: ID.into(),
        client_id: "acme".into(),
        bid: "87654321".into(),
        payload: BODY.as_bytes().to_vec(),
        received_at: r.t0,
    };
    assert_eq!(
        r.outbox.enqueue(again, r.t0).await.unwrap(),
        Enqueued::Duplicate
    );
    assert!(r.deliverer.deliver_due(10).await.unwrap().is_empty());
    assert_eq!(calls(&r).await, 1);
    let m = r.metrics.names();
    assert!(m.contains(&"notification.delivery|client_id:acme,outcome:success".to_owned()));
    assert!(m.contains(&"notification.delivery_latency|client_id:acme".to_owned()));
}

#[actix_rt::test]
async fn a_5xx_is_retried_on_the_1_2_4_8_16_minute_schedule_then_dead_lettered() {
    // Arrange
    let r = rig().await;
    answer(&r, ResponseTemplate::new(503)).await;
    let mut now = r.t0;
    // Act + Assert: attempts 1..5 each schedule the next one base × 2^(k−1) later.
    for (k, delay) in [60, 120, 240, 480, 960].into_iter().enumerate() {
        let out = r.deliverer.deliver_due(10).await.unwrap();
        let due = now.checked_add(secs(delay)).unwrap();
        assert_eq!(out, vec![Delivered::Retry { due }], "attempt {}", k + 1);
        assert_eq!(calls(&r).await, k + 1);
        // One second early: nothing is due, nothing is sent.
        r.clock.set(due.checked_sub(secs(1)).unwrap());
        assert!(r.deliverer.deliver_due(10).await.unwrap().is_empty());
        assert_eq!(calls(&r).await, k + 1);
        now = due;
        r.clock.set(now);
    }
    // The 6th attempt is the last: about 31 minutes after the first.
    assert_eq!(now.duration_since(r.t0), secs(1860));
    let out = r.deliverer.deliver_due(10).await.unwrap();
    assert_eq!(out, vec![Delivered::DeadLetter]);
    assert_eq!(calls(&r).await, 6);
    assert_eq!(r.outbox.counts().await.unwrap(), (0, 1));
    let dead = r.outbox.list_dead(10, None).await.unwrap().entries;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].item.notification_id, ID);
    assert_eq!(dead[0].attempts, 6);
    assert_eq!(dead[0].last_status.as_deref(), Some("503"));
    // Every attempt carried its own timestamp.
    let stamps: Vec<String> = r
        .receiver
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|q| {
            let ts = q
                .headers
                .get("x-travelier-timestamp")
                .unwrap()
                .to_str()
                .unwrap();
            assert_eq!(
                q.headers
                    .get("x-travelier-signature")
                    .unwrap()
                    .to_str()
                    .unwrap(),
                sign(ts, BODY.as_bytes())
            );
            ts.to_owned()
        })
        .collect();
    let expected: Vec<String> = [0, 60, 180, 420, 900, 1860]
        .iter()
        .map(|s| (r.t0.as_second() + s).to_string())
        .collect();
    assert_eq!(stamps, expected);
    let m = r.metrics.names();
    let count = |s: &str| m.iter().filter(|x| *x == s).count();
    assert_eq!(
        count("notification.delivery|client_id:acme,outcome:retry"),
        5
    );
    assert_eq!(
        count("notification.delivery|client_id:acme,outcome:dead_letter"),
        1
    );
}

#[actix_rt::test]
async fn a_429_waits_at_least_its_retry_after() {
    // Arrange
    let r = rig().await;
    answer(
        &r,
        ResponseTemplate::new(429).insert_header("retry-after", "150"),
    )
    .await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert: 150 s, not the 60 s base delay.
    let due = r.t0.checked_add(secs(150)).unwrap();
    assert_eq!(out, vec![Delivered::Retry { due }]);
    let pending = r.outbox.list_pending(10, None).await.unwrap().entries;
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(pending[0].due_at, due);
    assert_eq!(pending[0].last_status.as_deref(), Some("429"));
}

#[actix_rt::test]
async fn a_timeout_is_retried() {
    // Arrange
    let r = rig_with(Duration::from_millis(300), None).await;
    answer(
        &r,
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
    )
    .await;
    // Act
    let started = std::time::Instant::now();
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the attempt timeout was not applied"
    );
    let due = r.t0.checked_add(secs(60)).unwrap();
    assert_eq!(out, vec![Delivered::Retry { due }]);
    let pending = r.outbox.list_pending(10, None).await.unwrap().entries;
    assert_eq!(pending[0].last_status.as_deref(), Some("timeout"));
}

#[actix_rt::test]
async fn a_4xx_is_final_and_a_redrive_delivers_it() {
    // Arrange
    let r = rig().await;
    answer(&r, ResponseTemplate::new(400)).await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert: one attempt, then a dead letter.
    assert_eq!(out, vec![Delivered::DeadLetter]);
    let dead = r.outbox.list_dead(10, None).await.unwrap().entries;
    assert_eq!(
        (dead[0].attempts, dead[0].last_status.as_deref()),
        (1, Some("400"))
    );
    r.clock.set(r.t0.checked_add(secs(3600)).unwrap());
    assert!(r.deliverer.deliver_due(10).await.unwrap().is_empty());
    assert_eq!(calls(&r).await, 1);
    // Re-drive after the client fixed its endpoint.
    answer(&r, ResponseTemplate::new(200)).await;
    assert!(r.outbox.requeue(ID, r.clock.get()).await.unwrap());
    assert_eq!(
        r.deliverer.deliver_due(10).await.unwrap(),
        vec![Delivered::Success]
    );
    assert_eq!(calls(&r).await, 1);
    assert_eq!(r.outbox.counts().await.unwrap(), (0, 0));
}

#[actix_rt::test]
async fn redirects_are_not_followed() {
    // Arrange
    let r = rig().await;
    let elsewhere = format!("{}/elsewhere", r.receiver.uri());
    answer(
        &r,
        ResponseTemplate::new(307).insert_header("location", elsewhere.as_str()),
    )
    .await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert
    assert_eq!(out, vec![Delivered::DeadLetter]);
    let reqs = r.receiver.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].url.path(), "/hook");
}

#[actix_rt::test]
async fn a_client_without_a_webhook_url_is_retried_without_a_call() {
    // Arrange: the registry entry lost its `notifications` table.
    let r = rig_with(Duration::from_secs(10), Some(None)).await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert
    let due = r.t0.checked_add(secs(60)).unwrap();
    assert_eq!(out, vec![Delivered::Retry { due }]);
    assert_eq!(calls(&r).await, 0);
    let pending = r.outbox.list_pending(10, None).await.unwrap().entries;
    assert_eq!(pending[0].last_status.as_deref(), Some("not_configured"));
}

#[actix_rt::test]
async fn a_refused_connection_is_retried() {
    // Arrange: nothing listens on port 9.
    let r = rig_with(
        Duration::from_secs(5),
        Some(Some("http://127.0.0.1:9/hook")),
    )
    .await;
    // Act
    let out = r.deliverer.deliver_due(10).await.unwrap();
    // Assert
    let due = r.t0.checked_add(secs(60)).unwrap();
    assert_eq!(out, vec![Delivered::Retry { due }]);
    let pending = r.outbox.list_pending(10, None).await.unwrap().entries;
    assert_eq!(pending[0].last_status.as_deref(), Some("network_error"));
}

/// The whole loop in one app: 12go's webhook in, the partner's notification out.
mod through_the_app {
    use serde_json::{json, Value};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::{sign, SIGN_SECRET, SIGN_VAR};
    use crate::common::{self, TestApp};
    use crate::funnel::fixtures::mount_owned_booking;
    use crate::funnel::fixtures::BID;
    use crate::helpers::spawn_with_fake_12go_and;

    const KEY_VAR: &str = "CONNECT_TEST_DELIVERY_INBOUND_KEY";

    async fn start(receiver: &MockServer) -> (TestApp, MockServer) {
        std::env::set_var(SIGN_VAR, SIGN_SECRET);
        std::env::set_var(KEY_VAR, "inbound-key");
        let hook = format!("{}/hook", receiver.uri());
        let registry = common::webhook_client("loop", KEY_VAR, Some((&hook, SIGN_VAR)));
        let (app, server) = spawn_with_fake_12go_and(&registry, |_| {}).await;
        mount_owned_booking(&server).await;
        (app, server)
    }

    async fn wait_for_calls(receiver: &MockServer, n: usize) -> Vec<wiremock::Request> {
        for _ in 0..150 {
            let reqs = receiver.received_requests().await.unwrap();
            if reqs.len() >= n {
                return reqs;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the receiver never got {n} call(s)");
    }

    async fn pending_count(app: &TestApp) -> usize {
        let res = app
            .client
            .get(app.admin_url("/admin/notifications/pending"))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        body["items"].as_array().map_or(usize::MAX, Vec::len)
    }

    #[actix_rt::test]
    async fn an_accepted_webhook_reaches_the_partner_signed_and_at_once() {
        // Arrange
        let receiver = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&receiver)
            .await;
        let (app, _server) = start(&receiver).await;
        let event = json!({"bid": BID.parse::<i64>().unwrap(), "type": "booking_confirmed",
            "stamp": 1775390400_i64, "previous_data": {"status": "pending"}});
        // Act
        let res = app
            .client
            .post(app.url("/v1/notifications/onetwogo?client_id=loop"))
            .header("x-webhook-key", "inbound-key")
            .body(event.to_string())
            .send()
            .await
            .unwrap();
        // Assert: delivered on the wake-up, well before the 1 s poll.
        assert_eq!(res.status(), 200);
        let reqs = wait_for_calls(&receiver, 1).await;
        assert_eq!(reqs.len(), 1);
        let req = &reqs[0];
        let h = |k: &str| req.headers.get(k).unwrap().to_str().unwrap().to_owned();
        let id = format!("{BID}-1775390400-booking_confirmed");
        assert_eq!(h("x-travelier-notification-id"), id);
        let ts = h("x-travelier-timestamp");
        let age = jiff::Timestamp::now().as_second() - ts.parse::<i64>().unwrap();
        assert!((0..=5).contains(&age), "timestamp {ts} is not now");
        assert_eq!(h("x-travelier-signature"), sign(&ts, &req.body));
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["notification_id"], id);
        assert_eq!(body["event"], "booking.confirmed");
        assert_eq!(body["booking_id"], BID);
        assert_eq!(body["previous_status"], "pending");
        for _ in 0..50 {
            if pending_count(&app).await == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(pending_count(&app).await, 0);
        // 12go redelivers the same webhook: the partner is not called twice.
        let again = app
            .client
            .post(app.url("/v1/notifications/onetwogo?client_id=loop"))
            .header("x-webhook-key", "inbound-key")
            .body(event.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
    }

    async fn admin_items(app: &TestApp, which: &str) -> Vec<Value> {
        let res = app
            .client
            .get(app.admin_url(&format!("/admin/notifications/{which}")))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        body["items"].as_array().cloned().unwrap()
    }

    #[actix_rt::test]
    async fn a_4xx_makes_a_dead_letter_that_the_admin_port_re_drives() {
        // Arrange: the partner refuses once (400), then accepts.
        let receiver = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(400))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&receiver)
            .await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&receiver)
            .await;
        let (app, _server) = start(&receiver).await;
        let event = json!({"bid": BID.parse::<i64>().unwrap(), "type": "booking_canceled",
            "stamp": 1775390400_i64});
        let res = app
            .client
            .post(app.url("/v1/notifications/12go/loop"))
            .header("x-webhook-key", "inbound-key")
            .body(event.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let id = format!("{BID}-1775390400-booking_canceled");
        let mut dead = Vec::new();
        for _ in 0..150 {
            dead = admin_items(&app, "dead-letters").await;
            if !dead.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(dead.len(), 1, "no dead letter");
        assert_eq!(dead[0]["notification_id"], id);
        assert_eq!(dead[0]["client_id"], "loop");
        assert_eq!(dead[0]["attempts"], 1);
        assert_eq!(dead[0]["last_status"], "400");
        assert!(dead[0]["dead_at"].is_string());
        assert!(admin_items(&app, "pending").await.is_empty());
        // Act
        let requeued = app
            .client
            .post(app.admin_url(&format!("/admin/notifications/dead-letters/{id}/requeue")))
            .send()
            .await
            .unwrap();
        // Assert: re-driven at once, delivered, nothing left anywhere.
        assert_eq!(requeued.status(), 200);
        assert_eq!(
            requeued.json::<Value>().await.unwrap(),
            json!({"requeued": 1})
        );
        let reqs = wait_for_calls(&receiver, 2).await;
        assert_eq!(reqs.len(), 2);
        assert_eq!(
            reqs[1].headers["x-travelier-notification-id"]
                .to_str()
                .unwrap(),
            id
        );
        for _ in 0..50 {
            if pending_count(&app).await == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(pending_count(&app).await, 0);
        assert!(admin_items(&app, "dead-letters").await.is_empty());
    }
}

#[actix_rt::test]
async fn the_worker_delivers_then_drains_its_attempt_in_flight_on_stop() {
    use connect_api::app::notifications::worker::{run, WorkerControl};
    // Arrange: a receiver slow enough that the stop lands mid-attempt.
    let r = rig().await;
    answer(
        &r,
        ResponseTemplate::new(200).set_delay(Duration::from_millis(400)),
    )
    .await;
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let control = WorkerControl {
        wake: Arc::new(tokio::sync::Notify::new()),
        stop,
        drain: Duration::from_secs(5),
        volatile: true,
    };
    let (outbox, metrics, receiver) = (r.outbox.clone(), r.metrics.clone(), &r.receiver);
    let worker = actix_rt::spawn(run(Rc::new(r.deliverer), control));
    // Act
    for _ in 0..100 {
        if !receiver.received_requests().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(outbox.counts().await.unwrap(), (1, 0), "not yet acked");
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(3), worker)
        .await
        .expect("the worker stops within its drain window")
        .unwrap();
    // Assert: the attempt in flight finished and was recorded before the exit.
    assert_eq!(outbox.counts().await.unwrap(), (0, 0));
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
    let m = metrics.names();
    assert!(
        m.contains(&"notification.outbox_pending|".to_owned()),
        "{m:?}"
    );
    assert!(m.contains(&"notification.dead_letters|".to_owned()));
    assert!(m.contains(&"notification.delivery|client_id:acme,outcome:success".to_owned()));
}
