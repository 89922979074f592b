//! The public API's route templates, matched without a regex.
//!
//! The pipeline needs a request's route template before the request is routed (span,
//! metrics, the correlation-id check, the rate class). `HttpRequest::match_pattern`
//! finds it by running actix's regex router a second time, ~2.5 % of a small search
//! (issue 8, round 5); this table answers the same from the same templates
//! (`api_routes`, which also registers them with actix) by comparing path segments.
//! A test checks it against `match_pattern` for every template.

use std::sync::Arc;

/// One segment of a template.
#[derive(Debug)]
enum Part {
    /// Must equal the path's segment.
    Literal(Box<str>),
    /// `{name}`: any non-empty segment (actix's default `[^/]+`).
    Param,
    /// `{name:.*}`, last: whatever follows the `/` before it, slashes included.
    Rest,
}

#[derive(Debug)]
struct Route {
    template: Arc<str>,
    parts: Box<[Part]>,
}

/// Templates in registration order; the first that matches wins, as in actix.
#[derive(Debug)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// `None` if a template uses anything but literal segments, `{name}` and a final
    /// `{name:.*}`: the caller then asks actix (`match_pattern`).
    pub fn new<S: AsRef<str>>(templates: impl IntoIterator<Item = S>) -> Option<Self> {
        let routes = templates
            .into_iter()
            .map(|t| parse(t.as_ref()))
            .collect::<Option<Vec<_>>>()?;
        Some(Self { routes })
    }

    /// The template `path` matches, as `HttpRequest::match_pattern` would give it.
    pub fn find(&self, path: &str) -> Option<&Arc<str>> {
        let rest = path.strip_prefix('/')?;
        self.routes
            .iter()
            .find(|r| matches(&r.parts, rest))
            .map(|r| &r.template)
    }
}

fn parse(template: &str) -> Option<Route> {
    let body = template.strip_prefix('/')?;
    let segments: Vec<&str> = body.split('/').collect();
    let last = segments.len() - 1;
    let parts = segments
        .iter()
        .enumerate()
        .map(
            |(i, seg)| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(inner) => match inner.split_once(':') {
                    None if is_name(inner) => Some(Part::Param),
                    Some((name, ".*")) if is_name(name) && i == last => Some(Part::Rest),
                    _ => None,
                },
                None if !seg.contains(['{', '}']) => Some(Part::Literal((*seg).into())),
                None => None,
            },
        )
        .collect::<Option<Box<[Part]>>>()?;
    Some(Route {
        template: template.into(),
        parts,
    })
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `path` without its leading `/`.
fn matches(parts: &[Part], path: &str) -> bool {
    let mut segments = path.split('/');
    for part in parts {
        let Some(seg) = segments.next() else {
            return false;
        };
        match part {
            Part::Literal(lit) if **lit == *seg => {}
            Part::Param if !seg.is_empty() => {}
            // The `/` before it has been seen; anything may follow.
            Part::Rest => return true,
            _ => return false,
        }
    }
    segments.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::RouteTable;

    fn table() -> RouteTable {
        RouteTable::new([
            "/health",
            "/v1/{client_id}/itineraries",
            "/v1/{client_id}/itineraries/{itinerary_id}",
            "/v1/notifications/{integration}",
            "/v1/notifications/{integration}/{rest:.*}",
            "/v1/{client_id}/stations",
        ])
        .expect("supported templates")
    }

    fn find(path: &str) -> Option<String> {
        table().find(path).map(|t| t.to_string())
    }

    #[test]
    fn literal_and_parameter_segments_match_whole_segments() {
        assert_eq!(find("/health").as_deref(), Some("/health"));
        assert_eq!(
            find("/v1/acme/itineraries").as_deref(),
            Some("/v1/{client_id}/itineraries")
        );
        assert_eq!(
            find("/v1/acme/itineraries/abc%2F1").as_deref(),
            Some("/v1/{client_id}/itineraries/{itinerary_id}")
        );
        for miss in [
            "/health/",
            "//health",
            "/healthz",
            "/Health",
            "/v1//itineraries",
            "/v1/acme/itineraries/",
            "/v1/acme/itineraries/1/2",
            "/v1/acme",
            "",
            "health",
        ] {
            assert_eq!(find(miss), None, "{miss}");
        }
    }

    #[test]
    fn a_rest_segment_needs_its_slash_and_takes_anything_after_it() {
        let rest = "/v1/notifications/{integration}/{rest:.*}";
        assert_eq!(
            find("/v1/notifications/bus").as_deref(),
            Some("/v1/notifications/{integration}")
        );
        assert_eq!(find("/v1/notifications/bus/").as_deref(), Some(rest));
        assert_eq!(find("/v1/notifications/bus/a/b//c").as_deref(), Some(rest));
        assert_eq!(find("/v1/notifications//a"), None);
    }

    #[test]
    fn the_first_matching_template_wins() {
        let t = RouteTable::new(["/v1/{client_id}/stations", "/v1/{x}/{y}"]).expect("ok");
        assert_eq!(
            t.find("/v1/a/stations").map(|s| &**s),
            Some("/v1/{client_id}/stations")
        );
        assert_eq!(t.find("/v1/a/pois").map(|s| &**s), Some("/v1/{x}/{y}"));
    }

    #[test]
    fn templates_it_cannot_match_exactly_are_refused() {
        for bad in [
            "/v1/{id:\\d+}",
            "/v1/{rest:.*}/x",
            "/v1/a{b}",
            "/v1/{}",
            "v1/x",
        ] {
            assert!(RouteTable::new([bad]).is_none(), "{bad}");
        }
    }
}
