//! Use case: search itineraries (10 §1–§4). One 12go call per route, at most 8
//! at a time, optional in-request re-polling of partial routes, then translation.

use futures_util::stream::{self, StreamExt};
use jiff::tz::TimeZone;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::recheck::RecheckDispatcher;
use crate::domain::field_error::FieldError;
use crate::domain::idmap::{map_search_result, IdMaps, MappedLocations, Misses};
use crate::domain::ids::Place;
use crate::domain::itinerary::SearchResult;
use crate::domain::search_query::{QueryParams, SearchLimits, SearchQuery};
use crate::domain::search_status::{decide, RouteOutcome, SearchStatus};
use crate::domain::translate::{PriceTypeMap, SearchTranslator};
use crate::domain::twelvego::SearchBody;
use crate::domain::upstream::{UpstreamClass, UpstreamError};
use crate::ports::clock::Clock;
use crate::ports::twelvego::{CallContext, SearchCall, TwelveGo};

/// At most this many 12go calls per search request.
const FAN_OUT: usize = 8;
const REPOLL_DELAY: Duration = Duration::from_millis(500);
const REPOLL_ATTEMPTS: usize = 3;

/// Search settings from configuration.
#[derive(Debug, Clone)]
pub struct SearchSettings {
    pub limits: SearchLimits,
    pub return_partial_status: bool,
    pub price_types: Arc<PriceTypeMap>,
}

/// A successful search.
#[derive(Debug)]
pub struct SearchOutcome {
    pub result: SearchResult,
    /// 206 rather than 200.
    pub partial: bool,
    pub routes: usize,
    /// `mapped` clients: ids with no mapping, for `idmap.miss`.
    pub misses: Misses,
}

/// Why a search has no answer body.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchError {
    Invalid(Vec<FieldError>),
    Rejected,
    AuthFailed,
    Timeout,
    Throttled { retry_after: u64 },
    Unavailable { retry_after: u64 },
    Failed,
}

pub struct SearchService {
    twelvego: Rc<dyn TwelveGo>,
    clock: Arc<dyn Clock>,
    settings: SearchSettings,
    recheck: RecheckDispatcher,
}

impl SearchService {
    pub fn new(
        twelvego: Rc<dyn TwelveGo>,
        clock: Arc<dyn Clock>,
        settings: SearchSettings,
        recheck: RecheckDispatcher,
    ) -> Self {
        Self {
            twelvego,
            clock,
            settings,
            recheck,
        }
    }

    /// A search in 12go ids (`native` clients).
    pub async fn search(
        &self,
        params: &QueryParams,
        ctx: &CallContext,
    ) -> Result<SearchOutcome, SearchError> {
        self.search_with_ids(params, ctx, None).await
    }

