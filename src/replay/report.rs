//! The diff report: every request that differed, as Markdown or JSON.

use serde::Serialize;
use serde_json::Value;

use super::compare::{Difference, Kind};

/// Values longer than this (compact JSON, in characters) are cut in Markdown.
const MAX_VALUE_CHARS: usize = 120;

/// The result of one corpus line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub method: String,
    /// As sent (placeholders expanded), or as written when expansion failed.
    pub path: String,
    pub expected_status: u16,
    /// `None` when no answer came (connection error, timeout).
    pub actual_status: Option<u16>,
    pub differences: Vec<Difference>,
}

/// What the report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub base_url: String,
    pub corpus: String,
    pub requests: usize,
    pub matched: usize,
    pub differed: usize,
}

impl Summary {
    pub fn new(base_url: &str, corpus: &str, outcomes: &[Outcome]) -> Self {
        let differed = outcomes
            .iter()
            .filter(|o| !o.differences.is_empty())
            .count();
        Self {
            base_url: base_url.to_owned(),
            corpus: corpus.to_owned(),
            requests: outcomes.len(),
            matched: outcomes.len() - differed,
            differed,
        }
    }
}

/// The report as a JSON document: the summary and the differing outcomes.
pub fn json(summary: &Summary, outcomes: &[Outcome]) -> Value {
    let differing: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| !o.differences.is_empty())
        .collect();
    serde_json::json!({"summary": summary, "differences": differing})
}

/// The report as Markdown.
pub fn markdown(summary: &Summary, outcomes: &[Outcome]) -> String {
    let mut out = format!(
        "# connect-replay report\n\n- Base URL: `{}`\n- Corpus: `{}`\n- Requests: {}, matched: {}, differed: {}\n",
        summary.base_url, summary.corpus, summary.requests, summary.matched, summary.differed
    );
    if summary.differed == 0 {
        out.push_str("\nNo differences.\n");
    }
    for o in outcomes.iter().filter(|o| !o.differences.is_empty()) {
        let name = o
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let actual = o
            .actual_status
            .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        out.push_str(&format!(
            "\n## Line {}{name}: `{} {}`\n\nStatus: expected {}, actual {actual}.\n\n| Where | Difference |\n|---|---|\n",
            o.line, o.method, o.path, o.expected_status
        ));
        for d in &o.differences {
            out.push_str(&format!(
                "| {} | {} |\n",
                cell(&where_(&d.at)),
                cell(&describe(&d.kind))
            ));
        }
    }
    out
}

fn where_(at: &str) -> String {
    match at {
        "" => "(whole body)".into(),
        at if at.starts_with('/') => format!("`{at}`"),
        at => at.to_owned(),
    }
}

/// One difference in words.
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Changed { expected, actual } => {
            format!("expected {}, actual {}", show(expected), show(actual))
        }
        Kind::Missing { expected } => format!("missing (expected {})", show(expected)),
        Kind::Unexpected { actual } => format!("unexpected (actual {})", show(actual)),
        Kind::Length { expected, actual } => {
            format!("length: expected {expected}, actual {actual}")
        }
        Kind::Type { expected, actual } => format!("type: expected {expected}, actual {actual}"),
        Kind::Error { message } => message.clone(),
    }
}

/// Compact JSON, cut to [`MAX_VALUE_CHARS`] characters.
fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return format!("`{text}`");
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("`{cut}`… ({} chars)", text.chars().count())
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcomes() -> Vec<Outcome> {
        vec![
            Outcome {
                line: 1,
                name: None,
                method: "GET".into(),
                path: "/ok".into(),
                expected_status: 200,
                actual_status: Some(200),
                differences: vec![],
            },
            Outcome {
                line: 3,
                name: Some("search".into()),
                method: "GET".into(),
                path: "/v1/demo/itineraries?a=1|2".into(),
                expected_status: 200,
                actual_status: Some(400),
                differences: vec![
                    Difference {
                        at: "status".into(),
                        kind: Kind::Changed {
                            expected: json!(200),
                            actual: json!(400),
                        },
                    },
                    Difference {
                        at: "/itineraries/0/id".into(),
                        kind: Kind::Changed {
                            expected: json!("a"),
                            actual: json!("x".repeat(200)),
                        },
                    },
                    Difference {
                        at: "".into(),
                        kind: Kind::Length {
                            expected: 2,
                            actual: 1,
                        },
                    },
                ],
            },
        ]
    }

    #[test]
    fn summary_counts_matches_and_differences() {
        let s = Summary::new("http://h", "c.jsonl", &outcomes());
        assert_eq!((s.requests, s.matched, s.differed), (2, 1, 1));
    }

    #[test]
    fn markdown_lists_each_differing_request_with_pointers() {
        let o = outcomes();
        let md = markdown(&Summary::new("http://h", "c.jsonl", &o), &o);
        let long = format!("`\"{}`… (202 chars)", "x".repeat(119));
        let expected = format!(
            "# connect-replay report\n\n- Base URL: `http://h`\n- Corpus: `c.jsonl`\n- Requests: 2, matched: 1, differed: 1\n\
             \n## Line 3 (search): `GET /v1/demo/itineraries?a=1|2`\n\nStatus: expected 200, actual 400.\n\n\
             | Where | Difference |\n|---|---|\n\
             | status | expected `200`, actual `400` |\n\
             | `/itineraries/0/id` | expected `\"a\"`, actual {long} |\n\
             | (whole body) | length: expected 2, actual 1 |\n"
        );
        assert_eq!(md, expected);
    }

    #[test]
    fn markdown_says_when_nothing_differs() {
        let o = vec![outcomes().remove(0)];
        let md = markdown(&Summary::new("u", "c", &o), &o);
        assert!(md.ends_with("differed: 0\n\nNo differences.\n"), "{md}");
    }

    #[test]
    fn json_report_holds_summary_and_differing_lines_only() {
        let o = outcomes();
        let v = json(&Summary::new("u", "c", &o), &o);
        assert_eq!(v["summary"]["differed"], json!(1));
        assert_eq!(v["differences"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["differences"][0]["line"], json!(3));
        assert_eq!(
            v["differences"][0]["differences"][2],
            json!({"at": "", "kind": "length", "expected": 2, "actual": 1})
        );
    }
}
