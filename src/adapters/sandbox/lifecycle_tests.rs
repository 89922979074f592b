use super::*;
use crate::adapters::sandbox::funnel_fixtures::*;

#[test]
fn the_ticket_appears_after_the_ticket_delay() {
    let sb = Sandbox::default();
    let bid = booked(&sb, &find(1, |o, _| instant(o)), "jo@example.com", true);
    let b = sb.funnel_booking(&bid).unwrap();
    assert_eq!(
        (b["status"].as_str(), b["ticket_url"].as_str()),
        (Some("confirmed"), Some(""))
    );
    assert!(b["tracker"].as_str().unwrap().starts_with("TRK-"));
    let confirmed_at = stored(&sb, &bid).stamp;
    let mut b = stored(&sb, &bid);
    sb.settle(&mut b, confirmed_at + 4);
    assert_eq!(b.ticket_url, "");
    sb.settle(&mut b, confirmed_at + 5);
    assert!(b.ticket_url.starts_with(BASE) && b.ticket_url.ends_with(".pdf"));
    assert_eq!(b.stamp, confirmed_at + 5, "the ticket is a change");
    let never = Sandbox::default().with_ticket_delay(None);
    let bid = booked(&never, &find(1, |o, _| instant(o)), "jo@example.com", true);
    let mut b = stored(&never, &bid);
    never.settle(&mut b, i64::MAX / 2);
    assert_eq!((b.status, b.ticket_url.as_str()), (Status::Confirmed, ""));
    let at_once = Sandbox::default().with_ticket_delay(Some(Duration::ZERO));
    let bid = booked(
        &at_once,
        &find(1, |o, _| instant(o)),
        "jo@example.com",
        true,
    );
    assert!(!stored(&at_once, &bid).ticket_url.is_empty());
}

#[test]
fn about_one_pending_trip_in_four_ends_cancelled() {
    let pending: Vec<String> = all_options()
        .into_iter()
        .filter(|(_, o)| !instant(o))
        .map(|(_, o)| o.id.to_string())
        .collect();
    let cancelled = pending.iter().filter(|k| pending_ends_cancelled(k)).count();
    assert!(pending.len() >= 20, "{}", pending.len());
    assert!(
        cancelled * 8 > pending.len() && cancelled * 8 < pending.len() * 3,
        "{cancelled} of {}",
        pending.len()
    );
    assert_eq!(pending_ends_cancelled("abc"), pending_ends_cancelled("abc"));
}

#[test]
fn pending_bookings_end_confirmed_or_cancelled_after_the_delay() {
    let sb = Sandbox::default().with_pending_delay(Some(Duration::from_secs(60)));
    let lost = find(1, |o, _| !instant(o) && pending_ends_cancelled(&o.id));
    let kept = find(1, |o, _| !instant(o) && !pending_ends_cancelled(&o.id));
    for (call, end) in [(lost, Status::Cancelled), (kept, Status::Confirmed)] {
        let bid = booked(&sb, &call, "jo@example.com", true);
        let mut b = stored(&sb, &bid);
        let ready = b.ready_at.unwrap();
        sb.settle(&mut b, ready - 1);
        assert_eq!(b.status, Status::Pending);
        sb.settle(&mut b, ready);
        assert_eq!((b.status, b.stamp), (end, ready));
        sb.settle(&mut b, ready + 5);
        assert_eq!(b.ticket_url.is_empty(), end == Status::Cancelled);
        let (code, body) = (
            400,
            serde_json::json!({"messages": ["Booking is cancelled"]}),
        );
        if end == Status::Cancelled {
            let now_ = Sandbox::default().with_pending_delay(Some(Duration::ZERO));
            let bid = booked(&now_, &call, "jo@example.com", true);
            assert_eq!(now_.funnel_booking(&bid).unwrap()["status"], "cancelled");
            let e = now_.funnel_confirm(&bid).unwrap_err();
            assert_eq!((e.status, e.body), (code, body));
        }
    }
}
