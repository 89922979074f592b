//! Validation, reserve body (20 §11) and reverse field mapping (20 §12).

use super::classify::ClassifiedForm;
use super::reserve::{
    client_field, error_field_keys, map_field_errors, reserve_body, validate, BookingData,
};
use super::tests::fixture;
use serde_json::{json, Value};

pub(super) fn john_jane() -> BookingData {
    serde_json::from_value(json!({"email":"a@b.co","mobile_phone":"+66812345678","seat_selection":["1A","1B"],
     "allow_automatic_seat_selection":true,
     "passengers":[{"first_name":"John","last_name":"Doe","gender":"Male","id_number":"AB123456","nationality":"Thailand","baggage_option":"10 kg"},
                   {"first_name":"Jane","last_name":"Doe","gender":"f","country_id":"TH","baggage_option":"none"}],
     "additional_fields":{"points_pickup":"Hotel ABC"}})).unwrap()
}

#[test]
fn reserve_body_matches_spec_example() {
    let f = fixture("spec-example");
    let d = john_jane();
    validate(&f, &d, 2).unwrap();
    let want = json!({"contact[mobile]":"+66812345678","contact[email]":"a@b.co","seats":2,"selected_seats_T0k":"1A,1B","selected_seats_T0k_allow_auto":true,
     "passenger[0][first_name]":"John","passenger[0][last_name]":"Doe","passenger[0][gender]":"M","passenger[0][id_type]":"0","passenger[0][id_no]":"AB123456",
     "passenger[0][country_id]":"TH","passenger[0][is_child]":false,"passenger[0][baggage_T0k]":"10kg",
     "passenger[1][first_name]":"Jane","passenger[1][last_name]":"Doe","passenger[1][gender]":"F","passenger[1][id_type]":"0","passenger[1][country_id]":"TH",
     "passenger[1][is_child]":false,"passenger[1][baggage_T0k]":"none","points[T0k][pickup]":"hotel_abc"});
    assert_eq!(Value::Object(reserve_body(&f, &d)), want);
}

#[test]
fn reserve_body_omissions_and_dynamic_keys() {
    let v = fixture("variants");
    let d: BookingData = serde_json::from_value(json!({"passengers":[{"first_name":"Al","dob":"1990-01-02","id_number":"X1","id_type":"2",
      "visa_type":"T","baggage_option":"One bag","is_child":true}],"additional_fields":{"delivery":"Street 1","agree_terms":true,"unknown":"x"}})).unwrap();
    let b = reserve_body(&v, &d);
    assert_eq!(b["passenger[0][baggage_Z9x][extra]"], json!("1"));
    assert_eq!(b["passenger[0][id_type]"], json!("2"));
    assert_eq!(b["passenger[0][is_child]"], json!(true));
    assert_eq!(b["passenger[0][visa_type]"], json!("T"));
    assert_eq!(b["delivery[Z9x]"], json!("Street 1"));
    assert_eq!(b["agree_terms"], json!(true));
    for absent in [
        "selected_seats_Z9x",
        "contact[mobile]",
        "passenger[0][country_id]",
        "passenger[0][residency]",
        "unknown",
    ] {
        assert!(!b.contains_key(absent), "{absent}");
    }
}

#[test]
fn validation_collects_every_error() {
    let f = fixture("spec-example");
    let mut d = john_jane();
    d.email = None;
    d.mobile_phone = Some("0812".into());
    d.passengers[1].first_name = Some("J".into());
    d.passengers[1].gender = None;
    d.passengers[0].dob = Some("1990-13-01".into());
    d.seat_selection = vec!["2A".into(), "1A".into(), "1A".into()];
    d.additional_fields.clear();
    let errs = validate(&f, &d, 2).unwrap_err();
    let paths: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        paths,
        [
            "booking_data.email",
            "booking_data.mobile_phone",
            "booking_data.passengers[0].dob",
            "booking_data.passengers[1].first_name",
            "booking_data.passengers[1].gender",
            "booking_data.seat_selection",
            "booking_data.seat_selection[0]",
            "booking_data.seat_selection[2]",
            "booking_data.additional_fields.points_pickup"
        ]
    );
    let errs = validate(&f, &john_jane(), 3).unwrap_err();
    assert_eq!(errs[0].field, "booking_data.passengers");
    let v = fixture("variants");
    let d: BookingData = serde_json::from_value(json!({"mobile_phone":"+1 23","passengers":[{"first_name":"Al","dob":"1990-01-02"}],
      "seat_selection":["1C"],"additional_fields":{"delivery":"x","agree_terms":true,"half_broken":"y","passenger_0_loyalty_no":"7","points_pickup1":"p"}})).unwrap();
    let paths: Vec<_> = validate(&v, &d, 1)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        paths,
        [
            "booking_data.passengers[0].id_number",
            "booking_data.passengers[0].baggage_option",
            "booking_data.seat_selection[0]"
        ]
    );
}

