//! Classification (10.1), parsing, schema (10.2–10.4) and patterns (10.5).

use super::classify::{classify, classify_key, normalize, split_key, ClassifiedForm, Family};
use super::model::parse_checkout;
use super::pattern::{compile, split_delimiters};
use super::schema::{booking_schema, seat_map, translate_enum};
use serde_json::{json, Value};

pub(super) fn fixture(name: &str) -> ClassifiedForm {
    let path = format!(
        "{}/tests/fixtures/12go/checkout-{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    classify(&parse_checkout(&text).unwrap())
}

fn fam(form: &ClassifiedForm, key: &str) -> Family {
    form.by_key(key).unwrap().family.clone()
}

fn add(name: &str, unknown: bool) -> Family {
    Family::Additional {
        name: name.into(),
        unknown,
    }
}

#[test]
fn classify_every_family() {
    let p = |x: &str| Family::Passenger(x.into());
    let cases: &[(&str, bool, Family)] = &[
        ("passenger[1][first_name]", true, Family::OtherPassenger),
        ("passenger[12][baggage_x]", true, Family::OtherPassenger),
        ("contact[email]", true, Family::Email),
        ("contact[mobile]", false, Family::Mobile),
        ("seats", true, Family::Seats),
        ("passenger[0][first_name]", true, p("first_name")),
        ("passenger[0][id_no]", false, p("id_no")),
        ("passenger[0][seattype_code]", false, p("seattype_code")),
        ("passenger[0][residency]", false, p("residency")),
        ("selected_seats_T0k_allow_auto", false, Family::AutoSeat),
        ("selected_seats_T0k", false, Family::Seat),
        ("passenger[0][baggage_T0k]", false, Family::Baggage),
        ("passenger[0][x][baggage_T0k]", false, Family::Baggage),
        ("points[T0k][pickup]", true, add("points_pickup", false)),
        ("points[T0k][DropOff]", false, add("points_dropoff", false)),
        (
            "delivery[T0k][hotel_checkin_date]",
            false,
            add("delivery_hotel_checkin_date", false),
        ),
        ("delivery[T0k]", true, add("delivery", false)),
        ("agree_terms", true, add("agree_terms", true)),
        (
            "passenger[0][loyalty]",
            true,
            add("passenger_0_loyalty", true),
        ),
        ("newsletter", false, Family::Dropped),
        ("passenger[0][loyalty]", false, Family::Dropped),
    ];
    for (key, req, want) in cases {
        assert_eq!(&classify_key(key, *req), want, "{key}");
    }
}

#[test]
fn classify_spec_example_and_collisions() {
    let f = fixture("spec-example");
    assert_eq!(fam(&f, "points[T0k][pickup]"), add("points_pickup", false));
    assert_eq!(
        fam(&f, "delivery[T0k][address]"),
        add("delivery_address", false)
    );
    assert_eq!(fam(&f, "passenger[1][first_name]"), Family::OtherPassenger);
    assert!(f.unknown_required.is_empty() && f.skipped_patterns.is_empty());
    let v = fixture("variants");
    // Keys are processed in sorted order: points[Q1] before points[Z9x].
    assert_eq!(fam(&v, "points[Q1][pickup]"), add("points_pickup", false));
    assert_eq!(fam(&v, "points[Z9x][pickup]"), add("points_pickup1", false));
    assert_eq!(
        fam(&v, "delivery[Z9x][Hotel Checkin-Date]"),
        add("delivery_hotel_checkin_date", false)
    );
    assert_eq!(
        fam(&v, "passenger[0][loyalty_no]"),
        add("passenger_0_loyalty_no", true)
    );
    assert_eq!(fam(&v, "newsletter"), Family::Dropped);
    assert_eq!(
        v.unknown_required,
        ["agree_terms", "half_broken", "passenger[0][loyalty_no]"]
    );
    assert_eq!(v.skipped_patterns.len(), 2, "{:?}", v.skipped_patterns);
}

#[test]
fn key_helpers() {
    assert_eq!(split_key("a[b][c]"), Some(("a", vec!["b", "c"])));
    assert_eq!(split_key("seats"), Some(("seats", vec![])));
    assert_eq!(split_key("a[b"), None);
    assert_eq!(split_key("a[b]x"), None);
    assert_eq!(normalize("Foo[Bar]--baz]"), "foo_bar_baz");
    assert_eq!(normalize("[]"), "field");
}

#[test]
fn parse_is_lenient() {
    let v = fixture("variants");
    let mobile = &v.by_key("contact[mobile]").unwrap().field;
    assert!(mobile.required);
    assert_eq!(mobile.regexp, ["#^\\+?[0-9 ]+$#"]);
    let title = &v.by_key("passenger[0][title]").unwrap().field;
    assert_eq!(
        title
            .options
            .iter()
            .map(|o| o.value.as_str())
            .collect::<Vec<_>>(),
        ["MR", "MS"]
    );
    assert_eq!(
        v.by_key("passenger[0][baggage_Z9x][extra]")
            .unwrap()
            .field
            .options[0]
            .value,
        "1"
    );
    assert!(v.by_key("half_broken").unwrap().field.required);
    assert!(!v.by_key("broken_entry").unwrap().field.required);
    assert_eq!(parse_checkout("[]").unwrap().fields.len(), 0);
    assert!(parse_checkout("\"x\"").is_err());
    assert!(parse_checkout("{").is_err());
}

#[test]
fn seat_map_available_and_layouts() {
    let f = fixture("spec-example");
    let m = f
        .find(&Family::Seat)
        .unwrap()
        .field
        .seatmap
        .clone()
        .unwrap();
    let ids: Vec<_> = m.available().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["1A", "1B"]);
    assert_eq!(
        seat_map(&f).unwrap(),
        json!({"rows": [["1A", "1B"], ["2A", null]]})
    );
    let v = fixture("variants");
    let ids: Vec<_> = v
        .find(&Family::Seat)
        .unwrap()
        .field
        .seatmap
        .as_ref()
        .unwrap()
        .available()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(ids, ["1A", "1B"], "1C is booked, 2A unavailable");
    assert_eq!(
        seat_map(&v).unwrap(),
        json!({"rows": [["1A", "1B", "1C"], ["2A", null, "2C"]]})
    );
}

