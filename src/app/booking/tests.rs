//! Use-case tests over a mocked 12go port and an in-test key-value store:
//! at-most-once R and C, the idempotency records, reconciliation.

use super::create::CreateRequest;
use super::state::Outcome;
use super::*;
use crate::domain::booking_token::{Nonce, TokenClaims};
use crate::domain::checkout::{parse_checkout, BookingData};
use crate::domain::money::{Currency, Money};
use crate::domain::secret::Secret;
use crate::domain::upstream::Rejection;
use crate::ports::metrics::NoMetrics;
use crate::ports::twelvego::MockTwelveGoBooking;
use async_trait::async_trait;
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

/// Enough of a key-value store for the use cases (no TTLs).
#[derive(Default)]
pub(super) struct FakeKv(Mutex<HashMap<String, Vec<u8>>>);

#[async_trait]
impl KeyValue for FakeKv {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    async fn put(&self, key: &str, value: &[u8], _: Duration) -> Result<(), StoreError> {
        self.0.lock().unwrap().insert(key.into(), value.to_vec());
        Ok(())
    }
    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        _: Duration,
    ) -> Result<bool, StoreError> {
        let mut m = self.0.lock().unwrap();
        if m.contains_key(key) {
            return Ok(false);
        }
        m.insert(key.into(), value.to_vec());
        Ok(true)
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
}

struct Clock0;
impl Clock for Clock0 {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }
}

const FORM: &str = include_str!("../../../tests/fixtures/12go/checkout-spec-example.json");

fn keys() -> Arc<BookingTokenKeys> {
    let secret = Secret::new("0123456789abcdef0123456789abcdef".to_string());
    Arc::new(BookingTokenKeys::new(&[secret], Duration::from_secs(3600)).unwrap())
}

pub(super) fn service(mock: MockTwelveGoBooking, kv: Arc<FakeKv>) -> BookingService {
    BookingService::new(
        Rc::new(mock),
        kv,
        keys(),
        Arc::new(Clock0),
        Arc::new(NoMetrics),
        BookingSettings::default(),
    )
}

pub(super) fn caller() -> Caller {
    Caller {
        client_id: "acme".into(),
        ctx: CallContext {
            key: Secret::new("k".to_string()),
            correlation_id: "c".into(),
            deadline: Instant::now() + Duration::from_secs(30),
        },
        id_maps: None,
    }
}

fn token() -> String {
    let claims = TokenClaims {
        client_id: "acme".into(),
        cart_id: "cart1".into(),
        seats: 2,
        trip_key: "TRIP".into(),
        departure: "2030-05-01T08:00".parse().unwrap(),
        price: Money::new(914.into(), Currency::new("THB")),
        nonce: Nonce::from_bytes([7; 12]),
    };
    keys().issue(&claims, Clock0.now())
}

fn request(token: &str) -> CreateRequest {
    let data: BookingData = serde_json::from_value(serde_json::json!({
        "email":"a@b.co","mobile_phone":"+66812345678","seat_selection":["1A","1B"],
        "additional_fields":{"points_pickup":"hotel_abc"},
        "passengers":[
            {"first_name":"John","last_name":"Doe","gender":"M","nationality":"TH"},
            {"first_name":"Jane","last_name":"Doe","gender":"Female","nationality":"TH"}]}))
    .unwrap();
    CreateRequest {
        booking_token: token.to_string(),
        booking_data: data,
        total_price: None,
        prefix: "/v1".into(),
    }
}

