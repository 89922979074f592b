//! Cancel: option choice wiring, F at most once, reconciliation, serialization.

use super::tests::{booking_answer, caller, failed, service, FakeKv};
use super::*;
use crate::app::booking::state::Outcome;
use crate::domain::twelvego::{RefundAnswer, RefundOptions};
use crate::ports::twelvego::MockTwelveGoBooking;

fn options() -> RefundOptions {
    serde_json::from_str(
        r#"{"available":true,"options":[
        {"refund_amount":550.00,"refund_fxcode":"THB","hash":"half"},
        {"refund_amount":825.10,"refund_fxcode":"THB","hash":"most"},
        {"refund_amount":900.00,"refund_fxcode":"THB","available":false,"hash":"off"}]}"#,
    )
    .unwrap()
}

fn code(o: &Outcome) -> (u16, String) {
    match o {
        Outcome::Booking(_) => (200, "ok".into()),
        Outcome::Error(e) => (e.status, e.code.clone()),
    }
}

#[actix_rt::test]
async fn the_largest_available_option_is_refunded_once_and_echoed() {
    let mut mock = MockTwelveGoBooking::new();
    mock.expect_booking()
        .returning(|_, _| Ok(booking_answer("confirmed")));
    mock.expect_refund_options()
        .times(1)
        .returning(|_, _| Ok(options()));
    mock.expect_refund().times(1).returning(|bid, req, _| {
        assert_eq!(bid, "42");
        assert_eq!(req.hash, "most");
        assert_eq!(
            serde_json::to_string(req).unwrap(),
            r#"{"hash":"most","refund_fxcode":"THB","refund_amount":825.10}"#
        );
        Ok(RefundAnswer {
            success: true,
            delay_minutes: Some(0),
            message: None,
        })
    });
    let svc = service(mock, Arc::default());
    let first = svc.cancel(&caller(), "42", true).await;
    let Outcome::Booking(v) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(
        v,
        &serde_json::json!({"booking_id":"42","booking_status":"cancelled","refund":{"amount":"825.10","currency":"THB"}})
    );
    // A repeat within the record's life gets the same answer, without 12go.
    assert_eq!(svc.cancel(&caller(), "42", true).await, first);
}

#[actix_rt::test]
async fn an_ambiguous_refund_is_reconciled_by_reading_the_booking_never_resent() {
    for (after, want) in [
        ("cancelled", (200, "ok")),
        ("confirmed", (504, "upstream_timeout")),
    ] {
        let mut mock = MockTwelveGoBooking::new();
        let mut seq = mockall::Sequence::new();
        mock.expect_booking()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(booking_answer("confirmed")));
        mock.expect_refund_options().returning(|_, _| Ok(options()));
        mock.expect_refund()
            .times(1)
            .returning(|_, _, _| Err(UpstreamError::Timeout));
        mock.expect_booking()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_, _| Ok(booking_answer(after)));
        let svc = service(mock, Arc::default());
        let o = svc.cancel(&caller(), "42", true).await;
        assert_eq!(code(&o), (want.0, want.1.to_string()), "{after}");
    }
}

/// B status, F answer or F error, and the expected (status, code).
type Case = (
    &'static str,
    Option<RefundAnswer>,
    Option<UpstreamError>,
    (u16, &'static str),
);

#[actix_rt::test]
async fn refusals_map_to_their_codes() {
    let cases: Vec<Case> = vec![
        (
            "pending_client_confirmation",
            None,
            None,
            (422, "booking_not_cancellable"),
        ),
        ("cancelled", None, None, (422, "booking_not_cancellable")),
        (
            "confirmed",
            Some(RefundAnswer {
                success: false,
                delay_minutes: None,
                message: Some("no".into()),
            }),
            None,
            (502, "refund_failed"),
        ),
        (
            "confirmed",
            None,
            Some(failed(422)),
            (422, "booking_not_cancellable"),
        ),
    ];
    for (status, answer, error, want) in cases {
        let mut mock = MockTwelveGoBooking::new();
        mock.expect_booking()
            .returning(move |_, _| Ok(booking_answer(status)));
        mock.expect_refund_options().returning(|_, _| Ok(options()));
        let (a, e) = (answer.clone(), error.clone());
        mock.expect_refund()
            .returning(move |_, _, _| match (&a, &e) {
                (Some(a), _) => Ok(a.clone()),
                (_, Some(e)) => Err(e.clone()),
                _ => panic!("F must not be called for {status}"),
            });
        let svc = service(mock, Arc::default());
        assert_eq!(
            code(&svc.cancel(&caller(), "42", true).await),
            (want.0, want.1.to_string()),
            "{status}"
        );
    }
}

#[actix_rt::test]
async fn disabled_clients_and_unknown_ids_never_reach_12go() {
    let svc = service(MockTwelveGoBooking::new(), Arc::default());
    assert_eq!(
        code(&svc.cancel(&caller(), "42", false).await),
        (422, "cancel_not_supported".into())
    );
    assert_eq!(
        code(&svc.cancel(&caller(), "not/an id", true).await),
        (404, "booking_not_found".into())
    );
}

#[actix_rt::test]
async fn a_second_cancel_while_one_runs_waits_for_its_outcome() {
    let kv = Arc::new(FakeKv::default());
    let mut mock = MockTwelveGoBooking::new();
    mock.expect_booking()
        .returning(|_, _| Ok(booking_answer("confirmed")));
    mock.expect_refund_options().returning(|_, _| Ok(options()));
    mock.expect_refund().times(1).returning(|_, _, _| {
        Ok(RefundAnswer {
            success: true,
            delay_minutes: None,
            message: None,
        })
    });
    let svc = service(mock, kv);
    let c = caller();
    let (a, b) = futures_util::join!(svc.cancel(&c, "42", true), svc.cancel(&c, "42", true));
    assert_eq!(code(&a), (200, "ok".into()));
    assert_eq!(a, b);
}