#[test]
fn schema_matches_spec_example() {
    let s = booking_schema(&fixture("spec-example"), 2, None);
    let want = json!({"type":"object","required":["email","mobile_phone","passengers","additional_fields"],"properties":{
     "email":{"type":"string"},"mobile_phone":{"type":"string","pattern":"^\\+[0-9]{7,15}$"},
     "seat_selection":{"type":"array","maxItems":2,"items":{"anyOf":[{"const":"1A","x-price":{"amount":"0.00","currency":"THB"}},{"const":"1B","x-price":{"amount":"20.00","currency":"THB"}}]}},
     "allow_automatic_seat_selection":{"type":"boolean"},
     "passengers":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"object","required":["first_name","gender","last_name","nationality"],"properties":{
       "first_name":{"type":"string","pattern":"^[\\s\\pCA-Za-z\\x{0E00}-\\x{0E7F}]{2,30}$"},"last_name":{"type":"string"},
       "gender":{"type":"string","anyOf":[{"const":"M","title":"Male"},{"const":"F","title":"Female"}]},
       "nationality":{"type":"string","anyOf":[{"const":"TH","title":"Thailand"},{"const":"AR","title":"Argentina"}]},"is_child":{"type":"boolean"},
       "baggage_option":{"type":"string","anyOf":[{"const":"none","title":"Carry-on","x-price":{"amount":"0.00","currency":"THB"}},{"const":"10kg","title":"10 kg","x-price":{"amount":"200.00","currency":"THB"}}]}}}},
     "additional_fields":{"type":"object","required":["points_pickup"],"properties":{"points_pickup":{"type":"string","anyOf":[{"const":"hotel_abc","title":"Hotel ABC"}]},"delivery_address":{"type":"string"}}}}});
    let mut got = s.clone();
    let req = got["properties"]["passengers"]["items"]["required"]
        .as_array_mut()
        .unwrap();
    req.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(got, want);
    assert!(s
        .pointer("/properties/seat_selection/items/anyOf/0/const")
        .is_some());
}

