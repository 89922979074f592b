//! The client's `booking_data` JSON → [`BookingData`], with every wrongly typed
//! member reported by path (one 422 lists them all, 20 §4 step 6).

use serde_json::Value;

use super::reserve::BookingData;
use crate::domain::field_error::FieldError;

const BOOL_FIELDS: &[&str] = &["is_child"];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expect(out: &mut Vec<FieldError>, path: String, v: &Value, want: &str, ok: bool) {
    if !ok && !v.is_null() {
        out.push(FieldError::new(
            path,
            format!("Must be {want}, not {}.", kind(v)),
        ));
    }
}

/// Checks the types of `booking_data` members, then reads them. `null` counts
/// as absent; unknown members are ignored.
pub fn parse_booking_data(v: &Value) -> Result<BookingData, Vec<FieldError>> {
    let p = |s: &str| format!("booking_data.{s}");
    let Some(obj) = v.as_object() else {
        return Err(vec![FieldError::new("booking_data", "Must be an object.")]);
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        match k.as_str() {
            "email" | "mobile_phone" => expect(&mut out, p(k), v, "a string", v.is_string()),
            "allow_automatic_seat_selection" => {
                expect(&mut out, p(k), v, "a boolean", v.is_boolean())
            }
            "seat_selection" => match v.as_array() {
                Some(a) => {
                    for (i, s) in a.iter().enumerate() {
                        let ok = s.is_string();
                        expect(&mut out, p(&format!("{k}[{i}]")), s, "a string", ok);
                    }
                }
                None => expect(&mut out, p(k), v, "an array of strings", false),
            },
            "additional_fields" => match v.as_object() {
                Some(m) => {
                    for (name, s) in m {
                        let ok = s.is_string();
                        expect(&mut out, p(&format!("{k}.{name}")), s, "a string", ok);
                    }
                }
                None => expect(&mut out, p(k), v, "an object", false),
            },
            "upgrades" => expect(&mut out, p(k), v, "an object", v.is_object()),
            "passengers" => match v.as_array() {
                Some(a) => {
                    for (i, pax) in a.iter().enumerate() {
                        let base = p(&format!("passengers[{i}]"));
                        let Some(m) = pax.as_object() else {
                            expect(&mut out, base, pax, "an object", false);
                            continue;
                        };
                        for (f, x) in m {
                            let path = format!("{base}.{f}");
                            if BOOL_FIELDS.contains(&f.as_str()) {
                                expect(&mut out, path, x, "a boolean", x.is_boolean());
                            } else {
                                expect(&mut out, path, x, "a string", x.is_string());
                            }
                        }
                    }
                }
                None => expect(&mut out, p(k), v, "an array", false),
            },
            _ => {}
        }
    }
    if !out.is_empty() {
        return Err(out);
    }
    serde_json::from_value(v.clone()).map_err(|_| {
        vec![FieldError::new(
            "booking_data",
            "Not a valid booking_data object.",
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn well_typed_data_is_read() {
        let d = parse_booking_data(&json!({"email":"a@b.co","seat_selection":["1A"],
            "allow_automatic_seat_selection":true,"additional_fields":{"points_pickup":"h"},
            "passengers":[{"first_name":"J","is_child":false,"unknown":"x"}],"upgrades":{}}))
        .unwrap();
        assert_eq!(d.email.as_deref(), Some("a@b.co"));
        assert_eq!(d.passengers[0].first_name.as_deref(), Some("J"));
        assert_eq!(d.passengers[0].is_child, Some(false));
        assert_eq!(d.seat_selection, ["1A"]);
    }

    #[test]
    fn every_wrong_type_is_listed_by_path() {
        let e = parse_booking_data(&json!({"email":5,"seat_selection":["1A",2],
            "allow_automatic_seat_selection":"yes","additional_fields":{"x":1},
            "passengers":[{"first_name":"J","is_child":"no"},"bob"]}))
        .unwrap_err();
        let paths: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        for want in [
            "booking_data.email",
            "booking_data.seat_selection[1]",
            "booking_data.allow_automatic_seat_selection",
            "booking_data.additional_fields.x",
            "booking_data.passengers[0].is_child",
            "booking_data.passengers[1]",
        ] {
            assert!(paths.contains(&want), "{want} missing from {paths:?}");
        }
        assert_eq!(paths.len(), 6);
    }

    #[test]
    fn nulls_count_as_absent_and_non_objects_are_refused() {
        let d = parse_booking_data(&json!({"email":null,"passengers":[{"dob":null}]})).unwrap();
        assert_eq!(d.email, None);
        assert!(parse_booking_data(&json!([1])).is_err());
    }
}
