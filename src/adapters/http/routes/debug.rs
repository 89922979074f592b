//! Admin-port diagnostics (40 §5): CPU profile (pprof protobuf, gzip), flame
//! graph (SVG) and a thread dump. One profile at a time, process-wide.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse};
use flate2::write::GzEncoder;
use flate2::Compression;
use pprof::protos::Message;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::adapters::http::error::ApiError;
use crate::adapters::http::json_bytes;
use crate::domain::field_error::FieldError;

/// Samples per second; not a multiple of common timer periods.
const FREQUENCY_HZ: i32 = 99;
const DEFAULT_SECONDS: u64 = 30;
const MAX_SECONDS: u64 = 60;

static RUNNING: AtomicBool = AtomicBool::new(false);

/// Holds the one profiling slot; released on drop (also when the client goes away).
struct Slot;

impl Slot {
    fn acquire() -> Option<Self> {
        RUNNING
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// `seconds` from the query: absent → 30, else an integer in 1..=60.
fn seconds(req: &HttpRequest) -> Result<u64, ApiError> {
    let raw = form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "seconds")
        .map(|(_, v)| v.into_owned());
    match raw {
        None => Ok(DEFAULT_SECONDS),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=MAX_SECONDS).contains(s))
            .ok_or_else(|| {
                ApiError::invalid_parameter(vec![FieldError::new(
                    "seconds",
                    "Must be an integer from 1 to 60.",
                )])
            }),
    }
}

fn profiler_failed(e: pprof::Error) -> ApiError {
    tracing::error!(error = %e, "CPU profiler failed");
    ApiError::internal()
}

/// Samples the whole process for `seconds` without blocking the worker.
async fn collect(req: &HttpRequest) -> Result<pprof::Report, ApiError> {
    let secs = seconds(req)?;
    let _slot = Slot::acquire().ok_or_else(|| {
        ApiError::new(
            409,
            "profile_in_progress",
            "A profile is already being collected; retry when it ends.",
        )
    })?;
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(FREQUENCY_HZ)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()
        .map_err(profiler_failed)?;
    actix_rt::time::sleep(Duration::from_secs(secs)).await;
    guard.report().build().map_err(profiler_failed)
}

/// `GET /debug/pprof/profile?seconds=N`: gzip-compressed pprof protobuf.
pub async fn profile(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let report = collect(&req).await?;
    let proto = report.pprof().map_err(profiler_failed)?.encode_to_vec();
    let mut gz = GzEncoder::new(Vec::with_capacity(proto.len() / 2), Compression::default());
    let body = gz
        .write_all(&proto)
        .and_then(|_| gz.finish())
        .map_err(|_| ApiError::internal())?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/octet-stream"))
        .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"cpu.pb.gz\""))
        .body(body))
}

/// `GET /debug/pprof/flamegraph?seconds=N`: the same samples as an SVG.
pub async fn flamegraph(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let report = collect(&req).await?;
    let mut svg = Vec::new();
    report.flamegraph(&mut svg).map_err(profiler_failed)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .body(svg))
}

/// One OS thread of this process.
#[derive(serde::Serialize)]
struct ThreadInfo {
    tid: u32,
    name: String,
    /// `R` running, `S` sleeping, `D` disk wait, … (`/proc/<pid>/task/<tid>/stat`).
    state: String,
}

/// `GET /debug/tasks`: the process's threads (actix workers, arbiters, runtime
/// threads) and their scheduler state. Async tasks are not listed: stable
/// tokio has no task dump.
pub async fn tasks() -> Result<HttpResponse, ApiError> {
    let threads = threads().ok_or_else(|| {
        ApiError::new(
            501,
            "not_implemented",
            "Thread listing needs /proc (Linux).",
        )
    })?;
    let body = serde_json::json!({
        "threads": threads,
        "note": "OS threads of the process; per-task dumps need unstable tokio and are not available",
    });
    Ok(json_bytes(
        200,
        serde_json::to_vec(&body).map_err(|_| ApiError::internal())?,
    ))
}

fn threads() -> Option<Vec<ThreadInfo>> {
    let mut out: Vec<ThreadInfo> = std::fs::read_dir("/proc/self/task")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let tid = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `tid (comm) S …`: comm may hold spaces and parentheses.
            let (head, tail) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_owned();
            let state = tail.split_whitespace().next()?.to_owned();
            Some(ThreadInfo { tid, name, state })
        })
        .collect();
    out.sort_by_key(|t| t.tid);
    Some(out)
}
