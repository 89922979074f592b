//! How per-route 12go outcomes become the search status (10 §1 "Statuses").

use crate::domain::upstream::{UpstreamClass, UpstreamError};

/// The outcome of one route after all attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteOutcome {
    /// 2xx (or 404 = no trips); `recheck` says whether 12go's data is still incomplete.
    Ok {
        recheck: bool,
    },
    Failed(UpstreamError),
}

impl RouteOutcome {
    /// Partial routes are re-polled (10 §4.9).
    pub fn is_partial(&self) -> bool {
        !matches!(self, Self::Ok { recheck: false })
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok { .. })
    }
}

/// What the client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStatus {
    Complete,
    /// 206 (or 200 when partial status is switched off).
    Partial,
    /// Every route rejected by 12go (400/422) → 400 `search_rejected`.
    Rejected,
    /// No route ok and some route hit a wrong 12go key → 502 `upstream_auth_failed`.
    AuthFailed,
    /// Every route timed out → 504.
    Timeout,
    /// 12go throttles this key → 429 with the longest `Retry-After` seen.
    Throttled {
        retry_after: u64,
    },
    /// The breaker was open for every route → 503.
    Unavailable {
        retry_after: u64,
    },
    /// No route ok, otherwise → 502 `upstream_error`.
    Failed,
}

/// Decides the status from every route's outcome (non-empty input).
pub fn decide(outcomes: &[RouteOutcome]) -> SearchStatus {
    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    if ok == outcomes.len() {
        return if outcomes.iter().any(RouteOutcome::is_partial) {
            SearchStatus::Partial
        } else {
            SearchStatus::Complete
        };
    }
    if ok > 0 {
        return SearchStatus::Partial;
    }
    let errors: Vec<&UpstreamError> = outcomes
        .iter()
        .filter_map(|o| match o {
            RouteOutcome::Failed(e) => Some(e),
            RouteOutcome::Ok { .. } => None,
        })
        .collect();
    let all = |c: UpstreamClass| errors.iter().all(|e| e.class() == c);
    let any = |c: UpstreamClass| errors.iter().any(|e| e.class() == c);
    if all(UpstreamClass::Rejected) {
        SearchStatus::Rejected
    } else if any(UpstreamClass::Auth) {
        SearchStatus::AuthFailed
    } else if all(UpstreamClass::Timeout) {
        SearchStatus::Timeout
    } else if all(UpstreamClass::BreakerOpen) {
        SearchStatus::Unavailable {
            retry_after: max_retry_after(&errors),
        }
    } else if any(UpstreamClass::Throttled) {
        SearchStatus::Throttled {
            retry_after: max_retry_after(&errors),
        }
    } else {
        SearchStatus::Failed
    }
}

fn max_retry_after(errors: &[&UpstreamError]) -> u64 {
    errors
        .iter()
        .filter_map(|e| match e {
            UpstreamError::Status { retry_after, .. } => *retry_after,
            UpstreamError::BreakerOpen { retry_after } => Some(*retry_after),
            _ => None,
        })
        .max()
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(recheck: bool) -> RouteOutcome {
        RouteOutcome::Ok { recheck }
    }
    fn status(s: u16) -> RouteOutcome {
        RouteOutcome::Failed(UpstreamError::Status {
            status: s,
            empty_object_body: false,
            retry_after: None,
            rejection: crate::domain::upstream::Rejection::default(),
        })
    }
    fn fail(e: UpstreamError) -> RouteOutcome {
        RouteOutcome::Failed(e)
    }

    #[test]
    fn all_ok_without_recheck_is_complete() {
        assert_eq!(decide(&[ok(false), ok(false)]), SearchStatus::Complete);
    }

    #[test]
    fn a_recheck_or_a_failed_route_beside_an_ok_one_is_partial() {
        assert_eq!(decide(&[ok(false), ok(true)]), SearchStatus::Partial);
        assert_eq!(decide(&[ok(false), status(500)]), SearchStatus::Partial);
        assert_eq!(
            decide(&[fail(UpstreamError::Timeout), ok(false)]),
            SearchStatus::Partial
        );
    }

    #[test]
    fn no_route_ok() {
        assert_eq!(decide(&[status(400), status(422)]), SearchStatus::Rejected);
        assert_eq!(
            decide(&[status(400), status(401)]),
            SearchStatus::AuthFailed
        );
        let empty_body_400 = fail(UpstreamError::Status {
            status: 400,
            empty_object_body: true,
            retry_after: None,
            rejection: crate::domain::upstream::Rejection::default(),
        });
        assert_eq!(
            decide(&[empty_body_400, status(500)]),
            SearchStatus::AuthFailed
        );
        assert_eq!(
            decide(&[fail(UpstreamError::Timeout), fail(UpstreamError::Timeout)]),
            SearchStatus::Timeout
        );
        assert_eq!(
            decide(&[fail(UpstreamError::Timeout), status(500)]),
            SearchStatus::Failed
        );
        assert_eq!(decide(&[status(500)]), SearchStatus::Failed);
        assert_eq!(decide(&[fail(UpstreamError::Decode)]), SearchStatus::Failed);
        assert_eq!(
            decide(&[fail(UpstreamError::Connect), status(400)]),
            SearchStatus::Failed
        );
    }

    #[test]
    fn throttling_and_breaker_carry_retry_after() {
        let t = fail(UpstreamError::Status {
            status: 429,
            empty_object_body: false,
            retry_after: Some(7),
            rejection: crate::domain::upstream::Rejection::default(),
        });
        assert_eq!(
            decide(&[t, status(500)]),
            SearchStatus::Throttled { retry_after: 7 }
        );
        let b = fail(UpstreamError::BreakerOpen { retry_after: 12 });
        assert_eq!(decide(&[b]), SearchStatus::Unavailable { retry_after: 12 });
    }
}
