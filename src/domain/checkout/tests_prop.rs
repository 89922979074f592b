use super::classify::{classify, classify_key, ClassifiedForm};
use super::model::parse_checkout;
use super::pattern::compile;
use super::reserve::{client_field, reserve_body, validate, BookingData, PassengerData};
use super::schema::{booking_schema, seat_map, translate_enum};
use super::tests::fixture;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::LazyLock;

static SPEC: LazyLock<ClassifiedForm> = LazyLock::new(|| fixture("spec-example"));
static PAX_KEY: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^passenger\[\d+\]").unwrap());

fn opt(s: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(s)
}

fn passenger() -> impl Strategy<Value = PassengerData> {
    let name = "[A-Za-z]{2,8}";
    (
        (
            opt(name.prop_map(String::from)),
            opt(name.prop_map(String::from)),
            opt(name.prop_map(String::from)),
        ),
        (
            opt(prop::sample::select(vec!["M", "F", "male", "Female"]).prop_map(String::from)),
            opt("19[5-9][0-9]-0[1-9]-1[0-9]".prop_map(String::from)),
        ),
        (
            opt("[A-Z0-9]{6,9}".prop_map(String::from)),
            opt(prop::sample::select(vec!["0", "1"]).prop_map(String::from)),
        ),
        (
            opt(prop::sample::select(vec!["TH", "Thailand", "ar", "DE"]).prop_map(String::from)),
            opt(prop::sample::select(vec!["TH", "AR"]).prop_map(String::from)),
        ),
        (
            opt(prop::sample::select(vec!["none", "10 kg", "10kg"]).prop_map(String::from)),
            proptest::option::of(any::<bool>()),
        ),
        (
            opt(name.prop_map(String::from)),
            opt(name.prop_map(String::from)),
        ),
    )
        .prop_map(
            |((f, l, m), (g, dob), (id, idt), (nat, cid), (bag, child), (visa, scan))| {
                PassengerData {
                    first_name: f,
                    last_name: l,
                    middle_name: m,
                    gender: g,
                    dob,
                    id_number: id,
                    id_type: idt,
                    nationality: nat,
                    country_id: cid,
                    baggage_option: bag,
                    is_child: child,
                    visa_type: visa,
                    id_scan: scan,
                    ..PassengerData::default()
                }
            },
        )
}

fn booking() -> impl Strategy<Value = BookingData> {
    (
        proptest::collection::vec(passenger(), 1..4),
        opt("[a-z]{1,5}@[a-z]{1,5}\\.co".prop_map(String::from)),
        opt("\\+[0-9]{8,12}".prop_map(String::from)),
        proptest::sample::subsequence(vec!["1A", "1B"], 0..=2),
        proptest::option::of(any::<bool>()),
        opt(prop::sample::select(vec!["hotel_abc", "Hotel ABC"]).prop_map(String::from)),
        opt("[a-z ]{1,10}".prop_map(String::from)),
    )
        .prop_map(
            |(passengers, email, mobile_phone, seats, auto, pickup, addr)| {
                let mut d = BookingData {
                    email,
                    mobile_phone,
                    passengers,
                    seat_selection: seats.into_iter().map(String::from).collect(),
                    allow_automatic_seat_selection: auto,
                    ..BookingData::default()
                };
                if let Some(p) = pickup {
                    d.additional_fields.insert("points_pickup".into(), json!(p));
                }
                if let Some(a) = addr {
                    d.additional_fields
                        .insert("delivery_address".into(), json!(a));
                }
                d
            },
        )
}

/// Resolves `booking_data.a[1].b` in the serialized data.
fn resolve<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in path.split('.') {
        let (name, idx) = match part.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(name)?;
        if let Some(i) = idx {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

fn template_options<'a>(form: &'a ClassifiedForm, key: &str) -> &'a [super::model::SelectOption] {
    let t = PAX_KEY.replace(key, "passenger[0]").into_owned();
    form.by_key(&t)
        .map(|f| f.field.options.as_slice())
        .unwrap_or(&[])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn assembly_then_reverse_mapping_round_trips(data in booking()) {
        let form = &*SPEC;
        let root = json!({"booking_data": serde_json::to_value(&data).unwrap()});
        for (key, sent) in reserve_body(form, &data) {
            let path = client_field(form, &key);
            prop_assert!(path.starts_with("booking_data."), "{key} → {path}");
            let got = resolve(&root, &path);
            match (key.as_str(), got) {
                ("seats", Some(Value::Array(a))) => prop_assert_eq!(sent, json!(a.len())),
                (_, Some(Value::Array(a))) => {
                    let joined: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    prop_assert_eq!(sent, json!(joined.join(",")));
                }
                (_, Some(Value::String(s))) => {
                    prop_assert_eq!(sent, json!(translate_enum(template_options(form, &key), s)));
                }
                (_, Some(b @ Value::Bool(_))) => prop_assert_eq!(&sent, b),
                // 12 maps country_id → nationality; the client may have sent `country_id`.
                (k, None) if k.ends_with("[country_id]") => {
                    let alt = resolve(&root, &path.replace(".nationality", ".country_id"));
                    let s = alt.and_then(Value::as_str).unwrap_or("?");
                    prop_assert_eq!(sent, json!(translate_enum(template_options(form, &key), s)));
                }
                (k, None) if k.ends_with("[is_child]") => prop_assert_eq!(sent, json!(false)),
                (k, None) if k.ends_with("[id_type]") => prop_assert_eq!(sent, json!("0")),
                (k, got) => prop_assert!(false, "{k} → {path}: {got:?}"),
            }
        }
    }

    #[test]
    fn parsing_arbitrary_json_never_panics(v in arb_json()) {
        let text = v.to_string();
        if let Ok(form) = parse_checkout(&text) {
            let c = classify(&form);
            let _ = booking_schema(&c, 2, None);
            let _ = seat_map(&c);
            let d = BookingData { passengers: vec![PassengerData::default()], ..BookingData::default() };
            let _ = validate(&c, &d, 1);
            let _ = reserve_body(&c, &d);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,40}", key in "[a-z_\\[\\]0-9]{0,20}") {
        let _ = parse_checkout(&s);
        let _ = compile(&s);
        let _ = compile(&format!("/{s}/iu"));
        let _ = classify_key(&key, true);
        let _ = client_field(&SPEC, &key);
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "input",
            "select",
            "/^a$/",
            "/(/",
            "1",
            "1A",
            "THB",
            "passenger[0][gender]"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop::sample::select(vec![
            "type",
            "required",
            "regexp",
            "options",
            "value",
            "text",
            "values",
            "data",
            "seatmap",
            "seats",
            "layouts",
            "booked",
            "is_available",
            "price",
            "fxcode",
            "selected_seats_X",
            "passenger[0][baggage_X]",
            "points[X][a]",
            "contact[mobile]",
            "passenger[0][dob]",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(keys, inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}
