use super::*;
use crate::app::recheck::RecheckState;
use crate::domain::secret::Secret;
use crate::ports::clock::MockClock;
use crate::ports::twelvego::MockTwelveGo;

const DATE: &str = "2026-12-01";

fn answer(dep_hour: u32, recheck: bool) -> SearchBody {
    let key = format!("TH000300044mDt00g03BNR{dep_hour:02}");
    let json = format!(
        r#"{{"trips":[{{"id":"{key}","params":{{"vehclasses":["train"]}},
        "segments":[{{"type":"route","vehclasses":["train"],"from":3,"to":4,"duration":60,
          "dep_time":"{DATE} {dep_hour:02}:00:00","arr_time":"{DATE} {dep_hour:02}:59:00","class":16,"operator":16779}}],
        "travel_options":[{{"id":"{key}","bookable":5,"class":16,"price":{{"value":370.37,"fxcode":"THB"}},
          "netprice":{{"value":308.00,"fxcode":"THB"}},"sysfee":{{"value":50,"fxcode":"THB"}},"agfee":{{"value":12.37,"fxcode":"THB"}},
          "ticket_type":"paper","confirmation_time":0,"is_bookable":1}}]}}],
        "classes":{{"16":{{"id":16,"name":"Class 3 Fan"}}}},"recheck":{}}}"#,
        if recheck {
            r#"["http://sandbox.12go.invalid/searchr?x=1"]"#
        } else {
            "[]"
        }
    );
    SearchBody::parse(json.into_bytes()).unwrap()
}

fn status(s: u16) -> UpstreamError {
    UpstreamError::Status {
        status: s,
        empty_object_body: false,
        retry_after: None,
        rejection: crate::domain::upstream::Rejection::default(),
    }
}

fn service(tg: MockTwelveGo, partial_status: bool) -> (SearchService, Arc<RecheckState>) {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .returning(|| "2026-11-26T12:00:00Z".parse().unwrap());
    let tg: Rc<dyn TwelveGo> = Rc::new(tg);
    let state = Arc::new(RecheckState::new(true, Duration::from_secs(5)));
    let settings = SearchSettings {
        limits: SearchLimits {
            max_routes: 25,
            max_timeout_secs: 30,
        },
        return_partial_status: partial_status,
        price_types: Arc::new(PriceTypeMap::default()),
    };
    let recheck = RecheckDispatcher::new(state.clone(), tg.clone());
    (
        SearchService::new(tg, Arc::new(clock), settings, recheck),
        state,
    )
}

fn ctx() -> CallContext {
    CallContext {
        key: Secret::new("tg-key"),
        correlation_id: "corr-1".into(),
        deadline: Instant::now() + Duration::from_secs(5),
    }
}

fn params(extra: &[(&str, &str)]) -> QueryParams {
    let mut p = vec![("departure_date", DATE), ("pax", "1")];
    p.extend_from_slice(extra);
    QueryParams::from_pairs(p)
}

fn to_station(call: &SearchCall) -> i64 {
    match call.to {
        Place::Station(id) | Place::Province(id) => id,
    }
}

#[actix_rt::test]
async fn every_route_ok_without_recheck_is_complete_and_in_route_order() {
    // Arrange
    let mut tg = MockTwelveGo::new();
    tg.expect_search()
        .withf(|c, ctx| {
            c.seats == 1
                && ctx.key.expose() == "tg-key"
                && jiff::civil::Date::constant(2026, 12, 1) == c.date
        })
        .times(2)
        .returning(|c, _| Ok(answer(if to_station(c) == 4 { 8 } else { 9 }, false)));
    let (svc, _) = service(tg, true);
    // Act
    let out = svc
        .search(
            &params(&[
                ("departures[]", "3"),
                ("arrivals[]", "4"),
                ("arrivals[]", "5"),
            ]),
            &ctx(),
        )
        .await
        .unwrap();
    // Assert
    assert!(!out.partial);
    assert_eq!(out.routes, 2);
    let ids: Vec<&str> = out
        .result
        .itineraries
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "TH000300044mDt00g03BNR08-2026-12-01-08:00-1",
            "TH000300044mDt00g03BNR09-2026-12-01-09:00-1"
        ]
    );
}

