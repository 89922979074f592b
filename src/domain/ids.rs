//! Identifiers: client ids, 12go places, and the ids built for itineraries,
//! segments and vehicles (00 §8, 10 §4.2).

use jiff::civil::{Date, DateTime};
use std::fmt;

use crate::domain::time::{parse_date, push_2, push_date};

/// `^[a-z0-9_-]{1,50}$`, excluding reserved words and `v{digits}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok_chars = !raw.is_empty()
            && raw.len() <= 50
            && raw
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
        let versioned =
            raw.len() > 1 && raw.starts_with('v') && raw[1..].bytes().all(|c| c.is_ascii_digit());
        let reserved = matches!(
            raw,
            "notifications" | "health" | "ready" | "admin" | "openapi.json"
        );
        (ok_chars && !versioned && !reserved).then(|| Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 12go search place: a station (`{id}s`) or a province (`{id}p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Station(i64),
    Province(i64),
}

impl Place {
    /// Parses the 12go path form `3s` / `44p`.
    pub fn parse_path(raw: &str) -> Option<Self> {
        // Checked: the last byte may be inside a multi-byte character (fuzzing, issue 8).
        let (num, kind) = raw.split_at_checked(raw.len().checked_sub(1)?)?;
        let id: i64 = num.parse().ok().filter(|n| *n >= 0)?;
        match kind {
            "s" => Some(Self::Station(id)),
            "p" => Some(Self::Province(id)),
            _ => None,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Station(id) => write!(f, "{id}s"),
            Self::Province(id) => write!(f, "{id}p"),
        }
    }
}

/// Client-facing transport type vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
pub enum TransportType {
    Bus,
    Ferry,
    Van,
    Train,
    Airplane,
}

impl TransportType {
    /// Maps a 12go vehicle class; `None` for an unknown value (the caller warns and uses `Bus`).
    pub fn from_vehclass(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "bus" => Some(Self::Bus),
            "train" => Some(Self::Train),
            "ferry" => Some(Self::Ferry),
            "van" | "minivan" | "charter" => Some(Self::Van),
            "avia" => Some(Self::Airplane),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bus => "Bus",
            Self::Ferry => "Ferry",
            Self::Van => "Van",
            Self::Train => "Train",
            Self::Airplane => "Airplane",
        }
    }
}

/// `{trip_key}-{YYYY-MM-DD}-{HH:mm}-{seats}`.
pub fn itinerary_id(trip_key: &str, departure: DateTime, seats: u8) -> String {
    use std::fmt::Write as _;
    // Built in place (one per itinerary): what `format!` wrote, without its padding
    // machinery, which showed in the profile of large search answers.
    let mut id = String::with_capacity(trip_key.len() + 22);
    id.push_str(trip_key);
    id.push('-');
    push_date(&mut id, departure.date());
    id.push('-');
    push_2(&mut id, departure.hour());
    id.push(':');
    push_2(&mut id, departure.minute());
    id.push('-');
    let _ = write!(id, "{seats}");
    id
}

/// A parsed itinerary id (10 §4.2). `seats` is `None` for the short form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItineraryRef {
    pub trip_key: String,
    pub date: Date,
    pub hour: i8,
    pub minute: i8,
    pub seats: Option<u8>,
}

impl ItineraryRef {
    /// Parses from the right: `^(.+?)-(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})(?:-(\d{1,3}))?$`,
    /// with a valid date and time and seats in 1..=100.
    pub fn parse(raw: &str) -> Option<Self> {
        let (rest, seats) = match raw.rsplit_once('-') {
            Some((head, tail))
                if !tail.is_empty()
                    && tail.len() <= 3
                    && tail.bytes().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = tail.parse().ok().filter(|n| (1..=100).contains(n))?;
                (head, Some(n))
            }
            _ => (raw, None),
        };
        let (head, time) = rest.rsplit_once('-')?;
        let tb = time.as_bytes();
        if tb.len() != 5 || tb[2] != b':' {
            return None;
        }
        let hour: i8 = time[..2].parse().ok().filter(|h| (0..24).contains(h))?;
        let minute: i8 = time[3..].parse().ok().filter(|m| (0..60).contains(m))?;
        if head.len() < 12 {
            return None;
        }
        // Checked: a multi-byte character may straddle the split (fuzzing, issue 8).
        let (key, date) = head.split_at_checked(head.len() - 11)?;
        let date = parse_date(date.strip_prefix('-')?)?;
        if key.is_empty() {
            return None;
        }
        Some(Self {
            trip_key: key.to_string(),
            date,
            hour,
            minute,
            seats,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (fuzzing, issue 8): a multi-byte last character panicked in
    /// `split_at` ("byte index 1 is not a char boundary").
    #[test]
    fn place_path_with_multibyte_end_is_refused() {
        assert_eq!(Place::parse_path("é"), None);
        assert_eq!(Place::parse_path("3é"), None);
        assert_eq!(Place::parse_path("€"), None);
        assert_eq!(Place::parse_path("3s"), Some(Place::Station(3)));
    }

    /// Regression (fuzzing, issue 8): a multi-byte character across the
    /// key/date split of an itinerary id panicked in `split_at`.
    #[test]
    fn itinerary_id_with_multibyte_at_the_split_is_refused() {
        assert_eq!(ItineraryRef::parse("-0ééé-00-00-10:00"), None);
        assert_eq!(ItineraryRef::parse("aé0000000000-10:00"), None);
        assert_eq!(ItineraryRef::parse("aé0000000000-10:00-2"), None);
        let ok = ItineraryRef::parse("é-2026-12-26-10:00-2").unwrap();
        assert_eq!((ok.trip_key.as_str(), ok.seats), ("é", Some(2)));
    }

    #[test]
    fn client_ids() {
        assert!(ClientId::parse("acme").is_some());
        assert!(ClientId::parse("a_b-9").is_some());
        for bad in [
            "",
            "Acme",
            "v1",
            "v22",
            "health",
            "notifications",
            "a b",
            &"x".repeat(51),
        ] {
            assert!(ClientId::parse(bad).is_none(), "{bad}");
        }
        assert!(ClientId::parse("v").is_some());
        assert!(ClientId::parse("v1x").is_some());
    }

    #[test]
    fn places() {
        assert_eq!(Place::Station(3).to_string(), "3s");
        assert_eq!(Place::Province(44).to_string(), "44p");
        assert_eq!(Place::parse_path("44p"), Some(Place::Province(44)));
        assert_eq!(Place::parse_path("3s"), Some(Place::Station(3)));
        assert_eq!(Place::parse_path("3x"), None);
        assert_eq!(Place::parse_path("s"), None);
        assert_eq!(Place::parse_path(""), None);
    }

    #[test]
    fn transport_types() {
        assert_eq!(
            TransportType::from_vehclass("avia"),
            Some(TransportType::Airplane)
        );
        assert_eq!(
            TransportType::from_vehclass("minivan"),
            Some(TransportType::Van)
        );
        assert_eq!(
            TransportType::from_vehclass("charter"),
            Some(TransportType::Van)
        );
        assert_eq!(
            TransportType::from_vehclass("Train"),
            Some(TransportType::Train)
        );
        assert_eq!(TransportType::from_vehclass("hovercraft"), None);
    }

    #[test]
    fn itinerary_ids_round_trip() {
        let dep = DateTime::new(2026, 4, 5, 20, 22, 0, 0).unwrap();
        let id = itinerary_id("TH000300044mDt00g03BNR3q", dep, 1);
        assert_eq!(id, "TH000300044mDt00g03BNR3q-2026-04-05-20:22-1");
        let r = ItineraryRef::parse(&id).unwrap();
        assert_eq!(r.trip_key, "TH000300044mDt00g03BNR3q");
        assert_eq!(r.date, dep.date());
        assert_eq!((r.hour, r.minute, r.seats), (20, 22, Some(1)));
    }

    #[test]
    fn itinerary_id_short_form_and_keys_with_dashes() {
        let r = ItineraryRef::parse("TH000300044mDt00g03BNR3q-2026-04-05-06:40").unwrap();
        assert_eq!(r.seats, None);
        let r = ItineraryRef::parse("a-b-c-2026-04-05-06:40-100").unwrap();
        assert_eq!(r.trip_key, "a-b-c");
        assert_eq!(r.seats, Some(100));
    }

    #[test]
    fn itinerary_id_rejects_malformed() {
        for bad in [
            "",
            "-2026-04-05-06:40",
            "K-2026-04-05-24:00",
            "K-2026-02-30-06:40",
            "K-2026-04-05-06:40-0",
            "K-2026-04-05-06:40-101",
            "K-2026-04-05",
            "K-20260405-06:40",
        ] {
            assert_eq!(ItineraryRef::parse(bad), None, "{bad}");
        }
    }
}
