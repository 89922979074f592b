//! The booking-funnel and post-booking calls (T, A, S, R, C, B, O, F) against
//! the fake 12go.

use super::*;
use crate::domain::twelvego::{RefundAnswer, RefundOptions, RefundRequest};
use crate::domain::upstream::Rejection;
use crate::ports::twelvego::{TripCall, TwelveGoBooking};
use serde_json::{Map, Value};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wiremock::matchers::body_string;

const TRIP_KEY: &str = "TH0a1B2c";
const CART_ID: &str = "c4rt1d";
const BID: &str = "87654321";
const CHECKOUT_ANSWER: &str = r#"{"contact[email]":{"type":"input","required":true},"seats":{"type":"input","required":true}}"#;
const BOOKING_ANSWER: &str = r#"{"bid":87654321,"tracker":"TRK-7QX2","status":"confirmed"}"#;
const RESERVE_BODY: &str = r#"{"contact[email]":"a@b.test","contact[mobile]":"+66812345678","passenger[0][first_name]":"Ann","seats":2}"#;
const REFUND_OPTIONS_ANSWER: &str = r#"{"available":true,"options":[{"refund_amount":825.10,"refund_fxcode":"THB","expires":true,"expires_after":"2026-04-29 08:30:00","available":true,"available_since":"2026-04-01 00:00:00","hash":"c0ffee01"},{"refund_amount":550.00,"refund_fxcode":"THB","expires":false,"expires_after":null,"available":true,"hash":"c0ffee02"}]}"#;
const REFUND_BODY: &str = r#"{"hash":"c0ffee01","refund_fxcode":"THB","refund_amount":825.10}"#;
const REFUND_ANSWER: &str = r#"{"success":true,"delay_minutes":0,"message":"Refund accepted"}"#;
const REJECTION: &str = r#"{"fields":{"passenger[1][id_no]":"Invalid"},"messages":["Trip is no longer available"],"data":{"reasons":[{"reason_code":"bad_trip_details","reason_message":"x"}]}}"#;

fn trip_call() -> TripCall {
    TripCall {
        trip_key: TRIP_KEY.into(),
        departure: jiff::civil::datetime(2026, 5, 1, 8, 30, 0, 0),
        seats: 2,
    }
}

fn reserve_body() -> Map<String, Value> {
    serde_json::from_str(RESERVE_BODY).unwrap()
}

/// The F request for the first option of [`REFUND_OPTIONS_ANSWER`] (`825.10`).
fn refund_request() -> RefundRequest {
    let options: RefundOptions = serde_json::from_str(REFUND_OPTIONS_ANSWER).unwrap();
    let option = &options.options[0];
    RefundRequest {
        hash: option.hash.clone(),
        refund_fxcode: option.refund_fxcode.clone(),
        refund_amount: option.refund_amount.clone(),
    }
}

/// The eight calls, driven uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Call {
    Trip,
    Cart,
    Checkout,
    Reserve,
    Confirm,
    Booking,
    RefundOpts,
    Refund,
}

use Call::*;

impl Call {
    /// The `endpoint` metric tag.
    pub(super) fn metric(self) -> &'static str {
        match self {
            Trip => "trip",
            Cart => "cart",
            Checkout => "checkout",
            Reserve => "reserve",
            Confirm => "confirm",
            Booking => "booking",
            RefundOpts => "refund_options",
            Refund => "refund",
        }
    }
}

pub(super) const ALL: [Call; 8] = [
    Trip, Cart, Checkout, Reserve, Confirm, Booking, RefundOpts, Refund,
];
pub(super) const POSTS: [Call; 4] = [Cart, Reserve, Confirm, Refund];
pub(super) const GETS: [Call; 4] = [Trip, Checkout, Booking, RefundOpts];

