//! Generation of one station pair's trips on one date: departures, legs, prices and
//! option flags, all drawn from a PRNG seeded by (origin, destination, date).

use jiff::civil::{Date, DateTime};
use jiff::Span;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

use super::key::TripKey;
use super::rng::Rng;
use super::world::{self, Mode, Station};
use crate::domain::money::Currency;
use crate::domain::time::minutes_between;
use crate::domain::twelvego::{Price, Segment, TravelOption, Trip, TripParams};

fn fmt_dt(dt: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn plus(dt: DateTime, minutes: i64) -> Option<DateTime> {
    dt.checked_add(Span::new().try_minutes(minutes).ok()?).ok()
}

/// Distinct departure minutes of day, ascending, within the mode's operating hours.
fn departures(rng: &mut Rng, daily: u8, mode: Mode) -> BTreeSet<u16> {
    let (first, last) = match mode {
        Mode::Avia => (6 * 60, 22 * 60),
        Mode::Ferry => (7 * 60, 17 * 60),
        Mode::Van => (6 * 60, 19 * 60),
        Mode::Bus | Mode::Train => (6 * 60, 23 * 60 + 30),
    };
    let mut out = BTreeSet::new();
    for _ in 0..u32::from(daily) * 4 {
        if out.len() >= usize::from(daily) {
            break;
        }
        let minute = first + rng.below((last - first) / 5) * 5;
        out.extend(u16::try_from(minute).ok());
    }
    out
}

/// One priced leg, before it becomes a segment.
struct Planned {
    from: i64,
    to: i64,
    operator: i64,
    vehclass: &'static str,
    class: i64,
    dep: DateTime,
    minutes: i64,
    /// Net fare in minor units of the option currency.
    net: i64,
}

impl Planned {
    fn arr(&self) -> Option<DateTime> {
        plus(self.dep, self.minutes)
    }

    fn segment(&self, guaranteed: bool) -> Option<Segment<'static>> {
        Some(Segment {
            kind: "route".into(),
            from: Some(self.from),
            to: Some(self.to),
            dep_time: Some(fmt_dt(self.dep).into()),
            arr_time: Some(fmt_dt(self.arr()?).into()),
            duration: Some(self.minutes),
            class: Some(self.class),
            operator: Some(self.operator),
            vehclasses: vec![self.vehclass.to_string().into()],
            connection_guaranteed: Some(guaranteed),
        })
    }
}

/// Net fare in minor units: base × class factor × ±20 %, rounded to a plausible step.
fn net_fare(rng: &mut Rng, fare: i64, class: i64, currency: &str) -> i64 {
    let unit = 10i64.pow(Currency::new(currency).minor_units());
    let step = match currency {
        "VND" => 1000,
        "JPY" => 10,
        _ => unit,
    };
    let pct = world::seat_class(class).map_or(100, |c| c.price_pct);
    let raw = fare * unit * pct / 100 * rng.range(85, 125) / 100;
    (raw / step).max(1) * step
}

