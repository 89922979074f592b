//! 12go search answers → the Connect search result (10 §4).

use foldhash::HashMap;
use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::domain::id_index::IdIndex;
use crate::domain::ids::{itinerary_id, TransportType};
use crate::domain::itinerary::{
    CancellationPolicy, ConfirmationType, GrossPrice, Itinerary, Penalty, PriceType, Pricing,
    SearchResult, SeatClass, Segment, TicketType, Vehicle,
};
use crate::domain::money::{Currency, Money};
use crate::domain::time::{
    format_minutes, int_string, iso_duration_minutes, minutes_between, parse_lenient_datetime,
    push_int,
};
use crate::domain::twelvego::{self as tg, SearchAnswer};

/// `price_restriction` → `price_type` (config `PRICE_TYPE_MAP`, default `0:Recommended`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceTypeMap(BTreeMap<i64, PriceType>);

impl Default for PriceTypeMap {
    fn default() -> Self {
        Self(BTreeMap::from([(0, PriceType::Recommended)]))
    }
}

impl PriceTypeMap {
    /// Parses `0:Recommended,1:Exact`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once(':')
                .ok_or_else(|| format!("entry `{part}` is not `code:PriceType`"))?;
            let code: i64 = k
                .trim()
                .parse()
                .map_err(|_| format!("`{k}` is not an integer"))?;
            let ty = PriceType::parse(v)
                .ok_or_else(|| format!("`{v}` is not one of Max, Min, Exact, Recommended"))?;
            map.insert(code, ty);
        }
        Ok(Self(map))
    }

    fn lookup(&self, code: i64) -> PriceType {
        self.0.get(&code).copied().unwrap_or_else(|| {
            tracing::warn!(
                price_restriction = code,
                "unknown price_restriction, using Recommended"
            );
            PriceType::Recommended
        })
    }
}

/// Accumulates 12go answers (routes in request order, re-polls after) into one
/// deduplicated result: first occurrence wins at every level.
pub struct SearchTranslator<'a> {
    pax: u8,
    date: Date,
    price_types: &'a PriceTypeMap,
    out: SearchResult,
    /// Ids of `out.itineraries`, by position.
    itinerary_ids: IdIndex,
    /// Ids of `out.segments`, by position (a segment keeps its first vehicle).
    segment_ids: IdIndex,
    vehicle_index: HashMap<String, usize>,
}

/// One route segment, already checked and formatted.
struct Leg<'t> {
    segment: Segment,
    dep: DateTime,
    transport: TransportType,
    /// Borrowed from the answer: copied only for a new seat class.
    class_name: &'t str,
    guaranteed: Option<bool>,
}

impl<'a> SearchTranslator<'a> {
    pub fn new(pax: u8, date: Date, price_types: &'a PriceTypeMap) -> Self {
        Self {
            pax,
            date,
            price_types,
            out: SearchResult::default(),
            itinerary_ids: IdIndex::default(),
            segment_ids: IdIndex::default(),
            vehicle_index: HashMap::default(),
        }
    }

    pub fn add(&mut self, answer: &SearchAnswer) {
        // Sized once for the answer rather than regrown (and rehashed) as it fills.
        let options: usize = answer.trips.iter().map(|t| t.travel_options.len()).sum();
        self.itinerary_ids.reserve(options);
        self.segment_ids.reserve(options);
        // The output too: grown by doubling it moved every itinerary (~200 bytes)
        // and segment (~260) up to eight times (`memcpy` in the profile).
        self.out.itineraries.reserve(options);
        self.out.segments.reserve(options);
        for trip in answer.trips.iter().filter(|t| !t.params.hide) {
            for option in &trip.travel_options {
                self.add_option(answer, trip, option);
            }
        }
    }

    pub fn finish(self) -> SearchResult {
        self.out
    }

