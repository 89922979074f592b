//! 12go PCRE patterns (`/…/u`, `#…#i`, `{…}`): delimiters and flags stripped, the body
//! compiled with the `regex` crate. A pattern that does not compile is skipped (10.5).

use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A compiled 12go pattern. Matching is unanchored, like `preg_match`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The 12go text, delimiters included.
    pub source: String,
    /// The body without delimiters and flags.
    pub body: String,
    /// What the client schema shows: the body, unless a flag changes its meaning.
    pub client_pattern: Option<String>,
    regex: Regex,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("pattern has no closing delimiter")]
    Delimiter,
    #[error("unsupported pattern flag {0:?}")]
    Flag(char),
    #[error("pattern does not compile")]
    Compile,
}

impl PartialEq for Pattern {
    fn eq(&self, o: &Self) -> bool {
        self.source == o.source
    }
}

impl Pattern {
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// Splits `/body/flags`; a text without a recognised delimiter is all body.
pub fn split_delimiters(raw: &str) -> Result<(&str, &str), PatternError> {
    let t = raw.trim();
    let Some(open) = t.chars().next() else {
        return Ok(("", ""));
    };
    if open.is_alphanumeric() || open == '\\' || open.is_whitespace() || open == '^' {
        return Ok((t, ""));
    }
    let close = match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        c => c,
    };
    let rest = &t[open.len_utf8()..];
    let end = rest.rfind(close).ok_or(PatternError::Delimiter)?;
    Ok((&rest[..end], &rest[end + close.len_utf8()..]))
}

/// Distinct patterns kept compiled; 12go forms reuse a handful, so this is never
/// reached in practice, and when it is the cache simply starts over.
const CACHE_MAX: usize = 512;

/// Compiles one 12go pattern, once per process: compiling Unicode classes such as
/// `\pC` costs milliseconds, and every checkout form repeats the same patterns.
/// A cached `Regex` is cloned cheaply (its program is shared).
pub fn compile(raw: &str) -> Result<Pattern, PatternError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<Pattern, PatternError>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(raw).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(raw);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CACHE_MAX {
            c.clear();
        }
        c.insert(raw.to_string(), compiled.clone());
    }
    compiled
}

fn compile_uncached(raw: &str) -> Result<Pattern, PatternError> {
    let (body, flags) = split_delimiters(raw)?;
    let mut b = RegexBuilder::new(body);
    b.size_limit(1 << 24).dfa_size_limit(1 << 22).nest_limit(64);
    let mut plain = true;
    for f in flags.chars() {
        match f {
            'u' | 'D' | 'S' => {}
            'i' => {
                b.case_insensitive(true);
                plain = false;
            }
            'm' => {
                b.multi_line(true);
                plain = false;
            }
            's' => {
                b.dot_matches_new_line(true);
                plain = false;
            }
            'x' => {
                b.ignore_whitespace(true);
                plain = false;
            }
            'U' => {
                b.swap_greed(true);
                plain = false;
            }
            c if c.is_whitespace() => {}
            c => return Err(PatternError::Flag(c)),
        }
    }
    let regex = b.build().map_err(|_| PatternError::Compile)?;
    Ok(Pattern {
        source: raw.to_string(),
        body: body.to_string(),
        client_pattern: plain.then(|| body.to_string()),
        regex,
    })
}

/// Compiles every pattern of a field; the failures come back as raw texts (for a WARN).
pub fn compile_all(raw: &[String]) -> (Vec<Pattern>, Vec<String>) {
    let mut ok = Vec::new();
    let mut skipped = Vec::new();
    for r in raw {
        match compile(r) {
            Ok(p) => ok.push(p),
            Err(_) => skipped.push(r.clone()),
        }
    }
    (ok, skipped)
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[test]
    fn a_cached_pattern_behaves_like_a_fresh_one_and_failures_stay_failures() {
        let raw = r"/^[\s\pCA-Za-z\x{0E00}-\x{0E7F}]{2,30}$/u";
        let first = compile(raw).unwrap();
        let again = compile(raw).unwrap();
        assert_eq!(first, again);
        assert!(again.is_match("John") && again.is_match("สมชาย"));
        assert!(!again.is_match("J"));
        assert_eq!(compile("/(unclosed/").unwrap_err(), PatternError::Compile);
        assert_eq!(compile("/(unclosed/").unwrap_err(), PatternError::Compile);
        assert_eq!(compile("/a/q").unwrap_err(), PatternError::Flag('q'));
    }
}
