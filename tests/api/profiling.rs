//! Admin diagnostics (40 §5, §9 check 4): CPU profile, flame graph, thread dump,
//! and the admin token. The profiler is process-wide, so profiling tests take a lock.

use connect_api::adapters::config::SecretString;
use flate2::read::GzDecoder;
use pprof::protos::Message;
use serde_json::Value;
use std::io::Read;
use tokio::sync::Mutex;

use crate::common::TestApp;
use crate::helpers::{assert_error, error_body, header, spawn_sandbox_and, JSON_UTF8};

static PROFILER: Mutex<()> = Mutex::const_new(());
const TOKEN: &str = "admin-s3cret";

async fn admin_get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut r = app.client.get(app.admin_url(path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

async fn spawn_with_token() -> TestApp {
    spawn_sandbox_and(|s| s.admin_token = Some(SecretString::from(TOKEN.to_owned()))).await
}

/// Busy work on a plain thread so the profile has samples.
fn burn_cpu_for(ms: u64) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let end = std::time::Instant::now() + std::time::Duration::from_millis(ms);
        let mut x = 0u64;
        while std::time::Instant::now() < end {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        x
    })
}

#[actix_web::test]
async fn profile_is_a_gzipped_pprof_protobuf() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    let _lock = PROFILER.lock().await;
    let burner = burn_cpu_for(1_200);
    // Act
    let res = admin_get(&app, "/debug/pprof/profile?seconds=1", &[]).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/octet-stream");
    let gz = res.bytes().await.unwrap();
    assert_eq!(gz[..2], [0x1f, 0x8b], "gzip magic");
    let mut raw = Vec::new();
    GzDecoder::new(&gz[..]).read_to_end(&mut raw).unwrap();
    let profile = pprof::protos::Profile::decode(&raw[..]).unwrap();
    let strings = &profile.string_table;
    let types: Vec<(&str, &str)> = profile
        .sample_type
        .iter()
        .map(|t| (&*strings[t.ty as usize], &*strings[t.unit as usize]))
        .collect();
    assert_eq!(types, [("samples", "count"), ("cpu", "nanoseconds")]);
    assert!(!profile.sample.is_empty(), "no samples in 1 s of busy work");
    burner.join().unwrap();
}

#[actix_web::test]
async fn flamegraph_is_svg() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    let _lock = PROFILER.lock().await;
    let burner = burn_cpu_for(1_200);
    // Act
    let res = admin_get(&app, "/debug/pprof/flamegraph?seconds=1", &[]).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/svg+xml");
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<?xml"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("<svg"));
    burner.join().unwrap();
}

#[actix_web::test]
async fn a_second_profile_while_one_runs_is_409() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    let _lock = PROFILER.lock().await;
    let first = admin_get(&app, "/debug/pprof/profile?seconds=2", &[]);
    let second = async {
        actix_rt::time::sleep(std::time::Duration::from_millis(500)).await;
        admin_get(
            &app,
            "/debug/pprof/flamegraph?seconds=1",
            &[("x-correlation-id", "prof-409")],
        )
        .await
    };
    // Act
    let (first, second) = futures_util::future::join(first, second).await;
    // Assert
    assert_eq!(first.status(), 200);
    let message = "A profile is already being collected; retry when it ends.";
    assert_error(
        second,
        409,
        error_body("profile_in_progress", message, &[], "prof-409"),
    )
    .await;
}

#[actix_web::test]
async fn bad_seconds_is_400() {
    let app = spawn_sandbox_and(|_| {}).await;
    for (i, q) in [
        "seconds=0",
        "seconds=61",
        "seconds=abc",
        "seconds=-1",
        "seconds=",
    ]
    .iter()
    .enumerate()
    {
        // Act
        let corr = format!("prof-400-{i}");
        let path = format!("/debug/pprof/profile?{q}");
        let res = admin_get(&app, &path, &[("x-correlation-id", &corr)]).await;
        // Assert
        let fields = [("seconds", "Must be an integer from 1 to 60.")];
        let expected = error_body(
            "invalid_parameter",
            "Some parameters are invalid.",
            &fields,
            &corr,
        );
        assert_error(res, 400, expected).await;
    }
}

#[actix_web::test]
async fn debug_routes_are_not_on_the_api_port() {
    let app = spawn_sandbox_and(|_| {}).await;
    for (i, path) in [
        "/debug/pprof/profile?seconds=1",
        "/debug/pprof/flamegraph?seconds=1",
        "/debug/tasks",
    ]
    .iter()
    .enumerate()
    {
        // Act
        let corr = format!("prof-404-{i}");
        let res = app.get(path, &[("x-correlation-id", &corr)]).await;
        // Assert
        assert_error(
            res,
            404,
            error_body("not_found", "No such route.", &[], &corr),
        )
        .await;
    }
}

#[actix_web::test]
async fn tasks_lists_the_process_threads() {
    // Arrange
    let app = spawn_sandbox_and(|_| {}).await;
    // Act
    let res = admin_get(&app, "/debug/tasks", &[]).await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    let body: Value = res.json().await.unwrap();
    let threads = body["threads"].as_array().unwrap();
    assert!(!threads.is_empty());
    assert!(threads
        .iter()
        .all(|t| t["tid"].is_u64() && t["name"].is_string() && t["state"].is_string()));
}

#[actix_web::test]
async fn with_a_token_debug_routes_need_the_bearer() {
    // Arrange
    let app = spawn_with_token().await;
    let wrong = format!("Bearer {TOKEN}x");
    let cases: [(&str, Option<&str>); 4] = [
        ("/debug/pprof/profile?seconds=1", None),
        ("/debug/pprof/flamegraph?seconds=1", Some(wrong.as_str())),
        ("/debug/tasks", Some(TOKEN)),
        ("/openapi.json", Some("Bearer ")),
    ];
    for (i, (path, auth)) in cases.into_iter().enumerate() {
        // Act
        let corr = format!("prof-401-{i}");
        let mut headers = vec![("x-correlation-id", corr.as_str())];
        headers.extend(auth.map(|a| ("authorization", a)));
        let res = admin_get(&app, path, &headers).await;
        // Assert
        let expected = error_body(
            "unauthorized",
            "Missing or invalid admin token.",
            &[],
            &corr,
        );
        assert_error(res, 401, expected).await;
    }
}

#[actix_web::test]
async fn with_a_token_the_right_bearer_gets_the_profile() {
    // Arrange
    let app = spawn_with_token().await;
    let bearer = format!("Bearer {TOKEN}");
    let _lock = PROFILER.lock().await;
    // Act
    let profile = admin_get(
        &app,
        "/debug/pprof/profile?seconds=1",
        &[("authorization", &bearer)],
    )
    .await;
    let tasks = admin_get(&app, "/debug/tasks", &[("authorization", &bearer)]).await;
    // Assert
    assert_eq!(profile.status(), 200);
    assert_eq!(header(&profile, "content-type"), "application/octet-stream");
    assert_eq!(profile.bytes().await.unwrap()[..2], [0x1f, 0x8b]);
    assert_eq!(tasks.status(), 200);
}

#[actix_web::test]
async fn with_a_token_health_ready_and_build_stay_open() {
    // Arrange
    let app = spawn_with_token().await;
    for path in ["/health", "/ready", "/build"] {
        // Act
        let res = admin_get(&app, path, &[]).await;
        // Assert
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), JSON_UTF8);
    }
}
