//! The 12go booking details answer (B, 30 §6): only the fields the Booking object uses.

use serde::{Deserialize, Serialize};

use super::{de, Price};

/// `GET /booking/{bid}` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingAnswer {
    #[serde(deserialize_with = "de::string_or_number")]
    pub bid: String,
    #[serde(default)]
    pub tracker: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub from_id: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub to_id: Option<i64>,
    /// Local, format unspecified: parsed leniently.
    #[serde(default)]
    pub dep_date_time: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub seats: Option<i64>,
    /// Empty until the ticket is ready.
    #[serde(default)]
    pub ticket_url: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub created_on: Option<i64>,
    /// Unix seconds of the last change; 0 when never changed.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub stamp: Option<i64>,
    #[serde(default)]
    pub price: Option<Price>,
    /// Filled only for accounts with `api_pass_netprice_sysfee`.
    #[serde(default)]
    pub netprice: Option<Price>,
}

impl BookingAnswer {
    /// Parses a 12go body. `Err` means the body is not a usable booking answer.
    pub fn from_slice(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example() {
        let b = BookingAnswer::from_slice(br#"{"bid":87654321,"tracker":"TRK-7QX2","status":"confirmed","from_id":1234,"to_id":"5678",
 "dep_date_time":"2026-05-01 08:30:00","seats":2,"ticket_url":"https://x/t.pdf",
 "created_on":1775001600,"stamp":1775005200,"price":{"value":1250.00,"fxcode":"THB"},
 "netprice":{"value":1100.00,"fxcode":"THB"},"seller_price":{"fxcode":"THB","netprice":1000.00}}"#).unwrap();
        assert_eq!(b.bid, "87654321");
        assert_eq!(b.to_id, Some(5678));
        assert_eq!(b.netprice.unwrap().value.unwrap().to_string(), "1100.00");
        assert_eq!(b.stamp, Some(1775005200));
    }

    #[test]
    fn a_body_without_bid_is_an_error() {
        assert!(BookingAnswer::from_slice(br#"{"status":"confirmed"}"#).is_err());
        assert!(BookingAnswer::from_slice(b"[]").is_err());
    }
}
