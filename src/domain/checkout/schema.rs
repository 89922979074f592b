//! Client `booking_schema` (20 §10.3) and enum translation (10.4).

use super::classify::{pax_field, ClassifiedField, ClassifiedForm, Family, PaxKind};
use super::model::SelectOption;
use super::price::{seat_addons, Quote};
use crate::domain::money::{format_amount, Money};
use serde_json::{json, Map, Value};

/// Option `value` → itself; `text`, then `value`, case-insensitively → the value;
/// anything else is passed through.
pub fn translate_enum(options: &[SelectOption], input: &str) -> String {
    if let Some(o) = options.iter().find(|o| o.value == input) {
        return o.value.clone();
    }
    let lower = input.to_lowercase();
    options
        .iter()
        .find(|o| o.text.to_lowercase() == lower)
        .or_else(|| options.iter().find(|o| o.value.to_lowercase() == lower))
        .map_or_else(|| input.to_string(), |o| o.value.clone())
}

fn x_price(m: &Money) -> Value {
    json!({"amount": format_amount(m.amount, &m.currency), "currency": m.currency.as_str()})
}

fn is_select(f: &ClassifiedField) -> bool {
    !f.field.options.is_empty()
}

/// The JSON Schema of one (non-seat) field.
pub fn field_schema(f: &ClassifiedField, kind: PaxKind) -> Value {
    if kind == PaxKind::Bool || f.field.kind == "checkbox" {
        return json!({"type": "boolean"});
    }
    let mut s = Map::new();
    s.insert("type".into(), json!("string"));
    if is_select(f) {
        // 12go repeats options across groups ("Popular", "All"): list each once.
        let mut seen = std::collections::HashSet::new();
        let any: Vec<Value> = f
            .field
            .options
            .iter()
            .filter(|o| seen.insert(o.value.as_str()))
            .map(|o| {
                let mut e = json!({"const": o.value, "title": o.text});
                if let Some(p) = &o.price {
                    e["x-price"] = x_price(p);
                }
                e
            })
            .collect();
        s.insert("anyOf".into(), Value::Array(any));
        return Value::Object(s);
    }
    if kind == PaxKind::Date || f.field.kind == "date" {
        s.insert("format".into(), json!("date"));
    }
    let pats: Vec<&String> = f
        .patterns
        .iter()
        .filter_map(|p| p.client_pattern.as_ref())
        .collect();
    match pats.as_slice() {
        [] => {}
        [one] => {
            s.insert("pattern".into(), json!(one));
        }
        many => {
            let all: Vec<Value> = many.iter().map(|p| json!({"pattern": p})).collect();
            s.insert("allOf".into(), Value::Array(all));
        }
    }
    Value::Object(s)
}

fn seat_schema(f: &ClassifiedField, pax: u32, quote: Option<&Quote>) -> Value {
    let seats = f
        .field
        .seatmap
        .as_ref()
        .map(|m| seat_addons(m, quote))
        .unwrap_or_default();
    if seats.is_empty() {
        return json!({"type": "array", "maxItems": 0, "items": {"type": "string"}});
    }
    let any: Vec<Value> = seats
        .iter()
        .map(|(id, p)| {
            let mut e = json!({"const": id});
            if let Some(p) = p {
                e["x-price"] = x_price(p);
            }
            e
        })
        .collect();
    json!({"type": "array", "maxItems": pax, "items": {"anyOf": any}})
}

fn object(props: Map<String, Value>, required: Vec<String>) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

/// The client `booking_schema` for `pax` passengers; seat `x-price`s are measured
/// against `quote` (20 §9) when given.
pub fn booking_schema(form: &ClassifiedForm, pax: u32, quote: Option<&Quote>) -> Value {
    let mut props = Map::new();
    let mut req = Vec::new();
    let mut pprops = Map::new();
    let mut preq: Vec<String> = Vec::new();
    let mut aprops = Map::new();
    let mut areq = Vec::new();
    for f in &form.fields {
        let required = f.field.required;
        match &f.family {
            Family::Email | Family::Mobile => {
                let name = if f.family == Family::Email {
                    "email"
                } else {
                    "mobile_phone"
                };
                props.insert(name.into(), field_schema(f, PaxKind::Text));
                if required {
                    req.push(name.to_string());
                }
            }
            Family::Seat => {
                props.insert("seat_selection".into(), seat_schema(f, pax, quote));
            }
            Family::AutoSeat => {
                props.insert(
                    "allow_automatic_seat_selection".into(),
                    json!({"type": "boolean"}),
                );
            }
            Family::Passenger(x) => {
                let Some((name, kind)) = pax_field(x) else {
                    continue;
                };
                pprops.insert(name.into(), field_schema(f, kind));
                if required && !preq.iter().any(|r| r == name) {
                    preq.push(name.to_string());
                }
            }
            Family::Baggage => {
                pprops.insert("baggage_option".into(), field_schema(f, PaxKind::Text));
                if required {
                    preq.push("baggage_option".into());
                }
            }
            Family::Additional { name, .. } => {
                aprops.insert(name.clone(), field_schema(f, PaxKind::Text));
                if required {
                    areq.push(name.clone());
                }
            }
            Family::Seats | Family::OtherPassenger | Family::Dropped => {}
        }
    }
    req.push("passengers".into());
    let items = object(pprops, preq);
    props.insert(
        "passengers".into(),
        json!({"type": "array", "minItems": pax, "maxItems": pax, "items": items}),
    );
    if !areq.is_empty() {
        req.push("additional_fields".into());
    }
    props.insert("additional_fields".into(), object(aprops, areq));
    object(props, req)
}

/// `extras.seat_map`: the normalized layout of the form's seat field.
pub fn seat_map(form: &ClassifiedForm) -> Option<Value> {
    let map = form.find(&Family::Seat)?.field.seatmap.as_ref()?;
    Some(json!({"rows": map.rows}))
}
