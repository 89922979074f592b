//! Money: exact decimals, formatted with the currency's ISO 4217 minor units.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 code, uppercased. Codes of up to [`INLINE`] bytes (every real one)
/// are kept inline: a search answer carries several per option, and each was an
/// allocation and a copy.
#[derive(Clone)]
pub struct Currency(Repr);

const INLINE: usize = 8;

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Currency {
    /// Uppercases 12go's `fxcode`.
    pub fn new(code: &str) -> Self {
        let code = code.trim();
        match u8::try_from(code.len()) {
            Ok(len) if code.len() <= INLINE => {
                let mut bytes = [0u8; INLINE];
                bytes[..code.len()].copy_from_slice(code.as_bytes());
                bytes.make_ascii_uppercase();
                Self(Repr::Inline { len, bytes })
            }
            _ => Self(Repr::Heap(code.to_ascii_uppercase().into_boxed_str())),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Whole UTF-8 text with only ASCII letters changed: always valid.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Heap(s) => s,
        }
    }

    /// ISO 4217 minor-unit digits; unknown currencies use 2.
    pub fn minor_units(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::new("")
    }
}

impl From<&str> for Currency {
    fn from(code: &str) -> Self {
        Self::new(code)
    }
}

// Equality, order and hash are the code's text's, whichever way it is stored.
impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Currency {}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Currency {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Currency").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From a string (12go's `fxcode`), normalised as [`Currency::new`] does.
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a currency code")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Currency, E> {
                Ok(Currency::new(v))
            }
        }
        d.deserialize_str(V)
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
    let mut out = String::with_capacity(16);
    push_amount(&mut out, amount, currency);
    out
}

/// Appends what [`format_amount`] returns (the JSON writer reuses one buffer).
pub fn push_amount(out: &mut String, amount: Decimal, currency: &Currency) {
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
        out.push_str(&rounded.to_string());
        return;
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
    out.extend(int.iter().map(|&b| char::from(b)));
    if !frac.is_empty() {
        out.push('.');
        out.extend(frac.iter().map(|&b| char::from(b)));
    }
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
    fn currency_codes_are_trimmed_uppercased_and_compare_by_text_however_stored() {
        let short = Currency::new(" thb ");
        assert_eq!(
            (short.as_str(), short.to_string()),
            ("THB", "THB".to_owned())
        );
        assert!(matches!(short.0, Repr::Inline { len: 3, .. }));
        let long = Currency::new("not-a-real-code");
        assert_eq!(long.as_str(), "NOT-A-REAL-CODE");
        assert!(matches!(long.0, Repr::Heap(_)));
        assert_eq!(Currency::new("é€ab").as_str(), "é€AB");
        assert_eq!(Currency::default().as_str(), "");
        assert_eq!(Currency::new("usd"), Currency::from("USD"));
        assert!(Currency::new("EUR") < Currency::new("NOT-A-REAL-CODE"));
        assert!(Currency::new("ZZZ") > Currency::new("NOT-A-REAL-CODE"));
        assert_eq!(format!("{short:?}"), r#"Currency("THB")"#);
        assert_eq!(serde_json::to_string(&short).unwrap(), r#""THB""#);
        let parsed: Currency = serde_json::from_str(r#"" jpy""#).unwrap();
        assert_eq!((parsed.as_str(), parsed.minor_units()), ("JPY", 0));
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
