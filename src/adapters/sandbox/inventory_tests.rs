use super::*;
use crate::adapters::sandbox::key::{decode_trip_key, is_trip_key_shape};
use crate::domain::translate::{PriceTypeMap, SearchTranslator};
use crate::domain::twelvego::{Price, TravelOption};
use jiff::civil::date;
use std::collections::HashSet;

const BASE: &str = "http://sandbox.12go.invalid";

fn call(from: &str, to: &str, seats: u8) -> SearchCall {
    SearchCall {
        from: Place::parse_path(from).unwrap(),
        to: Place::parse_path(to).unwrap(),
        date: date(2026, 4, 5),
        seats,
    }
}

fn answer(from: &str, to: &str) -> SearchAnswer<'static> {
    search(&call(from, to, 1), BASE).unwrap()
}

fn options<'a, 'b>(
    a: &'a SearchAnswer<'b>,
) -> impl Iterator<Item = (&'a Trip<'b>, &'a TravelOption<'b>)> {
    a.trips
        .iter()
        .flat_map(|t| t.travel_options.iter().map(move |o| (t, o)))
}

fn bookable(a: &SearchAnswer, seats: i64) -> usize {
    options(a)
        .filter(|(t, o)| {
            !t.params.hide && o.is_bookable == Some(1) && o.bookable.unwrap_or(0) >= seats
        })
        .count()
}

fn routes() -> Vec<SearchAnswer<'static>> {
    [
        ("1p", "44p"),
        ("44p", "1p"),
        ("200p", "201p"),
        ("300p", "301p"),
        ("1p", "62p"),
        ("60p", "62p"),
    ]
    .iter()
    .map(|(f, t)| answer(f, t))
    .collect()
}

#[test]
fn deterministic_byte_for_byte() {
    for (f, t) in [("1p", "44p"), ("3s", "4s"), ("200p", "201p")] {
        let a = serde_json::to_vec(&answer(f, t)).unwrap();
        let b = serde_json::to_vec(&answer(f, t)).unwrap();
        assert_eq!(a, b);
    }
    let other_day = search(
        &SearchCall {
            date: date(2026, 4, 6),
            ..call("1p", "44p", 1)
        },
        BASE,
    )
    .unwrap();
    assert_ne!(other_day, answer("1p", "44p"));
}

#[test]
fn sizes_fit_benchmarks_and_smoke_tests() {
    let large = bookable(&answer("1p", "44p"), 1);
    assert!(
        (100..=150).contains(&large),
        "1p→44p has {large} bookable options"
    );
    let small = bookable(&answer("3s", "4s"), 1);
    assert!(
        (3..=10).contains(&small),
        "3s→4s has {small} bookable options"
    );
}

