//! 12go refund options (O) and refund (F), 30 §6. `refund_amount` keeps its exact
//! JSON text: F must echo it byte for byte, never through a float.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use super::de;

/// `GET /booking/{bid}/refund-options` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundOptions {
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub available: Option<bool>,
    #[serde(default, deserialize_with = "de::null_default")]
    pub options: Vec<RefundOption>,
}

/// One way to cancel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundOption {
    pub refund_amount: Amount,
    #[serde(default, deserialize_with = "de::null_default")]
    pub refund_fxcode: String,
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub expires: Option<bool>,
    #[serde(default)]
    pub expires_after: Option<String>,
    /// Missing counts as `true`.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub available: Option<bool>,
    #[serde(default)]
    pub available_since: Option<String>,
    /// Needed by F.
    #[serde(default, deserialize_with = "de::null_default")]
    pub hash: String,
}

/// A JSON number (or numeric string) read as an exact decimal, with its raw text kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    /// The JSON text exactly as 12go sent it (`825.00`, `"825.00"`).
    pub raw: String,
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(d)?;
        let text = raw.get().trim();
        let number = text.trim_matches('"');
        let value = crate::domain::money::parse_decimal(number)
            .ok_or_else(|| D::Error::custom("refund_amount is not a decimal"))?;
        Ok(Self {
            value,
            raw: text.to_string(),
        })
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match RawValue::from_string(self.raw.clone()) {
            Ok(raw) => raw.serialize(s),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}

/// The F body: `{"hash","refund_fxcode","refund_amount"}` with the amount's raw text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundRequest {
    pub hash: String,
    pub refund_fxcode: String,
    pub refund_amount: Amount,
}

/// `POST /booking/{bid}/refund` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundAnswer {
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub delay_minutes: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refund_amount_is_echoed_byte_for_byte() {
        let o: RefundOptions = serde_json::from_str(
            r#"{"available":true,"options":[{"refund_amount":825.10,"refund_fxcode":"THB","expires":true,
            "expires_after":"2026-04-29 08:30:00","available":true,"hash":"c0ffee01"},
            {"refund_amount":"0.1000000000000000055511151231257827","refund_fxcode":"USD","hash":"h2"}]}"#,
        )
        .unwrap();
        let a = &o.options[0];
        assert_eq!(a.refund_amount.value.to_string(), "825.10");
        let body = serde_json::to_string(&RefundRequest {
            hash: a.hash.clone(),
            refund_fxcode: a.refund_fxcode.clone(),
            refund_amount: a.refund_amount.clone(),
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"hash":"c0ffee01","refund_fxcode":"THB","refund_amount":825.10}"#
        );
        assert_eq!(
            o.options[1].refund_amount.raw,
            r#""0.1000000000000000055511151231257827""#
        );
        assert_eq!(o.options[1].available, None);
    }

    #[test]
    fn a_non_numeric_amount_is_an_error() {
        assert!(
            serde_json::from_str::<RefundOption>(r#"{"refund_amount":"abc","hash":"h"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<RefundOption>(r#"{"refund_amount":null,"hash":"h"}"#).is_err()
        );
    }

    #[test]
    fn the_refund_answer_is_read_leniently() {
        let a: RefundAnswer =
            serde_json::from_str(r#"{"success":1,"delay_minutes":"5","message":"ok"}"#).unwrap();
        assert!(a.success);
        assert_eq!(a.delay_minutes, Some(5));
    }
}
