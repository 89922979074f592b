//! Keeping 12go keys out of logs, spans and errors: `k=<key>` becomes `k=***`.

/// Replaces the value of every `k` query parameter with `***`, leaving the rest of
/// the URL (absolute or relative) byte for byte as it was.
pub fn redact_url(url: &str) -> String {
    let Some((head, rest)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let query = query
        .split('&')
        .map(|part| if is_key_param(part) { "k=***" } else { part })
        .collect::<Vec<_>>()
        .join("&");
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    out.push('?');
    out.push_str(&query);
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// A URL shown with its key redacted ([`redact_url`]), built only when it is
/// formatted: a log event that is filtered out costs nothing.
pub struct Redacted<'a>(pub &'a str);

impl std::fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(self.0))
    }
}

/// Whether one raw `name=value` query part is the `k` parameter (name decoded,
/// so `%6B=` counts as well).
pub(super) fn is_key_param(part: &str) -> bool {
    let raw_name = part.split_once('=').map_or(part, |(name, _)| name);
    if raw_name == "k" {
        return true;
    }
    form_urlencoded::parse(raw_name.as_bytes())
        .next()
        .is_some_and(|(name, _)| name == "k")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_displays_the_redacted_url() {
        let url = "https://api.12go.test/trip/1?k=s3cr3t&seats=1";
        assert_eq!(
            Redacted(url).to_string(),
            "https://api.12go.test/trip/1?k=***&seats=1"
        );
    }

    #[test]
    fn redacts_k_in_an_absolute_url() {
        assert_eq!(
            redact_url(
                "https://api.12go.test/search/3s/44p/2026-04-05?seats=1&direct=true&k=s3cr3t"
            ),
            "https://api.12go.test/search/3s/44p/2026-04-05?seats=1&direct=true&k=***"
        );
    }

    #[test]
    fn redacts_k_as_the_first_or_only_parameter() {
        assert_eq!(redact_url("/searchr?k=abc&x=1"), "/searchr?k=***&x=1");
        assert_eq!(redact_url("/searchr?k=abc"), "/searchr?k=***");
        assert_eq!(redact_url("?k=abc"), "?k=***");
    }

    #[test]
    fn redacts_k_in_the_middle_and_every_occurrence() {
        assert_eq!(
            redact_url("https://h/p?a=1&k=one&b=2&k=two"),
            "https://h/p?a=1&k=***&b=2&k=***"
        );
    }

    #[test]
    fn redacts_empty_valueless_and_encoded_k() {
        assert_eq!(redact_url("/p?k="), "/p?k=***");
        assert_eq!(redact_url("/p?k"), "/p?k=***");
        assert_eq!(redact_url("/p?%6B=abc&%6b=def"), "/p?k=***&k=***");
    }

    #[test]
    fn leaves_similar_names_alone() {
        let url = "https://h/p?kk=1&key=2&ak=3&k_=4&x=k&y=k%3Dz";
        assert_eq!(redact_url(url), url);
    }

    #[test]
    fn keeps_the_fragment_and_odd_query_parts() {
        assert_eq!(
            redact_url("https://h/p?a=%20b&&k=x#frag?k=y"),
            "https://h/p?a=%20b&&k=***#frag?k=y"
        );
    }

    #[test]
    fn leaves_urls_without_a_query_untouched() {
        for url in ["", "https://h/p", "/searchr/abc", "https://h/p#k=1"] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn never_contains_the_key_value() {
        let out = redact_url("https://h:8443/recheckpa?trip=1&k=VERYSECRETKEY&z=%2F");
        assert!(!out.contains("VERYSECRETKEY"));
        assert_eq!(out, "https://h:8443/recheckpa?trip=1&k=***&z=%2F");
    }
}
