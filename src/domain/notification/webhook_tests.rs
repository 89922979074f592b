use super::*;

#[test]
fn the_spec_example_is_read() {
    let e = parse_webhook(
        br#"{"bid":87654321,"type":"booking_canceled","stamp":1775390400,
 "new_data":{"bid":87654321,"tracker":"TRK-7QX2","status":"cancelled","from_id":1234,"to_id":5678,"dep_date_time":"2026-05-01 08:30:00","seats":2,"price":{"value":1250.00,"fxcode":"THB"}},
 "previous_data":{"bid":87654321,"tracker":"TRK-7QX2","status":"confirmed","seats":2}}"#,
    )
    .unwrap();
    assert_eq!(
        e,
        WebhookEvent {
            bid: "87654321".into(),
            kind: "booking_canceled".into(),
            stamp: Some(1775390400),
            previous_status: Some("confirmed".into()),
        }
    );
}

#[test]
fn the_minimal_body_defaults_the_type() {
    let e = parse_webhook(br#"{"bid":123}"#).unwrap();
    assert_eq!(e.bid, "123");
    assert_eq!(e.kind, "booking_updated");
    assert_eq!((e.stamp, e.previous_status), (None, None));
}

#[test]
fn a_numeric_string_bid_is_accepted() {
    assert_eq!(
        parse_webhook(br#"{"bid":" 87654321 "}"#).unwrap().bid,
        "87654321"
    );
}

#[test]
fn a_missing_or_bad_bid_is_refused() {
    assert_eq!(
        parse_webhook(br#"{"type":"booking_updated"}"#),
        Err(WebhookBodyError::MissingBid)
    );
    assert_eq!(
        parse_webhook(br#"{"bid":null}"#),
        Err(WebhookBodyError::MissingBid)
    );
    for bad in [
        r#"{"bid":"12a"}"#,
        r#"{"bid":-5}"#,
        r#"{"bid":0}"#,
        r#"{"bid":1.5}"#,
        r#"{"bid":"99999999999999999999"}"#,
        r#"{"bid":[1]}"#,
        r#"{"bid":""}"#,
    ] {
        assert_eq!(
            parse_webhook(bad.as_bytes()),
            Err(WebhookBodyError::InvalidBid),
            "{bad}"
        );
    }
}

#[test]
fn bad_json_is_refused() {
    for bad in [&b"{"[..], b"", b"[1,2]", b"42", b"\"bid\"", b"{\"bid\":1,}"] {
        assert_eq!(parse_webhook(bad), Err(WebhookBodyError::BadJson));
    }
    assert_eq!(WebhookBodyError::BadJson.as_str(), "bad_json");
}

#[test]
fn unknown_fields_and_odd_optional_members_are_ignored() {
    let e = parse_webhook(
        br#"{"bid":5,"extra":{"a":[1]},"type":7,"stamp":"soon","previous_data":{"status":3}}"#,
    )
    .unwrap();
    assert_eq!(e.kind, "booking_updated");
    assert_eq!((e.stamp, e.previous_status), (None, None));
    let e = parse_webhook(br#"{"bid":5,"previous_data":null,"stamp":0}"#).unwrap();
    assert_eq!((e.stamp, e.previous_status), (None, None));
}

#[test]
fn the_stamp_is_read_leniently() {
    for (raw, want) in [
        ("1775390400", Some(1775390400)),
        ("\"1775390400\"", Some(1775390400)),
        ("1775390400.0", Some(1775390400)),
        ("-1", None),
        ("null", None),
    ] {
        let body = format!(r#"{{"bid":1,"stamp":{raw}}}"#);
        assert_eq!(parse_webhook(body.as_bytes()).unwrap().stamp, want, "{raw}");
    }
}

#[test]
fn the_type_is_lowercased_and_must_be_a_plain_token() {
    let kind = |t: &str| {
        parse_webhook(format!(r#"{{"bid":1,"type":{t}}}"#).as_bytes())
            .unwrap()
            .kind
    };
    assert_eq!(kind("\"Booking_Confirmed\""), "booking_confirmed");
    assert_eq!(kind("\"\""), "booking_updated");
    assert_eq!(kind("\"a b\\r\\nX-Evil: 1\""), "booking_updated");
}
