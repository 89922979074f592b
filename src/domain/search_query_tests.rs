use super::*;

use proptest::prelude::*;

type Pairs = Vec<(&'static str, &'static str)>;
type Routes = Vec<(Place, Place)>;

const LIMITS: SearchLimits = SearchLimits {
    max_routes: 25,
    max_timeout_secs: 30,
};

fn day(raw: &str) -> Date {
    parse_date(raw).unwrap()
}

/// Today for most tests: 2026-04-01 (UTC).
fn today() -> Date {
    day("2026-04-01")
}

fn params(pairs: &[(&str, &str)]) -> QueryParams {
    QueryParams::from_pairs(pairs.iter().copied())
}

fn parse_with(
    pairs: &[(&str, &str)],
    today: Date,
    limits: SearchLimits,
) -> Result<SearchQuery, Vec<FieldError>> {
    SearchQuery::parse(&params(pairs), today, limits)
}

fn parse(pairs: &[(&str, &str)]) -> Result<SearchQuery, Vec<FieldError>> {
    parse_with(pairs, today(), LIMITS)
}

/// A valid station→station search with `extra` appended.
fn base_with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("departure_date", "2026-04-05"),
        ("pax", "1"),
        ("departures[]", "3"),
        ("arrivals[]", "4"),
    ];
    pairs.extend_from_slice(extra);
    pairs
}

/// The base search with every pair named `name` removed, then `extra` appended.
fn base_replacing<'a>(name: &str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = base_with(&[])
        .into_iter()
        .filter(|(k, _)| k.trim_end_matches("[]") != name)
        .collect();
    pairs.extend_from_slice(extra);
    pairs
}

