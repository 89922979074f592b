//! Money: exact decimals, formatted with the currency's ISO 4217 minor units.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 code, uppercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(String);

impl Currency {
    /// Uppercases 12go's `fxcode`.
    pub fn new(code: &str) -> Self {
        Self(code.trim().to_ascii_uppercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// ISO 4217 minor-unit digits; unknown currencies use 2.
    pub fn minor_units(&self) -> u32 {
        match self.0.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in one currency. Arithmetic is exact; rounding (half away from zero)
/// happens only when formatting. On the wire: `{"amount":"308.00","currency":"THB"}`.
#[derive(Debug, Clone, PartialEq, Eq, utoipa::ToSchema)]
pub struct Money {
    /// Always a string with the currency's minor-unit digits.
    #[schema(value_type = String, example = "308.00")]
    pub amount: Decimal,
    /// ISO 4217 code.
    #[schema(value_type = String, example = "THB")]
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// The wire string: exactly the currency's minor-unit digits, never negative.
    pub fn amount_string(&self) -> String {
        format_amount(self.amount, &self.currency)
    }
}

/// Formats `amount` with the minor-unit digits of `currency`, rounding half away
/// from zero; negative values are clamped to zero (amounts are non-negative on the wire).
pub fn format_amount(amount: Decimal, currency: &Currency) -> String {
    let dp = currency.minor_units();
    let mut rounded = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_sign_negative() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(dp);
    // Digits written by hand: `Decimal`'s `Display` went through a formatter and a
    // copy for each of the ~600 amounts of a large search answer.
    let (Ok(units), Some(scale)) = (
        u64::try_from(rounded.mantissa()),
        u8::try_from(dp).ok().filter(|s| *s < 19),
    ) else {
        return rounded.to_string();
    };
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = units;
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 && digits.len() - start > usize::from(scale) {
            break;
        }
    }
    let digits = &digits[start..];
    let (int, frac) = digits.split_at(digits.len() - usize::from(scale));
    let mut out = String::with_capacity(digits.len() + 1);
    out.extend(int.iter().map(|&b| char::from(b)));
    if !frac.is_empty() {
        out.push('.');
        out.extend(frac.iter().map(|&b| char::from(b)));
    }
    out
}

/// Parses a JSON number's text (or a numeric string) exactly, exponent forms included.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &self.amount_string())?;
        st.serialize_field("currency", self.currency.as_str())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn two_digit_currencies_are_padded() {
        assert_eq!(format_amount(d("308"), &Currency::new("thb")), "308.00");
        assert_eq!(format_amount(d("370.37"), &Currency::new("THB")), "370.37");
        assert_eq!(format_amount(d("0"), &Currency::new("USD")), "0.00");
    }

    #[test]
    fn rounding_is_half_away_from_zero_only_when_formatting() {
        assert_eq!(format_amount(d("1.005"), &Currency::new("USD")), "1.01");
        assert_eq!(format_amount(d("1.004"), &Currency::new("USD")), "1.00");
        assert_eq!(format_amount(d("2.5"), &Currency::new("JPY")), "3");
        // Exact sum first, then one rounding.
        assert_eq!(
            format_amount(d("0.005") + d("0.005"), &Currency::new("EUR")),
            "0.01"
        );
    }

    #[test]
    fn zero_decimal_currencies_have_no_fraction() {
        assert_eq!(format_amount(d("1500"), &Currency::new("JPY")), "1500");
        assert_eq!(
            format_amount(d("250000.4"), &Currency::new("VND")),
            "250000"
        );
        assert_eq!(format_amount(d("9.5"), &Currency::new("KRW")), "10");
    }

    #[test]
    fn three_digit_and_unknown_currencies() {
        assert_eq!(format_amount(d("1.2"), &Currency::new("KWD")), "1.200");
        assert_eq!(format_amount(d("1.2"), &Currency::new("XXQ")), "1.20");
    }

    #[test]
    fn negative_amounts_are_clamped() {
        assert_eq!(format_amount(d("-3.10"), &Currency::new("USD")), "0.00");
    }

    #[test]
    fn parses_exponents_and_rejects_garbage() {
        assert_eq!(d("1e2"), d("100"));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn money_serializes_amount_as_string() {
        let m = Money::new(d("62.37"), Currency::new("thb"));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"amount":"62.37","currency":"THB"}"#
        );
    }

    proptest::proptest! {
        #[test]
        fn amounts_are_written_as_decimal_displays_them(
            m in proptest::prelude::any::<i64>(),
            scale in 0u32..8,
            code in proptest::sample::select(vec!["THB", "JPY", "KWD", "XXX"]),
        ) {
            let currency = Currency::new(code);
            let amount = Decimal::new(m, scale);
            let mut expected = amount
                .round_dp_with_strategy(currency.minor_units(), RoundingStrategy::MidpointAwayFromZero);
            if expected.is_sign_negative() {
                expected = Decimal::ZERO;
            }
            expected.rescale(currency.minor_units());
            proptest::prop_assert_eq!(format_amount(amount, &currency), expected.to_string());
        }
    }
}
