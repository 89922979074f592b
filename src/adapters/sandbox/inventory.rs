//! Deterministic 12go search answers generated from the static world.
//!
//! Every station pair is generated on its own from a PRNG seeded with a stable hash
//! of (origin station, destination station, date), so a province search is exactly
//! the union of its station-pair searches and a trip can be found again from its key
//! and date. Nothing depends on the clock or process state; prices are totals
//! for the requested seats.
//!
//! Recheck rule: `recheck` is non-empty iff the searched destination place is
//! province 44 (two URLs: `/searchr` and `/searchpm`) or station 11553 (one URL:
//! `/searchr`), each `{base_url}/{path}?from={from}&to={to}&date={date}`; else `[]`.

use jiff::civil::Date;
use std::collections::BTreeSet;

use super::generate::pair_trips;
use super::world::{self, Station};
use crate::domain::ids::Place;
use crate::domain::twelvego::{
    ClassInfo, OperatorInfo, SearchAnswer, StationInfo, TravelOption, Trip,
};
use crate::ports::twelvego::SearchCall;
/// A search 12go would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// Unknown station or province: 404.
    #[error("not found")]
    NotFound,
    /// A malformed parameter: 400 with 12go's field error body.
    #[error("invalid {field}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// No API key: 401.
    #[error("unauthorized")]
    Unauthorized,
}

impl SandboxError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Invalid { .. } => 400,
            Self::Unauthorized => 401,
        }
    }

    /// The JSON body 12go sends with this status.
    pub fn body(&self) -> serde_json::Value {
        match self {
            Self::NotFound => serde_json::json!({"messages": ["Not found"]}),
            Self::Unauthorized => serde_json::json!({"messages": ["Unauthorized"]}),
            Self::Invalid { field, message } => serde_json::json!({
                "fields": {*field: "Invalid"}, "messages": [message], "data": {"reasons": []}
            }),
        }
    }
}

/// The answer to one U1 search.
///
/// # Errors
/// `Invalid` for seats outside 1..=100, `NotFound` for an unknown station or province.
pub fn search(call: &SearchCall, base_url: &str) -> Result<SearchAnswer<'static>, SandboxError> {
    if !(1..=100).contains(&call.seats) {
        return Err(SandboxError::invalid(
            "seats",
            "Seats must be between 1 and 100",
        ));
    }
    let origins = expand(call.from)?;
    let destinations = expand(call.to)?;
    let mut answer = SearchAnswer::default();
    let mut stations: BTreeSet<i64> = origins.iter().chain(&destinations).map(|s| s.id).collect();
    for o in &origins {
        for d in destinations.iter().filter(|d| d.id != o.id) {
            answer.trips.extend(pair_trips(o, d, call.date));
        }
    }
    answer
        .trips
        .sort_by(|a, b| (first_dep(a), &a.id).cmp(&(first_dep(b), &b.id)));
    // Like 12go (20 §9), prices for `seats` passengers are totals for all of them.
    for o in answer.trips.iter_mut().flat_map(|t| &mut t.travel_options) {
        o.price = super::booking::times(&o.price, call.seats);
        o.netprice = super::booking::times(&o.netprice, call.seats);
        o.agfee = super::booking::times(&o.agfee, call.seats);
        o.sysfee = super::booking::times(&o.sysfee, call.seats);
    }
    for seg in answer.trips.iter().flat_map(|t| &t.segments) {
        stations.extend(seg.from.into_iter().chain(seg.to));
        if let Some(op) = seg.operator.and_then(world::operator) {
            answer.operators.insert(
                op.id.to_string().into(),
                OperatorInfo {
                    id: Some(op.id),
                    name: Some(op.name.into()),
                    slug: Some(op.slug.into()),
                },
            );
        }
    }
    for class in answer.trips.iter().flat_map(|t| {
        let options = t.travel_options.iter().filter_map(|o| o.class);
        t.segments.iter().filter_map(|s| s.class).chain(options)
    }) {
        if let Some(c) = world::seat_class(class) {
            let info = ClassInfo {
                id: Some(c.id),
                name: Some(c.name.into()),
                is_multi_pax: Some(true),
            };
            answer.classes.insert(c.id.to_string().into(), info);
        }
    }
    for s in stations.into_iter().filter_map(world::station) {
        answer
            .stations
            .insert(s.id.to_string().into(), station_info(s));
    }
    answer.recheck = recheck_urls(call, base_url)
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(answer)
}

/// The recheck URLs of a search (see the module docs for the rule).
pub fn recheck_urls(call: &SearchCall, base_url: &str) -> Vec<String> {
    let base = base_url.trim_end_matches('/');
    let url = |path: &str| {
        format!(
            "{base}/{path}?from={}&to={}&date={}",
            call.from, call.to, call.date
        )
    };
    match call.to {
        Place::Province(44) => vec![url("searchr"), url("searchpm")],
        Place::Station(11553) => vec![url("searchr")],
        _ => Vec::new(),
    }
}

/// Finds a trip again from a key this sandbox issued and its departure date.
/// Returns the trip and the travel option carrying `key`.
pub fn find_trip(key: &str, date: Date) -> Option<(Trip<'static>, TravelOption<'static>)> {
    let k = super::key::decode_trip_key(key)?;
    let (from, to) = (world::station(k.from)?, world::station(k.to)?);
    pair_trips(from, to, date).into_iter().find_map(|t| {
        let option = t.travel_options.iter().find(|o| o.id == key)?.clone();
        Some((t, option))
    })
}

pub fn station_info(s: &Station) -> StationInfo {
    let province = world::province(s.province).map_or("", |p| p.name);
    StationInfo {
        station_id: Some(s.id),
        province_id: Some(s.province),
        station_name: Some(s.name.into()),
        station_name_full: Some(format!("{}, {province}", s.name)),
        station_code: Some(s.code.into()),
        station_slug: Some(s.slug.into()),
        station_lat: s.lat(),
        station_lng: s.lng(),
    }
}

fn expand(place: Place) -> Result<Vec<&'static Station>, SandboxError> {
    match place {
        Place::Station(id) => world::station(id)
            .map(|s| vec![s])
            .ok_or(SandboxError::NotFound),
        Place::Province(id) => match world::province(id) {
            Some(_) => Ok(world::stations_in(id).collect()),
            None => Err(SandboxError::NotFound),
        },
    }
}

fn first_dep<'a>(t: &'a Trip) -> Option<&'a str> {
    t.segments.first().and_then(|s| s.dep_time.as_deref())
}

#[cfg(test)]
#[path = "inventory_tests.rs"]
mod tests;
