//! `connect-replay`: replays a corpus of recorded partner requests against a base URL
//! and writes a diff report; `connect-replay record` makes the corpus (docs/replay.md).
#![forbid(unsafe_code)]

#[path = "connect_replay/http.rs"]
mod http;
#[path = "connect_replay/progress.rs"]
mod progress;
#[path = "connect_replay/run.rs"]
mod run;

use std::fs;
use std::process::ExitCode;

use connect_api::replay::args::{self, Command, Format, Record, Replay, USAGE};
use connect_api::replay::compare::Rules;
use connect_api::replay::corpus::{self, Line};
use connect_api::replay::placeholders::Vars;
use connect_api::replay::report::{self, Summary};

use http::Http;

/// Exit status for usage, file and corpus errors.
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match args::parse(&argv) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Command::Replay(r)) => replay(&r),
        Ok(Command::Record(r)) => record(&r),
        Err(e) => Err(format!("{e}\n\n{USAGE}")),
    };
    result.unwrap_or_else(|e| {
        eprintln!("connect-replay: {e}");
        ExitCode::from(USAGE_ERROR)
    })
}

/// Reads and parses a corpus or requests file.
fn read_lines(path: &std::path::Path, need_expected: bool) -> Result<Vec<Line>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    corpus::parse(&text, need_expected).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("{}:\n  {}", path.display(), list.join("\n  "))
    })
}

fn replay(opts: &Replay) -> Result<ExitCode, String> {
    let lines = read_lines(&opts.corpus, true)?;
    let rules = match &opts.ignore {
        Some(path) => {
            let text = fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Rules::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Rules::default(),
    }
    .with_volatile(opts.ignore_volatile);
    let outcomes = actix_rt::System::new().block_on(async {
        let http = Http::new(&opts.base_url, opts.timeout)?;
        let setup = run::Setup {
            http: &http,
            rules: &rules,
            headers: &opts.headers,
        };
        Ok::<_, String>(run::replay(&setup, &lines, Vars::today_utc(), opts.concurrency).await)
    })?;
    let summary = Summary::new(
        &opts.base_url,
        &opts.corpus.display().to_string(),
        &outcomes,
    );
    let text = match opts.format {
        Format::Markdown => report::markdown(&summary, &outcomes),
        Format::Json => format!("{:#}\n", report::json(&summary, &outcomes)),
    };
    match &opts.report {
        Some(path) => {
            fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?
        }
        None => print!("{text}"),
    }
    eprintln!(
        "connect-replay: {} requests, {} matched, {} differed",
        summary.requests, summary.matched, summary.differed
    );
    Ok(if summary.differed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn record(opts: &Record) -> Result<ExitCode, String> {
    let lines = read_lines(&opts.requests, false)?;
    let recorded = actix_rt::System::new().block_on(async {
        let http = Http::new(&opts.base_url, opts.timeout)?;
        run::record(&http, &opts.headers, &lines, Vars::today_utc()).await
    });
    let entries = match recorded {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("connect-replay: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut text = String::new();
    for entry in &entries {
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        text.push_str(&line);
        text.push('\n');
    }
    fs::write(&opts.out, text).map_err(|e| format!("cannot write {}: {e}", opts.out.display()))?;
    eprintln!(
        "connect-replay: recorded {} answers into {}",
        entries.len(),
        opts.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
