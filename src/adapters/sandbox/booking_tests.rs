use super::*;
use crate::adapters::sandbox::checkout::token;
use crate::adapters::sandbox::confirm::pending_ends_cancelled;
use crate::adapters::sandbox::funnel_fixtures::*;
use crate::domain::checkout::Family;
use crate::ports::twelvego::TwelveGoBooking;
use rust_decimal::Decimal;

/// T → A → S → R, checking T and R; returns the bid.
async fn book(sb: &Sandbox, call: &TripCall) -> (String, Decimal) {
    let k = ctx("k");
    let body = sb.trip(call, &k).await.unwrap();
    let t = body.get();
    assert_eq!(t.trips.len(), 1);
    let o = &t.trips[0].travel_options[0];
    assert_eq!(o.id, call.trip_key);
    assert_eq!(t.trips[0].params.bookable, o.bookable);
    let (_, searched) = inventory::find_trip(&call.trip_key, call.departure.date()).unwrap();
    assert_eq!(
        value(&o.price),
        value(&searched.price) * Decimal::from(call.seats)
    );
    for seg in &t.trips[0].segments {
        assert!(t
            .stations
            .contains_key(seg.from.unwrap().to_string().as_str()));
        assert!(t
            .operators
            .contains_key(seg.operator.unwrap().to_string().as_str()));
    }
    let cart = sb.add_to_cart(call, &k).await.unwrap();
    assert_eq!(cart.len(), 8);
    let form = sb.funnel_checkout(&cart).unwrap();
    assert_eq!(
        sb.checkout(&cart, &k).await.unwrap().fields.len(),
        form.as_object().unwrap().len()
    );
    let (_, body) = form_and_body(&form, call.seats);
    let bid = sb.reserve(&cart, &body, &k).await.unwrap();
    assert!(
        bid.len() >= 8 && bid.bytes().all(|b| b.is_ascii_digit()),
        "{bid}"
    );
    let b = sb.booking(&bid, &k).await.unwrap();
    assert_eq!(b.status.as_deref(), Some("pending_client_confirmation"));
    assert_eq!(b.ticket_url.as_deref(), Some(""));
    assert_eq!(b.seats, Some(i64::from(call.seats)));
    assert_eq!(b.dep_date_time, Some(fmt_dt(call.departure)));
    (bid, value(&o.price))
}

#[actix_rt::test]
async fn instant_trip_books_end_to_end() {
    let sb = Sandbox::default().with_ticket_delay(Some(Duration::ZERO));
    let call = find(2, |o, _| instant(o));
    let (bid, total) = book(&sb, &call).await;
    sb.confirm(&bid, &ctx("k")).await.unwrap();
    let b = sb.booking(&bid, &ctx("k")).await.unwrap();
    assert_eq!(b.status.as_deref(), Some("confirmed"));
    assert!(b.ticket_url.unwrap().starts_with(BASE));
    assert!(b.tracker.unwrap().starts_with("TRK-"));
    assert_eq!(value(&b.price), total, "no add-ons chosen");
    assert!(b.stamp.unwrap() >= b.created_on.unwrap());
    let (code, r) = status(sb.confirm(&bid, &ctx("k")).await);
    assert_eq!(
        (code, r.messages),
        (400, vec!["Booking is already confirmed".to_string()])
    );
}

#[actix_rt::test]
async fn pending_trip_confirms_after_the_delay() {
    let call = find(1, |o, _| !instant(o) && !pending_ends_cancelled(&o.id));
    let sb = Sandbox::default().with_pending_delay(Some(Duration::from_secs(3600)));
    let (bid, _) = book(&sb, &call).await;
    sb.confirm(&bid, &ctx("k")).await.unwrap();
    let b = sb.booking(&bid, &ctx("k")).await.unwrap();
    assert_eq!(
        (b.status.as_deref(), b.ticket_url.as_deref()),
        (Some("pending"), Some(""))
    );
    assert_eq!(status(sb.confirm(&bid, &ctx("k")).await).0, 400);
    let never = Sandbox::default().with_pending_delay(None);
    let (bid, _) = book(&never, &call).await;
    never.confirm(&bid, &ctx("k")).await.unwrap();
    let b = never.booking(&bid, &ctx("k")).await.unwrap();
    assert_eq!(b.status.as_deref(), Some("pending"));
    let now_ = Sandbox::default()
        .with_pending_delay(Some(Duration::ZERO))
        .with_ticket_delay(Some(Duration::ZERO));
    let (bid, _) = book(&now_, &call).await;
    now_.confirm(&bid, &ctx("k")).await.unwrap();
    let b = now_.booking(&bid, &ctx("k")).await.unwrap();
    assert_eq!(b.status.as_deref(), Some("confirmed"));
    assert!(!b.ticket_url.unwrap().is_empty());
}

