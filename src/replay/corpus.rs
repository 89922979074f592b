//! The corpus: one JSON object per line (docs/replay.md).
//!
//! ```json
//! {"name": "search", "method": "GET", "path": "/v1/demo/itineraries?departure_date={{date+7}}",
//!  "headers": {"x-api-key": "demo-key"}, "body": null,
//!  "capture": {"itinerary_id": "/itineraries/0/id"},
//!  "expected": {"status": 200, "headers": {"content-type": "application/json; charset=utf-8"},
//!               "body": {"itineraries": []}}}
//! ```
//!
//! A requests file (input of `record`) has the same lines without `expected`. Blank
//! lines and lines starting with `#` are skipped; line numbers count every line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::placeholders::{self, PlaceholderError, Vars};

/// One recorded request and, in a corpus, its expected answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON request body; `null` sends none.
    #[serde(default)]
    pub body: Value,
    /// Placeholder name → JSON pointer into this answer's body, for later lines.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
}

/// The recorded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub status: u16,
    /// Only these headers are compared (names case-insensitive, values exact).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `null` (or absent): the body is not compared. A non-JSON body is a JSON string.
    #[serde(default)]
    pub body: Value,
}

/// A line that is not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CorpusError {
    pub line: usize,
    pub message: String,
}

/// An entry and its 1-based line number.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub number: usize,
    pub entry: Entry,
}

/// A request ready to send: placeholders expanded, extra headers applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Parses a whole file. With `need_expected`, every entry must have `expected`.
/// Returns every error, not only the first.
pub fn parse(text: &str, need_expected: bool) -> Result<Vec<Line>, Vec<CorpusError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        match parse_line(raw, need_expected) {
            Ok(entry) => lines.push(Line {
                number: i + 1,
                entry,
            }),
            Err(message) => errors.push(CorpusError {
                line: i + 1,
                message,
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if lines.is_empty() {
        return Err(vec![CorpusError {
            line: 0,
            message: "no entries".into(),
        }]);
    }
    Ok(lines)
}

/// Parses and checks one line.
pub fn parse_line(raw: &str, need_expected: bool) -> Result<Entry, String> {
    let mut entry: Entry = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    entry.method = entry.method.to_ascii_uppercase();
    if !METHODS.contains(&entry.method.as_str()) {
        return Err(format!("unsupported method {:?}", entry.method));
    }
    if !entry.path.starts_with('/') {
        return Err(format!("path must start with '/': {:?}", entry.path));
    }
    for (name, pointer) in &entry.capture {
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name || placeholders::is_date(name) {
            return Err(format!("bad capture name {name:?}"));
        }
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!("capture {name}: {pointer:?} is not a JSON pointer"));
        }
    }
    if need_expected && entry.expected.is_none() {
        return Err("missing \"expected\"".into());
    }
    Ok(entry)
}

impl Entry {
    /// The placeholder names this request uses (path, header values, body).
    pub fn request_placeholders(&self) -> Vec<String> {
        let mut names = placeholders::names(&self.path);
        self.headers
            .values()
            .for_each(|v| names.extend(placeholders::names(v)));
        placeholders::names_in_json(&self.body, &mut names);
        names
    }

    /// Whether this line needs a value captured by an earlier line (so it must wait
    /// for the lines before it).
    pub fn needs_captures(&self) -> bool {
        let mut names = self.request_placeholders();
        if let Some(expected) = &self.expected {
            placeholders::names_in_json(&expected.body, &mut names);
            expected
                .headers
                .values()
                .for_each(|v| names.extend(placeholders::names(v)));
        }
        names.iter().any(|n| !placeholders::is_date(n))
    }