fn error_fields(result: Result<SearchQuery, Vec<FieldError>>) -> Vec<String> {
    match result {
        Ok(q) => panic!("expected errors, got {q:?}"),
        Err(errs) => errs.into_iter().map(|e| e.field).collect(),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

use Place::{Province as P, Station as S};

// ---------------------------------------------------------------------------
// A valid search
// ---------------------------------------------------------------------------

#[test]
fn a_minimal_station_search_parses() {
    let q = parse(&base_with(&[])).unwrap();
    assert_eq!(
        q,
        SearchQuery {
            routes: vec![(S(3), S(4))],
            departure_date: day("2026-04-05"),
            pax: 1,
            timeout_secs: 0,
        }
    );
}

#[test]
fn every_optional_parameter_at_a_valid_value_is_accepted() {
    let q = parse(&base_with(&[
        ("return_date", "2026-04-09"),
        ("pax_ages[]", "0"),
        ("pax_ages[]", "120"),
        ("currency", "USD"),
        ("locale", "en"),
        ("confidence_score", "0.75"),
        ("cache_only", "true"),
        ("timeout", "30"),
    ]))
    .unwrap();
    assert_eq!(q.timeout_secs, 30);
    assert_eq!(q.routes, [(S(3), S(4))]);
}

#[test]
fn boundary_values_are_accepted() {
    let cases: Vec<(&str, &str)> = vec![
        ("pax", "1"),
        ("pax", "100"),
        ("timeout", "0"),
        ("timeout", "30"),
        ("confidence_score", "0"),
        ("confidence_score", "1"),
        ("cache_only", "false"),
        ("pax_ages", "0"),
        ("return_date", "2026-04-05"),
        ("departure_date", "2026-04-01"),
    ];
    for (name, value) in cases {
        let pairs = base_replacing(name, &[(name, value)]);
        assert!(parse(&pairs).is_ok(), "{name}={value}: {:?}", parse(&pairs));
    }
}

#[test]
fn pax_and_timeout_values_are_carried_through() {
    let q = parse(&base_replacing("pax", &[("pax", "100"), ("timeout", "12")])).unwrap();
    assert_eq!((q.pax, q.timeout_secs), (100, 12));
}

// ---------------------------------------------------------------------------
// Validation failures: one FieldError per problem, named after the parameter
// ---------------------------------------------------------------------------

#[test]
fn each_invalid_parameter_is_reported_under_its_own_field_name() {
    // (parameter replaced, pairs added, expected fields)
    let cases: Vec<(&str, Pairs, Vec<&str>)> = vec![
        // pax
        ("pax", vec![], vec!["pax"]),
        ("pax", vec![("pax", "0")], vec!["pax"]),
        ("pax", vec![("pax", "101")], vec!["pax"]),
        ("pax", vec![("pax", "-1")], vec!["pax"]),
        ("pax", vec![("pax", "1.5")], vec!["pax"]),
        ("pax", vec![("pax", "two")], vec!["pax"]),
        ("pax", vec![("pax", "")], vec!["pax"]),
        ("pax", vec![("pax", "99999999999999999999")], vec!["pax"]),
        // departure_date
        ("departure_date", vec![], vec!["departure_date"]),
        (
            "departure_date",
            vec![("departure_date", "")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026/04/05")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "05-04-2026")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-4-5")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-02-30")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-04-05X10:00")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-04-05T25:00")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-04-05T10")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-03-31")],
            vec!["departure_date"],
        ),
        (
            "departure_date",
            vec![("departure_date", "2026-03-31T23:59:59-12:00")],
            vec!["departure_date"],
        ),
        // return_date
        (
            "return_date",
            vec![("return_date", "2026-04-04")],
            vec!["return_date"],
        ),
        (
            "return_date",
            vec![("return_date", "tomorrow")],
            vec!["return_date"],
        ),
        (
            "return_date",
            vec![("return_date", "2026-13-01")],
            vec!["return_date"],
        ),
        // timeout
        ("timeout", vec![("timeout", "-1")], vec!["timeout"]),
        ("timeout", vec![("timeout", "31")], vec!["timeout"]),
        ("timeout", vec![("timeout", "1.5")], vec!["timeout"]),
        ("timeout", vec![("timeout", "soon")], vec!["timeout"]),
        ("timeout", vec![("timeout", "")], vec!["timeout"]),
        // currency
        ("currency", vec![("currency", "usd")], vec!["currency"]),
        ("currency", vec![("currency", "US")], vec!["currency"]),
        ("currency", vec![("currency", "USDD")], vec!["currency"]),
        ("currency", vec![("currency", "U5D")], vec!["currency"]),
        ("currency", vec![("currency", "")], vec!["currency"]),
        ("currency", vec![("currency", "ÜSD")], vec!["currency"]),
        // pax_ages
        ("pax_ages", vec![("pax_ages[]", "-1")], vec!["pax_ages[0]"]),
        (
            "pax_ages",
            vec![("pax_ages[]", "30"), ("pax_ages[]", "121")],
            vec!["pax_ages[1]"],
        ),
        (
            "pax_ages",
            vec![("pax_ages[]", "x"), ("pax_ages[]", "5"), ("pax_ages", "")],
            vec!["pax_ages[0]", "pax_ages[2]"],
        ),
        // confidence_score and cache_only
        (
            "confidence_score",
            vec![("confidence_score", "1.5")],
            vec!["confidence_score"],
        ),
        (
            "confidence_score",
            vec![("confidence_score", "-0.1")],
            vec!["confidence_score"],
        ),
        (
            "confidence_score",
            vec![("confidence_score", "NaN")],
            vec!["confidence_score"],
        ),
        (
            "confidence_score",
            vec![("confidence_score", "inf")],
            vec!["confidence_score"],
        ),
        (
            "confidence_score",
            vec![("confidence_score", "high")],
            vec!["confidence_score"],
        ),
        (
            "cache_only",
            vec![("cache_only", "yes")],
            vec!["cache_only"],
        ),
        ("cache_only", vec![("cache_only", "1")], vec!["cache_only"]),
        // station and POI ids
        (
            "departures",
            vec![("departures[]", "3"), ("departures[]", "ab")],
            vec!["departures[1]"],
        ),
        (
            "departures",
            vec![("departures[]", "")],
            vec!["departures[0]"],
        ),
        (
            "departures",
            vec![("departures[]", "12345678901234567")],
            vec!["departures[0]"],
        ),
        (
            "departures",
            vec![("departures[]", "3-4")],
            vec!["departures[0]"],
        ),
        (
            "departures",
            vec![("departures[]", " 3")],
            vec!["departures[0]"],
        ),
        (
            "arrivals",
            vec![
                ("arrivals[]", "4"),
                ("arrivals[]", "5"),
                ("arrivals[]", "x1"),
            ],
            vec!["arrivals[2]"],
        ),
        (
            "arrivals",
            vec![("arrival_poi", "chiangmai")],
            vec!["arrival_poi"],
        ),
        (
            "departures",
            vec![("departure_poi", "")],
            vec!["departure_poi"],
        ),
        (
            "departures",
            vec![("departure_poi", "11111111111111111")],
            vec!["departure_poi"],
        ),
    ];
    for (replaced, extra, expected) in cases {
        let pairs = base_replacing(replaced, &extra);
        assert_eq!(error_fields(parse(&pairs)), expected, "{extra:?}");
    }
}