#[actix_rt::test]
async fn unknown_things_are_404_and_a_key_is_needed() {
    let sb = Sandbox::default();
    let k = ctx("k");
    let call = find(1, |_, _| true);
    let mut other = call.clone();
    other.departure = other
        .departure
        .checked_add(jiff::Span::new().minutes(5))
        .unwrap();
    let mut bad_key = call.clone();
    bad_key.trip_key = "TH000300044mDt00g03BNR3q".into();
    for c in [&other, &bad_key] {
        assert_eq!(status(sb.trip(c, &k).await).0, 404);
        assert_eq!(status(sb.add_to_cart(c, &k).await).0, 404);
    }
    assert_eq!(status(sb.checkout("nope", &k).await).0, 404);
    assert_eq!(status(sb.reserve("nope", &Map::new(), &k).await).0, 404);
    assert_eq!(status(sb.confirm("70000001", &k).await).0, 404);
    assert_eq!(status(sb.booking("x", &k).await).0, 404);
    assert_eq!(status(sb.trip(&call, &ctx("")).await).0, 401);
    let mut zero = call.clone();
    zero.seats = 0;
    let (code, r) = status(sb.trip(&zero, &k).await);
    assert_eq!((code, r.fields), (400, vec!["seats".to_string()]));
}

#[actix_rt::test]
async fn a_cart_is_reserved_once_and_needs_bookable_seats() {
    let sb = Sandbox::default();
    let call = find(1, |_, _| true);
    let cart = sb.add_to_cart(&call, &ctx("k")).await.unwrap();
    let (_, body) = form_and_body(&sb.funnel_checkout(&cart).unwrap(), 1);
    sb.reserve(&cart, &body, &ctx("k")).await.unwrap();
    let (code, r) = status(sb.reserve(&cart, &body, &ctx("k")).await);
    assert_eq!(
        (code, r.messages),
        (400, vec!["Cart already used".to_string()])
    );
    let (_, full) = all_options()
        .into_iter()
        .find(|(_, o)| o.is_bookable == Some(1) && o.bookable == Some(2))
        .unwrap();
    let three = TripCall {
        trip_key: full.id.to_string(),
        departure: departure(&full),
        seats: 3,
    };
    let (code, r) = status(sb.add_to_cart(&three, &ctx("k")).await);
    assert_eq!(code, 400);
    assert!(r.trip_unavailable());
    assert_eq!(
        sb.trip(&three, &ctx("k")).await.unwrap().get().trips[0]
            .params
            .bookable,
        Some(2)
    );
}

#[actix_rt::test]
async fn the_form_has_dynamic_keys_in_every_family() {
    let sb = Sandbox::default();
    let call = find(2, |_, p| p.seat_map && p.pickup && p.baggage);
    let cart = sb.add_to_cart(&call, &ctx("k")).await.unwrap();
    let raw = sb.funnel_checkout(&cart).unwrap();
    assert_eq!(raw, sb.funnel_checkout(&cart).unwrap(), "stable for a cart");
    let tok = token(&cart);
    let form = crate::domain::checkout::checkout_form(&raw.to_string()).unwrap();
    let key_of = |f: &Family| form.find(f).map(|f| f.field.key.clone());
    assert_eq!(key_of(&Family::Seat), Some(format!("selected_seats_{tok}")));
    assert_eq!(
        key_of(&Family::AutoSeat),
        Some(format!("selected_seats_{tok}_allow_auto"))
    );
    assert_eq!(
        key_of(&Family::Baggage),
        Some(format!("passenger[0][baggage_{tok}]"))
    );
    let names: Vec<&str> = form.additional().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"points_pickup") && names.contains(&"delivery_address"),
        "{names:?}"
    );
    assert!(form
        .by_key(&format!("passenger[1][baggage_{tok}]"))
        .is_some());
    assert_eq!(
        form.by_key("passenger[1][first_name]").unwrap().family,
        Family::OtherPassenger
    );
    let map = form
        .find(&Family::Seat)
        .unwrap()
        .field
        .seatmap
        .clone()
        .unwrap();
    assert_eq!(map.seats.len(), 40);
    assert!(map.available().count() >= 10 && map.available().count() < 40);
    assert_eq!(map.rows.len(), 10);
    assert!(map
        .seats
        .iter()
        .any(|s| s.price_diff.as_ref().is_some_and(|d| !d.amount.is_zero())));
    let mobile = form.find(&Family::Mobile).unwrap();
    assert_eq!(mobile.patterns.len(), 1);
    assert!(
        form.skipped_patterns.is_empty(),
        "{:?}",
        form.skipped_patterns
    );
    let nat = form.passenger("country_id").unwrap();
    assert!(nat.field.options.iter().any(|o| o.value == "AR"));
}