/// Every trip between two stations on `date`, in generation order.
pub fn pair_trips(from: &Station, to: &Station, date: Date) -> Vec<Trip<'static>> {
    let mut gen = PairGen {
        rng: Rng::seeded(&format!("{}>{}@{date}", from.id, to.id)),
        trips: Vec::new(),
    };
    let (Some(origin), Some(dest)) = (world::province(from.province), world::province(to.province))
    else {
        return Vec::new();
    };
    let Some((link, forward)) = world::link(origin.id, dest.id) else {
        return Vec::new();
    };
    let base = |minute: u16| {
        DateTime::new(
            date.year(),
            date.month(),
            date.day(),
            (minute / 60) as i8,
            (minute % 60) as i8,
            0,
            0,
        )
        .ok()
    };
    for s in link.services {
        let (Some(mode), Some(op)) = (Mode::of_vehclass(s.vehclass), world::operator(s.operator))
        else {
            continue;
        };
        if !from.serves(mode) || !to.serves(mode) {
            continue;
        }
        let currency = world::currency_of(op, origin);
        for minute in departures(&mut gen.rng, s.daily, mode) {
            let minutes = s.minutes * gen.rng.range(95, 110) / 100;
            let Some(dep) = base(minute) else { continue };
            let legs: Vec<Planned> = s
                .classes
                .iter()
                .map(|&class| Planned {
                    from: from.id,
                    to: to.id,
                    operator: op.id,
                    vehclass: s.vehclass,
                    class,
                    dep,
                    minutes,
                    net: net_fare(&mut gen.rng, s.fare, class, currency),
                })
                .collect();
            // Trains list all their classes in one trip, like 12go; others one trip per class.
            if mode == Mode::Train {
                let options = legs.into_iter().map(|l| vec![l]).collect();
                gen.push(origin.country, mode, currency, minute, options, None, true);
            } else {
                for leg in legs {
                    gen.push(
                        origin.country,
                        mode,
                        currency,
                        minute,
                        vec![vec![leg]],
                        None,
                        true,
                    );
                }
            }
        }
    }
    for c in link.connections {
        let (l1, l2) = if forward {
            (c.first, c.second)
        } else {
            (c.second, c.first)
        };
        let (Some(via), Some(m1), Some(m2)) = (
            world::station(c.via),
            Mode::of_vehclass(l1.vehclass),
            Mode::of_vehclass(l2.vehclass),
        ) else {
            continue;
        };
        let (Some(op1), Some(op2)) = (world::operator(l1.operator), world::operator(l2.operator))
        else {
            continue;
        };
        let currency = world::currency_of(op1, origin);
        let fits = from.serves(m1) && via.serves(m1) && via.serves(m2) && to.serves(m2);
        if !fits
            || via.id == from.id
            || via.id == to.id
            || world::currency_of(op2, origin) != currency
        {
            continue;
        }
        for minute in departures(&mut gen.rng, c.daily, m1) {
            let Some(dep1) = base(minute) else { continue };
            let first = Planned {
                from: from.id,
                to: via.id,
                operator: l1.operator,
                vehclass: l1.vehclass,
                class: l1.class,
                dep: dep1,
                minutes: l1.minutes * gen.rng.range(95, 110) / 100,
                net: net_fare(&mut gen.rng, l1.fare, l1.class, currency),
            };
            let wait = c.wait + gen.rng.below(7) * 5;
            let Some(dep2) = first.arr().and_then(|a| plus(a, wait)) else {
                continue;
            };
            let second = Planned {
                from: via.id,
                to: to.id,
                operator: l2.operator,
                vehclass: l2.vehclass,
                class: l2.class,
                dep: dep2,
                minutes: l2.minutes * gen.rng.range(95, 110) / 100,
                net: net_fare(&mut gen.rng, l2.fare, l2.class, currency),
            };
            gen.push(
                origin.country,
                m1,
                currency,
                minute,
                vec![vec![first, second]],
                Some(via.id),
                c.guaranteed,
            );
        }
    }
    gen.trips
}

struct PairGen {
    rng: Rng,
    trips: Vec<Trip<'static>>,
}

