use super::*;

fn answer(status: &str, ticket: &str) -> BookingAnswer {
    BookingAnswer::from_slice(
        format!(
            r#"{{"bid":87654321,"tracker":"TRK-7QX2","status":"{status}","from_id":1234,"to_id":5678,
 "dep_date_time":"2026-05-01 08:30:00","seats":2,"ticket_url":"{ticket}",
 "created_on":1775001600,"stamp":1775005200,"price":{{"value":1250.00,"fxcode":"THB"}},
 "netprice":{{"value":1100.00,"fxcode":"THB"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap()
}

const VIEW: BookingView<'static> = BookingView {
    id: "87654321",
    twelvego_base: "https://api.12go.example/v1",
};

#[test]
fn the_spec_example_maps_field_by_field() {
    let (b, w) = Booking::from_answer(&answer("confirmed", "https://x/t.pdf"), VIEW).unwrap();
    assert_eq!(w, BookingWarnings::default());
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        serde_json::json!({"id":"87654321","status":"approved","from_station":"1234","to_station":"5678",
        "departure_time":"2026-05-01T08:30:00","passenger_count":2,"integration":"onetwogo",
        "integration_booking_id":"87654321","operator_booking_id":"TRK-7QX2",
        "voucher_url":"https://x/t.pdf","created_at":"2026-04-01T00:00:00Z",
        "updated_at":"2026-04-01T01:00:00Z","total_price":{"amount":"1100.00","currency":"THB"}})
    );
}

#[test]
fn the_voucher_is_shown_only_once_approved_and_relative_urls_use_the_12go_host() {
    let (b, _) =
        Booking::from_answer(&answer("pending_client_confirmation", "/t.pdf"), VIEW).unwrap();
    assert_eq!((b.status, b.voucher_url), (BookingStatus::Reserved, None));
    let (b, _) = Booking::from_answer(&answer("confirmed", "/t/1.pdf"), VIEW).unwrap();
    assert_eq!(
        b.voucher_url.as_deref(),
        Some("https://api.12go.example/t/1.pdf")
    );
    let (b, _) = Booking::from_answer(&answer("confirmed", ""), VIEW).unwrap();
    assert_eq!(b.voucher_url, None);
}

#[test]
fn status_mapping_follows_the_table() {
    use BookingStatus::*;
    for (raw, want, warn) in [
        ("pending_client_confirmation", Reserved, false),
        (" Confirmed ", Approved, false),
        ("cancelled", Cancelled, false),
        ("canceled", Cancelled, false),
        ("pending", Pending, false),
        ("created", Pending, true),
        ("paid", Pending, true),
    ] {
        let (s, w) = BookingStatus::from_12go(Some(raw));
        assert_eq!((s, w.is_some()), (want, warn), "{raw}");
    }
    assert_eq!(BookingStatus::from_12go(None).0, Pending);
}

#[test]
fn a_null_netprice_falls_back_to_price_with_a_warning() {
    let mut a = answer("confirmed", "");
    a.netprice = None;
    let (b, w) = Booking::from_answer(&a, VIEW).unwrap();
    assert!(w.gross_price_used);
    assert_eq!(b.total_price.amount_string(), "1250.00");
}

#[test]
fn missing_required_members_are_errors() {
    let mut a = answer("confirmed", "");
    a.dep_date_time = Some("soon".into());
    assert_eq!(
        Booking::from_answer(&a, VIEW).unwrap_err(),
        IncompleteBooking("dep_date_time")
    );
    let mut a = answer("confirmed", "");
    a.stamp = Some(0);
    let (b, _) = Booking::from_answer(&a, VIEW).unwrap();
    assert_eq!(b.updated_at, b.created_at);
}
