//! Client `booking_data` → validation, reserve body (20 §11), and 12go field keys →
//! client paths (20 §12).

use super::classify::{
    classify_key, pax_field, split_key, ClassifiedField, ClassifiedForm, Family, PaxKind,
    PAX_FIELDS,
};
use super::schema::translate_enum;
use crate::domain::field_error::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The client `booking_data` (20 §4). `upgrades` has no 12go equivalent: WARN if set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub passengers: Vec<PassengerData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seat_selection: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_automatic_seat_selection: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub additional_fields: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrades: Option<Value>,
}

macro_rules! passenger {
    ($($f:ident),*) => {
        /// One passenger; field names are the client names of 10.2.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct PassengerData {
            $(#[serde(default, skip_serializing_if = "Option::is_none")] pub $f: Option<String>,)*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub is_child: Option<bool>,
        }
        impl PassengerData {
            /// A text field by client name (`nationality` falls back to `country_id`).
            pub fn get(&self, client: &str) -> Option<&str> {
                let v = match client {
                    $(stringify!($f) => self.$f.as_deref(),)*
                    _ => None,
                };
                match (client, v) {
                    ("nationality", None) => self.country_id.as_deref(),
                    _ => v,
                }
                .filter(|s| !s.trim().is_empty())
            }
        }
    };
}
passenger!(
    first_name,
    last_name,
    middle_name,
    title,
    gender,
    dob,
    id_number,
    id_type,
    id_expiry_date,
    id_issue_date,
    id_scan,
    nationality,
    country_id,
    seat_type_code,
    visa_type,
    visa_reason,
    residency,
    baggage_option
);

const REQUIRED: &str = "Required.";
const INVALID: &str = "Invalid format.";
const NOT_AN_OPTION: &str = "Not one of the allowed values.";

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

fn translated(f: Option<&ClassifiedField>, v: &str) -> String {
    f.map_or_else(|| v.to_string(), |f| translate_enum(&f.field.options, v))
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok()
}

/// Checks one text value against a field: required, patterns, date format.
fn check(
    f: Option<&ClassifiedField>,
    v: Option<&str>,
    date: bool,
    path: String,
    out: &mut Vec<FieldError>,
) {
    let Some(v) = v else {
        if f.is_some_and(|f| f.field.required) {
            out.push(FieldError::new(path, REQUIRED));
        }
        return;
    };
    let t = translated(f, v);
    // A select accepts only its options, after enum translation (20 §4 step 6).
    let not_an_option = f.is_some_and(|f| {
        !f.field.options.is_empty() && !f.field.options.iter().any(|o| o.value == t)
    });
    if not_an_option {
        out.push(FieldError::new(path, NOT_AN_OPTION));
        return;
    }
    let bad_pattern = f.is_some_and(|f| f.patterns.iter().any(|p| !p.is_match(&t)));
    if bad_pattern || (date && !is_date(&t)) {
        out.push(FieldError::new(path, INVALID));
    }
}

