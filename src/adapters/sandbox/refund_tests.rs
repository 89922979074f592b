use super::*;
use crate::adapters::sandbox::booking::SLOW;
use crate::adapters::sandbox::funnel_fixtures::*;
use crate::ports::twelvego::TwelveGoBooking;

fn confirmed(email: &str) -> (Sandbox, String) {
    let sb = Sandbox::default();
    let bid = booked(&sb, &find(2, |o, _| instant(o)), email, true);
    (sb, bid)
}

/// The unix time of a UTC civil time.
fn unix(dt: DateTime) -> i64 {
    dt.to_zoned(TimeZone::UTC).unwrap().timestamp().as_second()
}

fn request(o: &RefundOption) -> RefundRequest {
    RefundRequest {
        hash: o.hash.clone(),
        refund_fxcode: o.refund_fxcode.clone(),
        refund_amount: o.refund_amount.clone(),
    }
}

fn by_percent(o: &RefundOptions, percent: u32) -> RefundOption {
    let i = PERCENTS.iter().position(|p| *p == percent).unwrap();
    o.options[i].clone()
}

fn rejected<T: std::fmt::Debug>(r: Result<T, FunnelError>) -> (u16, String) {
    let e = r.unwrap_err();
    let m = e.body["messages"][0].as_str().unwrap().to_string();
    (e.status, m)
}

#[actix_rt::test]
async fn refund_options_offer_full_partial_expired_and_unavailable() {
    let (sb, bid) = confirmed("jo@example.com");
    let o = sb.refund_options(&bid, &ctx("k")).await.unwrap();
    let b = stored(&sb, &bid);
    let net = b.netprice.clone().unwrap();
    assert_eq!(o.available, Some(true));
    assert_eq!(o.options.len(), 4);
    for (opt, pct) in o.options.iter().zip(PERCENTS) {
        let want = (net.value.unwrap() * Decimal::from(pct) / Decimal::from(100)).round_dp(2);
        assert_eq!(opt.refund_amount.value, want, "{pct}");
        let raw = &opt.refund_amount.raw;
        assert_eq!(raw.split_once('.').unwrap().1.len(), 2, "{raw}");
        assert_eq!(opt.refund_fxcode, net.fxcode.as_str());
        assert_eq!(opt.hash, hash(b.bid, pct));
        assert_eq!(opt.hash.len(), 16);
        assert_eq!(opt.available_since, Some(fmt_dt(utc(b.created_on))));
    }
    let full = by_percent(&o, 100);
    assert_eq!(full.expires, Some(true));
    let day_before = fmt_dt(b.departure.checked_sub(24.hours()).unwrap());
    assert_eq!(full.expires_after, Some(day_before));
    let unavailable = by_percent(&o, 90);
    assert_eq!(unavailable.available, Some(false));
    let gone = by_percent(&o, 75);
    assert_eq!((gone.expires, gone.available), (Some(true), Some(true)));
    assert!(expired(&gone, now()));
    let half = by_percent(&o, 50);
    assert_eq!(
        (half.expires, half.expires_after.as_deref()),
        (Some(false), None)
    );
    assert!(!expired(&half, i64::MAX / 2));
    let json = serde_json::to_string(&o).unwrap();
    assert!(json.contains(&format!("\"refund_amount\":{},", half.refund_amount.raw)));
    assert_eq!(
        o,
        sb.refund_options(&bid, &ctx("k")).await.unwrap(),
        "stable"
    );
}

#[test]
fn the_full_refund_expires_a_day_before_departure() {
    let (sb, bid) = confirmed("jo@example.com");
    let b = stored(&sb, &bid);
    let full = by_percent(&options(&b), 100);
    let limit = unix(b.departure) - 24 * 3600;
    assert!(!expired(&full, limit - 60));
    assert!(expired(&full, limit + 60));
    assert_eq!(check(&b, &request(&full), limit - 60), Ok(()));
    let (code, m) = rejected(check(&b, &request(&full), limit + 60));
    assert_eq!((code, m.as_str()), (400, "Refund option has expired"));
}

