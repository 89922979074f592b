use super::*;
use crate::domain::upstream::Rejection;

fn status(status: u16, body: &str) -> UpstreamError {
    UpstreamError::Status {
        status,
        empty_object_body: body.trim() == "{}",
        retry_after: None,
        rejection: Rejection::parse(body.as_bytes()),
    }
}

fn code(call: Call, e: &UpstreamError) -> (u16, String) {
    let f = FunnelError::upstream(call, e, None);
    (f.status, f.code)
}

#[test]
fn the_common_failure_mapping_applies_to_every_call() {
    for call in [
        Call::Trip,
        Call::Cart,
        Call::Checkout,
        Call::Reserve,
        Call::Confirm,
        Call::Booking,
    ] {
        assert_eq!(
            code(call, &status(401, "")),
            (502, "upstream_auth_failed".into())
        );
        assert_eq!(
            code(call, &status(400, "{}")),
            (502, "upstream_auth_failed".into())
        );
        assert_eq!(code(call, &status(500, "")), (502, "upstream_error".into()));
        assert_eq!(
            code(call, &UpstreamError::Timeout),
            (504, "upstream_timeout".into())
        );
        assert_eq!(
            code(call, &UpstreamError::Connect),
            (502, "upstream_error".into())
        );
        assert_eq!(
            code(call, &UpstreamError::BreakerOpen { retry_after: 7 }),
            (503, "upstream_unavailable".into())
        );
        let t = FunnelError::upstream(call, &status(429, ""), None);
        assert_eq!((t.status, t.retry_after), (429, Some(1)));
    }
}

#[test]
fn trip_no_longer_available_wins_on_any_call() {
    let e = status(400, r#"{"messages":["Trip is no longer available"]}"#);
    for call in [
        Call::Trip,
        Call::Cart,
        Call::Checkout,
        Call::Reserve,
        Call::Confirm,
    ] {
        assert_eq!(code(call, &e), (422, "trip_unavailable".into()));
    }
}

#[test]
fn not_found_depends_on_the_call() {
    let e = status(404, "");
    assert_eq!(code(Call::Trip, &e).1, "itinerary_not_found");
    for c in [Call::Cart, Call::Checkout, Call::Reserve] {
        assert_eq!(code(c, &e).1, "booking_token_not_found");
    }
    for c in [Call::Confirm, Call::Booking] {
        assert_eq!(code(c, &e).1, "booking_not_found");
    }
}

#[test]
fn other_rejections_follow_section_12() {
    let bad_trip = status(
        400,
        r#"{"data":{"reasons":[{"reason_code":"bad_trip_details"}]}}"#,
    );
    assert_eq!(
        code(Call::Checkout, &bad_trip),
        (404, "booking_token_not_found".into())
    );
    let plain = status(422, r#"{"messages":["nope"]}"#);
    assert_eq!(code(Call::Cart, &plain), (422, "trip_unavailable".into()));
    assert_eq!(
        code(Call::Reserve, &plain),
        (422, "upstream_rejected".into())
    );
    assert_eq!(
        code(Call::Confirm, &plain),
        (422, "upstream_rejected".into())
    );
    assert_eq!(
        code(Call::Trip, &status(403, "")),
        (422, "upstream_rejected".into())
    );
}

#[test]
fn reserve_field_errors_are_reverse_mapped() {
    let e = status(
        422,
        r#"{"fields":{"contact[email]":"bad","passenger[1][id_no]":"Invalid","mystery":"x"}}"#,
    );
    let f = FunnelError::upstream(Call::Reserve, &e, None);
    assert_eq!((f.status, f.code.as_str()), (422, "validation_failed"));
    let paths: Vec<&str> = f.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(paths.contains(&"booking_data.email"), "{paths:?}");
    assert!(
        paths.contains(&"booking_data.passengers[1].id_number"),
        "{paths:?}"
    );
    assert!(paths.contains(&"mystery"), "{paths:?}");
    assert!(f
        .fields
        .iter()
        .all(|x| x.message != "bad" && x.message != "Invalid"));
}

#[test]
fn token_errors_keep_their_status() {
    assert_eq!(FunnelError::token(TokenError::Malformed).status, 400);
    assert_eq!(
        FunnelError::token(TokenError::Malformed).code,
        "invalid_booking_token"
    );
    assert_eq!(
        FunnelError::token(TokenError::Expired).code,
        "booking_token_not_found"
    );
}

#[test]
fn errors_round_trip_through_storage() {
    let e = FunnelError::already_reserved("42", "/v1/acme/bookings/42".into());
    let back: FunnelError = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}