impl Call {
    pub(super) fn method(self) -> &'static str {
        if POSTS.contains(&self) {
            "POST"
        } else {
            "GET"
        }
    }

    pub(super) fn path(self) -> String {
        match self {
            Trip => format!("/trip/{TRIP_KEY}/2026-05-01-08-30-00"),
            Cart => format!("/cart/{TRIP_KEY}/2026-05-01-08-30-00"),
            Checkout => format!("/checkout/{CART_ID}"),
            Reserve => format!("/reserve/{CART_ID}"),
            Confirm => format!("/confirm/{BID}"),
            Booking => format!("/booking/{BID}"),
            RefundOpts => format!("/booking/{BID}/refund-options"),
            Refund => format!("/booking/{BID}/refund"),
        }
    }

    pub(super) fn ok_body(self) -> &'static str {
        match self {
            Trip => ANSWER,
            Cart => r#""c4rt1d""#,
            Checkout => CHECKOUT_ANSWER,
            Reserve => r#"{"bid":"87654321"}"#,
            Confirm => r#"{"bid":87654321}"#,
            Booking => BOOKING_ANSWER,
            RefundOpts => REFUND_OPTIONS_ANSWER,
            Refund => REFUND_ANSWER,
        }
    }

    pub(super) async fn invoke(
        self,
        tg: &AwcTwelveGo,
        ctx: &CallContext,
    ) -> Result<(), UpstreamError> {
        match self {
            Trip => tg.trip(&trip_call(), ctx).await.map(drop),
            Cart => tg.add_to_cart(&trip_call(), ctx).await.map(drop),
            Checkout => tg.checkout(CART_ID, ctx).await.map(drop),
            Reserve => tg.reserve(CART_ID, &reserve_body(), ctx).await.map(drop),
            Confirm => tg.confirm(BID, ctx).await,
            Booking => tg.booking(BID, ctx).await.map(drop),
            RefundOpts => tg.refund_options(BID, ctx).await.map(drop),
            Refund => tg.refund(BID, &refund_request(), ctx).await.map(drop),
        }
    }
}

pub(super) async fn mount_call(
    server: &MockServer,
    call: Call,
    response: ResponseTemplate,
    times: u64,
) {
    Mock::given(method(call.method()))
        .and(path(call.path()))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// Runs `call` once against a server answering `response`, checking it was
/// received exactly `times` times.
async fn run_call(call: Call, response: ResponseTemplate, times: u64) -> Result<(), UpstreamError> {
    let server = MockServer::start().await;
    mount_call(&server, call, response, times).await;
    let result = call
        .invoke(&client(&server), &ctx(Duration::from_secs(10)))
        .await;
    server.verify().await;
    result
}

#[actix_web::test]
async fn trip_sends_the_expected_get_and_parses_the_search_shape() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(Trip.path()))
        .and(query_param("seats", "2"))
        .and(query_param("k", "test-key"))
        .and(header("accept", "application/json"))
        .and(header("accept-encoding", "gzip"))
        .and(header("x-correlation-id", "corr-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let answer = client(&server)
        .trip(&trip_call(), &ctx(Duration::from_secs(10)))
        .await
        .unwrap();
    // Assert
    assert_eq!(answer.get().trips[0].id, "T1");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("seats=2&k=test-key"));
    let ua = req.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("travelier-connect/"), "{ua}");
    assert!(req.headers.get("content-type").is_none());
    assert!(req.body.is_empty());
    server.verify().await;
}

#[actix_web::test]
async fn trip_path_datetime_has_zero_seconds() {
    let server = MockServer::start().await;
    mount_call(
        &server,
        Trip,
        ResponseTemplate::new(200).set_body_string(ANSWER),
        1,
    )
    .await;
    let mut call = trip_call();
    call.departure = jiff::civil::datetime(2026, 5, 1, 8, 30, 42, 0);
    let answer = client(&server)
        .trip(&call, &ctx(Duration::from_secs(10)))
        .await;
    assert!(answer.is_ok());
    server.verify().await;
}