    /// The request with placeholders expanded; `extra` headers replace same-named ones.
    pub fn prepare(
        &self,
        vars: &Vars,
        extra: &[(String, String)],
    ) -> Result<Prepared, PlaceholderError> {
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in &self.headers {
            let name = name.to_ascii_lowercase();
            if !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                headers.push((name, vars.expand(value)?));
            }
        }
        headers.extend(
            extra
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone())),
        );
        let body = match &self.body {
            Value::Null => None,
            body => Some(vars.expand_json(body)?),
        };
        Ok(Prepared {
            method: self.method.clone(),
            path: vars.expand(&self.path)?,
            headers,
            body,
        })
    }

    /// `(value, placeholder)` for every placeholder of the request: what `record`
    /// turns back into placeholders in the recorded answer.
    pub fn placeholder_values(&self, vars: &Vars) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for name in self.request_placeholders() {
            if let Ok(value) = vars.value(&name) {
                if !pairs.iter().any(|(_, n)| *n == name) {
                    pairs.push((value, name));
                }
            }
        }
        pairs
    }

    /// The captured values from an answer body, or the first capture that found nothing.
    pub fn captures_from(&self, body: &Value) -> Result<Vec<(String, String)>, String> {
        self.capture
            .iter()
            .map(|(name, pointer)| match body.pointer(pointer) {
                Some(Value::String(s)) => Ok((name.clone(), s.clone())),
                Some(Value::Null) | None => Err(format!(
                    "capture {name}: nothing at {pointer:?} in the answer"
                )),
                Some(other) => Ok((name.clone(), other.to_string())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use serde_json::json;

    const LINE: &str = r#"{"name":"s","method":"get","path":"/v1/demo/x?d={{date+1}}","headers":{"X-Api-Key":"k"},"body":null,"capture":{"id":"/items/0/id"},"expected":{"status":200,"headers":{"content-type":"application/json"},"body":{"a":1}}}"#;

    #[test]
    fn a_full_line_is_parsed() {
        let e = parse_line(LINE, true).unwrap();
        assert_eq!(e.name.as_deref(), Some("s"));
        assert_eq!(e.method, "GET");
        assert_eq!(e.capture.get("id").map(String::as_str), Some("/items/0/id"));
        let x = e.expected.unwrap();
        assert_eq!(x.status, 200);
        assert_eq!(x.body, json!({"a": 1}));
    }

    #[test]
    fn bad_lines_are_reported_with_their_numbers() {
        let text = format!(
            "# comment\n{LINE}\n\n{{\"method\":\"GET\",\"path\":\"x\"}}\n{{\"method\":\"GET\",\"path\":\"/a\"}}\nnot json\n"
        );
        let errors = parse(&text, true).unwrap_err();
        let got: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(got[0], (4, "path must start with '/': \"x\""));
        assert_eq!(got[1], (5, "missing \"expected\""));
        assert_eq!(got[2].0, 6);
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn requests_without_expected_parse_when_allowed() {
        let lines = parse("{\"method\":\"POST\",\"path\":\"/a\",\"body\":{}}\n", false).unwrap();
        assert_eq!(lines[0].number, 1);
        assert_eq!(lines[0].entry.body, json!({}));
        assert_eq!(
            parse("\n# only\n", false).unwrap_err()[0].message,
            "no entries"
        );
    }

    #[test]
    fn unknown_members_and_bad_captures_are_rejected() {
        assert!(
            parse_line(r#"{"method":"GET","path":"/","expect":{}}"#, false)
                .unwrap_err()
                .contains("unknown field `expect`")
        );
        assert_eq!(
            parse_line(
                r#"{"method":"GET","path":"/","capture":{"date+1":"/a"}}"#,
                false
            ),
            Err("bad capture name \"date+1\"".into())
        );
        assert_eq!(
            parse_line(r#"{"method":"BREW","path":"/"}"#, false),
            Err("unsupported method \"BREW\"".into())
        );
    }

    #[test]
    fn prepare_expands_and_overrides_headers() {
        let e = parse_line(LINE, true).unwrap();
        let vars = Vars::new(date(2026, 1, 31));
        let p = e
            .prepare(
                &vars,
                &[
                    ("x-api-key".into(), "other".into()),
                    ("x-b".into(), "1".into()),
                ],
            )
            .unwrap();
        assert_eq!(p.path, "/v1/demo/x?d=2026-02-01");
        assert_eq!(
            p.headers,
            vec![
                ("x-api-key".into(), "other".into()),
                ("x-b".into(), "1".into())
            ]
        );
        assert_eq!(p.body, None);
        assert_eq!(
            e.placeholder_values(&vars),
            vec![("2026-02-01".to_owned(), "date+1".to_owned())]
        );
    }

    #[test]
    fn needs_captures_only_for_non_date_placeholders() {
        let e = parse_line(LINE, true).unwrap();
        assert!(!e.needs_captures());
        let e = parse_line(r#"{"method":"GET","path":"/i/{{id}}"}"#, false).unwrap();
        assert!(e.needs_captures());
    }

    #[test]
    fn captures_read_strings_and_other_values() {
        let e = parse_line(
            r#"{"method":"GET","path":"/","capture":{"a":"/x/0","b":"/y"}}"#,
            false,
        )
        .unwrap();
        assert_eq!(
            e.captures_from(&json!({"x": ["id1"], "y": 7})).unwrap(),
            vec![
                ("a".to_owned(), "id1".to_owned()),
                ("b".to_owned(), "7".to_owned())
            ]
        );
        assert_eq!(
            e.captures_from(&json!({"x": []})).unwrap_err(),
            "capture a: nothing at \"/x/0\" in the answer"
        );
    }
}