    fn add_option(&mut self, answer: &SearchAnswer, trip: &tg::Trip, o: &tg::TravelOption) {
        let (Some(price), Some(net)) = (value_of(&o.price), value_of(&o.netprice)) else {
            return;
        };
        let seats = o.bookable.unwrap_or(0);
        if o.is_bookable == Some(0) || seats < i64::from(self.pax) {
            return;
        }
        let route = || {
            trip.segments
                .iter()
                .filter(|s| s.kind.is_empty() || s.kind.eq_ignore_ascii_case("route"))
        };
        let single = route().nth(1).is_none();
        let mut legs: Vec<Leg> = Vec::with_capacity(trip.segments.len());
        for s in route() {
            let Some(leg) = build_leg(answer, trip, o, s, single) else {
                tracing::warn!(trip = %trip.id, "12go trip has an incomplete segment, skipped");
                return;
            };
            legs.push(leg);
        }
        let Some(first) = legs.first() else { return };
        if first.dep.date() != self.date {
            return;
        }
        let id = itinerary_id(trip_key(trip, o), first.dep, self.pax);
        let itineraries = &self.out.itineraries;
        let text_of = |i: usize| itineraries.get(i).map(|it| it.id.as_str());
        if self.itinerary_ids.find(&id, text_of).is_some() {
            return;
        }
        let Some(pricing) = self.pricing(o, price, net) else {
            return;
        };
        self.itinerary_ids.insert(&id, self.out.itineraries.len());
        let departure = first.dep;
        let connection_guaranteed =
            legs.len() == 1 || legs.iter().all(|l| l.guaranteed == Some(true));
        let itinerary = Itinerary {
            id,
            departure_segments: legs.iter().map(|l| l.segment.id.clone()).collect(),
            connection_guaranteed,
            cancellation_policies: cancellation_policies(o.full_refund_until.as_deref(), departure),
            number_of_available_seats: seats,
            pricing,
            confirmation_type: confirmation_type(o.confirmation_time),
            ticket_type: ticket_type(o.ticket_type.as_deref()),
        };
        for mut leg in legs {
            // A segment seen before keeps its first vehicle: the amenities go there,
            // and no vehicle is listed that no segment points to.
            let segments = &self.out.segments;
            let text_of = |i: usize| segments.get(i).map(|s| s.id.as_str());
            let first = self
                .segment_ids
                .find(&leg.segment.id, text_of)
                .and_then(|i| segments.get(i));
            let seen = match first {
                Some(first) => {
                    leg.segment.vehicle_id.clone_from(&first.vehicle_id);
                    true
                }
                None => false,
            };
            self.add_vehicle(&leg, &o.amenities);
            if !seen {
                self.segment_ids
                    .insert(&leg.segment.id, self.out.segments.len());
                self.out.segments.push(leg.segment);
            }
        }
        self.out.itineraries.push(itinerary);
    }

    fn add_vehicle(&mut self, leg: &Leg, amenities: &[tg::Text]) {
        let vid = &leg.segment.vehicle_id;
        let idx = match self.vehicle_index.get(vid) {
            Some(i) => *i,
            None => {
                self.out.vehicles.push(Vehicle {
                    id: vid.clone(),
                    name: leg.transport.as_str().to_string(),
                    seat_classes: Vec::new(),
                    images: None,
                    description: None,
                    keywords: None,
                    amenities: None,
                });
                self.vehicle_index
                    .insert(vid.clone(), self.out.vehicles.len() - 1);
                self.out.vehicles.len() - 1
            }
        };
        let classes = &mut self.out.vehicles[idx].seat_classes;
        let class_id = &leg.segment.seat_class_id;
        let class = match classes.iter_mut().position(|c| c.id == *class_id) {
            Some(i) => &mut classes[i],
            None => {
                classes.push(SeatClass {
                    id: class_id.clone(),
                    name: leg.class_name.to_owned(),
                    description: String::new(),
                    keywords: None,
                    images: None,
                    amenities: Vec::new(),
                });
                let last = classes.len() - 1;
                &mut classes[last]
            }
        };
        for a in amenities {
            if !class.amenities.iter().any(|have| have == a.as_str()) {
                class.amenities.push(a.to_string());
            }
        }
    }

    /// `None` when the amounts overflow the decimal range (the option is then dropped).
    fn pricing(
        &self,
        o: &tg::TravelOption,
        price: (Decimal, Currency),
        net: (Decimal, Currency),
    ) -> Option<Pricing> {
        let fees = [&o.agfee, &o.sysfee].map(|p| value_of(p).map(|(v, _)| v));
        let taxes = if fees.iter().all(Option::is_none) {
            price.0.checked_sub(net.0)
        } else {
            fees.iter()
                .flatten()
                .try_fold(Decimal::ZERO, |sum, fee| sum.checked_add(*fee))
        };
        let Some(taxes) = taxes else {
            tracing::warn!(trip_option = %o.id, "12go amounts out of range, option skipped");
            return None;
        };
        if price.1 == net.1 && net.0.checked_add(taxes) != Some(price.0) {
            tracing::warn!(trip_option = %o.id, "12go gross price differs from net + fees");
        }
        let price_type = self.price_types.lookup(o.price_restriction.unwrap_or(0));
        Some(Pricing {
            gross_price: GrossPrice {
                price: Money::new(price.0, price.1),
                price_type,
            },
            taxes_and_fees: Money::new(taxes, net.1.clone()),
            net_price: Money::new(net.0, net.1),
        })
    }
}

/// 12go date-times are ASCII; anything else is unparsable (and must not reach the
/// byte-offset slicing of the lenient parser, which assumes ASCII).
fn parse_time(raw: &str) -> Option<DateTime> {
    if raw.is_ascii() {
        parse_lenient_datetime(raw)
    } else {
        None
    }
}

fn value_of(p: &Option<tg::Price>) -> Option<(Decimal, Currency)> {
    p.as_ref()
        .and_then(|p| p.value.map(|v| (v, p.fxcode.clone())))
}

