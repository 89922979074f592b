use super::*;
use crate::adapters::sandbox::booking::Bounded;
use crate::adapters::sandbox::checkout::{profile, seat_key, seat_layout};
use crate::adapters::sandbox::funnel_fixtures::*;
use crate::domain::checkout::Family;
use crate::ports::twelvego::TwelveGoBooking;

#[actix_rt::test]
async fn add_ons_are_priced_and_bad_values_rejected() {
    let sb = Sandbox::default();
    let call = find(2, |o, p| p.seat_map && p.baggage && instant(o));
    let cart = sb.add_to_cart(&call, &ctx("k")).await.unwrap();
    let raw = sb.funnel_checkout(&cart).unwrap();
    let (form, mut body) = form_and_body(&raw, 2);
    let c = sb.books().unwrap().carts.get(&cart).unwrap().clone();
    let free: Vec<_> = seat_layout(&c)
        .into_iter()
        .filter(|s| s.available && !s.booked)
        .collect();
    let taken = seat_layout(&c).into_iter().find(|s| s.booked).unwrap();
    let bag = form.find(&Family::Baggage).unwrap().field.key.clone();
    let mut bad = body.clone();
    bad.remove("passenger[1][first_name]");
    bad.insert("passenger[0][gender]".into(), "X".into());
    bad.insert("contact[mobile]".into(), "0812345678".into());
    bad.insert(seat_key(&c), format!("{},{}", free[0].id, taken.id).into());
    let (code, r) = status(sb.reserve(&cart, &bad, &ctx("k")).await);
    assert_eq!(
        (code, r.messages),
        (422, vec!["Validation failed".to_string()])
    );
    let mut fields = r.fields.clone();
    fields.sort();
    let seat = seat_key(&c);
    let mut want = vec![
        "contact[mobile]",
        "passenger[0][gender]",
        "passenger[1][first_name]",
    ];
    want.push(&seat);
    want.sort();
    assert_eq!(fields, want);
    body.insert(
        seat_key(&c),
        format!("{},{}", free[0].id, free[1].id).into(),
    );
    body.insert(bag, "25kg".into());
    let bid = sb.reserve(&cart, &body, &ctx("k")).await.unwrap();
    let b = sb.booking(&bid, &ctx("k")).await.unwrap();
    let t = sb.funnel_trip(&call).unwrap();
    let extra =
        free[0].diff + free[1].diff + crate::adapters::sandbox::checkout::baggage_options(&c)[2].2;
    assert!(extra > Decimal::ZERO);
    assert_eq!(
        value(&b.price),
        value(&t.trips[0].travel_options[0].price) + extra
    );
    assert_eq!(
        value(&b.netprice),
        value(&t.trips[0].travel_options[0].netprice) + extra
    );
}

#[actix_rt::test]
async fn one_trip_in_ten_asks_for_an_unknown_key() {
    let options = all_options();
    let unknown = options
        .iter()
        .filter(|(_, o)| profile(&o.id).unknown.is_some())
        .count();
    assert!(
        (options.len() / 20..options.len() / 6).contains(&unknown),
        "{unknown}/{}",
        options.len()
    );
    let sb = Sandbox::default();
    for want in ["insurance_opt_in", "passenger[0][hotel_name]"] {
        let call = find(1, |_, p| p.unknown == Some(want));
        let cart = sb.add_to_cart(&call, &ctx("k")).await.unwrap();
        let raw = sb.funnel_checkout(&cart).unwrap();
        let (form, body) = form_and_body(&raw, 1);
        assert_eq!(form.unknown_required, vec![want.to_string()]);
        let mut without = body.clone();
        without.remove(want);
        let (code, r) = status(sb.reserve(&cart, &without, &ctx("k")).await);
        assert_eq!((code, r.fields), (422, vec![want.to_string()]));
        sb.reserve(&cart, &body, &ctx("k")).await.unwrap();
    }
}

#[test]
fn slow_contacts_wait_and_maps_are_bounded() {
    let sb = Sandbox::default();
    let call = find(1, |o, _| instant(o));
    let cart = sb.funnel_cart(&call).unwrap();
    let (_, mut body) = form_and_body(&sb.funnel_checkout(&cart).unwrap(), 1);
    body.insert("contact[email]".into(), "slow@example.com".into());
    let (bid, delay) = sb.funnel_reserve(&cart, &body).unwrap();
    assert_eq!(delay, SLOW);
    assert_eq!(sb.funnel_confirm(&bid).unwrap().1, SLOW);
    let mut m = Bounded::with_capacity(2);
    for k in ["a", "b", "c"] {
        m.insert(k.to_string(), k);
    }
    assert_eq!((m.len(), m.get("a"), m.get("c")), (2, None, Some(&"c")));
}
