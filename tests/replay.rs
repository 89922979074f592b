//! `connect-replay` end to end: the sample corpus (`replay/sandbox.jsonl`) replayed
//! against a fresh `connect-api` on its embedded sandbox.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, Proc};
use serde_json::{json, Value};

/// `connect-api` in sandbox mode (no `TWELVEGO_BASE_URL`, built-in `demo` client),
/// ready; returns it and its API port.
fn start_sandbox_api() -> (Proc, u16) {
    let (port, admin) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .env_remove("TWELVEGO_BASE_URL")
        .env_remove("CLIENTS_FILE")
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("ADMIN_HOST", "127.0.0.1")
        .env("ADMIN_PORT", admin.to_string())
        .env("LOG_LEVEL", "warn")
        .env("DD_TRACE_ENABLED", "false")
        .env("DD_METRICS_ENABLED", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let api = Proc(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready(admin) {
        assert!(Instant::now() < deadline, "connect-api never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    (api, port)
}

/// `GET /ready` on the admin port answers 200.
fn ready(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

fn sample(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("replay")
        .join(file)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("connect-replay-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn replay(port: u16, corpus: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connect-replay"))
        .arg("--base-url")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--corpus")
        .arg(corpus)
        .arg("--ignore")
        .arg(sample("ignore.toml"))
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_sample_corpus_replays_without_differences_and_a_change_is_reported() {
    // Arrange
    let (_api, port) = start_sandbox_api();
    let report = scratch("same.md");

    // Act: the sample corpus as shipped.
    let out = replay(
        port,
        &sample("sandbox.jsonl"),
        &["--report", report.to_str().unwrap()],
    );

    // Assert
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("- Requests: 13, matched: 13, differed: 0\n"),
        "{text}"
    );

    // Arrange: one expectation altered (the 401 answer's code).
    let corpus = std::fs::read_to_string(sample("sandbox.jsonl")).unwrap();
    let altered: Vec<String> = corpus
        .lines()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if v["name"] == "wrong api key" {
                v["expected"]["body"]["code"] = json!("forbidden");
            }
            v.to_string()
        })
        .collect();
    let altered_path = scratch("altered.jsonl");
    std::fs::write(&altered_path, altered.join("\n")).unwrap();
    let report = scratch("altered.json");

    // Act
    let out = replay(
        port,
        &altered_path,
        &[
            "--report",
            report.to_str().unwrap(),
            "--report-format",
            "json",
            "--concurrency",
            "1",
        ],
    );

    // Assert: exit 1, and the report names the line and the JSON pointer.
    let got: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{got:#}");
    assert_eq!(got["summary"]["differed"], json!(1));
    let differing = &got["differences"][0];
    assert_eq!(differing["line"], json!(8));
    assert_eq!(differing["name"], json!("wrong api key"));
    assert_eq!(differing["actual_status"], json!(401));
    assert_eq!(
        differing["differences"],
        json!([{"at": "/code", "kind": "changed", "expected": "forbidden", "actual": "unauthorized"}])
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[13/13] 1 difference\n"), "{stderr}");
}

#[test]
fn a_broken_corpus_is_a_usage_error() {
    let corpus = scratch("broken.jsonl");
    std::fs::write(&corpus, "{\"method\": \"GET\", \"path\": \"/x\"}\n").unwrap();

    let out = replay(1, &corpus, &[]);

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 1: missing \"expected\""), "{stderr}");
}
