//! Replaying a corpus (concurrently, waiting where a line needs a capture) and
//! recording one (in order).

use std::collections::BTreeMap;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

use connect_api::replay::compare::{compare_answer, Difference, Rules};
use connect_api::replay::corpus::{Entry, Expected, Line};
use connect_api::replay::placeholders::{templatize, PlaceholderError, Vars};
use connect_api::replay::report::Outcome;

use crate::http::Http;
use crate::progress::Progress;

/// What every replayed line shares.
pub struct Setup<'a> {
    pub http: &'a Http,
    pub rules: &'a Rules,
    pub headers: &'a [(String, String)],
}

/// Replays every line; at most `concurrency` in flight. A line that uses a captured
/// value starts only after every line before it has answered.
pub async fn replay(
    setup: &Setup<'_>,
    lines: &[Line],
    mut vars: Vars,
    concurrency: usize,
) -> Vec<Outcome> {
    let mut progress = Progress::new(lines.len());
    let mut outcomes: Vec<Option<Outcome>> = vec![None; lines.len()];
    let (mut done, mut differing) = (0, 0);
    let mut in_flight = FuturesUnordered::new();
    let mut absorb = |(idx, outcome, captures): (usize, Outcome, Vec<(String, String)>),
                      vars: &mut Vars| {
        for (name, value) in captures {
            vars.set(name, value);
        }
        done += 1;
        differing += usize::from(!outcome.differences.is_empty());
        outcomes[idx] = Some(outcome);
        progress.update(done, &plural(differing, "difference"));
    };
    for (idx, line) in lines.iter().enumerate() {
        let wait_all = line.entry.needs_captures();
        while in_flight.len() >= concurrency || (wait_all && !in_flight.is_empty()) {
            if let Some(result) = in_flight.next().await {
                absorb(result, &mut vars);
            }
        }
        let snapshot = vars.clone();
        in_flight.push(async move {
            let (outcome, captures) = check(setup, line, &snapshot).await;
            (idx, outcome, captures)
        });
    }
    while let Some(result) = in_flight.next().await {
        absorb(result, &mut vars);
    }
    progress.finish();
    outcomes.into_iter().flatten().collect()
}

/// One line: send, compare, capture.
async fn check(setup: &Setup<'_>, line: &Line, vars: &Vars) -> (Outcome, Vec<(String, String)>) {
    let entry = &line.entry;
    let no_expectation = Expected {
        status: 0,
        headers: BTreeMap::new(),
        body: Value::Null,
    };
    let expected = entry.expected.as_ref().unwrap_or(&no_expectation);
    let mut outcome = Outcome {
        line: line.number,
        name: entry.name.clone(),
        method: entry.method.clone(),
        path: entry.path.clone(),
        expected_status: expected.status,
        actual_status: None,
        differences: Vec::new(),
    };
    let prepared = match entry.prepare(vars, setup.headers) {
        Ok(p) => p,
        Err(e) => {
            outcome
                .differences
                .push(Difference::error("request", e.to_string()));
            return (outcome, Vec::new());
        }
    };
    outcome.path.clone_from(&prepared.path);
    let observed = match setup.http.send(&prepared).await {
        Ok(o) => o,
        Err(e) => {
            outcome.differences.push(Difference::error("request", e));
            return (outcome, Vec::new());
        }
    };
    outcome.actual_status = Some(observed.status);
    let expanded = vars.expand_json(&expected.body).and_then(|body| {
        let headers = expected
            .headers
            .iter()
            .map(|(n, v)| Ok((n.clone(), vars.expand(v)?)))
            .collect::<Result<BTreeMap<_, _>, PlaceholderError>>()?;
        Ok((headers, body))
    });
    match expanded {
        Ok((headers, body)) => outcome.differences.extend(compare_answer(
            expected.status,
            &headers,
            &body,
            &observed,
            setup.rules,
        )),
        Err(e) => outcome
            .differences
            .push(Difference::error("expected", e.to_string())),
    }
    let captures = entry.captures_from(&observed.body).unwrap_or_else(|e| {
        outcome.differences.push(Difference::error("capture", e));
        Vec::new()
    });
    (outcome, captures)
}

/// Sends each request in order and returns the corpus lines with the answers as
/// `expected` (content-type only; the request's dates and captured values put back
/// as placeholders). Stops at the first request without an answer or capture.
pub async fn record(
    http: &Http,
    headers: &[(String, String)],
    lines: &[Line],
    mut vars: Vars,
) -> Result<Vec<Entry>, String> {
    let mut progress = Progress::new(lines.len());
    let mut recorded = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let fail = |e: String| format!("line {}: {e}", line.number);
        let prepared = line
            .entry
            .prepare(&vars, headers)
            .map_err(|e| fail(e.to_string()))?;
        let observed = http.send(&prepared).await.map_err(fail)?;
        let mut entry = line.entry.clone();
        let pairs = entry.placeholder_values(&vars);
        entry.expected = Some(Expected {
            status: observed.status,
            headers: observed
                .header("content-type")
                .map(|ct| BTreeMap::from([("content-type".to_owned(), ct.to_owned())]))
                .unwrap_or_default(),
            body: templatize(&observed.body, &pairs),
        });
        for (name, value) in entry.captures_from(&observed.body).map_err(fail)? {
            vars.set(name, value);
        }
        recorded.push(entry);
        progress.update(i + 1, "recorded");
    }
    progress.finish();
    Ok(recorded)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
