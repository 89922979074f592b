//! `{{…}}` placeholders in corpus lines.
//!
//! - `{{date}}`, `{{date+7}}`, `{{date-1}}`: today (UTC) plus or minus whole days, as
//!   `YYYY-MM-DD`, so a corpus stays replayable on later days.
//! - `{{name}}`: a value captured from an earlier answer (`"capture"` in the corpus).
//!
//! Text without a closing `}}` is kept as it is.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde_json::Value;

/// A placeholder that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("unknown placeholder {{{{{0}}}}} (not a date and not captured by an earlier line)")]
    Unknown(String),
    #[error("bad date placeholder {{{{{0}}}}}")]
    BadDate(String),
}

/// The values placeholders expand to.
#[derive(Debug, Clone)]
pub struct Vars {
    today: Date,
    captures: BTreeMap<String, String>,
}

impl Vars {
    pub fn new(today: Date) -> Self {
        Self {
            today,
            captures: BTreeMap::new(),
        }
    }

    /// Today in UTC.
    pub fn today_utc() -> Self {
        Self::new(
            jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date(),
        )
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.captures.insert(name.into(), value.into());
    }

    /// The value of one placeholder name (the text between the braces, trimmed).
    pub fn value(&self, name: &str) -> Result<String, PlaceholderError> {
        if let Some(offset) = name.strip_prefix("date") {
            if !offset.is_empty() && !offset.starts_with(['+', '-']) {
                return self.capture(name);
            }
            return self.date(name, offset);
        }
        self.capture(name)
    }

    fn capture(&self, name: &str) -> Result<String, PlaceholderError> {
        self.captures
            .get(name)
            .cloned()
            .ok_or_else(|| PlaceholderError::Unknown(name.to_owned()))
    }

    fn date(&self, name: &str, offset: &str) -> Result<String, PlaceholderError> {
        let bad = || PlaceholderError::BadDate(name.to_owned());
        let days: i64 = match offset {
            "" => 0,
            _ => offset
                .strip_prefix('+')
                .unwrap_or(offset)
                .parse()
                .map_err(|_| bad())?,
        };
        let span = jiff::Span::new().try_days(days).map_err(|_| bad())?;
        let date = self.today.checked_add(span).map_err(|_| bad())?;
        Ok(date.to_string())
    }

    /// `text` with every placeholder replaced.
    pub fn expand(&self, text: &str) -> Result<String, PlaceholderError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            out.push_str(&self.value(rest[start + 2..start + 2 + len].trim())?);
            rest = &rest[start + 2 + len + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `value` with placeholders replaced in every string (object keys are kept).
    pub fn expand_json(&self, value: &Value) -> Result<Value, PlaceholderError> {
        Ok(match value {
            Value::String(s) => Value::String(self.expand(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.expand_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.expand_json(v)?)))
                    .collect::<Result<_, PlaceholderError>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// The placeholder names used in `text`, in order of appearance.
pub fn names(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        found.push(rest[start + 2..start + 2 + len].trim().to_owned());
        rest = &rest[start + 2 + len + 2..];
    }
    found
}

/// The placeholder names used in the strings of `value`.
pub fn names_in_json(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.extend(names(s)),
        Value::Array(items) => items.iter().for_each(|v| names_in_json(v, into)),
        Value::Object(members) => members.values().for_each(|v| names_in_json(v, into)),
        _ => {}
    }
}

/// Whether a placeholder name is a date (known without any earlier answer).
pub fn is_date(name: &str) -> bool {
    name == "date" || name.starts_with("date+") || name.starts_with("date-")
}

/// `value` with each `(text, placeholder)` text replaced by `{{placeholder}}` in every
/// string, longest text first: how a recorded answer keeps the dates and captured ids
/// of its request replayable.
pub fn templatize(value: &Value, pairs: &[(String, String)]) -> Value {
    let mut sorted: Vec<&(String, String)> = pairs.iter().filter(|(t, _)| !t.is_empty()).collect();
    sorted.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    templatize_sorted(value, &sorted)
}

fn templatize_sorted(value: &Value, pairs: &[&(String, String)]) -> Value {
    match value {
        Value::String(s) => {
            let mut s = s.clone();
            for (text, name) in pairs {
                s = s.replace(text.as_str(), &format!("{{{{{name}}}}}"));
            }
            Value::String(s)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| templatize_sorted(v, pairs)).collect())
        }
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), templatize_sorted(v, pairs)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::new(date(2026, 12, 30));
        v.set("itinerary_id", "abc:1");
        v
    }

    #[test]
    fn dates_are_today_plus_or_minus_days() {
        let v = vars();
        assert_eq!(v.expand("{{date}}").unwrap(), "2026-12-30");
        assert_eq!(v.expand("d={{ date+7 }}&x").unwrap(), "d=2027-01-06&x");
        assert_eq!(v.expand("{{date-30}}").unwrap(), "2026-11-30");
    }

    #[test]
    fn captures_are_substituted_and_unknown_names_fail() {
        let v = vars();
        assert_eq!(v.expand("/it/{{itinerary_id}}").unwrap(), "/it/abc:1");
        assert_eq!(
            v.expand("{{nope}}"),
            Err(PlaceholderError::Unknown("nope".into()))
        );
        assert_eq!(
            v.expand("{{date+x}}"),
            Err(PlaceholderError::BadDate("date+x".into()))
        );
        assert_eq!(v.expand("a {{ b").unwrap(), "a {{ b");
    }

    #[test]
    fn json_strings_are_expanded_keys_kept() {
        let v = vars();
        let got = v
            .expand_json(&json!({"{{date}}": ["{{date+1}}", 3, null]}))
            .unwrap();
        assert_eq!(got, json!({"{{date}}": ["2026-12-31", 3, null]}));
    }

    #[test]
    fn names_are_listed_in_order() {
        assert_eq!(names("/a/{{x}}?d={{date+7}}"), vec!["x", "date+7"]);
        let mut found = Vec::new();
        names_in_json(&json!({"a": ["{{y}}"], "b": "{{z}}"}), &mut found);
        assert_eq!(found, vec!["y", "z"]);
        assert!(is_date("date+7") && is_date("date") && !is_date("dates"));
    }

    #[test]
    fn templatize_puts_placeholders_back_longest_first() {
        let pairs = vec![
            ("2027-01-06".to_owned(), "date+7".to_owned()),
            ("t1:2027-01-06".to_owned(), "itinerary_id".to_owned()),
        ];
        let got = templatize(
            &json!({"id": "t1:2027-01-06", "dep": "2027-01-06T08:00", "n": 2027}),
            &pairs,
        );
        assert_eq!(
            got,
            json!({"id": "{{itinerary_id}}", "dep": "{{date+7}}T08:00", "n": 2027})
        );
    }
}
