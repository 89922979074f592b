//! The checkout form (S) of a cart: 12go's flat object of keys → field objects, with
//! dynamic keys embedding a cart token. What a trip's form offers is decided by its
//! trip key alone ([`profile`]); the token and the seat map by the cart and trip.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::booking::Cart;
use super::rng::Rng;
use crate::domain::money::Currency;
use crate::domain::twelvego::Price;

/// FNV-1a, stable across machines and releases.
pub fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What a trip's checkout form offers. Rule: `d(i)` is decimal digit `i` (from the
/// right) of `fnv(trip_key)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// `d(0) < 4`: `selected_seats_{tok}` with a seat map, and `…_allow_auto`.
    pub seat_map: bool,
    /// `d(1) < 3`: `points[{tok}][pickup]` (required) and `delivery[{tok}][address]`.
    pub pickup: bool,
    /// `d(2) < 3`: required `dob`, `id_no`, `id_type`, `id_exp_date` per passenger.
    pub documents: bool,
    /// `d(3) < 5`: `passenger[i][baggage_{tok}]` with priced options.
    pub baggage: bool,
    /// `d(4) == 0` (1 trip in 10): a required key the service does not know:
    /// `insurance_opt_in` (select yes/no) if `d(5)` is even, else `passenger[0][hotel_name]`.
    pub unknown: Option<&'static str>,
}

pub fn profile(trip_key: &str) -> Profile {
    let h = fnv(trip_key);
    let d = |i: u32| (h / 10u64.pow(i)) % 10;
    Profile {
        seat_map: d(0) < 4,
        pickup: d(1) < 3,
        documents: d(2) < 3,
        baggage: d(3) < 5,
        unknown: (d(4) == 0).then(|| {
            if d(5) % 2 == 0 {
                "insurance_opt_in"
            } else {
                "passenger[0][hotel_name]"
            }
        }),
    }
}

/// The cart token embedded in dynamic keys.
pub fn token(cart_id: &str) -> String {
    format!("T{:06x}", fnv(&format!("tok:{cart_id}")) & 0xff_ffff)
}

pub fn seat_key(cart: &Cart) -> String {
    format!("selected_seats_{}", token(&cart.id))
}

pub fn baggage_key(cart: &Cart, i: u8) -> String {
    format!("passenger[{i}][baggage_{}]", token(&cart.id))
}

/// One seat of the map: id, sellable, extra over the fare.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatInfo {
    pub id: String,
    pub available: bool,
    pub booked: bool,
    pub diff: Decimal,
}

fn unit_price(cart: &Cart) -> (Decimal, String) {
    let p = cart.option.price.clone().unwrap_or_default();
    (p.value.unwrap_or_default(), p.fxcode.to_string())
}

fn share(cart: &Cart, pct: i64) -> Decimal {
    let (unit, code) = unit_price(cart);
    (unit * Decimal::new(pct, 2)).round_dp(Currency::new(&code).minor_units())
}

/// Ten rows `A B _ C D`; rows 1–2 cost 10 % more; ~30 % booked, ~5 % not for sale.
pub fn seat_layout(cart: &Cart) -> Vec<SeatInfo> {
    let mut rng = Rng::seeded(&format!("seats:{}@{}", cart.option.id, cart.departure));
    let premium = share(cart, 10);
    let mut out = Vec::new();
    for row in 1..=10 {
        for col in ["A", "B", "C", "D"] {
            let booked = rng.percent(30);
            out.push(SeatInfo {
                id: format!("{row}{col}"),
                available: !rng.percent(5),
                booked,
                diff: if row <= 2 { premium } else { Decimal::ZERO },
            });
        }
    }
    out
}

/// Baggage options: value, text, price per passenger.
pub fn baggage_options(cart: &Cart) -> Vec<(&'static str, &'static str, Decimal)> {
    vec![
        ("none", "Carry-on only", Decimal::ZERO),
        ("15kg", "Checked bag 15 kg", share(cart, 5)),
        ("25kg", "Checked bag 25 kg", share(cart, 12)),
    ]
}

fn price(value: Decimal, code: &str) -> Value {
    let p = Price {
        value: Some(value),
        fxcode: code.into(),
    };
    serde_json::to_value(p).unwrap_or(Value::Null)
}

fn field(kind: &str, required: bool, title: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), kind.into());
    m.insert("required".into(), required.into());
    m.insert("title".into(), title.into());
    m
}

fn with(mut m: Map<String, Value>, key: &str, v: Value) -> Map<String, Value> {
    m.insert(key.into(), v);
    m
}

fn options(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(v, t)| json!({"value": v, "text": t}))
        .collect()
}

pub const NAME_PATTERN: &str = r"/^[\s\pCA-Za-z\x{0E00}-\x{0E7F}'-]{2,30}$/u";
pub const MOBILE_PATTERN: &str = r"/^\+[0-9]{7,15}$/";
pub const EMAIL_PATTERN: &str = r"/^[^@\s]+@[^@\s]+\.[^@\s]+$/";
pub const ID_PATTERN: &str = r"/^[A-Z0-9]{5,20}$/i";