#[actix_rt::test]
async fn o_needs_a_known_confirmed_booking() {
    let sb = Sandbox::default().with_pending_delay(None);
    assert_eq!(status(sb.refund_options("1", &ctx("k")).await).0, 404);
    assert_eq!(status(sb.refund_options("1", &ctx("")).await).0, 401);
    let reserved = booked(&sb, &find(1, |_, _| true), "jo@example.com", false);
    let pending = booked(&sb, &find(1, |o, _| !instant(o)), "jo@example.com", true);
    for bid in [reserved, pending] {
        let (code, r) = status(sb.refund_options(&bid, &ctx("k")).await);
        assert_eq!(
            (code, r.messages),
            (400, vec!["Booking is not refundable".into()])
        );
    }
}

#[actix_rt::test]
async fn a_refund_cancels_the_booking_once() {
    let (sb, bid) = confirmed("jo@example.com");
    let before = stored(&sb, &bid).stamp;
    let half = by_percent(&sb.funnel_refund_options(&bid).unwrap(), 50);
    let a = sb.refund(&bid, &request(&half), &ctx("k")).await.unwrap();
    assert_eq!(
        (a.success, a.delay_minutes, a.message.as_deref()),
        (true, Some(0), Some("Refund accepted"))
    );
    let b = sb.booking(&bid, &ctx("k")).await.unwrap();
    assert_eq!(b.status.as_deref(), Some("cancelled"));
    assert!(b.stamp.unwrap() >= before);
    let (code, r) = status(sb.refund(&bid, &request(&half), &ctx("k")).await);
    assert_eq!(
        (code, r.messages),
        (400, vec!["Booking is not refundable".into()])
    );
    assert_eq!(status(sb.refund_options(&bid, &ctx("k")).await).0, 400);
    assert_eq!(
        status(sb.refund("1", &request(&half), &ctx("k")).await).0,
        404
    );
}

#[test]
fn a_refund_must_name_a_live_option_exactly() {
    let (sb, bid) = confirmed("jo@example.com");
    let o = sb.funnel_refund_options(&bid).unwrap();
    let half = by_percent(&o, 50);
    let mut unknown = request(&half);
    unknown.hash = "c0ffee01".into();
    let mut currency = request(&half);
    currency.refund_fxcode = "XXX".into();
    let mut quoted = request(&half);
    quoted.refund_amount.raw = format!("\"{}\"", half.refund_amount.raw);
    let mut less = request(&half);
    less.refund_amount.value -= Decimal::new(1, 2);
    less.refund_amount.raw = less.refund_amount.value.to_string();
    let cases = [
        (unknown, "Unknown refund option"),
        (
            request(&by_percent(&o, 90)),
            "Refund option is not available",
        ),
        (request(&by_percent(&o, 75)), "Refund option has expired"),
        (currency, "Refund currency does not match the option"),
        (quoted, "Refund amount does not match the option"),
        (less, "Refund amount does not match the option"),
    ];
    for (req, message) in cases {
        let (code, m) = rejected(sb.funnel_refund(&bid, &req));
        assert_eq!((code, m.as_str()), (400, message));
    }
    assert_eq!(stored(&sb, &bid).status, Status::Confirmed);
    assert!(sb.funnel_refund(&bid, &request(&half)).is_ok());
}

#[test]
fn a_refundfail_contact_is_declined_and_stays_confirmed() {
    let (sb, bid) = confirmed("refundfail@example.com");
    let half = by_percent(&sb.funnel_refund_options(&bid).unwrap(), 50);
    let (a, delay) = sb.funnel_refund(&bid, &request(&half)).unwrap();
    assert_eq!(
        (a.success, a.delay_minutes, a.message.as_deref(), delay),
        (
            false,
            Some(0),
            Some("Refund declined by operator"),
            Duration::ZERO
        )
    );
    assert_eq!(stored(&sb, &bid).status, Status::Confirmed);
    assert!(sb.funnel_refund_options(&bid).is_ok());
}

#[test]
fn an_unconfirmed_booking_is_not_refundable_and_slow_refunds_wait() {
    let sb = Sandbox::default();
    let call = find(2, |o, _| instant(o));
    let reserved = booked(&sb, &call, "jo@example.com", false);
    let half = by_percent(&options(&stored(&sb, &reserved)), 50);
    let (code, m) = rejected(sb.funnel_refund(&reserved, &request(&half)));
    assert_eq!((code, m.as_str()), (400, "Booking is not refundable"));
    let slow = booked(&sb, &call, "slow@example.com", true);
    let half = by_percent(&sb.funnel_refund_options(&slow).unwrap(), 50);
    let (a, delay) = sb.funnel_refund(&slow, &request(&half)).unwrap();
    assert!(a.success);
    assert_eq!(delay, SLOW);
}
