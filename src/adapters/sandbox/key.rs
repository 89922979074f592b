//! Sandbox trip keys: `^[A-Z]{2}[0-9A-Za-z]{22}$`, like 12go's. The 22 base62
//! characters encode the trip, so a key plus a departure date finds it again
//! without any stored state:
//!
//! | chars  | field                      |
//! |--------|----------------------------|
//! | 0–1    | origin country             |
//! | 2–5    | origin station             |
//! | 6–9    | destination station        |
//! | 10–12  | operator (first leg)       |
//! | 13–15  | seat class (first leg)     |
//! | 16–17  | departure minute of day    |
//! | 18     | leg count (1 or 2)         |
//! | 19–22  | via station (0 = direct)   |
//! | 23     | check digit                |

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// What a trip key says about its trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripKey {
    pub country: String,
    pub from: i64,
    pub to: i64,
    pub operator: i64,
    pub class: i64,
    /// Local departure of the first leg, minutes after midnight (0..1440).
    pub dep_minute: u16,
    /// 1 or 2.
    pub legs: u8,
    /// The transfer station of a two-leg trip.
    pub via: Option<i64>,
}

fn push_base62(out: &mut Vec<u8>, value: i64, width: u32) -> Option<()> {
    let max = 62i64.checked_pow(width)?;
    if !(0..max).contains(&value) {
        return None;
    }
    for i in (0..width).rev() {
        let digit = (value / 62i64.pow(i)) % 62;
        out.push(ALPHABET[usize::try_from(digit).ok()?]);
    }
    Some(())
}

fn digit_value(c: u8) -> Option<i64> {
    match c {
        b'0'..=b'9' => Some(i64::from(c - b'0')),
        b'A'..=b'Z' => Some(i64::from(c - b'A') + 10),
        b'a'..=b'z' => Some(i64::from(c - b'a') + 36),
        _ => None,
    }
}

fn read_base62(chars: &[u8]) -> Option<i64> {
    chars
        .iter()
        .try_fold(0i64, |acc, c| Some(acc * 62 + digit_value(*c)?))
}

/// Sum of the values of all characters before it, mod 62 (country letters count as base62 too).
fn check_digit(body: &[u8]) -> Option<u8> {
    let sum = body
        .iter()
        .try_fold(0i64, |acc, c| Some(acc + digit_value(*c)?))?;
    ALPHABET.get(usize::try_from(sum % 62).ok()?).copied()
}

impl TripKey {
    /// The 24-character key; `None` when a field does not fit its width.
    pub fn encode(&self) -> Option<String> {
        let country = self.country.as_bytes();
        if country.len() != 2 || !country.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        if !(1..=2).contains(&self.legs)
            || self.dep_minute >= 1440
            || (self.legs == 2) != self.via.is_some()
        {
            return None;
        }
        let mut out = country.to_vec();
        push_base62(&mut out, self.from, 4)?;
        push_base62(&mut out, self.to, 4)?;
        push_base62(&mut out, self.operator, 3)?;
        push_base62(&mut out, self.class, 3)?;
        push_base62(&mut out, i64::from(self.dep_minute), 2)?;
        push_base62(&mut out, i64::from(self.legs), 1)?;
        push_base62(&mut out, self.via.unwrap_or(0), 4)?;
        out.push(check_digit(&out)?);
        String::from_utf8(out).ok()
    }
}

/// Decodes a sandbox trip key; `None` for anything that is not one (wrong shape,
/// bad check digit, impossible field values).
pub fn decode_trip_key(key: &str) -> Option<TripKey> {
    let b = key.as_bytes();
    if b.len() != 24 || !b[..2].iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    if check_digit(&b[..23])? != b[23] {
        return None;
    }
    let dep_minute = u16::try_from(read_base62(&b[16..18])?)
        .ok()
        .filter(|m| *m < 1440)?;
    let legs = u8::try_from(read_base62(&b[18..19])?)
        .ok()
        .filter(|l| (1..=2).contains(l))?;
    let via = read_base62(&b[19..23])?;
    let via = match (legs, via) {
        (1, 0) => None,
        (2, v) if v > 0 => Some(v),
        _ => return None,
    };
    Some(TripKey {
        country: key[..2].to_string(),
        from: read_base62(&b[2..6])?,
        to: read_base62(&b[6..10])?,
        operator: read_base62(&b[10..13])?,
        class: read_base62(&b[13..16])?,
        dep_minute,
        legs,
        via,
    })
}

/// Whether `key` has the shape of a 12go trip key.
pub fn is_trip_key_shape(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 24
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TripKey {
        TripKey {
            country: "TH".into(),
            from: 3,
            to: 4,
            operator: 16779,
            class: 5894,
            dep_minute: 20 * 60 + 22,
            legs: 1,
            via: None,
        }
    }

    #[test]
    fn round_trips_and_has_the_12go_shape() {
        let k = sample();
        let s = k.encode().unwrap();
        assert!(is_trip_key_shape(&s), "{s}");
        assert!(s.starts_with("TH00030004"), "{s}");
        assert_eq!(decode_trip_key(&s), Some(k));
        let two = TripKey {
            from: 151540,
            to: 11553,
            legs: 2,
            via: Some(7001),
            dep_minute: 0,
            ..sample()
        };
        assert_eq!(decode_trip_key(&two.encode().unwrap()), Some(two));
    }

    #[test]
    fn rejects_what_it_did_not_make() {
        let s = sample().encode().unwrap();
        let mut tampered = s.clone().into_bytes();
        tampered[5] = if tampered[5] == b'1' { b'2' } else { b'1' };
        let tampered = String::from_utf8(tampered).unwrap();
        for bad in [
            "",
            "TH000300044mDt00g03BNR3q",
            &s[..23],
            &tampered,
            &format!("th{}", &s[2..]),
        ] {
            assert_eq!(decode_trip_key(bad), None, "{bad}");
        }
        assert_eq!(
            TripKey {
                dep_minute: 1440,
                ..sample()
            }
            .encode(),
            None
        );
        assert_eq!(
            TripKey {
                legs: 2,
                ..sample()
            }
            .encode(),
            None
        );
        assert_eq!(
            TripKey {
                from: 62i64.pow(4),
                ..sample()
            }
            .encode(),
            None
        );
    }
}