#[actix_rt::test]
async fn invalid_input_makes_no_12go_call() {
    let (svc, _) = service(MockTwelveGo::new(), true);
    let err = svc
        .search(&QueryParams::from_pairs([("pax", "0")]), &ctx())
        .await
        .unwrap_err();
    let SearchError::Invalid(fields) = err else {
        panic!("expected Invalid, got {err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert!(
        names.contains(&"pax") && names.contains(&"departure_date"),
        "{names:?}"
    );
}

#[actix_rt::test]
async fn a_failed_route_beside_an_ok_one_is_partial_unless_switched_off() {
    for (flag, want) in [(true, true), (false, false)] {
        let mut tg = MockTwelveGo::new();
        tg.expect_search().returning(|c, _| {
            if to_station(c) == 4 {
                Ok(answer(8, false))
            } else {
                Err(status(500))
            }
        });
        let (svc, _) = service(tg, flag);
        let out = svc
            .search(
                &params(&[("departures", "3"), ("arrivals", "4"), ("arrivals", "5")]),
                &ctx(),
            )
            .await
            .unwrap();
        assert_eq!(out.partial, want);
        assert_eq!(out.result.itineraries.len(), 1);
    }
}

#[actix_rt::test]
async fn a_404_is_an_empty_ok_route() {
    let mut tg = MockTwelveGo::new();
    tg.expect_search()
        .times(1)
        .returning(|_, _| Err(status(404)));
    let (svc, _) = service(tg, true);
    let out = svc
        .search(&params(&[("departures", "3"), ("arrivals", "4")]), &ctx())
        .await
        .unwrap();
    assert!(!out.partial);
    assert!(
        out.result.itineraries.is_empty()
            && out.result.segments.is_empty()
            && out.result.vehicles.is_empty()
    );
}

#[actix_rt::test]
async fn no_route_ok_maps_to_the_documented_errors() {
    let cases: Vec<(Vec<UpstreamError>, SearchError)> = vec![
        (vec![status(500), status(500)], SearchError::Failed),
        (
            vec![UpstreamError::Timeout, UpstreamError::Timeout],
            SearchError::Timeout,
        ),
        (vec![status(400), status(422)], SearchError::Rejected),
        (vec![status(401), status(500)], SearchError::AuthFailed),
    ];
    for (errors, want) in cases {
        let errors = std::cell::RefCell::new(errors);
        let mut tg = MockTwelveGo::new();
        tg.expect_search()
            .times(2)
            .returning(move |_, _| Err(errors.borrow_mut().remove(0)));
        let (svc, _) = service(tg, true);
        let got = svc
            .search(
                &params(&[("departures", "3"), ("arrivals", "4"), ("arrivals", "5")]),
                &ctx(),
            )
            .await
            .unwrap_err();
        assert_eq!(got, want);
    }
}

#[actix_rt::test]
async fn with_a_timeout_partial_routes_are_polled_again_until_complete() {
    // Arrange: first answer has a recheck, the second is complete.
    let calls = std::cell::Cell::new(0);
    let mut tg = MockTwelveGo::new();
    tg.expect_search().times(2).returning(move |_, _| {
        calls.set(calls.get() + 1);
        Ok(answer(8, calls.get() == 1))
    });
    tg.expect_recheck().returning(|_, _, _| Ok(()));
    let (svc, state) = service(tg, true);
    // Act
    let out = svc
        .search(
            &params(&[("departures", "3"), ("arrivals", "4"), ("timeout", "5")]),
            &ctx(),
        )
        .await
        .unwrap();
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    // Assert
    assert!(!out.partial);
    assert_eq!(
        out.result.itineraries.len(),
        1,
        "re-poll answers are merged without duplicates"
    );
    assert_eq!(
        state.dispatched(),
        1,
        "the recheck URL is dispatched anyway"
    );
}

#[actix_rt::test]
async fn without_a_timeout_a_recheck_answers_partial_and_dispatches_the_url() {
    let mut tg = MockTwelveGo::new();
    tg.expect_search()
        .times(1)
        .returning(|_, _| Ok(answer(8, true)));
    tg.expect_recheck()
        .withf(|url, key, _| url == "http://sandbox.12go.invalid/searchr?x=1" && key.is_none())
        .times(1)
        .returning(|_, _, _| Ok(()));
    let (svc, state) = service(tg, true);
    let out = svc
        .search(&params(&[("departures", "3"), ("arrivals", "4")]), &ctx())
        .await
        .unwrap();
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(out.partial);
    assert_eq!(state.dispatched(), 1);
}