#[test]
fn valid_looking_non_numeric_ids_are_rejected_for_native_clients() {
    let pairs = base_replacing("departures", &[("departures[]", "ILTLVTLV")]);
    assert_eq!(error_fields(parse(&pairs)), ["departures[0]"]);
    let pairs = base_replacing("arrivals", &[("arrival_poi", "BKK")]);
    assert_eq!(error_fields(parse(&pairs)), ["arrival_poi"]);
}

#[test]
fn every_invalid_station_in_a_list_is_reported_with_its_index() {
    let pairs = base_replacing(
        "departures",
        &[
            ("departures[]", "x"),
            ("departures[]", "3"),
            ("departures", "y"),
            ("departures[]", "5"),
        ],
    );
    assert_eq!(
        error_fields(parse(&pairs)),
        ["departures[0]", "departures[2]"]
    );
}

#[test]
fn several_failures_are_listed_together() {
    let pairs = vec![
        ("departure_date", "2026-13-40"),
        ("pax", "0"),
        ("timeout", "99"),
        ("currency", "usd"),
        ("pax_ages[]", "200"),
        ("departures[]", "3"),
        ("departures[]", "bad"),
        ("arrival_poi", "44"),
        ("arrivals[]", "4"),
    ];
    assert_eq!(
        sorted(error_fields(parse(&pairs))),
        [
            "arrival_poi",
            "currency",
            "departure_date",
            "departures[1]",
            "pax",
            "pax_ages[0]",
            "timeout"
        ]
    );
}

#[test]
fn an_empty_query_reports_every_required_parameter() {
    assert_eq!(
        sorted(error_fields(parse(&[]))),
        ["arrivals", "departure_date", "departures", "pax"]
    );
}

#[test]
fn field_errors_carry_a_human_message() {
    let errs = parse(&base_replacing("pax", &[("pax", "0")])).unwrap_err();
    assert_eq!(
        errs,
        [FieldError::new("pax", "Must be an integer from 1 to 100.")]
    );
    let errs = parse(&base_with(&[("timeout", "31")])).unwrap_err();
    assert_eq!(
        errs,
        [FieldError::new(
            "timeout",
            "Must be an integer from 0 to 30."
        )]
    );
}