impl PairGen {
    /// Adds one trip. `options` holds one leg list per travel option; all options
    /// share the legs' stations and times (they differ in class and price).
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        country: &str,
        mode: Mode,
        currency: &str,
        minute: u16,
        options: Vec<Vec<Planned>>,
        via: Option<i64>,
        guaranteed: bool,
    ) {
        let hide = self.rng.percent(5);
        let mut trip = Trip {
            params: TripParams {
                hide,
                vehclasses: Vec::new(),
                bookable: None,
            },
            ..Trip::default()
        };
        for legs in &options {
            let (Some(first), Some(last)) = (legs.first(), legs.last()) else {
                return;
            };
            let key = TripKey {
                country: country.to_string(),
                from: first.from,
                to: last.to,
                operator: first.operator,
                class: first.class,
                dep_minute: minute,
                legs: if legs.len() == 2 { 2 } else { 1 },
                via,
            };
            let (Some(key), Some(arr)) = (key.encode(), last.arr()) else {
                return;
            };
            if trip.segments.is_empty() {
                trip.id = key.clone().into();
                trip.segments = match self.segments(legs, guaranteed) {
                    Some(s) => s,
                    None => return,
                };
            }
            let net = legs.iter().map(|l| l.net).sum();
            // A two-leg option only names a class when both legs share it.
            let class = legs
                .iter()
                .all(|l| l.class == first.class)
                .then_some(first.class);
            let option = self.option(
                key,
                class,
                first.class,
                mode,
                currency,
                net,
                (first.dep, arr),
            );
            trip.travel_options.push(option);
        }
        for v in trip.segments.iter().flat_map(|s| &s.vehclasses) {
            if !trip.params.vehclasses.contains(v) {
                trip.params.vehclasses.push(v.clone());
            }
        }
        self.trips.push(trip);
    }

    fn segments(&mut self, legs: &[Planned], guaranteed: bool) -> Option<Vec<Segment<'static>>> {
        let mut out = Vec::with_capacity(legs.len() * 2);
        for (i, leg) in legs.iter().enumerate() {
            if let Some(prev) = i.checked_sub(1).and_then(|p| legs.get(p)) {
                let arrived = prev.arr()?;
                out.push(Segment {
                    kind: "wait".into(),
                    from: Some(prev.to),
                    to: Some(leg.from),
                    dep_time: Some(fmt_dt(arrived).into()),
                    arr_time: Some(fmt_dt(leg.dep).into()),
                    duration: Some(minutes_between(arrived, leg.dep)),
                    ..Segment::default()
                });
            }
            out.push(leg.segment(legs.len() == 1 || guaranteed)?);
        }
        Some(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn option(
        &mut self,
        key: String,
        class: Option<i64>,
        amenity_class: i64,
        mode: Mode,
        currency: &str,
        net: i64,
        (dep, arr): (DateTime, DateTime),
    ) -> TravelOption<'static> {
        let r = &mut self.rng;
        let (bookable, is_bookable) = match r.below(100) {
            0..=6 => (0, 0),
            7..=11 => (r.range(1, 2), 1),
            12..=13 => (r.range(5, 20), 0),
            _ if mode == Mode::Avia => (r.range(3, 9), 1),
            _ => (r.range(3, 45), 1),
        };
        let digits = Currency::new(currency).minor_units();
        let unit = 10i64.pow(digits);
        let agfee = match currency {
            "VND" => net * r.range(2, 5) / 100 / 100 * 100,
            _ => net * r.range(2, 5) / 100 + r.below(unit),
        };
        let sysfee = match currency {
            "THB" => 5000,
            "USD" => 150,
            "EUR" => 120,
            "JPY" => 200,
            "VND" => 20000,
            _ => 2 * unit,
        };
        let price = |minor: i64| {
            Some(Price {
                value: Some(Decimal::new(minor, digits)),
                fxcode: currency.into(),
            })
        };
        let confirmation_time = if r.percent(25) {
            r.pick(&[30, 60, 180, 720]).unwrap_or(30)
        } else {
            0
        };
        let full_refund_until = if r.percent(15) {
            let hours = r.pick(&[24, 48, 72]).unwrap_or(24);
            plus(dep, -60 * hours).map(fmt_dt)
        } else {
            None
        };
        let tickets: &[&str] = match mode {
            Mode::Avia => &["eticket"],
            Mode::Train => &["paper", "eticket"],
            Mode::Bus => &["paper", "mobile", "eticket"],
            Mode::Van => &["pickup", "mobile"],
            Mode::Ferry => &["paper", "pickup"],
        };
        let ticket_type = r.pick(tickets).map(String::from);
        let mut amenities: Vec<String> = world::seat_class(amenity_class)
            .map(|c| c.amenities.iter().map(|a| a.to_string()).collect())
            .unwrap_or_default();
        if amenities.len() > 1 && r.percent(20) {
            amenities.remove(usize::try_from(r.below(amenities.len() as i64)).unwrap_or(0));
        }
        TravelOption {
            id: key.into(),
            bookable: Some(bookable),
            class,
            price: price(net + agfee + sysfee),
            netprice: price(net),
            agfee: price(agfee),
            sysfee: price(sysfee),
            amenities: amenities.into_iter().map(Into::into).collect(),
            ticket_type: ticket_type.map(Into::into),
            confirmation_time: Some(confirmation_time),
            full_refund_until: full_refund_until.map(Into::into),
            price_restriction: Some(i64::from(r.percent(10))),
            is_bookable: Some(is_bookable),
            dep_datetime: Some(fmt_dt(dep).into()),
            arr_datetime: Some(fmt_dt(arr).into()),
        }
    }
}