fn build_leg<'t>(
    answer: &'t SearchAnswer,
    trip: &tg::Trip,
    o: &tg::TravelOption,
    s: &tg::Segment,
    single: bool,
) -> Option<Leg<'t>> {
    let time = |own: &Option<tg::Text>, fallback: &Option<tg::Text>| {
        own.as_deref().and_then(parse_time).or_else(|| {
            single
                .then(|| fallback.as_deref().and_then(parse_time))
                .flatten()
        })
    };
    let dep = time(&s.dep_time, &o.dep_datetime)?;
    let arr = time(&s.arr_time, &o.arr_datetime)?;
    let (from, to, operator) = (s.from?, s.to?, s.operator?);
    let class = o.class.or(s.class)?;
    let minutes = match s.duration {
        Some(d) if d > 0 => d,
        _ => minutes_between(dep, arr),
    };
    let vehclasses = if s.vehclasses.is_empty() {
        &trip.params.vehclasses
    } else {
        &s.vehclasses
    };
    let mut types: Vec<TransportType> = Vec::with_capacity(1);
    for raw in vehclasses {
        let t = TransportType::from_vehclass(raw).unwrap_or_else(|| {
            tracing::warn!(vehclass = %raw, "unknown 12go vehicle class, using Bus");
            TransportType::Bus
        });
        if !types.contains(&t) {
            types.push(t);
        }
    }
    if types.is_empty() {
        tracing::warn!(trip = %trip.id, "12go segment without vehicle class, using Bus");
        types.push(TransportType::Bus);
    }
    let transport = types[0];
    let (dep_s, arr_s) = (format_minutes(dep), format_minutes(arr));
    let class_id = int_string(class);
    let class_name = answer
        .classes
        .get(class_id.as_str())
        .and_then(|c| c.name.as_deref())
        .unwrap_or_default();
    Some(Leg {
        segment: Segment {
            id: segment_id([operator, from, to], &dep_s, &arr_s, &class_id),
            from_station: int_string(from),
            to_station: int_string(to),
            departure_time: dep_s,
            arrival_time: arr_s,
            travel_duration: iso_duration_minutes(minutes),
            vehicle_id: vehicle_id(operator, transport),
            operating_carrier_id: int_string(operator),
            seat_class_id: class_id,
            transportation_types: types,
        },
        dep,
        transport,
        class_name,
        guaranteed: s.connection_guaranteed,
    })
}

/// `{operator}-{from}-{to}-{dep}-{arr}-{class}` (10 §4.2), built in place.
fn segment_id([operator, from, to]: [i64; 3], dep: &str, arr: &str, class: &str) -> String {
    let mut id = String::with_capacity(24 + dep.len() + arr.len() + class.len());
    for n in [operator, from, to] {
        push_int(&mut id, n);
        id.push('-');
    }
    for part in [dep, arr] {
        id.push_str(part);
        id.push('-');
    }
    id.push_str(class);
    id
}

/// `{operator}-{TransportType}`.
fn vehicle_id(operator: i64, transport: TransportType) -> String {
    let mut id = String::with_capacity(16);
    push_int(&mut id, operator);
    id.push('-');
    id.push_str(transport.as_str());
    id
}

/// `travel_options[].id` when it looks like a trip key, else `trips[].id` (10 §4.2).
fn trip_key<'t>(trip: &'t tg::Trip, o: &'t tg::TravelOption) -> &'t str {
    let b = o.id.as_bytes();
    let looks_like_key = b.len() == 24
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_alphanumeric);
    if looks_like_key {
        &o.id
    } else {
        &trip.id
    }
}

/// 10 §4.6.
pub fn cancellation_policies(
    full_refund_until: Option<&str>,
    departure: DateTime,
) -> Vec<CancellationPolicy> {
    let percent = |from: Option<String>, p: u32| CancellationPolicy {
        from,
        penalty: Penalty::Percent(p),
    };
    let until = full_refund_until.and_then(|raw| {
        let parsed = parse_time(raw);
        if parsed.is_none() && !raw.trim().is_empty() {
            tracing::warn!(full_refund_until = %raw, "unparsable full_refund_until, treated as null");
        }
        parsed
    });
    match until {
        None => vec![percent(None, 100)],
        Some(until) => {
            let d = minutes_between(until, departure);
            if d > 0 {
                vec![
                    percent(None, 0),
                    percent(Some(iso_duration_minutes(d)), 100),
                ]
            } else {
                vec![percent(None, 0)]
            }
        }
    }
}

/// `confirmation_time` null or ≤ 0 → Instant; > 0 → Pending.
pub fn confirmation_type(minutes: Option<i64>) -> ConfirmationType {
    match minutes {
        Some(m) if m > 0 => ConfirmationType::Pending,
        _ => ConfirmationType::Instant,
    }
}

/// Unknown values are omitted with a WARN.
pub fn ticket_type(raw: Option<&str>) -> Option<TicketType> {
    let raw = raw?;
    let t = TicketType::from_12go(raw);
    if t.is_none() {
        tracing::warn!(ticket_type = %raw, "unknown 12go ticket_type, omitted");
    }
    t
}

#[cfg(test)]
#[path = "translate_tests.rs"]
mod tests;