#[test]
fn the_timeout_limit_comes_from_configuration() {
    let limits = SearchLimits {
        max_timeout_secs: 10,
        ..LIMITS
    };
    assert_eq!(
        parse_with(&base_with(&[("timeout", "10")]), today(), limits)
            .unwrap()
            .timeout_secs,
        10
    );
    assert_eq!(
        error_fields(parse_with(
            &base_with(&[("timeout", "11")]),
            today(),
            limits
        )),
        ["timeout"]
    );
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

#[test]
fn a_full_iso_date_time_is_accepted_and_its_date_part_kept() {
    for raw in [
        "2026-04-05T10:00:00Z",
        "2026-04-05T10:00:00+07:00",
        "2026-04-05T23:59:59-12:00",
        "2026-04-05T00:00",
        "2026-04-05 23:59",
        "2026-04-05T10:00:00.123Z",
    ] {
        let q = parse(&base_replacing(
            "departure_date",
            &[("departure_date", raw)],
        ))
        .unwrap();
        assert_eq!(q.departure_date, day("2026-04-05"), "{raw}");
    }
}

#[test]
fn a_full_iso_date_time_is_accepted_for_return_date_too() {
    assert!(parse(&base_with(&[("return_date", "2026-04-05T08:00:00Z")])).is_ok());
    assert_eq!(
        error_fields(parse(&base_with(&[(
            "return_date",
            "2026-04-04T23:59:59Z"
        )]))),
        ["return_date"]
    );
}

#[test]
fn past_dates_are_rejected_relative_to_the_today_argument() {
    let pairs = base_replacing("departure_date", &[("departure_date", "2026-06-15")]);
    let cases = [
        ("2026-04-01", true),
        ("2026-06-14", true),
        ("2026-06-15", true),
        ("2026-06-16", false),
        ("2027-01-01", false),
    ];
    for (today, ok) in cases {
        let result = parse_with(&pairs, day(today), LIMITS);
        assert_eq!(result.is_ok(), ok, "today {today}: {result:?}");
        if !ok {
            assert_eq!(error_fields(result), ["departure_date"]);
        }
    }
}

#[test]
fn a_return_date_is_only_compared_with_a_valid_departure_date() {
    // The departure date is invalid: only it is reported, not the return date.
    let pairs = base_replacing(
        "departure_date",
        &[("departure_date", "bad"), ("return_date", "2026-04-02")],
    );
    assert_eq!(error_fields(parse(&pairs)), ["departure_date"]);
}

#[test]
fn a_return_date_before_the_departure_date_is_rejected() {
    let result = parse(&base_with(&[("return_date", "2026-04-04")]));
    assert_eq!(
        result.unwrap_err(),
        [FieldError::new(
            "return_date",
            "Must not be before departure_date."
        )]
    );
}

// ---------------------------------------------------------------------------
// Repeated parameters: `x[]` and `x` are one name
// ---------------------------------------------------------------------------

#[test]
fn bracketed_and_plain_names_are_equivalent() {
    let bracketed = parse(&[
        ("departure_date", "2026-04-05"),
        ("pax", "2"),
        ("departures[]", "3"),
        ("departures[]", "5"),
        ("arrivals[]", "4"),
        ("pax_ages[]", "30"),
    ])
    .unwrap();
    let plain = parse(&[
        ("departure_date", "2026-04-05"),
        ("pax", "2"),
        ("departures", "3"),
        ("departures", "5"),
        ("arrivals", "4"),
        ("pax_ages", "30"),
    ])
    .unwrap();
    let mixed = parse(&[
        ("departure_date", "2026-04-05"),
        ("pax", "2"),
        ("departures", "3"),
        ("departures[]", "5"),
        ("arrivals[]", "4"),
        ("pax_ages", "30"),
    ])
    .unwrap();
    assert_eq!(bracketed.routes, [(S(3), S(4)), (S(5), S(4))]);
    assert_eq!(plain, bracketed);
    assert_eq!(mixed, bracketed);
}

#[test]
fn query_params_strip_one_trailing_bracket_pair_only() {
    let q = QueryParams::from_pairs([
        ("a[]", "1"),
        ("a", "2"),
        ("b[][]", "3"),
        ("c[", "4"),
        ("[]", "5"),
    ]);
    assert_eq!(q.all("a").collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(q.all("b[]").collect::<Vec<_>>(), ["3"]);
    assert_eq!(q.all("b").count(), 0);
    assert_eq!(q.all("c[").collect::<Vec<_>>(), ["4"]);
    assert_eq!(q.all("").collect::<Vec<_>>(), ["5"]);
}

#[test]
fn query_params_one_flags_a_repeated_name() {
    let q = QueryParams::from_pairs([("pax", "1"), ("pax[]", "2"), ("x", "9")]);
    let mut errs = Vec::new();
    assert_eq!(q.one("x", &mut errs), Some("9"));
    assert_eq!(q.one("missing", &mut errs), None);
    assert!(errs.is_empty());
    assert_eq!(q.one("pax", &mut errs), Some("1"));
    assert_eq!(
        errs,
        [FieldError::new("pax", "Must be given at most once.")]
    );
}

#[test]
fn repeated_single_valued_parameters_are_rejected() {
    let cases: Vec<(&str, &str, &str)> = vec![
        ("pax", "1", "pax"),
        ("pax[]", "1", "pax"),
        ("departure_date", "2026-04-05", "departure_date"),
        ("return_date", "2026-04-06", "return_date"),
        ("timeout", "5", "timeout"),
        ("currency", "USD", "currency"),
        ("confidence_score", "0.5", "confidence_score"),
        ("cache_only", "true", "cache_only"),
    ];
    for (name, value, field) in cases {
        let mut pairs = base_with(&[(name, value)]);
        if !matches!(field, "pax" | "departure_date") {
            pairs.push((name, value));
        }
        assert_eq!(error_fields(parse(&pairs)), [field], "{name} twice");
    }
}

#[test]
fn a_repeated_poi_is_rejected() {
    let pairs = base_replacing("arrivals", &[("arrival_poi", "44"), ("arrival_poi", "45")]);
    assert_eq!(error_fields(parse(&pairs)), ["arrival_poi"]);
    let pairs = base_replacing(
        "departures",
        &[("departure_poi", "1"), ("departure_poi[]", "1")],
    );
    assert_eq!(error_fields(parse(&pairs)), ["departure_poi"]);
}

// ---------------------------------------------------------------------------
// Locations and routes
// ---------------------------------------------------------------------------

#[test]
fn the_four_search_kinds_produce_the_right_places() {
    let date = [("departure_date", "2026-04-05"), ("pax", "1")];
    let cases: Vec<(&str, Pairs, Routes)> = vec![
        (
            "ByStation",
            vec![("departures[]", "3"), ("arrivals[]", "4")],
            vec![(S(3), S(4))],
        ),
        (
            "ByPOI",
            vec![("departure_poi", "1"), ("arrival_poi", "44")],
            vec![(P(1), P(44))],
        ),
        (
            "ByPOIAndStation",
            vec![("departure_poi", "1"), ("arrivals[]", "4")],
            vec![(P(1), S(4))],
        ),
        (
            "ByStationAndPOI",
            vec![("departures[]", "3"), ("arrival_poi", "44")],
            vec![(S(3), P(44))],
        ),
    ];
    for (kind, locations, routes) in cases {
        let mut pairs = date.to_vec();
        pairs.extend(locations);
        assert_eq!(parse(&pairs).unwrap().routes, routes, "{kind}");
    }
}

#[test]
fn places_render_as_12go_path_parts() {
    let q = parse(&[
        ("departure_date", "2026-04-05"),
        ("pax", "1"),
        ("departure_poi", "1"),
        ("arrivals[]", "4"),
        ("arrivals[]", "0044"),
    ])
    .unwrap();
    let rendered: Vec<String> = q.routes.iter().map(|(o, d)| format!("{o}/{d}")).collect();
    assert_eq!(rendered, ["1p/4s", "1p/44s"]);
}

#[test]
fn exactly_one_of_stations_and_poi_is_required_on_each_side() {
    let cases: Vec<(Pairs, Vec<&str>)> = vec![
        (vec![("arrivals[]", "4")], vec!["departures"]),
        (vec![("departures[]", "3")], vec!["arrivals"]),
        (vec![], vec!["arrivals", "departures"]),
        (
            vec![
                ("departures[]", "3"),
                ("departure_poi", "1"),
                ("arrivals[]", "4"),
            ],
            vec!["departure_poi"],
        ),
        (
            vec![
                ("departures[]", "3"),
                ("arrival_poi", "44"),
                ("arrivals[]", "4"),
            ],
            vec!["arrival_poi"],
        ),
        (
            vec![
                ("departures[]", "3"),
                ("departure_poi", "1"),
                ("arrivals[]", "4"),
                ("arrival_poi", "44"),
            ],
            vec!["arrival_poi", "departure_poi"],
        ),
    ];
    for (locations, expected) in cases {
        let mut pairs = vec![("departure_date", "2026-04-05"), ("pax", "1")];
        pairs.extend(locations.iter().copied());
        assert_eq!(
            sorted(error_fields(parse(&pairs))),
            expected,
            "{locations:?}"
        );
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn routes_for(
    departures: &[&str],
    arrivals: &[&str],
) -> Result<Vec<(Place, Place)>, Vec<FieldError>> {
    let mut pairs = vec![("departure_date", "2026-04-05"), ("pax", "1")];
    pairs.extend(departures.iter().map(|d| ("departures[]", *d)));
    pairs.extend(arrivals.iter().map(|a| ("arrivals[]", *a)));
    parse(&pairs).map(|q| q.routes)
}

#[test]
fn routes_are_the_cartesian_product_in_request_order() {
    assert_eq!(
        routes_for(&["1", "2"], &["3", "4", "5"]).unwrap(),
        [
            (S(1), S(3)),
            (S(1), S(4)),
            (S(1), S(5)),
            (S(2), S(3)),
            (S(2), S(4)),
            (S(2), S(5))
        ]
    );
}

#[test]
fn duplicate_routes_are_listed_once() {
    assert_eq!(
        routes_for(&["1", "1", "2", "01"], &["3", "3"]).unwrap(),
        [(S(1), S(3)), (S(2), S(3))]
    );
}

#[test]
fn routes_from_a_place_to_itself_are_removed() {
    assert_eq!(
        routes_for(&["1", "2"], &["1", "2"]).unwrap(),
        [(S(1), S(2)), (S(2), S(1))]
    );
    assert_eq!(
        routes_for(&["1", "2", "3"], &["3"]).unwrap(),
        [(S(1), S(3)), (S(2), S(3))]
    );
}

#[test]
fn a_station_and_a_poi_with_the_same_number_are_different_places() {
    let q = parse(&[
        ("departure_date", "2026-04-05"),
        ("pax", "1"),
        ("departures[]", "3"),
        ("arrival_poi", "3"),
    ])
    .unwrap();
    assert_eq!(q.routes, [(S(3), P(3))]);
}

#[test]
fn no_route_left_is_rejected() {
    for (departures, arrivals) in [(&["3"][..], &["3"][..]), (&["3", "3"][..], &["3"][..])] {
        let errs = routes_for(departures, arrivals).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, "arrivals");
    }
    let pairs = [
        ("departure_date", "2026-04-05"),
        ("pax", "1"),
        ("departure_poi", "44"),
        ("arrival_poi", "44"),
    ];
    assert_eq!(error_fields(parse(&pairs)), ["arrivals"]);
}

#[test]
fn more_than_max_routes_is_rejected_and_exactly_max_is_accepted() {
    let five: Vec<String> = (1..=5).map(|n| n.to_string()).collect();
    let six: Vec<String> = (11..=16).map(|n| n.to_string()).collect();
    // 5 × 5 = 25 routes.
    let fives: Vec<String> = (21..=25).map(|n| n.to_string()).collect();
    assert_eq!(routes_for(&refs(&five), &refs(&fives)).unwrap().len(), 25);
    // 5 × 6 = 30 routes.
    let errs = routes_for(&refs(&five), &refs(&six)).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].field, "departures");
    // Duplicates and self-routes do not count: 6 × 5 = 30 pairs, 25 distinct routes.
    let mut with_dup = refs(&five);
    with_dup.push("1");
    assert_eq!(routes_for(&with_dup, &refs(&fives)).unwrap().len(), 25);
}

#[test]
fn the_route_limit_comes_from_configuration() {
    let limits = SearchLimits {
        max_routes: 2,
        ..LIMITS
    };
    let pairs = [
        ("departure_date", "2026-04-05"),
        ("pax", "1"),
        ("departures[]", "1"),
        ("arrivals[]", "2"),
        ("arrivals[]", "3"),
    ];
    assert_eq!(parse_with(&pairs, today(), limits).unwrap().routes.len(), 2);
    let mut more = pairs.to_vec();
    more.push(("arrivals[]", "4"));
    assert_eq!(
        error_fields(parse_with(&more, today(), limits)),
        ["departures"]
    );
}

#[test]
fn a_huge_route_request_is_rejected_without_building_every_route() {
    // 3,000 × 3,000 = 9 million pairs: must fail fast, not build and dedupe them all.
    let ids: Vec<String> = (1..=3000).map(|n| n.to_string()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let errs = routes_for(&refs, &refs).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "departures");
}

#[test]
fn station_ids_of_16_digits_are_accepted() {
    assert_eq!(
        routes_for(&["1234567890123456"], &["0"]).unwrap(),
        [(S(1_234_567_890_123_456), S(0))]
    );
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

fn any_key() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "departure_date",
        "return_date",
        "pax",
        "pax_ages",
        "departures",
        "arrivals",
        "departure_poi",
        "arrival_poi",
        "currency",
        "locale",
        "confidence_score",
        "cache_only",
        "timeout",
    ]);
    prop_oneof![
        4 => (known.clone(), any::<bool>()).prop_map(|(k, b)| if b { format!("{k}[]") } else { k.to_string() }),
        1 => ".{0,12}",
    ]
}

fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}",
        "-?[0-9]{1,25}(\\.[0-9]{0,3})?",
        "[A-Z0-9]{0,18}",
        "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]",
        "2026-04-0[0-9][ TX][0-9]{2}:[0-9é]{1,2}(:[0-9é]{0,2})?.{0,4}",
        "2026-04-05.{0,8}",
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics_on_arbitrary_pairs(
        pairs in prop::collection::vec((any_key(), any_value()), 0..16),
        today in (2000i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap()),
        max_routes in 0usize..30,
        max_timeout_secs in prop_oneof![Just(0u32), Just(30u32), Just(u32::MAX)],
    ) {
        let limits = SearchLimits { max_routes, max_timeout_secs };
        match SearchQuery::parse(&QueryParams::from_pairs(pairs), today, limits) {
            Ok(q) => {
                prop_assert!(!q.routes.is_empty() && q.routes.len() <= max_routes);
                prop_assert!((1..=100).contains(&q.pax));
                prop_assert!(q.departure_date >= today);
                prop_assert!(q.timeout_secs <= max_timeout_secs);
                prop_assert!(q.routes.iter().all(|(o, d)| o != d));
            }
            Err(errs) => prop_assert!(!errs.is_empty()),
        }
    }

    #[test]
    fn a_valid_search_with_arbitrary_extra_noise_parameters_still_parses(
        noise in prop::collection::vec(("x_[a-z]{1,8}", ".{0,10}"), 0..8),
    ) {
        let mut pairs: Vec<(String, String)> = base_with(&[])
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        pairs.extend(noise);
        let q = SearchQuery::parse(&QueryParams::from_pairs(pairs), today(), LIMITS);
        prop_assert_eq!(q.map(|q| q.routes), Ok(vec![(S(3), S(4))]));
    }
}
