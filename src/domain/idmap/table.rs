//! The CSV tables behind [`super::IdMaps`]: `previous_id,native_id` pairs and
//! `operator_id,native_class_id,previous_class_id` seat classes.

use std::collections::HashMap;

use super::BadRow;

/// One file's rows that parsed: `(line, columns)`, plus the rows left out.
fn rows<'t, const N: usize>(
    file: &'static str,
    text: &'t str,
    header: [&str; N],
    bad: &mut Vec<BadRow>,
) -> Vec<(usize, [&'t str; N])> {
    let mut lines = text.lines().enumerate();
    let first = lines
        .next()
        .map(|(_, h)| h.trim_start_matches('\u{feff}'))
        .unwrap_or("");
    let got: Vec<String> = first
        .split(',')
        .map(|c| unquote(c).to_ascii_lowercase())
        .collect();
    if got != header {
        // Columns in another order would map ids wrongly: ignore the whole file.
        bad.push(BadRow::new(
            file,
            1,
            format!("bad header: expected `{}`", header.join(",")),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(unquote).collect();
        let Ok(cols) = <[&str; N]>::try_from(cols.as_slice()) else {
            bad.push(BadRow::new(
                file,
                line_no,
                format!("expected {N} columns, found {}", cols.len()),
            ));
            continue;
        };
        if let Some(i) = cols.iter().position(|c| c.is_empty()) {
            bad.push(BadRow::new(file, line_no, format!("empty `{}`", header[i])));
            continue;
        }
        out.push((line_no, cols));
    }
    out
}

/// Trims blanks and one pair of surrounding double quotes.
fn unquote(raw: &str) -> &str {
    let t = raw.trim();
    t.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .map(str::trim)
        .unwrap_or(t)
}

/// 12go ids are integers; anything else cannot be searched or matched.
fn is_native(raw: &str) -> bool {
    raw.bytes().all(|b| b.is_ascii_digit()) && raw.parse::<i64>().is_ok()
}

/// Remembers rows already seen, to report exact duplicates.
#[derive(Default)]
struct Seen(HashMap<String, usize>);

impl Seen {
    /// `Some(first line)` when this row was seen before.
    fn check(&mut self, key: String, line: usize) -> Option<usize> {
        match self.0.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key, line);
                None
            }
        }
    }
}

/// A bidirectional `previous_id ↔ native_id` map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct IdTable {
    /// Every native id of a previous id, in file order.
    to_native: HashMap<String, Vec<String>>,
    /// The previous id of the first row naming each native id.
    to_previous: HashMap<String, String>,
    rows: usize,
}

impl IdTable {
    pub(super) fn parse(file: &'static str, text: &str, bad: &mut Vec<BadRow>) -> Self {
        let mut table = Self::default();
        let mut seen = Seen::default();
        for (line, [previous, native]) in rows(file, text, ["previous_id", "native_id"], bad) {
            if !is_native(native) {
                bad.push(BadRow::new(
                    file,
                    line,
                    "`native_id` is not a 12go integer id",
                ));
                continue;
            }
            if let Some(first) = seen.check(format!("{previous},{native}"), line) {
                bad.push(BadRow::new(
                    file,
                    line,
                    format!("duplicate of line {first}"),
                ));
                continue;
            }
            table
                .to_native
                .entry(previous.to_string())
                .or_default()
                .push(native.to_string());
            table
                .to_previous
                .entry(native.to_string())
                .or_insert_with(|| previous.to_string());
            table.rows += 1;
        }
        table
    }

    pub(super) fn to_previous(&self, native: &str) -> Option<&str> {
        self.to_previous.get(native).map(String::as_str)
    }

    pub(super) fn to_native(&self, previous: &str) -> &[String] {
        self.to_native.get(previous).map_or(&[], Vec::as_slice)
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }
}

/// `native operator → native class → previous class`; first row wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SeatClassTable {
    to_previous: HashMap<String, HashMap<String, String>>,
    rows: usize,
}

impl SeatClassTable {
    pub(super) fn parse(file: &'static str, text: &str, bad: &mut Vec<BadRow>) -> Self {
        let mut table = Self::default();
        let mut seen = Seen::default();
        let header = ["operator_id", "native_class_id", "previous_class_id"];
        for (line, [operator, class, previous]) in rows(file, text, header, bad) {
            if !is_native(operator) || !is_native(class) {
                bad.push(BadRow::new(
                    file,
                    line,
                    "`operator_id` and `native_class_id` must be 12go integer ids",
                ));
                continue;
            }
            if let Some(first) = seen.check(format!("{operator},{class},{previous}"), line) {
                bad.push(BadRow::new(
                    file,
                    line,
                    format!("duplicate of line {first}"),
                ));
                continue;
            }
            table
                .to_previous
                .entry(operator.to_string())
                .or_default()
                .entry(class.to_string())
                .or_insert_with(|| previous.to_string());
            table.rows += 1;
        }
        table
    }

    pub(super) fn to_previous(&self, operator: &str, class: &str) -> Option<&str> {
        self.to_previous
            .get(operator)
            .and_then(|classes| classes.get(class))
            .map(String::as_str)
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }
}