#[test]
fn reverse_field_map() {
    let f = fixture("spec-example");
    let v = fixture("variants");
    let cases: &[(&ClassifiedForm, &str, &str)] = &[
        (&f, "contact[email]", "booking_data.email"),
        (&f, "contact[mobile]", "booking_data.mobile_phone"),
        (&f, "seats", "booking_data.passengers"),
        (
            &f,
            "passenger[1][id_no]",
            "booking_data.passengers[1].id_number",
        ),
        (
            &f,
            "passenger[0][id_exp_date]",
            "booking_data.passengers[0].id_expiry_date",
        ),
        (
            &f,
            "passenger[3][seattype_code]",
            "booking_data.passengers[3].seat_type_code",
        ),
        (
            &f,
            "passenger[1][country_id]",
            "booking_data.passengers[1].nationality",
        ),
        (
            &f,
            "passenger[1][baggage_T0k]",
            "booking_data.passengers[1].baggage_option",
        ),
        (
            &v,
            "passenger[1][baggage_Z9x][extra]",
            "booking_data.passengers[1].baggage_option",
        ),
        (&f, "selected_seats_T0k", "booking_data.seat_selection"),
        (
            &f,
            "selected_seats_T0k_allow_auto",
            "booking_data.allow_automatic_seat_selection",
        ),
        (
            &f,
            "points[T0k][pickup]",
            "booking_data.additional_fields.points_pickup",
        ),
        (
            &v,
            "points[Z9x][pickup]",
            "booking_data.additional_fields.points_pickup1",
        ),
        (
            &v,
            "agree_terms",
            "booking_data.additional_fields.agree_terms",
        ),
        (
            &v,
            "passenger[1][loyalty_no]",
            "booking_data.additional_fields.passenger_0_loyalty_no",
        ),
        (
            &f,
            "passenger[0][frequent_flyer]",
            "passenger[0][frequent_flyer]",
        ),
        (&f, "whatever", "whatever"),
    ];
    for (form, key, want) in cases {
        assert_eq!(client_field(form, key), *want, "{key}");
    }
    let body = json!({"fields":{"passenger[1][id_no]":"bad","passenger[1][id_no]x":"?"}});
    let keys = error_field_keys(&body);
    let errs = map_field_errors(&f, keys.iter().map(String::as_str));
    assert_eq!(errs[0].field, "booking_data.passengers[1].id_number");
    assert_eq!(errs.len(), 2);
    assert_eq!(
        error_field_keys(&json!({"fields":["seats",{"name":"contact[email]"},3]})),
        ["seats", "contact[email]"]
    );
}

#[test]
fn seat_and_baggage_offer_rules() {
    let spec = fixture("spec-example");
    let v = fixture("variants");
    let one = |extra: Value| -> BookingData {
        let mut d = json!({"passengers":[{"first_name":"Al","dob":"1990-01-02","id_number":"ABC123","baggage_option":"1"}],
            "mobile_phone":"+1","additional_fields":{"delivery":"x","agree_terms":true,"half_broken":"y",
            "passenger_0_loyalty_no":"7","points_pickup1":"p"}});
        d.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(d).unwrap()
    };
    let cases: &[(&ClassifiedForm, Value, &[&str])] = &[
        (&v, json!({}), &["booking_data.seat_selection"]),
        (&v, json!({"allow_automatic_seat_selection":true}), &[]),
        (&v, json!({"seat_selection":["1B"]}), &[]),
        (
            &v,
            json!({"seat_selection":["1A","1B"]}),
            &["booking_data.seat_selection"],
        ),
        (
            &v,
            json!({"seat_selection":["1A"],"mobile_phone":"x"}),
            &["booking_data.mobile_phone"],
        ),
        (
            &v,
            json!({"seat_selection":["1A"],"upgrades":["wifi"]}),
            &[],
        ),
    ];
    for (form, extra, want) in cases {
        let got: Vec<String> = match validate(form, &one(extra.clone()), 1) {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| e.field).collect(),
        };
        assert_eq!(got, *want, "{extra}");
    }
    // No seat or baggage field offered: supplied values are rejected.
    let mut d = john_jane();
    d.passengers.truncate(1);
    let mut no_extras = spec.clone();
    no_extras.fields.retain(|f| {
        !matches!(
            f.family,
            super::classify::Family::Seat | super::classify::Family::Baggage
        )
    });
    let paths: Vec<_> = validate(&no_extras, &d, 1)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        paths,
        [
            "booking_data.passengers[0].baggage_option",
            "booking_data.seat_selection"
        ]
    );
}