fn countries() -> Value {
    json!([
        {"value": null, "text": "Popular", "values": options(&[("TH", "Thailand"), ("VN", "Vietnam"), ("KH", "Cambodia"), ("MY", "Malaysia")])},
        {"value": null, "text": "All", "values": options(&[
            ("AR", "Argentina"), ("AU", "Australia"), ("CN", "China"), ("DE", "Germany"), ("FR", "France"),
            ("GB", "United Kingdom"), ("IN", "India"), ("JP", "Japan"), ("KH", "Cambodia"), ("KR", "South Korea"),
            ("LA", "Laos"), ("MY", "Malaysia"), ("NL", "Netherlands"), ("TH", "Thailand"), ("US", "United States"), ("VN", "Vietnam"),
        ])},
    ])
}

fn passenger(out: &mut Map<String, Value>, cart: &Cart, p: &Profile, i: u8) {
    let k = |x: &str| format!("passenger[{i}][{x}]");
    let name = |title| with(field("input", true, title), "regexp", json!([NAME_PATTERN]));
    out.insert(k("first_name"), name("First name").into());
    out.insert(k("last_name"), name("Last name").into());
    let gender = options(&[("M", "Male"), ("F", "Female")]);
    out.insert(
        k("gender"),
        with(field("select", true, "Gender"), "options", gender).into(),
    );
    let nat = with(field("select", true, "Nationality"), "options", countries());
    out.insert(k("country_id"), nat.into());
    out.insert(k("is_child"), field("checkbox", false, "Child").into());
    if p.documents {
        out.insert(k("dob"), field("date", true, "Date of birth").into());
        let id = with(
            field("input", true, "Passport number"),
            "regexp",
            json!([ID_PATTERN]),
        );
        out.insert(k("id_no"), id.into());
        let types = options(&[("0", "Passport"), ("1", "National ID")]);
        out.insert(
            k("id_type"),
            with(field("select", true, "Document type"), "options", types).into(),
        );
        out.insert(
            k("id_exp_date"),
            field("date", false, "Passport expiry").into(),
        );
    }
    if p.baggage {
        let code = unit_price(cart).1;
        let opts: Vec<Value> = baggage_options(cart)
            .into_iter()
            .map(|(v, t, d)| json!({"value": v, "text": t, "data": {"price": price(d, &code)}}))
            .collect();
        let bag = with(field("select", false, "Baggage"), "options", opts.into());
        out.insert(baggage_key(cart, i), bag.into());
    }
}

fn seat_map(cart: &Cart) -> Value {
    let (unit, code) = unit_price(cart);
    let layout = seat_layout(cart);
    let mut seats = Map::new();
    let mut booked = Map::new();
    for s in &layout {
        let entry = json!({"is_available": s.available, "price": price(unit + s.diff, &code),
            "price_diff": price(s.diff, &code)});
        seats.insert(s.id.clone(), entry);
        if s.booked {
            booked.insert(s.id.clone(), true.into());
        }
    }
    let rows: Vec<Value> = layout
        .chunks(4)
        .map(|r| json!([[r[0].id, r[1].id], [r[2].id, r[3].id]]))
        .collect();
    json!({"seats": seats, "layouts": [rows], "booked": booked})
}

/// The S answer for a cart (see [`Profile`] for what varies). Passenger keys are
/// repeated for every seat, as 12go does; `passenger[0][hotel_name]` is not.
pub fn form(cart: &Cart) -> Map<String, Value> {
    let p = profile(&cart.option.id);
    let tok = token(&cart.id);
    let mut out = Map::new();
    let mobile = with(
        field("input", true, "Mobile"),
        "regexp",
        json!([MOBILE_PATTERN]),
    );
    out.insert("contact[mobile]".into(), mobile.into());
    let email = with(
        field("input", true, "E-mail"),
        "regexp",
        json!([EMAIL_PATTERN]),
    );
    out.insert("contact[email]".into(), email.into());
    out.insert(
        "seats".into(),
        with(field("input", true, "Seats"), "value", cart.seats.into()).into(),
    );
    for i in 0..cart.seats {
        passenger(&mut out, cart, &p, i);
    }
    if p.seat_map {
        let seat = with(
            field("select", false, "Seats"),
            "data",
            json!({"seatmap": seat_map(cart)}),
        );
        out.insert(seat_key(cart), seat.into());
        out.insert(
            format!("selected_seats_{tok}_allow_auto"),
            json!({"type": "checkbox"}),
        );
    }
    if p.pickup {
        let points = options(&[
            ("hotel_abc", "Hotel ABC"),
            ("central_pier", "Central Pier"),
            ("bus_terminal", "Bus terminal"),
        ]);
        let pick = with(field("select", true, "Pick-up point"), "options", points);
        out.insert(format!("points[{tok}][pickup]"), pick.into());
        out.insert(
            format!("delivery[{tok}][address]"),
            field("input", false, "Address").into(),
        );
    }
    match p.unknown {
        Some("insurance_opt_in") => {
            let yn = options(&[("yes", "Yes"), ("no", "No")]);
            out.insert(
                "insurance_opt_in".into(),
                with(field("select", true, "Insurance"), "options", yn).into(),
            );
        }
        Some(key) => {
            out.insert(key.into(), field("input", true, "Hotel name").into());
        }
        None => {}
    }
    for (k, v) in &mut out {
        if let Value::Object(m) = v {
            m.insert("name".into(), k.clone().into());
        }
    }
    out
}
