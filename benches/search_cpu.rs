//! CPU per stage of a search, single thread, no I/O: parse the 12go answer,
//! translate it, serialise the Connect answer (bench/search-notes.md).
//!
//! `cargo bench --bench search_cpu` (PAYLOAD_DIR: a directory with `large.json` and
//! `small.json` from `../shared/tools/make-12go-search-payloads`; written to a temp
//! directory when unset). Prints µs per call, the median of 7 rounds.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use connect_api::adapters::http::search_json::search_result_json;
use connect_api::domain::translate::{PriceTypeMap, SearchTranslator};
use connect_api::domain::twelvego::SearchAnswer;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

fn payload_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PAYLOAD_DIR") {
        return PathBuf::from(dir);
    }
    let dir = std::env::temp_dir().join(format!("search-cpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let tool = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/tools/make-12go-search-payloads"
    );
    let ok = std::process::Command::new("python3")
        .arg(tool)
        .arg(&dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "set PAYLOAD_DIR or provide {tool}");
    dir
}

/// µs per call: median of 7 rounds of `n` calls.
fn time<F: FnMut()>(n: u32, mut f: F) -> f64 {
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[3]
}

fn main() {
    let dir = payload_dir();
    let prices = PriceTypeMap::default();
    println!(
        "| payload | bytes | parse µs | translate µs | serialise µs | total µs | answer bytes |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, n) in [("small", 20_000u32), ("large", 400)] {
        let body = std::fs::read(dir.join(format!("{name}.json"))).expect("payload");
        let answer = SearchAnswer::from_slice(&body).expect("parses");
        let date = answer
            .trips
            .first()
            .and_then(|t| t.segments.first())
            .and_then(|s| s.dep_time.as_deref())
            .and_then(|d| d.get(..10))
            .and_then(|d| d.parse().ok())
            .expect("a departure date");
        let translate = |a: &SearchAnswer| {
            let mut t = SearchTranslator::new(1, date, &prices);
            t.add(a);
            t.finish()
        };
        let result = translate(&answer);
        assert!(!result.itineraries.is_empty(), "{name}: no itineraries");
        // As the search route does.
        let serialise = |r: &connect_api::domain::itinerary::SearchResult| {
            search_result_json(r, 1024 + 1024 * r.itineraries.len())
        };
        let answer_bytes = serialise(&result).len();
        let parse = time(n, || {
            black_box(SearchAnswer::from_slice(black_box(&body)).ok());
        });
        let tr = time(n, || {
            black_box(translate(black_box(&answer)));
        });
        let ser = time(n, || {
            black_box(serialise(black_box(&result)));
        });
        let total = time(n, || {
            let a = SearchAnswer::from_slice(black_box(&body)).expect("parses");
            black_box(serialise(&translate(&a)));
        });
        println!(
            "| {name} | {} | {parse:.1} | {tr:.1} | {ser:.1} | {total:.1} | {answer_bytes} |",
            body.len()
        );
    }
}