    /// A search; with `id_maps` (a `mapped` client) the location ids are
    /// translated first and the answer reverse-mapped (10 §6).
    #[tracing::instrument(name = "search", skip_all)]
    pub async fn search_with_ids(
        &self,
        params: &QueryParams,
        ctx: &CallContext,
        id_maps: Option<&IdMaps>,
    ) -> Result<SearchOutcome, SearchError> {
        let today = self.clock.now().to_zoned(TimeZone::UTC).date();
        let limits = self.settings.limits;
        let (query, mut misses) = match id_maps {
            None => (SearchQuery::parse(params, today, limits), Misses::default()),
            Some(maps) => {
                let mut ids = MappedLocations::new(maps);
                let q = SearchQuery::parse_with(params, today, limits, &mut ids);
                (q, ids.misses())
            }
        };
        let query = query.map_err(SearchError::Invalid)?;
        if query.routes.is_empty() {
            // Every id of one side had no mapping: nothing to ask 12go (10 §1).
            return Ok(SearchOutcome {
                result: SearchResult::default(),
                partial: false,
                routes: 0,
                misses,
            });
        }
        let started = Instant::now();
        let mut answers: Vec<Vec<SearchBody>> = std::iter::repeat_with(Vec::new)
            .take(query.routes.len())
            .collect();
        let all: Vec<usize> = (0..query.routes.len()).collect();
        let mut outcomes = self.call_routes(&query, &all, ctx, &mut answers).await;
        let budget = Duration::from_secs(u64::from(query.timeout_secs));
        for _ in 0..REPOLL_ATTEMPTS {
            let partial: Vec<usize> = (0..outcomes.len())
                .filter(|i| outcomes[*i].is_partial())
                .collect();
            if partial.is_empty()
                || started.elapsed() + REPOLL_DELAY >= budget
                || Instant::now() + REPOLL_DELAY >= ctx.deadline
            {
                break;
            }
            tokio::time::sleep(REPOLL_DELAY).await;
            let again = self.call_routes(&query, &partial, ctx, &mut answers).await;
            for (i, outcome) in partial.into_iter().zip(again) {
                // A route that was ok stays ok even if the re-poll failed.
                if outcome.is_ok() || !outcomes[i].is_ok() {
                    outcomes[i] = outcome;
                }
            }
        }
        let urls: Vec<String> = answers
            .iter()
            .flatten()
            .flat_map(|a| a.get().recheck.iter().map(|u| u.to_string()))
            .collect();
        if !urls.is_empty() {
            self.recheck.dispatch(urls, &ctx.key, &ctx.correlation_id);
        }
        let status = decide(&outcomes);
        let partial = match status {
            SearchStatus::Complete => false,
            SearchStatus::Partial => self.settings.return_partial_status,
            SearchStatus::Rejected => return Err(SearchError::Rejected),
            SearchStatus::AuthFailed => {
                tracing::error!(
                    event = "upstream.auth_failed",
                    "12go rejected the client's key"
                );
                return Err(SearchError::AuthFailed);
            }
            SearchStatus::Timeout => return Err(SearchError::Timeout),
            SearchStatus::Throttled { retry_after } => {
                return Err(SearchError::Throttled { retry_after })
            }
            SearchStatus::Unavailable { retry_after } => {
                return Err(SearchError::Unavailable { retry_after })
            }
            SearchStatus::Failed => return Err(SearchError::Failed),
        };
        let result = {
            let _span = tracing::info_span!("mapping").entered();
            let mut t =
                SearchTranslator::new(query.pax, query.departure_date, &self.settings.price_types);
            answers.iter().flatten().for_each(|a| t.add(a.get()));
            match id_maps {
                None => t.finish(),
                Some(maps) => {
                    let (mapped, out_misses) = map_search_result(t.finish(), maps);
                    misses.merge(out_misses);
                    mapped
                }
            }
        };
        Ok(SearchOutcome {
            result,
            partial,
            routes: query.routes.len(),
            misses,
        })
    }

    /// Calls the given routes (indices into `query.routes`), at most [`FAN_OUT`] at a
    /// time, appending each answer to its route's list; outcomes in `which` order.
    async fn call_routes(
        &self,
        query: &SearchQuery,
        which: &[usize],
        ctx: &CallContext,
        answers: &mut [Vec<SearchBody>],
    ) -> Vec<RouteOutcome> {
        let calls = which.iter().map(|&i| {
            let (from, to): (Place, Place) = query.routes[i];
            let call = SearchCall {
                from,
                to,
                date: query.departure_date,
                seats: query.pax,
            };
            async move { (i, self.twelvego.search(&call, ctx).await) }
        });
        let results: Vec<(usize, Result<SearchBody, UpstreamError>)> =
            stream::iter(calls).buffered(FAN_OUT).collect().await;
        results
            .into_iter()
            .map(|(i, r)| match r {
                Ok(answer) => {
                    let recheck = !answer.get().recheck.is_empty();
                    answers[i].push(answer);
                    RouteOutcome::Ok { recheck }
                }
                Err(e) if e.class() == UpstreamClass::NotFound => {
                    RouteOutcome::Ok { recheck: false }
                }
                Err(e) => {
                    log_route_failure(&query.routes[i], &e);
                    RouteOutcome::Failed(e)
                }
            })
            .collect()
    }
}

fn log_route_failure(route: &(Place, Place), e: &UpstreamError) {
    match e.class() {
        UpstreamClass::Auth => {
            tracing::error!(from = %route.0, to = %route.1, error = %e, "12go search: key rejected")
        }
        UpstreamClass::Rejected | UpstreamClass::Throttled => {
            tracing::warn!(from = %route.0, to = %route.1, error = %e, "12go search route rejected")
        }
        _ => tracing::warn!(from = %route.0, to = %route.1, error = %e, "12go search route failed"),
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