/// Validates `booking_data` for `pax` passengers; every failing field is returned.
pub fn validate(
    form: &ClassifiedForm,
    data: &BookingData,
    pax: usize,
) -> Result<(), Vec<FieldError>> {
    let mut out = Vec::new();
    let p = |s: &str| format!("booking_data.{s}");
    check(
        form.find(&Family::Email),
        present(&data.email),
        false,
        p("email"),
        &mut out,
    );
    check(
        form.find(&Family::Mobile),
        present(&data.mobile_phone),
        false,
        p("mobile_phone"),
        &mut out,
    );
    if data.passengers.len() != pax {
        out.push(FieldError::new(
            p("passengers"),
            format!("Expected {pax} passengers."),
        ));
    }
    for (i, pd) in data.passengers.iter().enumerate() {
        let mut seen: Vec<&str> = Vec::new();
        for (_, client, kind) in PAX_FIELDS {
            if *kind == PaxKind::Bool || seen.contains(client) {
                continue;
            }
            let f = PAX_FIELDS
                .iter()
                .filter(|(_, c, _)| c == client)
                .find_map(|(x, _, _)| form.passenger(x));
            if f.is_none() && pd.get(client).is_none() {
                continue;
            }
            seen.push(client);
            let path = p(&format!("passengers[{i}].{client}"));
            check(f, pd.get(client), *kind == PaxKind::Date, path, &mut out);
        }
        let bag = form.find(&Family::Baggage);
        if bag.is_some() || present(&pd.baggage_option).is_some() {
            let path = p(&format!("passengers[{i}].baggage_option"));
            if bag.is_none() {
                out.push(FieldError::new(path, "Not offered."));
            } else {
                check(bag, present(&pd.baggage_option), false, path, &mut out);
            }
        }
    }
    check_seats(form, data, pax, &mut out);
    for (name, f) in form.additional() {
        let path = p(&format!("additional_fields.{name}"));
        match data.additional_fields.get(name) {
            None | Some(Value::Null) => check(Some(f), None, false, path, &mut out),
            Some(Value::String(s)) => check(
                Some(f),
                Some(s.as_str()).filter(|s| !s.trim().is_empty()),
                false,
                path,
                &mut out,
            ),
            Some(_) => {}
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

fn check_seats(form: &ClassifiedForm, data: &BookingData, pax: usize, out: &mut Vec<FieldError>) {
    let path = "booking_data.seat_selection";
    let Some(f) = form.find(&Family::Seat) else {
        if !data.seat_selection.is_empty() {
            out.push(FieldError::new(path, "Seat selection is not offered."));
        }
        return;
    };
    if data.seat_selection.len() > pax {
        out.push(FieldError::new(path, format!("At most {pax} seats.")));
    }
    if data.seat_selection.is_empty()
        && f.field.required
        && data.allow_automatic_seat_selection != Some(true)
    {
        out.push(FieldError::new(path, REQUIRED));
    }
    let map = f.field.seatmap.as_ref();
    for (k, s) in data.seat_selection.iter().enumerate() {
        let free = map.is_some_and(|m| m.available().any(|x| &x.id == s));
        if !free || data.seat_selection[..k].contains(s) {
            out.push(FieldError::new(
                format!("{path}[{k}]"),
                "Seat is not available.",
            ));
        }
    }
}

const ALWAYS: &[&str] = &[
    "first_name",
    "last_name",
    "middle_name",
    "title",
    "gender",
    "dob",
    "id_no",
];
const IF_SUPPLIED: &[&str] = &[
    "seattype_code",
    "id_exp_date",
    "id_issue_date",
    "id_scan",
    "visa_type",
    "visa_reason",
];
const IF_OFFERED: &[&str] = &["residency", "nationality"];

/// The flat reserve body (20 §11). Call after [`validate`].
pub fn reserve_body(form: &ClassifiedForm, data: &BookingData) -> Map<String, Value> {
    let mut b = Map::new();
    if let Some(v) = present(&data.mobile_phone) {
        b.insert("contact[mobile]".into(), v.into());
    }
    if let Some(v) = present(&data.email) {
        b.insert("contact[email]".into(), v.into());
    }
    b.insert("seats".into(), data.passengers.len().into());
    let bag = form.find(&Family::Baggage);
    for (i, pd) in data.passengers.iter().enumerate() {
        let mut put = |x: &str, v: &str| {
            let t = translated(form.passenger(x), v);
            b.insert(format!("passenger[{i}][{x}]"), t.into());
        };
        for x in ALWAYS.iter().chain(IF_SUPPLIED).chain(IF_OFFERED) {
            if IF_OFFERED.contains(x) && form.passenger(x).is_none() {
                continue;
            }
            let client = pax_field(x).map_or(*x, |(c, _)| c);
            if let Some(v) = pd.get(client) {
                put(x, v);
            }
        }
        put("id_type", pd.get("id_type").unwrap_or("0"));
        if let Some(v) = pd.get("nationality") {
            put("country_id", v);
        }
        b.insert(
            format!("passenger[{i}][is_child]"),
            pd.is_child.unwrap_or(false).into(),
        );
        if let (Some(f), Some(v)) = (bag, present(&pd.baggage_option)) {
            let key = f
                .field
                .key
                .replacen("passenger[0]", &format!("passenger[{i}]"), 1);
            b.insert(key, translate_enum(&f.field.options, v).into());
        }
    }
    if let Some(f) = form.find(&Family::Seat) {
        if !data.seat_selection.is_empty() {
            b.insert(f.field.key.clone(), data.seat_selection.join(",").into());
        }
    }
    if let (Some(f), Some(v)) = (
        form.find(&Family::AutoSeat),
        data.allow_automatic_seat_selection,
    ) {
        b.insert(f.field.key.clone(), v.into());
    }
    for (name, f) in form.additional() {
        match data.additional_fields.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                b.insert(
                    f.field.key.clone(),
                    translate_enum(&f.field.options, s).into(),
                );
            }
            Some(v) => {
                b.insert(f.field.key.clone(), v.clone());
            }
        }
    }
    b
}

/// The client path of a 12go field key (20 §12); the raw key when nothing matches.
pub fn client_field(form: &ClassifiedForm, key: &str) -> String {
    let p = |s: &str| format!("booking_data.{s}");
    let family = form.by_key(key).map(|f| f.family.clone());
    match family.unwrap_or_else(|| classify_key(key, false)) {
        Family::Email => return p("email"),
        Family::Mobile => return p("mobile_phone"),
        Family::Seats => return p("passengers"),
        Family::Seat => return p("seat_selection"),
        Family::AutoSeat => return p("allow_automatic_seat_selection"),
        Family::Additional { name, .. } => return p(&format!("additional_fields.{name}")),
        _ => {}
    }
    if let Some(("passenger", segs)) = split_key(key) {
        if let (Some(i), Some(x)) = (
            segs.first().and_then(|s| s.parse::<u32>().ok()),
            segs.get(1),
        ) {
            if segs.len() == 2 {
                if let Some((client, _)) = pax_field(x) {
                    return p(&format!("passengers[{i}].{client}"));
                }
            }
            if key.contains("[baggage_") {
                return p(&format!("passengers[{i}].baggage_option"));
            }
            let template = key.replacen(&format!("passenger[{i}]"), "passenger[0]", 1);
            if let Some(Family::Additional { name, .. }) = form.by_key(&template).map(|f| &f.family)
            {
                return p(&format!("additional_fields.{name}"));
            }
        }
    }
    key.to_string()
}

/// 12go's rejected field keys → client field errors, each with our own message.
pub fn map_field_errors<'a>(
    form: &ClassifiedForm,
    keys: impl IntoIterator<Item = &'a str>,
) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::new();
    for k in keys {
        let e = FieldError::new(client_field(form, k), "Rejected by the operator.");
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The field keys of a 12go R error body: `fields` as an object (keys) or a list.
pub fn error_field_keys(body: &Value) -> Vec<String> {
    match body.get("fields") {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => ["name", "field", "key"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_string)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