#[test]
fn every_feature_occurs() {
    let all = routes();
    let opts: Vec<_> = all.iter().flat_map(options).collect();
    let currencies: HashSet<&str> = opts
        .iter()
        .filter_map(|(_, o)| o.price.as_ref().map(|p| p.fxcode.as_str()))
        .collect();
    for c in ["THB", "USD", "EUR", "JPY", "VND"] {
        assert!(currencies.contains(c), "{c} missing");
    }
    let p1 = answer("1p", "44p");
    let mixed: HashSet<_> = options(&p1)
        .filter_map(|(_, o)| o.price.clone().map(|p| p.fxcode))
        .collect();
    assert!(mixed.len() >= 3, "{mixed:?}");
    let two_leg: Vec<&Trip> = all
        .iter()
        .flat_map(|a| &a.trips)
        .filter(|t| t.segments.len() == 3)
        .collect();
    assert!(two_leg.iter().all(|t| t.segments[1].kind == "wait"
        && t.segments[0].kind == "route"
        && t.segments[2].kind == "route"
        && t.segments[1].from == t.segments[0].to
        && t.segments[2].from == t.segments[1].to));
    let guaranteed: HashSet<_> = two_leg
        .iter()
        .map(|t| t.segments[0].connection_guaranteed)
        .collect();
    assert_eq!(guaranteed, HashSet::from([Some(true), Some(false)]));
    assert!(all.iter().flat_map(|a| &a.trips).any(|t| t.params.hide));
    assert!(opts
        .iter()
        .any(|(_, o)| o.is_bookable == Some(0) || o.bookable == Some(0)));
    assert!(opts
        .iter()
        .any(|(_, o)| o.is_bookable == Some(1) && matches!(o.bookable, Some(1..=2))));
    assert!(opts.iter().any(|(_, o)| o.confirmation_time > Some(0)));
    assert!(opts.iter().any(|(_, o)| o.confirmation_time == Some(0)));
    assert!(opts.iter().any(|(_, o)| o.price_restriction == Some(1)));
    let refundable = opts
        .iter()
        .filter(|(_, o)| o.full_refund_until.is_some())
        .count();
    assert!(
        refundable > 0 && refundable < opts.len() / 3,
        "{refundable}"
    );
    let tickets: HashSet<_> = opts
        .iter()
        .filter_map(|(_, o)| o.ticket_type.as_deref())
        .collect();
    assert_eq!(
        tickets,
        HashSet::from(["paper", "eticket", "mobile", "pickup"])
    );
    let vehclasses: HashSet<_> = all
        .iter()
        .flat_map(|a| &a.trips)
        .flat_map(|t| t.params.vehclasses.clone())
        .collect();
    for v in ["bus", "train", "ferry", "van", "minivan", "avia"] {
        assert!(vehclasses.contains(v), "{v} missing");
    }
}

#[test]
fn fields_are_consistent() {
    let allowed = ["WC", "Aircon", "TV", "Food", "Snack", "Steward", "WiFi"];
    for a in routes().iter().chain([&answer("3s", "4s")]) {
        for (t, o) in options(a) {
            let v = |p: &Option<Price>| p.as_ref().and_then(|p| p.value).unwrap();
            assert_eq!(
                v(&o.price),
                v(&o.netprice) + v(&o.agfee) + v(&o.sysfee),
                "{}",
                o.id
            );
            let cur = &o.price.as_ref().unwrap().fxcode;
            for p in [&o.price, &o.netprice, &o.agfee, &o.sysfee] {
                let p = p.as_ref().unwrap();
                assert_eq!(&p.fxcode, cur);
                let scale = p.value.unwrap().scale();
                assert_eq!(scale, cur.minor_units(), "{} {cur}", o.id);
            }
            assert!(o.amenities.iter().all(|x| allowed.contains(&x.as_str())));
            for s in &t.segments {
                for dt in [&s.dep_time, &s.arr_time] {
                    let dt = dt.as_deref().unwrap();
                    assert!(
                        crate::domain::time::parse_lenient_datetime(dt).is_some() && dt.len() == 19
                    );
                }
                for id in [s.from, s.to].into_iter().flatten() {
                    assert!(a.stations.contains_key(id.to_string().as_str()));
                }
                if s.kind == "route" {
                    assert!(a
                        .operators
                        .contains_key(s.operator.unwrap().to_string().as_str()));
                    assert!(a
                        .classes
                        .contains_key(s.class.unwrap().to_string().as_str()));
                }
            }
            assert!(t.travel_options.iter().any(|x| x.id == t.id));
            assert_eq!(o.dep_datetime, t.segments[0].dep_time);
        }
    }
}

#[test]
fn recheck_rule() {
    let urls = answer("1p", "44p").recheck;
    assert_eq!(
        urls,
        vec![
            format!("{BASE}/searchr?from=1p&to=44p&date=2026-04-05"),
            format!("{BASE}/searchpm?from=1p&to=44p&date=2026-04-05"),
        ]
    );
    assert!(urls.iter().all(|u| !u.contains("k=")));
    assert_eq!(answer("4055s", "11553s").recheck.len(), 1);
    assert_eq!(answer("3s", "44p").recheck.len(), 2);
    for (f, t) in [
        ("3s", "4s"),
        ("44p", "1p"),
        ("1p", "4s"),
        ("200p", "201p"),
        ("11553s", "4055s"),
    ] {
        assert!(answer(f, t).recheck.is_empty(), "{f}→{t}");
    }
}