#[test]
fn schema_variants() {
    let s = booking_schema(&fixture("variants"), 1, None);
    let p = |ptr: &str| s.pointer(ptr).cloned().unwrap_or(Value::Null);
    assert_eq!(
        p("/properties/passengers/items/properties/dob"),
        json!({"type":"string","format":"date"})
    );
    // `i` flag changes the meaning: no client pattern; server still checks it.
    assert_eq!(
        p("/properties/passengers/items/properties/first_name"),
        json!({"type":"string"})
    );
    assert_eq!(
        p("/properties/passengers/items/properties/id_number/pattern"),
        json!("^[A-Z0-9]{6,12}$")
    );
    assert_eq!(
        p("/properties/seat_selection/items/anyOf/1"),
        json!({"const":"1B","x-price":{"amount":"15.50","currency":"THB"}})
    );
    assert_eq!(
        p("/properties/additional_fields/properties/agree_terms"),
        json!({"type":"boolean"})
    );
    assert_eq!(
        p("/properties/additional_fields/required"),
        json!([
            "agree_terms",
            "delivery",
            "half_broken",
            "passenger_0_loyalty_no",
            "points_pickup1"
        ])
    );
    assert_eq!(p("/properties/newsletter"), Value::Null);
    assert_eq!(
        p("/properties/email"),
        Value::Null,
        "a property exists only if its key does"
    );
}

#[test]
fn enum_translation() {
    let f = fixture("spec-example");
    let g = &f.passenger("gender").unwrap().field.options;
    let c = &f.passenger("country_id").unwrap().field.options;
    for (opts, input, want) in [
        (g, "M", "M"),
        (g, "Male", "M"),
        (g, "male", "M"),
        (g, "FEMALE", "F"),
        (g, "X", "X"),
        (c, "thailand", "TH"),
        (c, "AR", "AR"),
        (c, "DE", "DE"),
        (c, "Popular", "Popular"),
    ] {
        assert_eq!(translate_enum(opts, input), want, "{input}");
    }
}

#[test]
fn patterns() {
    let cases: &[(&str, &str, bool)] = &[
        ("/^\\+[0-9]{7,15}$/", "+66812345678", true),
        ("/^\\+[0-9]{7,15}$/", "66812345678", false),
        (
            "/^[\\s\\pCA-Za-z\\x{0E00}-\\x{0E7F}]{2,30}$/u",
            "สมชาย",
            true,
        ),
        ("/^[\\s\\pCA-Za-z\\x{0E00}-\\x{0E7F}]{2,30}$/u", "J", false),
        ("/^[a-z]+$/i", "JOHN", true),
        ("#^a/b$#", "a/b", true),
        ("/a\\/b/", "xa/by", true),
        ("/b/", "abc", true),
        ("{^x}", "xy", true),
        ("^plain$", "plain", true),
        ("/a.b/s", "a\nb", true),
        ("/^a$/m", "b\na", true),
    ];
    for (pat, text, want) in cases {
        let p = compile(pat).unwrap_or_else(|e| panic!("{pat}: {e}"));
        assert_eq!(p.is_match(text), *want, "{pat} on {text:?}");
    }
    for bad in ["/unterminated", "/(?=x)/", "/a/Q", "/(/", "/\\h/"] {
        assert!(compile(bad).is_err(), "{bad}");
    }
    assert_eq!(split_delimiters("/ab/iu"), Ok(("ab", "iu")));
    assert_eq!(split_delimiters(""), Ok(("", "")));
}

#[test]
fn malformed_parts_do_not_drop_the_field() {
    let v = fixture("variants");
    let g = &v.passenger("gender").unwrap().field;
    assert!(!g.required && g.kind == "select" && g.seatmap.is_none());
    assert_eq!(
        (g.options[0].value.as_str(), g.options[0].price.clone()),
        ("M", None)
    );
    let m = &v.passenger("middle_name").unwrap().field;
    assert!(!m.required && m.kind == "input" && m.title.is_none());
}

#[test]
fn options_repeated_across_groups_are_listed_once() {
    let form = classify(
        &parse_checkout(
            r#"{"passenger[0][country_id]":{"type":"select","required":true,"options":[
            {"value":null,"text":"Popular","values":[{"value":"TH","text":"Thailand"}]},
            {"value":null,"text":"All","values":[{"value":"AR","text":"Argentina"},{"value":"TH","text":"Thailand"}]}]}}"#,
        )
        .unwrap(),
    );
    let s = booking_schema(&form, 1, None);
    let any = &s["properties"]["passengers"]["items"]["properties"]["nationality"]["anyOf"];
    assert_eq!(
        any,
        &serde_json::json!([{"const":"TH","title":"Thailand"},{"const":"AR","title":"Argentina"}])
    );
}
