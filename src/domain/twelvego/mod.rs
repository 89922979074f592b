//! The 12go search answer (U1) as typed data: only the fields the translation uses.
//! Unknown fields are ignored; ids accept a number or a numeric string; money values
//! are read from the JSON text as exact decimals. The sandbox serializes the same
//! types, so the wire format has one definition.

pub mod booking;
pub mod de;
pub mod refund;
pub mod text;

pub use booking::BookingAnswer;
pub use refund::{RefundAnswer, RefundOptions, RefundRequest};
pub use text::Text;

use crate::domain::money::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use yoke::{Yoke, Yokeable};

/// `GET /search/...` answer. Its strings borrow from the body where they can
/// ([`Text`]); [`SearchBody`] keeps the two together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Yokeable)]
pub struct SearchAnswer<'a> {
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub trips: Vec<Trip<'a>>,
    #[serde(default, borrow, deserialize_with = "de::lenient_map")]
    pub operators: BTreeMap<Text<'a>, OperatorInfo>,
    #[serde(default, borrow, deserialize_with = "de::lenient_map")]
    pub stations: BTreeMap<Text<'a>, StationInfo>,
    #[serde(default, borrow, deserialize_with = "de::lenient_map")]
    pub classes: BTreeMap<Text<'a>, ClassInfo<'a>>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub recheck: Vec<Text<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trip<'a> {
    #[serde(borrow, deserialize_with = "de::string_or_number")]
    pub id: Text<'a>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub params: TripParams<'a>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub segments: Vec<Segment<'a>>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub travel_options: Vec<TravelOption<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TripParams<'a> {
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub hide: bool,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub vehclasses: Vec<Text<'a>>,
    /// Seats bookable on the trip (T answers).
    #[serde(
        default,
        deserialize_with = "de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub bookable: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Segment<'a> {
    /// `route` or `wait`.
    #[serde(
        rename = "type",
        default,
        borrow,
        deserialize_with = "de::null_default"
    )]
    pub kind: Text<'a>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub from: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub to: Option<i64>,
    #[serde(default, borrow)]
    pub dep_time: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub arr_time: Option<Text<'a>>,
    /// Minutes.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub duration: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub class: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub operator: Option<i64>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub vehclasses: Vec<Text<'a>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub connection_guaranteed: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TravelOption<'a> {
    #[serde(default, borrow, deserialize_with = "de::string_or_number")]
    pub id: Text<'a>,
    /// Seats available.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub bookable: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub class: Option<i64>,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub netprice: Option<Price>,
    #[serde(default)]
    pub agfee: Option<Price>,
    #[serde(default)]
    pub sysfee: Option<Price>,
    #[serde(default, borrow, deserialize_with = "de::null_default")]
    pub amenities: Vec<Text<'a>>,
    #[serde(default, borrow)]
    pub ticket_type: Option<Text<'a>>,
    /// Minutes; 0 or null means instant confirmation.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub confirmation_time: Option<i64>,
    #[serde(default, borrow)]
    pub full_refund_until: Option<Text<'a>>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub price_restriction: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub is_bookable: Option<i64>,
    #[serde(default, borrow)]
    pub dep_datetime: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub arr_datetime: Option<Text<'a>>,
}

/// `{"value": 507, "fxcode": "THB"}`; `value` may be null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Price {
    #[serde(
        default,
        deserialize_with = "de::opt_decimal",
        serialize_with = "de::ser_opt_decimal"
    )]
    pub value: Option<Decimal>,
    /// Normalised as it is read (an inline code, no allocation).
    #[serde(default, deserialize_with = "de::null_default")]
    pub fxcode: Currency,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassInfo<'a> {
    #[serde(default, deserialize_with = "de::opt_id")]
    pub id: Option<i64>,
    #[serde(default, borrow)]
    pub name: Option<Text<'a>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub is_multi_pax: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OperatorInfo {
    #[serde(default, deserialize_with = "de::opt_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StationInfo {
    #[serde(default, deserialize_with = "de::opt_id")]
    pub station_id: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub province_id: Option<i64>,
    #[serde(default)]
    pub station_name: Option<String>,
    #[serde(default)]
    pub station_name_full: Option<String>,
    #[serde(default)]
    pub station_code: Option<String>,
    #[serde(default)]
    pub station_slug: Option<String>,
    #[serde(
        default,
        deserialize_with = "de::opt_decimal",
        serialize_with = "de::ser_opt_decimal"
    )]
    pub station_lat: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "de::opt_decimal",
        serialize_with = "de::ser_opt_decimal"
    )]
    pub station_lng: Option<Decimal>,
}

impl<'a> SearchAnswer<'a> {
    /// Parses a 12go body. `Err` means the body is not a usable search answer.
    pub fn from_slice(body: &'a [u8]) -> Result<Self, serde_json::Error> {
        // One UTF-8 check of the whole body, then the `str` reader, which does not
        // validate every string again: in the profile of a 140-trip answer the
        // per-string checks of `from_slice` were an eighth of the parse. A body that
        // is not UTF-8 goes through `from_slice` as before (same result, same error).
        match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        }
    }
}

/// A parsed search answer together with the body its strings borrow from, so a
/// port can hand it over without copying every string out of the body.
pub struct SearchBody(Yoke<SearchAnswer<'static>, Option<Vec<u8>>>);

impl SearchBody {
    /// Parses a 12go body (see [`SearchAnswer::from_slice`]).
    pub fn parse(body: Vec<u8>) -> Result<Self, serde_json::Error> {
        Yoke::try_attach_to_cart(body, |b: &[u8]| SearchAnswer::from_slice(b))
            .map(|y| Self(y.wrap_cart_in_option()))
    }

    pub fn get(&self) -> &SearchAnswer<'_> {
        self.0.get()
    }
}

