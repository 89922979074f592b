//! Search parameters (10 §1): parsed and validated in one pass, collecting every
//! problem as a field error, then turned into the 12go routes to call.

use jiff::civil::Date;
use validator::ValidateRange;

use crate::domain::field_error::FieldError;
use crate::domain::ids::Place;
use crate::domain::time::parse_date;

/// Query parameters with repeated-name support: `x[]`, `x%5B%5D` and `x` are one name.
#[derive(Debug, Default, Clone)]
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// Builds from already percent-decoded pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let mut k: String = k.into();
                    if k.ends_with("[]") {
                        k.truncate(k.len() - 2);
                    }
                    (k, v.into())
                })
                .collect(),
        )
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The single value of `name`; a repeated single-valued parameter is an error.
    pub fn one<'a>(&'a self, name: &'a str, errors: &mut Vec<FieldError>) -> Option<&'a str> {
        let mut it = self.all(name);
        let first = it.next();
        if it.next().is_some() {
            errors.push(FieldError::new(name, "Must be given at most once."));
        }
        first
    }
}

/// Limits that come from configuration.
#[derive(Debug, Clone, Copy)]
pub struct SearchLimits {
    pub max_routes: usize,
    pub max_timeout_secs: u32,
}

/// Turns a client location id (already checked against `^[A-Z0-9]{1,16}$`)
/// into 12go ids.
pub trait LocationIds {
    /// `Err(message)` refuses the id (a field error); `Ok` with no ids drops it.
    fn stations(&mut self, raw: &str) -> Result<Vec<i64>, &'static str>;
    fn pois(&mut self, raw: &str) -> Result<Vec<i64>, &'static str>;
}

/// `native` id mode: the ids are 12go's own integers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeIds;

impl LocationIds for NativeIds {
    fn stations(&mut self, raw: &str) -> Result<Vec<i64>, &'static str> {
        native_id(raw).map(|id| vec![id])
    }
    fn pois(&mut self, raw: &str) -> Result<Vec<i64>, &'static str> {
        native_id(raw).map(|id| vec![id])
    }
}

fn native_id(raw: &str) -> Result<i64, &'static str> {
    raw.parse::<i64>()
        .map_err(|_| "Unknown id: this client uses 12go numeric ids.")
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Origin × destination, deduplicated, in request order, never origin = destination.
    /// Empty only when [`LocationIds`] dropped every id of one side.
    pub routes: Vec<(Place, Place)>,
    pub departure_date: Date,
    pub pax: u8,
    /// In-request re-polling budget, seconds (0 = none).
    pub timeout_secs: u32,
}

impl SearchQuery {
    /// Validates everything and lists every failing parameter (12go ids).
    pub fn parse(
        q: &QueryParams,
        today: Date,
        limits: SearchLimits,
    ) -> Result<Self, Vec<FieldError>> {
        Self::parse_with(q, today, limits, &mut NativeIds)
    }

    /// As [`SearchQuery::parse`], with location ids resolved by `ids`.
    pub fn parse_with(
        q: &QueryParams,
        today: Date,
        limits: SearchLimits,
        ids: &mut dyn LocationIds,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errs = Vec::new();
        let departure_date = match q.one("departure_date", &mut errs) {
            None => {
                errs.push(FieldError::new("departure_date", "Required."));
                None
            }
            Some(raw) => match parse_date_param(raw) {
                None => {
                    errs.push(FieldError::new(
                        "departure_date",
                        "Must be a date YYYY-MM-DD.",
                    ));
                    None
                }
                Some(d) if d < today => {
                    errs.push(FieldError::new(
                        "departure_date",
                        "Must not be in the past.",
                    ));
                    None
                }
                Some(d) => Some(d),
            },
        };
        if let Some(raw) = q.one("return_date", &mut errs) {
            match parse_date_param(raw) {
                None => errs.push(FieldError::new("return_date", "Must be a date YYYY-MM-DD.")),
                Some(r) if departure_date.is_some_and(|d| r < d) => errs.push(FieldError::new(
                    "return_date",
                    "Must not be before departure_date.",
                )),
                Some(_) => {}
            }
        }
        let pax = match q.one("pax", &mut errs) {
            None => {
                errs.push(FieldError::new("pax", "Required."));
                None
            }
            Some(raw) => match raw.trim().parse::<i64>() {
                Ok(n) if n.validate_range(Some(1), Some(100), None, None) => u8::try_from(n).ok(),
                _ => {
                    errs.push(FieldError::new("pax", "Must be an integer from 1 to 100."));
                    None
                }
            },
        };
        for (i, raw) in q.all("pax_ages").enumerate() {
            let ok = raw
                .trim()
                .parse::<i64>()
                .is_ok_and(|n| n.validate_range(Some(0), Some(120), None, None));
            if !ok {
                errs.push(FieldError::new(
                    format!("pax_ages[{i}]"),
                    "Must be an integer from 0 to 120.",
                ));
            }
        }
        if let Some(raw) = q.one("currency", &mut errs) {
            if raw.len() != 3 || !raw.bytes().all(|c| c.is_ascii_uppercase()) {
                errs.push(FieldError::new("currency", "Must be 3 uppercase letters."));
            }
        }
        if let Some(raw) = q.one("confidence_score", &mut errs) {
            let ok = raw
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| v.is_finite() && v.validate_range(Some(0.0), Some(1.0), None, None));
            if !ok {
                errs.push(FieldError::new(
                    "confidence_score",
                    "Must be a number from 0 to 1.",
                ));
            }
        }
        if let Some(raw) = q.one("cache_only", &mut errs) {
            if !matches!(raw, "true" | "false") {
                errs.push(FieldError::new("cache_only", "Must be true or false."));
            }
        }
        let timeout_secs = match q.one("timeout", &mut errs) {
            None => 0,
            Some(raw) => match raw.trim().parse::<i64>() {
                Ok(n)
                    if n.validate_range(
                        Some(0),
                        Some(i64::from(limits.max_timeout_secs)),
                        None,
                        None,
                    ) =>
                {
                    u32::try_from(n).unwrap_or(0)
                }
                _ => {
                    errs.push(FieldError::new(
                        "timeout",
                        format!("Must be an integer from 0 to {}.", limits.max_timeout_secs),
                    ));
                    0
                }
            },
        };
        let origins = places(q, "departures", "departure_poi", ids, &mut errs);
        let destinations = places(q, "arrivals", "arrival_poi", ids, &mut errs);
        let routes = match (origins, destinations) {
            // Every id of a side was dropped (mapped mode): nothing to search.
            (Some(o), Some(d)) if o.is_empty() || d.is_empty() => Vec::new(),
            (Some(o), Some(d)) => build_routes(&o, &d, limits.max_routes, &mut errs),
            _ => Vec::new(),
        };
        match (departure_date, pax) {
            (Some(departure_date), Some(pax)) if errs.is_empty() => Ok(Self {
                routes,
                departure_date,
                pax,
                timeout_secs,
            }),
            _ => Err(errs),
        }
    }
}