pub(super) fn booking_answer(status: &str) -> BookingAnswer {
    BookingAnswer::from_slice(
        format!(
            r#"{{"bid":42,"status":"{status}","from_id":3,"to_id":4,"dep_date_time":"2030-05-01 08:00:00",
            "seats":2,"ticket_url":"","created_on":1800000000,"stamp":0,"netprice":{{"value":934,"fxcode":"THB"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap()
}

pub(super) fn failed(status: u16) -> UpstreamError {
    UpstreamError::Status {
        status,
        empty_object_body: false,
        retry_after: None,
        rejection: Rejection::default(),
    }
}

fn code(a: &Answer) -> (u16, &str) {
    match a {
        Answer::Done(Outcome::Error(e)) => (e.status, e.code.as_str()),
        Answer::Done(Outcome::Booking(_)) => (200, "ok"),
        Answer::Accepted(_) => (202, "accepted"),
    }
}

fn with_form(mock: &mut MockTwelveGoBooking) {
    mock.expect_checkout()
        .returning(|_, _| Ok(parse_checkout(FORM).unwrap()));
}

#[actix_rt::test]
async fn a_reserved_token_answers_already_reserved_without_calling_12go_again() {
    let mut mock = MockTwelveGoBooking::new();
    mock.expect_checkout()
        .times(1)
        .returning(|_, _| Ok(parse_checkout(FORM).unwrap()));
    mock.expect_reserve().times(1).returning(|cart, body, _| {
        assert_eq!(cart, "cart1");
        assert_eq!(body["selected_seats_T0k"], "1A,1B");
        assert_eq!(body["passenger[1][gender]"], "F");
        Ok("42".into())
    });
    mock.expect_booking()
        .times(1)
        .returning(|_, _| Ok(booking_answer("pending_client_confirmation")));
    let svc = service(mock, Arc::default());
    let t = token();
    let first = svc.create_booking(&caller(), request(&t)).await;
    let Answer::Done(Outcome::Booking(b)) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(
        (b["id"].as_str(), b["status"].as_str()),
        (Some("42"), Some("reserved"))
    );
    let again = svc.create_booking(&caller(), request(&t)).await;
    let Answer::Done(Outcome::Error(e)) = again else {
        panic!("{again:?}")
    };
    assert_eq!((e.status, e.code.as_str()), (409, "already_reserved"));
    assert_eq!(e.location.as_deref(), Some("/v1/acme/bookings/42"));
}

#[actix_rt::test]
async fn an_ambiguous_reserve_blocks_the_token_and_is_never_resent() {
    for fault in [UpstreamError::Timeout, failed(502), UpstreamError::Connect] {
        let mut mock = MockTwelveGoBooking::new();
        with_form(&mut mock);
        let f = fault.clone();
        mock.expect_reserve()
            .times(1)
            .returning(move |_, _, _| Err(f.clone()));
        mock.expect_booking().times(0);
        let svc = service(mock, Arc::default());
        let t = token();
        let first = svc.create_booking(&caller(), request(&t)).await;
        assert!(matches!(code(&first).0, 502 | 504), "{fault:?}: {first:?}");
        let again = svc.create_booking(&caller(), request(&t)).await;
        assert_eq!(code(&again), (409, "booking_outcome_unknown"), "{fault:?}");
    }
}

#[actix_rt::test]
async fn a_clear_rejection_frees_the_token_for_a_corrected_retry() {
    let mut mock = MockTwelveGoBooking::new();
    with_form(&mut mock);
    let mut seq = mockall::Sequence::new();
    mock.expect_reserve()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            let mut e = failed(422);
            if let UpstreamError::Status { rejection, .. } = &mut e {
                rejection.fields = vec!["passenger[1][first_name]".into()];
            }
            Err(e)
        });
    mock.expect_reserve()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok("42".into()));
    mock.expect_booking()
        .returning(|_, _| Ok(booking_answer("pending_client_confirmation")));
    let svc = service(mock, Arc::default());
    let t = token();
    let first = svc.create_booking(&caller(), request(&t)).await;
    let Answer::Done(Outcome::Error(e)) = &first else {
        panic!("{first:?}")
    };
    assert_eq!((e.status, e.code.as_str()), (422, "validation_failed"));
    assert_eq!(e.fields[0].field, "booking_data.passengers[1].first_name");
    assert_eq!(
        code(&svc.create_booking(&caller(), request(&t)).await).0,
        200
    );
}

#[actix_rt::test]
async fn validation_failures_and_cost_mismatch_send_no_reserve() {
    let mut mock = MockTwelveGoBooking::new();
    with_form(&mut mock);
    mock.expect_reserve().times(0);
    let svc = service(mock, Arc::default());
    let t = token();
    let mut bad = request(&t);
    bad.booking_data.passengers.pop();
    bad.booking_data.email = None;
    let a = svc.create_booking(&caller(), bad).await;
    let Answer::Done(Outcome::Error(e)) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(e.code, "validation_failed");
    let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"booking_data.passengers"), "{fields:?}");
    assert!(fields.contains(&"booking_data.email"), "{fields:?}");
    // Quote 914 + seat 1A (457 − 457) + 1B (477 − 457) = 934.00.
    let mut wrong = request(&t);
    wrong.total_price = Some(Money::new(933.into(), Currency::new("THB")));
    assert_eq!(
        code(&svc.create_booking(&caller(), wrong).await),
        (422, "cost_mismatch")
    );
}