#[actix_web::test]
async fn add_to_cart_posts_without_a_body_and_reads_a_bare_string() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(Cart.path()))
        .and(query_param("seats", "2"))
        .and(query_param("k", "test-key"))
        .and(header("accept", "application/json"))
        .and(header("x-correlation-id", "corr-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#""a1b2c3d4""#))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let cart = client(&server)
        .add_to_cart(&trip_call(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(cart.unwrap(), "a1b2c3d4");
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.body.is_empty());
    assert!(req.headers.get("content-type").is_none());
    server.verify().await;
}

#[actix_web::test]
async fn add_to_cart_reads_the_answer_leniently() {
    for (body, expected) in [
        (r#""a1b2c3d4""#, Ok("a1b2c3d4".to_owned())),
        (r#"{"cart_id":"x9y8"}"#, Ok("x9y8".to_owned())),
        (r#"{"id":123}"#, Ok("123".to_owned())),
        (r#"{"id":"abc","other":1}"#, Ok("abc".to_owned())),
        (r#"{"cart":"x"}"#, Err(UpstreamError::Decode)),
        ("[1]", Err(UpstreamError::Decode)),
        ("a1b2c3d4", Err(UpstreamError::Decode)),
        ("", Err(UpstreamError::Decode)),
    ] {
        let server = MockServer::start().await;
        mount_call(
            &server,
            Cart,
            ResponseTemplate::new(200).set_body_string(body),
            1,
        )
        .await;
        let cart = client(&server)
            .add_to_cart(&trip_call(), &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(cart, expected, "{body}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn checkout_sends_people_1_and_parses_the_form() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(Checkout.path()))
        .and(query_param("people", "1"))
        .and(query_param("k", "test-key"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string(CHECKOUT_ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let form = client(&server)
        .checkout(CART_ID, &ctx(Duration::from_secs(10)))
        .await
        .unwrap();
    // Assert
    let mut keys: Vec<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["contact[email]", "seats"]);
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("people=1&k=test-key"));
    server.verify().await;
}

#[actix_web::test]
async fn checkout_maps_bad_bodies_to_decode() {
    for body in [&b"{"[..], b"\"x\"", b"\xff\xfe{}"] {
        let server = MockServer::start().await;
        mount_call(
            &server,
            Checkout,
            ResponseTemplate::new(200).set_body_bytes(body),
            1,
        )
        .await;
        let form = client(&server)
            .checkout(CART_ID, &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(form.unwrap_err(), UpstreamError::Decode);
        server.verify().await;
    }
}

#[actix_web::test]
async fn reserve_posts_the_flat_json_body_byte_for_byte() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(Reserve.path()))
        .and(query_param("k", "test-key"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header("x-correlation-id", "corr-1"))
        .and(body_string(RESERVE_BODY))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"bid":"87654321"}"#))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let bid = client(&server)
        .reserve(CART_ID, &reserve_body(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(bid.unwrap(), BID);
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.body, RESERVE_BODY.as_bytes());
    assert_eq!(req.url.query(), Some("k=test-key"));
    server.verify().await;
}

#[actix_web::test]
async fn reserve_accepts_a_string_or_numeric_bid_only() {
    for (body, expected) in [
        (r#"{"bid":"87654321"}"#, Ok(BID.to_owned())),
        (r#"{"bid":87654321}"#, Ok(BID.to_owned())),
        (r#"{"booking":1}"#, Err(UpstreamError::Decode)),
        (r#"{"bid":null}"#, Err(UpstreamError::Decode)),
        ("not json", Err(UpstreamError::Decode)),
    ] {
        let server = MockServer::start().await;
        mount_call(
            &server,
            Reserve,
            ResponseTemplate::new(200).set_body_string(body),
            1,
        )
        .await;
        let bid = client(&server)
            .reserve(CART_ID, &reserve_body(), &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(bid, expected, "{body}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn confirm_posts_an_empty_body_and_needs_a_bid_in_the_answer() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(Confirm.path()))
        .and(query_param("k", "test-key"))
        .and(header("x-correlation-id", "corr-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"bid":87654321}"#))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let done = client(&server)
        .confirm(BID, &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(done, Ok(()));
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.body.is_empty());
    assert!(req.headers.get("content-type").is_none());
    let length = req
        .headers
        .get("content-length")
        .map(|v| v.to_str().unwrap());
    assert_eq!(length, Some("0"));
    assert_eq!(req.url.query(), Some("k=test-key"));
    server.verify().await;
}

/// A 2xx C answer that does not parse, or lacks the bid, is `Decode` (00 §10): the
/// outcome is unknown and the funnel reconciles it from B (found by bench/faults).
#[actix_web::test]
async fn a_confirm_answer_without_a_bid_is_a_decode_error() {
    for body in ["not even json", r#"{"bid": "#, "{}", r#"{"bid":""}"#, ""] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(Confirm.path()))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let done = client(&server)
            .confirm(BID, &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(done, Err(UpstreamError::Decode), "{body:?}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn booking_parses_the_answer() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(Booking.path()))
        .and(query_param("k", "test-key"))
        .respond_with(ResponseTemplate::new(200).set_body_string(BOOKING_ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let booking = client(&server)
        .booking(BID, &ctx(Duration::from_secs(10)))
        .await
        .unwrap();
    // Assert
    assert_eq!(booking.bid, BID);
    assert_eq!(booking.tracker.as_deref(), Some("TRK-7QX2"));
    server.verify().await;
}

#[actix_web::test]
async fn every_call_succeeds_on_its_ok_answer() {
    for call in ALL {
        let result = run_call(
            call,
            ResponseTemplate::new(200).set_body_string(call.ok_body()),
            1,
        )
        .await;
        assert_eq!(result, Ok(()), "{call:?}");
    }
}

#[actix_web::test]
async fn reads_map_unparsable_answers_to_decode() {
    for call in [Trip, Booking, RefundOpts, Refund] {
        let result = run_call(call, ResponseTemplate::new(200).set_body_string("[oops"), 1).await;
        assert_eq!(result, Err(UpstreamError::Decode), "{call:?}");
    }
}

#[actix_web::test]
async fn posts_are_sent_once_on_500_502_and_504() {
    for call in POSTS {
        for code in [500, 502, 504] {
            let result = run_call(call, ResponseTemplate::new(code), 1).await;
            assert_eq!(result, Err(status(code, false, None)), "{call:?} {code}");
        }
    }
}

#[actix_web::test]
async fn reads_are_retried_on_502_per_the_get_rule() {
    for call in GETS {
        let result = run_call(call, ResponseTemplate::new(502), 3).await;
        assert_eq!(result, Err(status(502, false, None)), "{call:?}");
    }
}

#[actix_web::test]
async fn reads_succeed_when_a_retry_after_502_succeeds() {
    for call in GETS {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(call.path()))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        mount_call(
            &server,
            call,
            ResponseTemplate::new(200).set_body_string(call.ok_body()),
            1,
        )
        .await;
        let result = call
            .invoke(&client(&server), &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(result, Ok(()), "{call:?}");
        assert_eq!(server.received_requests().await.unwrap().len(), 2);
    }
}

fn short_post_timeouts(server: &MockServer) -> AwcTwelveGo {
    let mut cfg = config(&server.uri());
    cfg.read_timeout = ms(200);
    cfg.reserve_timeout = ms(200);
    cfg.confirm_timeout = ms(200);
    cfg.refund_timeout = ms(200);
    AwcTwelveGo::new(cfg).unwrap()
}

#[actix_web::test]
async fn posts_are_sent_once_on_a_timeout() {
    for call in POSTS {
        // Arrange: every POST times out after 200 ms; 10 s are left.
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200)
            .set_body_string(call.ok_body())
            .set_delay(ms(1500));
        mount_call(&server, call, slow, 1).await;
        let started = Instant::now();
        // Act
        let result = call
            .invoke(&short_post_timeouts(&server), &ctx(Duration::from_secs(10)))
            .await;
        // Assert
        assert_eq!(result, Err(UpstreamError::Timeout), "{call:?}");
        assert!(
            started.elapsed() < ms(1000),
            "{call:?} {:?}",
            started.elapsed()
        );
        actix_rt::time::sleep(ms(300)).await;
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{call:?}"
        );
        server.verify().await;
    }
}

#[actix_web::test]
async fn reads_are_retried_on_a_timeout() {
    let server = MockServer::start().await;
    mount_call(
        &server,
        Booking,
        ResponseTemplate::new(200).set_delay(ms(1500)),
        3,
    )
    .await;
    let result = Booking
        .invoke(&short_post_timeouts(&server), &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(result, Err(UpstreamError::Timeout));
    server.verify().await;
}

/// A server that reads each request's head and then drops the connection;
/// returns its base URL and the number of connections that sent a request.
fn dropping_server() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4096];
            if matches!(stream.read(&mut buf), Ok(n) if n > 0) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            // Dropped: the connection closes without an answer.
        }
    });
    (format!("http://127.0.0.1:{port}/"), seen)
}

#[actix_web::test]
async fn posts_are_sent_once_when_the_connection_is_dropped() {
    for call in POSTS {
        // Arrange
        let (base, seen) = dropping_server();
        let twelvego = AwcTwelveGo::new(config(&base)).unwrap();
        // Act
        let result = call.invoke(&twelvego, &ctx(Duration::from_secs(10))).await;
        // Assert
        let err = result.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Connect | UpstreamError::Timeout),
            "{call:?} {err:?}"
        );
        actix_rt::time::sleep(ms(300)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 1, "{call:?}");
    }
}

#[actix_web::test]
async fn reads_are_retried_when_the_connection_is_dropped() {
    for call in GETS {
        let (base, seen) = dropping_server();
        let twelvego = AwcTwelveGo::new(config(&base)).unwrap();
        let result = call.invoke(&twelvego, &ctx(Duration::from_secs(10))).await;
        assert!(result.is_err(), "{call:?}");
        assert_eq!(seen.load(Ordering::SeqCst), 3, "{call:?}");
    }
}

#[actix_web::test]
async fn every_call_passes_a_12go_rejection_on() {
    let expected = UpstreamError::Status {
        status: 422,
        empty_object_body: false,
        retry_after: None,
        rejection: Rejection {
            fields: vec!["passenger[1][id_no]".into()],
            messages: vec!["Trip is no longer available".into()],
            reason_codes: vec!["bad_trip_details".into()],
        },
    };
    for call in ALL {
        let result = run_call(
            call,
            ResponseTemplate::new(422).set_body_string(REJECTION),
            1,
        )
        .await;
        assert_eq!(result, Err(expected.clone()), "{call:?}");
    }
}

#[actix_web::test]
async fn a_400_with_an_empty_object_is_flagged() {
    for call in ALL {
        let result = run_call(call, ResponseTemplate::new(400).set_body_string("{}"), 1).await;
        assert_eq!(result, Err(status(400, true, None)), "{call:?}");
    }
}

#[actix_web::test]
async fn reserve_is_not_cut_by_a_near_deadline() {
    // Arrange: 50 ms left, 12go takes 300 ms, the reserve timeout is 2 s.
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_string(r#"{"bid":"87654321"}"#)
        .set_delay(ms(300));
    mount_call(&server, Reserve, slow, 1).await;
    let mut cfg = config(&server.uri());
    cfg.reserve_timeout = Duration::from_secs(2);
    // Act
    let bid = AwcTwelveGo::new(cfg)
        .unwrap()
        .reserve(CART_ID, &reserve_body(), &ctx(ms(50)))
        .await;
    // Assert
    assert_eq!(bid.unwrap(), BID);
    server.verify().await;
}

#[actix_web::test]
async fn posts_run_to_their_own_timeout_even_past_the_deadline() {
    for call in POSTS {
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200)
            .set_body_string(call.ok_body())
            .set_delay(ms(150));
        mount_call(&server, call, slow, 1).await;
        let mut cfg = config(&server.uri());
        cfg.read_timeout = ms(1000);
        cfg.reserve_timeout = ms(1000);
        cfg.confirm_timeout = ms(1000);
        cfg.refund_timeout = ms(1000);
        let twelvego = AwcTwelveGo::new(cfg).unwrap();
        // Even with the deadline already over, the POST is sent and completes.
        let result = call.invoke(&twelvego, &ctx(Duration::ZERO)).await;
        assert_eq!(result, Ok(()), "{call:?}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn reads_are_cut_by_the_deadline() {
    for call in [Checkout, RefundOpts] {
        let server = MockServer::start().await;
        mount_call(
            &server,
            call,
            ResponseTemplate::new(200).set_delay(ms(2000)),
            1,
        )
        .await;
        let mut cfg = config(&server.uri());
        cfg.read_timeout = Duration::from_secs(5);
        let started = Instant::now();
        let result = call
            .invoke(&AwcTwelveGo::new(cfg).unwrap(), &ctx(ms(150)))
            .await;
        assert_eq!(result.unwrap_err(), UpstreamError::Timeout, "{call:?}");
        assert!(
            started.elapsed() < ms(1000),
            "{call:?}: {:?}",
            started.elapsed()
        );
    }
}

#[actix_web::test]
async fn path_segments_are_percent_encoded_and_cannot_inject() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(CHECKOUT_ANSWER))
        .mount(&server)
        .await;
    // Act
    let form = client(&server)
        .checkout("a/b?k=evil#x y", &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert!(form.is_ok());
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.path(), "/checkout/a%2Fb%3Fk=evil%23x%20y");
    assert_eq!(req.url.query(), Some("people=1&k=test-key"));
}

#[actix_web::test]
async fn unusable_ids_send_nothing() {
    let server = MockServer::start().await;
    let twelvego = client(&server);
    let c = ctx(Duration::from_secs(10));
    for id in ["", ".", ".."] {
        assert_eq!(
            twelvego.checkout(id, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego.reserve(id, &reserve_body(), &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego.confirm(id, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego.booking(id, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego.refund_options(id, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego
                .refund(id, &refund_request(), &c)
                .await
                .unwrap_err(),
            UpstreamError::ForeignUrl
        );
        let mut call = trip_call();
        call.trip_key = id.into();
        assert_eq!(
            twelvego.trip(&call, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
        assert_eq!(
            twelvego.add_to_cart(&call, &c).await.unwrap_err(),
            UpstreamError::ForeignUrl
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn funnel_calls_keep_a_base_url_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api{}", Confirm.path())))
        .respond_with(ResponseTemplate::new(200).set_body_string(Confirm.ok_body()))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&format!("{}/api/", server.uri()));
    let done = AwcTwelveGo::new(cfg)
        .unwrap()
        .confirm(BID, &ctx(Duration::from_secs(10)))
        .await;
    assert_eq!(done, Ok(()));
    server.verify().await;
}

#[actix_web::test]
async fn refund_options_sends_the_expected_get_and_keeps_raw_amounts() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/booking/87654321/refund-options"))
        .and(query_param("k", "test-key"))
        .and(header("accept", "application/json"))
        .and(header("x-correlation-id", "corr-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REFUND_OPTIONS_ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let options = client(&server)
        .refund_options(BID, &ctx(Duration::from_secs(10)))
        .await
        .unwrap();
    // Assert
    assert_eq!(options.available, Some(true));
    assert_eq!(options.options.len(), 2);
    assert_eq!(options.options[0].hash, "c0ffee01");
    assert_eq!(options.options[0].refund_amount.raw, "825.10");
    assert_eq!(options.options[1].refund_amount.raw, "550.00");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("k=test-key"));
    assert!(req.body.is_empty());
    assert!(req.headers.get("content-type").is_none());
    server.verify().await;
}

#[actix_web::test]
async fn refund_options_map_bad_bodies_to_decode() {
    for body in [
        &b"[oops"[..],
        b"\"x\"",
        b"\xff\xfe{}",
        br#"{"options":[{"refund_amount":"abc","hash":"h"}]}"#,
        br#"{"options":[{"refund_amount":null,"hash":"h"}]}"#,
    ] {
        let server = MockServer::start().await;
        mount_call(
            &server,
            RefundOpts,
            ResponseTemplate::new(200).set_body_bytes(body),
            1,
        )
        .await;
        let options = client(&server)
            .refund_options(BID, &ctx(Duration::from_secs(10)))
            .await;
        assert_eq!(
            options.unwrap_err(),
            UpstreamError::Decode,
            "{}",
            String::from_utf8_lossy(body)
        );
        server.verify().await;
    }
}

#[actix_web::test]
async fn refund_posts_the_option_amount_byte_for_byte() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/booking/87654321/refund"))
        .and(query_param("k", "test-key"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header("x-correlation-id", "corr-1"))
        .and(body_string(REFUND_BODY))
        .respond_with(ResponseTemplate::new(200).set_body_string(REFUND_ANSWER))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let answer = client(&server)
        .refund(BID, &refund_request(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert_eq!(
        answer.unwrap(),
        RefundAnswer {
            success: true,
            delay_minutes: Some(0),
            message: Some("Refund accepted".into()),
        }
    );
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.body, REFUND_BODY.as_bytes());
    assert_eq!(
        std::str::from_utf8(&req.body).unwrap(),
        r#"{"hash":"c0ffee01","refund_fxcode":"THB","refund_amount":825.10}"#
    );
    assert_eq!(req.url.query(), Some("k=test-key"));
    server.verify().await;
}

#[actix_web::test]
async fn refund_echoes_the_amount_read_by_refund_options() {
    // Arrange: O then F against the same fake 12go.
    let server = MockServer::start().await;
    mount_call(
        &server,
        RefundOpts,
        ResponseTemplate::new(200).set_body_string(REFUND_OPTIONS_ANSWER),
        1,
    )
    .await;
    mount_call(
        &server,
        Refund,
        ResponseTemplate::new(200).set_body_string(REFUND_ANSWER),
        1,
    )
    .await;
    let twelvego = client(&server);
    let c = ctx(Duration::from_secs(10));
    // Act
    let options = twelvego.refund_options(BID, &c).await.unwrap();
    let option = &options.options[0];
    let request = RefundRequest {
        hash: option.hash.clone(),
        refund_fxcode: option.refund_fxcode.clone(),
        refund_amount: option.refund_amount.clone(),
    };
    let answer = twelvego.refund(BID, &request, &c).await.unwrap();
    // Assert
    assert!(answer.success);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].body, REFUND_BODY.as_bytes());
    server.verify().await;
}

#[actix_web::test]
async fn refund_maps_bad_answers_to_decode() {
    for body in ["not json", "[oops", r#""ok""#, "", "null"] {
        let result = run_call(Refund, ResponseTemplate::new(200).set_body_string(body), 1).await;
        assert_eq!(result, Err(UpstreamError::Decode), "{body:?}");
    }
}

#[actix_web::test]
async fn refund_is_not_cut_by_a_near_deadline() {
    // Arrange: 50 ms left, 12go takes 300 ms, the refund timeout is 2 s (reads 300 ms).
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_string(REFUND_ANSWER)
        .set_delay(ms(300));
    mount_call(&server, Refund, slow, 1).await;
    let mut cfg = config(&server.uri());
    cfg.refund_timeout = Duration::from_secs(2);
    // Act
    let answer = AwcTwelveGo::new(cfg)
        .unwrap()
        .refund(BID, &refund_request(), &ctx(ms(50)))
        .await;
    // Assert
    assert!(answer.unwrap().success);
    server.verify().await;
}

#[actix_web::test]
async fn refund_runs_to_its_own_timeout_not_the_read_or_reserve_timeout() {
    // Arrange: 12go takes 500 ms; reads and R/C would give up after 200 ms.
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_string(REFUND_ANSWER)
        .set_delay(ms(500));
    mount_call(&server, Refund, slow, 1).await;
    let mut cfg = config(&server.uri());
    cfg.read_timeout = ms(200);
    cfg.reserve_timeout = ms(200);
    cfg.confirm_timeout = ms(200);
    cfg.refund_timeout = ms(2000);
    // Act
    let answer = AwcTwelveGo::new(cfg)
        .unwrap()
        .refund(BID, &refund_request(), &ctx(Duration::from_secs(10)))
        .await;
    // Assert
    assert!(answer.unwrap().success);
    server.verify().await;
}

#[actix_web::test]
async fn refund_calls_percent_encode_the_bid() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REFUND_OPTIONS_ANSWER))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(REFUND_ANSWER))
        .mount(&server)
        .await;
    let twelvego = client(&server);
    let c = ctx(Duration::from_secs(10));
    // Act
    assert!(twelvego.refund_options("1/2?k=evil#x", &c).await.is_ok());
    assert!(twelvego
        .refund("1/2?k=evil#x", &refund_request(), &c)
        .await
        .is_ok());
    // Assert
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.path(),
        "/booking/1%2F2%3Fk=evil%23x/refund-options"
    );
    assert_eq!(requests[1].url.path(), "/booking/1%2F2%3Fk=evil%23x/refund");
    for req in &requests {
        assert_eq!(req.url.query(), Some("k=test-key"));
    }
}

#[actix_web::test]
async fn refund_calls_pass_a_400_rejection_on() {
    let expected = UpstreamError::Status {
        status: 400,
        empty_object_body: false,
        retry_after: None,
        rejection: Rejection {
            fields: vec!["passenger[1][id_no]".into()],
            messages: vec!["Trip is no longer available".into()],
            reason_codes: vec!["bad_trip_details".into()],
        },
    };
    for call in [RefundOpts, Refund] {
        let result = run_call(
            call,
            ResponseTemplate::new(400).set_body_string(REJECTION),
            1,
        )
        .await;
        assert_eq!(result, Err(expected.clone()), "{call:?}");
    }
}