/// `YYYY-MM-DD`, or a full ISO date-time whose date part is kept.
fn parse_date_param(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    // Valid values are ASCII; the lenient parser slices by byte offset and must not
    // see multi-byte characters.
    if !raw.is_ascii() {
        return None;
    }
    if raw.len() > 10 {
        let sep = raw.as_bytes()[10];
        if sep != b'T' && sep != b' ' {
            return None;
        }
        crate::domain::time::parse_lenient_datetime(raw)?;
        return parse_date(&raw[..10]);
    }
    parse_date(raw)
}

fn valid_location_id(raw: &str) -> bool {
    (1..=16).contains(&raw.len())
        && raw
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Exactly one of the station list and the POI, resolved by `ids`.
fn places(
    q: &QueryParams,
    list: &str,
    poi: &str,
    ids: &mut dyn LocationIds,
    errs: &mut Vec<FieldError>,
) -> Option<Vec<Place>> {
    let stations: Vec<&str> = q.all(list).collect();
    let poi_value = q.one(poi, errs);
    match (stations.is_empty(), poi_value) {
        (true, None) => {
            errs.push(FieldError::new(list, format!("Give {list} or {poi}.")));
            None
        }
        (false, Some(_)) => {
            errs.push(FieldError::new(
                poi,
                format!("Give either {list} or {poi}, not both."),
            ));
            None
        }
        (true, Some(raw)) => resolve(raw, || poi.to_owned(), |r| ids.pois(r), errs)
            .map(|v| v.into_iter().map(Place::Province).collect()),
        (false, None) => {
            let before = errs.len();
            let out: Vec<Place> = stations
                .iter()
                .enumerate()
                .filter_map(|(i, raw)| {
                    let field = || format!("{list}[{i}]");
                    resolve(raw, field, |r| ids.stations(r), errs)
                })
                .flatten()
                .map(Place::Station)
                .collect();
            (errs.len() == before).then_some(out)
        }
    }
}

/// `field` names the parameter in an error; it is only built when there is one.
fn resolve(
    raw: &str,
    field: impl FnOnce() -> String,
    ids: impl FnOnce(&str) -> Result<Vec<i64>, &'static str>,
    errs: &mut Vec<FieldError>,
) -> Option<Vec<i64>> {
    if !valid_location_id(raw) {
        errs.push(FieldError::new(
            field(),
            "Must be 1 to 16 uppercase letters or digits.",
        ));
        return None;
    }
    match ids(raw) {
        Ok(found) => Some(found),
        Err(message) => {
            errs.push(FieldError::new(field(), message));
            None
        }
    }
}

fn build_routes(
    origins: &[Place],
    destinations: &[Place],
    max: usize,
    errs: &mut Vec<FieldError>,
) -> Vec<(Place, Place)> {
    let mut routes: Vec<(Place, Place)> = Vec::new();
    // Stops as soon as the limit is exceeded, so a huge request costs at most
    // `max + 1` routes of work instead of origins × destinations.
    'product: for o in origins {
        for d in destinations {
            if o != d && !routes.contains(&(*o, *d)) {
                routes.push((*o, *d));
                if routes.len() > max {
                    break 'product;
                }
            }
        }
    }
    if routes.is_empty() {
        errs.push(FieldError::new(
            "arrivals",
            "No route left: every origin equals its destination.",
        ));
    } else if routes.len() > max {
        errs.push(FieldError::new(
            "departures",
            format!("More than {max} routes requested; at most {max} are allowed."),
        ));
    }
    routes
}

#[cfg(test)]
#[path = "search_query_tests.rs"]
mod tests;
