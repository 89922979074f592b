//! Which localized station-name column a locale reads (10 §5.2).

/// The 12go columns `StationName{suffix}` that exist.
const SUFFIXES: &[&str] = &[
    "Th", "Ru", "Cn", "Zh", "Jp", "Ko", "Vi", "Ms", "It", "Nl", "Sv", "De", "Fr", "Es", "In", "Uk",
    "Pt", "Ar", "Hr",
];

/// `Some(suffix)` of the `StationName{suffix}` column for `locale`, or `None`
/// (→ plain `StationName`). Primary subtag with its first letter uppercased,
/// except `ja`→`Jp`, `id`→`In`, `zh-CN`/`zh-Hans`→`Cn`, other `zh`→`Zh`.
pub fn station_name_suffix(locale: &str) -> Option<&'static str> {
    let lower = locale.to_ascii_lowercase();
    let (primary, region) = match lower.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (lower.as_str(), None),
    };
    let suffix = match (primary, region) {
        ("ja", _) => "Jp".to_string(),
        ("id", _) => "In".to_string(),
        ("zh", Some("cn" | "hans")) => "Cn".to_string(),
        ("zh", _) => "Zh".to_string(),
        (p, _) => {
            let mut c = p.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => return None,
            }
        }
    };
    SUFFIXES.iter().copied().find(|s| *s == suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_their_column_or_fall_back() {
        for (locale, want) in [
            ("th", Some("Th")),
            ("de-AT", Some("De")),
            ("ja", Some("Jp")),
            ("id", Some("In")),
            ("zh-CN", Some("Cn")),
            ("zh-Hans", Some("Cn")),
            ("zh-TW", Some("Zh")),
            ("zh", Some("Zh")),
            ("en", None),
            ("pl", None),
            ("", None),
        ] {
            assert_eq!(station_name_suffix(locale), want, "{locale}");
        }
    }
}