#[test]
fn unknown_places_and_bad_seats() {
    for (f, t) in [("999999s", "4s"), ("3s", "999999p"), ("12345p", "44p")] {
        assert_eq!(search(&call(f, t, 1), BASE), Err(SandboxError::NotFound));
    }
    for seats in [0, 101, 255] {
        let e = search(&call("3s", "4s", seats), BASE).unwrap_err();
        assert_eq!(e.status(), 400);
        assert_eq!(e.body()["fields"]["seats"], "Invalid");
        assert_eq!(e.body()["data"], serde_json::json!({"reasons": []}));
    }
    // Known places without a link, and a station to itself: an empty answer, not an error.
    assert!(answer("200p", "300p").trips.is_empty());
    assert!(answer("3s", "3s").trips.is_empty());
}

#[test]
fn trip_keys_decode_back_to_their_trips() {
    let d = date(2026, 4, 5);
    let a = answer("1p", "44p");
    for (t, o) in options(&a) {
        assert!(
            is_trip_key_shape(&o.id) && is_trip_key_shape(&t.id),
            "{}",
            o.id
        );
        let k = decode_trip_key(&o.id).unwrap();
        let route: Vec<_> = t.segments.iter().filter(|s| s.kind == "route").collect();
        assert_eq!(k.country, "TH");
        assert_eq!(Some(k.from), route[0].from);
        assert_eq!(Some(k.to), route[route.len() - 1].to);
        assert_eq!(Some(k.operator), route[0].operator);
        assert_eq!(usize::from(k.legs), route.len());
        assert_eq!(k.via, (route.len() == 2).then(|| route[0].to.unwrap()));
        let dep = route[0].dep_time.as_deref().unwrap();
        assert_eq!(
            format!("{:02}:{:02}", k.dep_minute / 60, k.dep_minute % 60),
            dep[11..16]
        );
        let (found_trip, found_option) = find_trip(&o.id, d).unwrap();
        assert_eq!((&found_trip, &found_option), (t, o));
    }
    let ids: Vec<_> = options(&a).map(|(_, o)| o.id.clone()).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "keys are unique"
    );
    assert_eq!(find_trip("TH000300044mDt00g03BNR3q", d), None);
}

#[test]
fn translation_smoke_test() {
    let d = date(2026, 4, 5);
    let types = PriceTypeMap::default();
    for (f, t, min, max) in [
        ("1p", "44p", 100, 150),
        ("3s", "4s", 3, 10),
        ("200p", "201p", 20, 200),
    ] {
        let mut tr = SearchTranslator::new(1, d, &types);
        tr.add(&answer(f, t));
        let r = tr.finish();
        assert!(
            (min..=max).contains(&r.itineraries.len()),
            "{f}→{t}: {}",
            r.itineraries.len()
        );
        let segs: HashSet<_> = r.segments.iter().map(|s| s.id.as_str()).collect();
        let vehicles: HashSet<_> = r.vehicles.iter().map(|v| v.id.as_str()).collect();
        for it in &r.itineraries {
            assert!(
                it.departure_segments
                    .iter()
                    .all(|s| segs.contains(s.as_str())),
                "{}",
                it.id
            );
        }
        assert!(r
            .segments
            .iter()
            .all(|s| vehicles.contains(s.vehicle_id.as_str())));
    }
    // Four seats drop the options with one or two seats left.
    let mut one = SearchTranslator::new(1, d, &types);
    let mut four = SearchTranslator::new(4, d, &types);
    one.add(&answer("1p", "44p"));
    four.add(&search(&call("1p", "44p", 4), BASE).unwrap());
    assert!(four.finish().itineraries.len() < one.finish().itineraries.len());
}