#[actix_rt::test]
async fn reserved_but_booking_details_failing_keeps_the_bid() {
    let mut mock = MockTwelveGoBooking::new();
    with_form(&mut mock);
    mock.expect_reserve()
        .times(1)
        .returning(|_, _, _| Ok("42".into()));
    mock.expect_booking()
        .times(1)
        .returning(|_, _| Err(failed(500)));
    let svc = service(mock, Arc::default());
    let t = token();
    let mut ok = request(&t);
    ok.total_price = Some(Money::new(934.into(), Currency::new("thb")));
    assert_eq!(
        code(&svc.create_booking(&caller(), ok).await),
        (502, "upstream_error")
    );
    assert_eq!(
        code(&svc.create_booking(&caller(), request(&t)).await),
        (409, "already_reserved")
    );
}

#[actix_rt::test]
async fn an_ambiguous_confirm_is_reconciled_by_reading_the_booking() {
    let mut mock = MockTwelveGoBooking::new();
    let mut seq = mockall::Sequence::new();
    mock.expect_booking()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(booking_answer("pending_client_confirmation")));
    mock.expect_confirm()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Err(UpstreamError::Timeout));
    mock.expect_booking()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(booking_answer("confirmed")));
    let svc = service(mock, Arc::default());
    let a = svc.confirm_booking(&caller(), "42").await;
    let Answer::Done(Outcome::Booking(b)) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(b["status"], "approved");
}

#[actix_rt::test]
async fn confirm_precheck_refuses_confirmed_and_cancelled_bookings() {
    for (status, want) in [
        ("confirmed", (409, "already_confirmed")),
        ("cancelled", (422, "booking_cancelled")),
    ] {
        let mut mock = MockTwelveGoBooking::new();
        mock.expect_booking()
            .returning(move |_, _| Ok(booking_answer(status)));
        mock.expect_confirm().times(0);
        let svc = service(mock, Arc::default());
        assert_eq!(code(&svc.confirm_booking(&caller(), "42").await), want);
    }
    let svc = service(MockTwelveGoBooking::new(), Arc::default());
    assert_eq!(
        code(&svc.confirm_booking(&caller(), "12/x").await),
        (404, "booking_not_found")
    );
}

#[actix_rt::test]
async fn incomplete_results_belong_to_their_client() {
    let kv = Arc::new(FakeKv::default());
    let svc = service(MockTwelveGoBooking::new(), kv);
    let id = svc
        .open_record("acme", state::Operation::Create)
        .await
        .unwrap();
    assert_eq!(
        svc.incomplete_result("acme", &id).await,
        Answer::Accepted(id.clone())
    );
    assert_eq!(
        code(&svc.incomplete_result("other", &id).await),
        (404, "incomplete_results_not_found")
    );
    assert_eq!(
        code(&svc.incomplete_result("acme", "nope").await),
        (404, "incomplete_results_not_found")
    );
}
