//! The 12go checkout form (S) as typed data. Parsing is lenient: an entry that does
//! not have the expected shape keeps what can be read (at least `required`).

use crate::domain::money::{Currency, Money};
use crate::domain::twelvego::de;
use serde::de::Deserializer;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The whole form, entries sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckoutForm {
    pub fields: Vec<CheckoutField>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckoutField {
    pub key: String,
    /// `input`, `select`, `checkbox`, `date`, … (empty when absent).
    pub kind: String,
    pub required: bool,
    pub title: Option<String>,
    /// Raw PCRE patterns, delimiters included.
    pub regexp: Vec<String>,
    /// Flattened options (nested `values` expanded, `value: null` skipped).
    pub options: Vec<SelectOption>,
    pub seatmap: Option<SeatMap>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub value: String,
    pub text: String,
    pub price: Option<Money>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeatMap {
    /// Every seat of the map, sorted by id.
    pub seats: Vec<Seat>,
    /// Normalized layout: rows of seat ids or gaps.
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub id: String,
    /// `is_available` and not in `booked`.
    pub available: bool,
    pub price: Option<Money>,
    pub price_diff: Option<Money>,
}

/// The checkout answer is not a JSON object (or `[]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("12go checkout answer is not a form object")]
pub struct CheckoutParseError;

impl CheckoutForm {
    pub fn get(&self, key: &str) -> Option<&CheckoutField> {
        self.fields.iter().find(|f| f.key == key)
    }
}

impl SeatMap {
    pub fn available(&self) -> impl Iterator<Item = &Seat> {
        self.seats.iter().filter(|s| s.available)
    }
}

/// Parses the S answer from its JSON text.
pub fn parse_checkout(body: &str) -> Result<CheckoutForm, CheckoutParseError> {
    #[derive(Deserialize)]
    struct Top(#[serde(deserialize_with = "de::lenient_map")] BTreeMap<String, Box<RawValue>>);
    let Top(map) = serde_json::from_str(body).map_err(|_| CheckoutParseError)?;
    let fields = map
        .into_iter()
        .map(|(key, raw)| parse_field(key, raw.get()))
        .collect();
    Ok(CheckoutForm { fields })
}

fn parse_field(key: String, text: &str) -> CheckoutField {
    match serde_json::from_str::<RawField>(text) {
        Ok(r) => r.into_field(key),
        Err(_) => {
            #[derive(Deserialize)]
            struct Min {
                #[serde(default, deserialize_with = "de::lenient_bool")]
                required: bool,
            }
            let required = serde_json::from_str::<Min>(text)
                .map(|m| m.required)
                .unwrap_or(false);
            CheckoutField {
                key,
                required,
                ..CheckoutField::default()
            }
        }
    }
}

#[derive(Deserialize)]
struct RawField {
    #[serde(rename = "type", default, deserialize_with = "opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "de::lenient_bool")]
    required: bool,
    #[serde(default, deserialize_with = "opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    regexp: Vec<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    options: Vec<RawOption>,
    #[serde(default, deserialize_with = "lenient_opt")]
    data: Option<RawData>,
}

#[derive(Deserialize)]
struct RawOption {
    #[serde(default, deserialize_with = "opt_string")]
    value: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    values: Vec<RawOption>,
    #[serde(default, deserialize_with = "lenient_opt")]
    data: Option<RawOptionData>,
}

#[derive(Deserialize)]
struct RawOptionData {
    #[serde(default, deserialize_with = "lenient_opt")]
    price: Option<RawPrice>,
}

#[derive(Deserialize)]
struct RawPrice {
    #[serde(default, deserialize_with = "de::opt_decimal")]
    value: Option<rust_decimal::Decimal>,
    #[serde(default, deserialize_with = "opt_string")]
    fxcode: Option<String>,
}

#[derive(Deserialize)]
struct RawData {
    #[serde(default, deserialize_with = "lenient_opt")]
    seatmap: Option<RawSeatMap>,
}

#[derive(Deserialize)]
struct RawSeatMap {
    #[serde(default, deserialize_with = "de::lenient_map")]
    seats: BTreeMap<String, RawSeat>,
    #[serde(default)]
    layouts: Option<Value>,
    #[serde(default)]
    booked: Option<Value>,
}

#[derive(Deserialize)]
struct RawSeat {
    #[serde(default, deserialize_with = "de::lenient_bool")]
    is_available: bool,
    #[serde(default, deserialize_with = "lenient_opt")]
    price: Option<RawPrice>,
    #[serde(default, deserialize_with = "lenient_opt")]
    price_diff: Option<RawPrice>,
}

impl RawPrice {
    fn money(&self) -> Option<Money> {
        let code = self.fxcode.as_deref().filter(|c| !c.trim().is_empty())?;
        Some(Money::new(self.value?, Currency::new(code)))
    }
}

impl RawField {
    fn into_field(self, key: String) -> CheckoutField {
        let mut options = Vec::new();
        flatten_options(self.options, &mut options);
        let seatmap = self.data.and_then(|d| d.seatmap).map(RawSeatMap::normalize);
        CheckoutField {
            key,
            kind: self.kind.unwrap_or_default().to_ascii_lowercase(),
            required: self.required,
            title: self.title,
            regexp: self.regexp,
            options,
            seatmap,
        }
    }
}

fn flatten_options(raw: Vec<RawOption>, out: &mut Vec<SelectOption>) {
    for o in raw {
        let price = o.data.and_then(|d| d.price).and_then(|p| p.money());
        if let Some(value) = o.value {
            let text = o.text.unwrap_or_else(|| value.clone());
            out.push(SelectOption { value, text, price });
        }
        flatten_options(o.values, out);
    }
}

impl RawSeatMap {
    fn normalize(self) -> SeatMap {
        let booked: BTreeSet<String> = match self.booked {
            Some(Value::Object(m)) => m
                .into_iter()
                .filter(|(_, v)| !matches!(v, Value::Bool(false) | Value::Null))
                .map(|(k, _)| k)
                .collect(),
            Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
            _ => BTreeSet::new(),
        };
        let seats = self
            .seats
            .into_iter()
            .map(|(id, s)| Seat {
                available: s.is_available && !booked.contains(&id),
                price: s.price.and_then(|p| p.money()),
                price_diff: s.price_diff.and_then(|p| p.money()),
                id,
            })
            .collect();
        let mut rows = Vec::new();
        if let Some(l) = &self.layouts {
            collect_rows(l, &mut rows, 0);
        }
        SeatMap { seats, rows }
    }
}

/// A row is an array (or object) of scalars; a row of sides is concatenated.
fn collect_rows(v: &Value, out: &mut Vec<Vec<Option<String>>>, depth: u32) {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => m.values().collect(),
        _ => return,
    };
    if depth > 16 {
        return;
    }
    let is_leaf = |x: &&Value| !matches!(x, Value::Array(_) | Value::Object(_));
    if items.iter().all(is_leaf) {
        out.push(items.iter().map(|x| scalar(x)).collect());
    } else if items.iter().all(|x| is_row_of_leaves(x)) && items.len() > 1 && depth >= 2 {
        // row → side → seats
        out.push(items.iter().flat_map(|x| leaves(x)).collect());
    } else {
        for x in items {
            collect_rows(x, out, depth + 1);
        }
    }
}

fn is_row_of_leaves(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().all(|x| !x.is_array() && !x.is_object()),
        Value::Object(m) => m.values().all(|x| !x.is_array() && !x.is_object()),
        _ => false,
    }
}

fn leaves(v: &Value) -> Vec<Option<String>> {
    match v {
        Value::Array(a) => a.iter().map(scalar).collect(),
        Value::Object(m) => m.values().map(scalar).collect(),
        _ => Vec::new(),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string, a number written as text, or `None` for null/anything else.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// `Some` only when the value has the expected shape; anything else is `None`.
fn lenient_opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    Ok(raw.and_then(|r| serde_json::from_str(r.get()).ok()))
}

/// One string or a list of strings; anything else is empty.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => vec![s],
        Value::Array(a) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    })
}

/// A list, an object (its values in order) or null; malformed items are skipped.
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let items: Vec<Box<RawValue>> = serde_json::from_str(raw.get())
        .or_else(|_| serde_json::from_str::<ordered::Ordered>(raw.get()).map(|o| o.0))
        .unwrap_or_default();
    Ok(items
        .iter()
        .filter_map(|r| serde_json::from_str(r.get()).ok())
        .collect())
}

mod ordered {
    //! Object values in document order, without a map type.
    use serde::de::{Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;
    use std::fmt;

    pub struct Ordered(pub Vec<Box<RawValue>>);

    impl<'de> serde::Deserialize<'de> for Ordered {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Ordered;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                    let mut out = Vec::new();
                    while let Some((_, v)) =
                        m.next_entry::<serde::de::IgnoredAny, Box<RawValue>>()?
                    {
                        out.push(v);
                    }
                    Ok(Ordered(out))
                }
            }
            d.deserialize_map(V)
        }
    }
}
