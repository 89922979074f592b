//! With trace export on and an agent that accepts connections but never answers,
//! requests are not slowed down and shutdown still returns (40 §2, §7.1).

#[path = "common/mod.rs"]
mod common;

use connect_api::adapters::telemetry;
use std::net::TcpListener;
use std::time::{Duration, Instant};

#[actix_web::test]
async fn a_silent_agent_blocks_neither_requests_nor_shutdown() {
    // Arrange: a listener that is never read from.
    let black_hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = black_hole.local_addr().unwrap().port();
    let mut settings = common::test_settings();
    settings.dd_agent_host = "127.0.0.1".into();
    settings.dd_trace_agent_port = port;
    settings.dd_dogstatsd_port = port;
    let telemetry = telemetry::install(&settings, std::io::sink);
    let app = common::spawn_app(settings).await;

    for _ in 0..10 {
        app.get("/health", &[]).await;
    }
    // The batch exporter (every 500 ms) is now stuck on the silent agent.
    actix_rt::time::sleep(Duration::from_millis(800)).await;

    // Act
    let started = Instant::now();
    for _ in 0..20 {
        let res = app.get("/health", &[]).await;
        assert_eq!(res.status(), 200);
    }
    let elapsed = started.elapsed();

    // Assert
    assert!(
        elapsed < Duration::from_secs(2),
        "requests took {elapsed:?}"
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        telemetry.shutdown();
        let _ = tx.send(());
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(20)).is_ok(),
        "shutdown did not return"
    );
    drop(black_hole);
}