/// An answer built in memory (the sandbox, tests).
impl From<SearchAnswer<'static>> for SearchBody {
    fn from(answer: SearchAnswer<'static>) -> Self {
        Self(Yoke::new_owned(answer))
    }
}

impl fmt::Debug for SearchBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

impl PartialEq for SearchBody {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const SPEC_EXAMPLE: &str = include_str!("../../../tests/fixtures/12go/spec-example.json");

    #[test]
    fn parses_the_spec_example_exactly() {
        let a = SearchAnswer::from_slice(SPEC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(a.trips.len(), 1);
        let o = &a.trips[0].travel_options[0];
        assert_eq!(
            o.price.as_ref().unwrap().value,
            Some(Decimal::from_str("370.37").unwrap())
        );
        assert_eq!(
            o.netprice.as_ref().unwrap().value.unwrap().to_string(),
            "308.00"
        );
        assert_eq!(a.stations["4"].station_id, Some(4));
        assert_eq!(a.classes["16"].name.as_deref(), Some("Class 3 Fan"));
        assert_eq!(a.trips[0].segments[0].from, Some(3));
    }

    #[test]
    fn a_search_body_borrows_its_strings_and_equals_the_same_answer_built_in_memory() {
        let body = SearchBody::parse(SPEC_EXAMPLE.as_bytes().to_vec()).unwrap();
        let a = body.get();
        assert!(a.trips[0].id.is_borrowed());
        assert!(a.trips[0].segments[0].kind.is_borrowed());
        let owned: SearchAnswer<'static> = SearchAnswer {
            trips: a
                .trips
                .iter()
                .map(|t| Trip {
                    id: t.id.clone().into_owned(),
                    params: TripParams {
                        hide: t.params.hide,
                        vehclasses: t
                            .params
                            .vehclasses
                            .iter()
                            .cloned()
                            .map(Text::into_owned)
                            .collect(),
                        bookable: t.params.bookable,
                    },
                    segments: Vec::new(),
                    travel_options: Vec::new(),
                })
                .collect(),
            ..SearchAnswer::default()
        };
        let rebuilt = SearchBody::from(owned);
        assert!(!rebuilt.get().trips[0].id.is_borrowed());
        assert_eq!(rebuilt.get().trips[0].id, a.trips[0].id);
        assert_ne!(rebuilt, body, "segments and options were left out");
        assert_eq!(
            SearchBody::parse(SPEC_EXAMPLE.as_bytes().to_vec()).unwrap(),
            body
        );
        assert!(SearchBody::parse(b"{\"trips\":5}".to_vec()).is_err());
    }

    #[test]
    fn escaped_strings_are_owned_and_unescaped() {
        let a = SearchAnswer::from_slice(
            br#"{"trips":[{"id":"A\/B","segments":[{"type":"rou\u0074e","dep_time":"2026-04-05 10:00:00"}]}]}"#,
        )
        .unwrap();
        assert_eq!(a.trips[0].id, "A/B");
        assert!(!a.trips[0].id.is_borrowed());
        assert_eq!(a.trips[0].segments[0].kind, "route");
        assert!(a.trips[0].segments[0]
            .dep_time
            .as_ref()
            .unwrap()
            .is_borrowed());
    }

    #[test]
    fn php_empty_arrays_stand_for_empty_maps_and_nulls_for_lists() {
        let a = SearchAnswer::from_slice(
            br#"{"trips":null,"operators":[],"stations":[],"classes":{},"recheck":null}"#,
        )
        .unwrap();
        assert_eq!(a, SearchAnswer::default());
    }

    #[test]
    fn ids_as_strings_and_bools_as_ints() {
        let a = SearchAnswer::from_slice(
            br#"{"trips":[{"id":"X","params":{"hide":1},"segments":[{"type":"route","from":"12","to":13,"class":"7","operator":"9","connection_guaranteed":0}],"travel_options":[{"id":"X","bookable":"4","price":{"value":"12.5","fxcode":"usd"},"netprice":{"value":null,"fxcode":"USD"}}]}]}"#,
        )
        .unwrap();
        let t = &a.trips[0];
        assert!(t.params.hide);
        assert_eq!(t.segments[0].from, Some(12));
        assert_eq!(t.segments[0].connection_guaranteed, Some(false));
        assert_eq!(t.travel_options[0].bookable, Some(4));
        assert_eq!(
            t.travel_options[0]
                .price
                .as_ref()
                .unwrap()
                .value
                .unwrap()
                .to_string(),
            "12.5"
        );
        assert_eq!(t.travel_options[0].netprice.as_ref().unwrap().value, None);
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"{\"trips\":5}",
            b"{\"trips\":[{}]}",
            b"nul",
            b"{\"trips\":[{\"id\":[]}]}",
        ] {
            assert!(SearchAnswer::from_slice(bad).is_err());
        }
    }

    #[test]
    fn a_bare_php_empty_array_is_an_empty_answer() {
        assert_eq!(
            SearchAnswer::from_slice(b"[]").unwrap(),
            SearchAnswer::default()
        );
    }

    #[test]
    fn serializes_money_values_as_json_numbers() {
        let p = Price {
            value: Some(Decimal::from_str("370.37").unwrap()),
            fxcode: "THB".into(),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"value":370.37,"fxcode":"THB"}"#
        );
    }
}
