//! Structural comparison of an expected and an actual answer under ignore rules.
//!
//! Objects are compared member by member, arrays index by index (a length difference
//! is one difference at the array), everything else by value. Each difference names
//! where it is: `status`, `header <name>` or the body's JSON pointer (RFC 6901).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One pointer pattern: segments, `*` matching any one key or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<String>);

impl Pattern {
    /// `""` (the whole body) or `/a/*/b` (`~1` and `~0` escape `/` and `~`).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Self(Vec::new()));
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "{text:?} is not a JSON pointer (must start with '/')"
            ));
        };
        Ok(Self(rest.split('/').map(unescape).collect()))
    }

    fn matches(&self, path: &[String]) -> bool {
        self.0.len() == path.len() && self.0.iter().zip(path).all(|(p, s)| p == "*" || p == s)
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of a path.
pub fn pointer(path: &[String]) -> String {
    path.iter().map(|s| format!("/{}", escape(s))).collect()
}

/// The ignore rules file (TOML), as written by people.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    type_only: Vec<String>,
    #[serde(default)]
    ignore_headers: Vec<String>,
    #[serde(default)]
    allow_extra_members: bool,
}

/// What is not compared, or compared loosely.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Not compared at all; may also be missing on either side.
    ignore: Vec<Pattern>,
    /// Only the JSON type must agree (string, number, object, …); nothing below.
    type_only: Vec<Pattern>,
    /// Expected headers (lower case) that are not compared.
    ignore_headers: Vec<String>,
    /// Members present only in the actual answer are accepted.
    allow_extra_members: bool,
    /// Built-in volatile rules (`--ignore-volatile`).
    volatile: bool,
}

/// Header names the volatile rules skip.
const VOLATILE_HEADERS: [&str; 4] = ["x-correlation-id", "date", "etag", "last-modified"];
/// Member names the volatile rules skip wherever they are.
const VOLATILE_MEMBERS: [&str; 3] = ["booking_token", "correlation_id", "booking_id"];

impl Rules {
    /// Reads a rules file:
    /// `ignore = ["/itineraries/*/id"]`, `type_only = […]`, `ignore_headers = […]`,
    /// `allow_extra_members = true`.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: RulesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let patterns = |list: &[String]| -> Result<Vec<Pattern>, String> {
            list.iter().map(|p| Pattern::parse(p)).collect()
        };
        Ok(Self {
            ignore: patterns(&file.ignore)?,
            type_only: patterns(&file.type_only)?,
            ignore_headers: file
                .ignore_headers
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            allow_extra_members: file.allow_extra_members,
            volatile: false,
        })
    }

    /// Switches the built-in volatile rules on or off: members named `*_at`,
    /// `booking_token`, `booking_id`, `correlation_id`, and `id` anywhere under a
    /// `booking…` member; headers `x-correlation-id`, `date`, `etag`, `last-modified`.
    pub fn with_volatile(mut self, on: bool) -> Self {
        self.volatile = on;
        self
    }

    fn ignored(&self, path: &[String]) -> bool {
        self.ignore.iter().any(|p| p.matches(path)) || (self.volatile && volatile(path))
    }

    fn type_only(&self, path: &[String]) -> bool {
        self.type_only.iter().any(|p| p.matches(path))
    }

    fn header_ignored(&self, name: &str) -> bool {
        self.ignore_headers.iter().any(|h| h == name)
            || (self.volatile && VOLATILE_HEADERS.contains(&name))
    }
}

fn volatile(path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    last.ends_with("_at")
        || VOLATILE_MEMBERS.contains(&last.as_str())
        || (last == "id" && parents.iter().any(|p| p.starts_with("booking")))
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// `status`, `header <name>`, `capture <name>`, `request`, or a body JSON pointer
    /// (`""` is the whole body).
    pub at: String,
    #[serde(flatten)]
    pub kind: Kind,
}

/// What differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    Changed { expected: Value, actual: Value },
    Missing { expected: Value },
    Unexpected { actual: Value },
    Length { expected: usize, actual: usize },
    Type { expected: String, actual: String },
    Error { message: String },
}

impl Difference {
    pub fn error(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            kind: Kind::Error {
                message: message.into(),
            },
        }
    }
}

/// An answer as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Observed {
    /// The body as JSON, or as a JSON string when it is not JSON (`""` when empty).
    pub fn body_from_bytes(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Status, the expected headers and (unless `expected_body` is null) the body.
pub fn compare_answer(
    status: u16,
    headers: &BTreeMap<String, String>,
    expected_body: &Value,
    actual: &Observed,
    rules: &Rules,
) -> Vec<Difference> {
    let mut out = Vec::new();
    if status != actual.status {
        out.push(Difference {
            at: "status".into(),
            kind: Kind::Changed {
                expected: status.into(),
                actual: actual.status.into(),
            },
        });
    }
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if rules.header_ignored(&name) {
            continue;
        }
        let at = format!("header {name}");
        match actual.header(&name) {
            None => out.push(Difference {
                at,
                kind: Kind::Missing {
                    expected: value.as_str().into(),
                },
            }),
            Some(got) if got != value => out.push(Difference {
                at,
                kind: Kind::Changed {
                    expected: value.as_str().into(),
                    actual: got.into(),
                },
            }),
            Some(_) => {}
        }
    }
    if !expected_body.is_null() {
        out.extend(compare_json(expected_body, &actual.body, rules));
    }
    out
}

/// The differences between two JSON values, in document order of `expected`.
pub fn compare_json(expected: &Value, actual: &Value, rules: &Rules) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(
        &mut Vec::new(),
        Some(expected),
        Some(actual),
        rules,
        &mut out,
    );
    out
}

fn walk(
    path: &mut Vec<String>,
    expected: Option<&Value>,
    actual: Option<&Value>,
    rules: &Rules,
    out: &mut Vec<Difference>,
) {
    if rules.ignored(path) {
        return;
    }
    let at = pointer(path);
    let (e, a) = match (expected, actual) {
        (None, None) => return,
        (Some(e), None) => {
            out.push(Difference {
                at,
                kind: Kind::Missing {
                    expected: e.clone(),
                },
            });
            return;
        }
        (None, Some(a)) => {
            if !rules.allow_extra_members {
                out.push(Difference {
                    at,
                    kind: Kind::Unexpected { actual: a.clone() },
                });
            }
            return;
        }
        (Some(e), Some(a)) => (e, a),
    };
    if rules.type_only(path) || type_name(e) != type_name(a) {
        if type_name(e) != type_name(a) {
            out.push(Difference {
                at,
                kind: Kind::Type {
                    expected: type_name(e).into(),
                    actual: type_name(a).into(),
                },
            });
        }
        return;
    }
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            for (key, ev) in em {
                path.push(key.clone());
                walk(path, Some(ev), am.get(key), rules, out);
                path.pop();
            }
            for (key, av) in am.iter().filter(|(k, _)| !em.contains_key(*k)) {
                path.push(key.clone());
                walk(path, None, Some(av), rules, out);
                path.pop();
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                path.push(i.to_string());
                walk(path, Some(ev), Some(av), rules, out);
                path.pop();
            }
            if ea.len() != aa.len() {
                out.push(Difference {
                    at,
                    kind: Kind::Length {
                        expected: ea.len(),
                        actual: aa.len(),
                    },
                });
            }
        }
        _ if e != a => out.push(Difference {
            at,
            kind: Kind::Changed {
                expected: e.clone(),
                actual: a.clone(),
            },
        }),
        _ => {}
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
