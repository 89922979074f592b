//! Lenient deserializers for 12go's PHP-generated JSON: ids as numbers or strings,
//! booleans as 0/1, `[]` for an empty object, `null` for an empty list, and money
//! values read from their JSON text so no `f64` ever touches them.

use crate::domain::money::parse_decimal;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// `null` becomes `T::default()`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An object keyed by id; PHP's `[]` (or `null`) for an empty one; a list is keyed by position.
pub fn lenient_map<'de, D, K, T>(d: D) -> Result<BTreeMap<K, T>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + From<String>,
    T: Deserialize<'de>,
{
    struct V<K, T>(PhantomData<(K, T)>);
    impl<'de, K, T> Visitor<'de> for V<K, T>
    where
        K: Deserialize<'de> + Ord + From<String>,
        T: Deserialize<'de>,
    {
        type Value = BTreeMap<K, T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object or an array")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = m.next_entry::<K, T>()? {
                out.insert(k, v);
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            let mut i = 0usize;
            while let Some(v) = s.next_element::<T>()? {
                out.insert(K::from(i.to_string()), v);
                i += 1;
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// An integer id from a JSON number or a numeric string; `null` or `""` is `None`.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer or a numeric string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v).map(Some).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Only integral values are ids (12go sometimes writes 83.0).
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(Some(v as i64))
            } else {
                Err(E::custom("not an integer"))
            }
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(i64::from(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>().map(Some).map_err(E::custom)
        }
    }
    d.deserialize_any(V)
}

/// A string id that 12go may also write as a number (into a `String` or a
/// borrowed [`Text`](super::Text)).
pub fn string_or_number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<&'de str> + From<String>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: From<&'de str> + From<String>> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<T, E> {
            Ok(T::from(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v.to_string()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::from(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok(T::from(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Ok(T::from(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::from(String::new()))
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// `true`/`false`, `0`/`1`, `"0"`/`"1"`/`"true"`; `null` is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(matches!(v.trim(), "1" | "true" | "TRUE" | "True")))
        }
    }
    d.deserialize_any(V)
}

/// Like [`opt_bool`], with `null` meaning `false`.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// An exact decimal from the JSON text of a number or numeric string. Anything else
/// (an object, a word) is `None`, which the translation treats like a null price.
/// The text is borrowed from the body (a search answer has ~600 of them), so these
/// types are read from bytes or text (`from_slice`, `from_str`), not `from_value`.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<&'de RawValue>::deserialize(d)?;
    Ok(raw.and_then(|r| {
        let text = r.get().trim();
        let inner = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        parse_decimal(inner)
    }))
}

/// Writes a decimal as a JSON number with its exact digits (sandbox output).
pub fn ser_opt_decimal<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(d) => {
            let raw = RawValue::from_string(d.to_string()).map_err(serde::ser::Error::custom)?;
            serde::Serialize::serialize(&raw, s)
        }
    }
}
