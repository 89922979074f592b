//! Times: the lenient 12go date-time parser, local wall-clock formats and ISO 8601
//! durations whose hours never roll into days.

use jiff::civil::{Date, DateTime};
use jiff::Unit;

/// Parses `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]`, with optional fractional
/// seconds and an optional offset that is ignored (the wall clock is kept).
pub fn parse_lenient_datetime(text: &str) -> Option<DateTime> {
    let t = text.trim();
    let b = t.as_bytes();
    // Fixed byte positions below are only char boundaries in ASCII text.
    if !t.is_ascii() || b.len() < 16 || !(b[10] == b' ' || b[10] == b'T') {
        return None;
    }
    let date = parse_date(&t[..10])?;
    if b[13] != b':' {
        return None;
    }
    let hour = digits(&t[11..13])?;
    let minute = digits(&t[14..16])?;
    let second = if b.len() >= 19 && b[16] == b':' {
        digits(&t[17..19])?
    } else {
        0
    };
    DateTime::new(
        date.year(),
        date.month(),
        date.day(),
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()
}

/// Parses a strict `YYYY-MM-DD` calendar date.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if !text.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&text[0..4])?;
    let m = digits(&text[5..7])?;
    let d = digits(&text[8..10])?;
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `2026-04-05T20:22`: segment times in search and GetItinerary.
pub fn format_minutes(dt: DateTime) -> String {
    if !(0..=9999).contains(&dt.year()) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute()
        );
    }
    // Digits pushed by hand: `format!` with padding was a visible share of the
    // translation of large search answers (three of these per itinerary).
    let mut out = String::with_capacity(16);
    push_date(&mut out, dt.date());
    out.push('T');
    push_2(&mut out, dt.hour());
    out.push(':');
    push_2(&mut out, dt.minute());
    out
}

/// Appends `YYYY-MM-DD` (years 0..=9999; others as `format_date` writes them).
pub fn push_date(out: &mut String, d: Date) {
    let y = d.year();
    if !(0..=9999).contains(&y) {
        out.push_str(&format!("{:04}-{:02}-{:02}", y, d.month(), d.day()));
        return;
    }
    let y = y as u16;
    for div in [1000, 100, 10, 1] {
        out.push(char::from(b'0' + (y / div % 10) as u8));
    }
    out.push('-');
    push_2(out, d.month());
    out.push('-');
    push_2(out, d.day());
}

/// Appends a value of 0..=99 as two digits (what `{:02}` writes for it).
pub fn push_2(out: &mut String, v: i8) {
    if (0..=99).contains(&v) {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    } else {
        out.push_str(&format!("{v:02}"));
    }
}

/// Appends `v` in decimal (what `{v}` writes), byte by byte: ids and durations are
/// built this way for every segment of a search answer, where `format!` and its
/// many small copies showed in the profile.
pub fn push_int(out: &mut String, v: i64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = v.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// `v` in decimal, as [`push_int`] writes it.
pub fn int_string(v: i64) -> String {
    let mut out = String::with_capacity(8);
    push_int(&mut out, v);
    out
}

/// `2026-04-05`.
pub fn format_date(d: Date) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, d);
    out
}

/// Whole minutes from `from` to `to` (negative when `to` is earlier).
pub fn minutes_between(from: DateTime, to: DateTime) -> i64 {
    from.until((Unit::Minute, to))
        .map(|span| span.get_minutes())
        .unwrap_or(0)
}

/// ISO 8601 duration from minutes: `PT12H23M`, `PT48H`, `PT5M`, zero as `PT0M`;
/// hours never roll into days. Negative input counts as zero.
pub fn iso_duration_minutes(total: i64) -> String {
    let total = total.max(0);
    let (h, m) = (total / 60, total % 60);
    let mut out = String::with_capacity(12);
    out.push_str("PT");
    if h > 0 {
        push_int(&mut out, h);
        out.push('H');
    }
    if m > 0 || h == 0 {
        push_int(&mut out, m);
        out.push('M');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_display_writes_them() {
        let mut values = vec![0, 1, -1, 9, 10, 99, 100, 16779, -42, i64::MAX, i64::MIN];
        values.extend((0..2000).map(|i| i * 7919 - 5000));
        for v in values {
            assert_eq!(int_string(v), v.to_string());
            let mut s = String::from("x-");
            push_int(&mut s, v);
            assert_eq!(s, format!("x-{v}"));
        }
    }

    #[test]
    fn iso_durations_match_the_previous_format() {
        let old = |total: i64| {
            let total = total.max(0);
            match (total / 60, total % 60) {
                (0, 0) => "PT0M".to_string(),
                (0, m) => format!("PT{m}M"),
                (h, 0) => format!("PT{h}H"),
                (h, m) => format!("PT{h}H{m}M"),
            }
        };
        for total in (-5..3000).chain([743, 1440, 100_000]) {
            assert_eq!(iso_duration_minutes(total), old(total), "{total}");
        }
    }

    #[test]
    fn lenient_parser_accepts_space_t_seconds_and_offsets() {
        let want = DateTime::new(2026, 4, 5, 20, 22, 0, 0).unwrap();
        assert_eq!(parse_lenient_datetime("2026-04-05 20:22:00"), Some(want));
        assert_eq!(parse_lenient_datetime("2026-04-05T20:22"), Some(want));
        assert_eq!(
            parse_lenient_datetime("2026-04-05T20:22:00+07:00"),
            Some(want)
        );
        assert_eq!(
            parse_lenient_datetime("2026-04-05 20:22:00.000Z"),
            Some(want)
        );
        assert_eq!(
            parse_lenient_datetime("2026-04-05 20:22:31").map(|d| d.second()),
            Some(31)
        );
    }

    #[test]
    fn lenient_parser_rejects_garbage_and_impossible_dates() {
        for bad in [
            "",
            "2026-04-05",
            "2026-02-30 10:00",
            "2026-04-05 25:00",
            "2026/04/05 10:00",
            "yesterday at noon",
            "2026-04-05 20:2é",
            "2026-04-0é 20:22",
        ] {
            assert_eq!(parse_lenient_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn strict_date() {
        assert_eq!(
            parse_date("2026-04-05"),
            Some(Date::new(2026, 4, 5).unwrap())
        );
        assert_eq!(parse_date("2026-4-5"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert!(parse_date("2028-02-29").is_some());
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2026-04-é"), None);
    }

    #[test]
    fn durations_never_roll_hours_into_days() {
        assert_eq!(iso_duration_minutes(743), "PT12H23M");
        assert_eq!(iso_duration_minutes(48 * 60), "PT48H");
        assert_eq!(iso_duration_minutes(65), "PT1H5M");
        assert_eq!(iso_duration_minutes(5), "PT5M");
        assert_eq!(iso_duration_minutes(0), "PT0M");
        assert_eq!(iso_duration_minutes(-10), "PT0M");
    }

    #[test]
    fn minutes_between_crosses_midnight() {
        let a = parse_lenient_datetime("2026-04-05 20:22").unwrap();
        let b = parse_lenient_datetime("2026-04-06 08:45").unwrap();
        assert_eq!(minutes_between(a, b), 743);
        assert_eq!(format_minutes(b), "2026-04-06T08:45");
    }

    #[test]
    fn hand_written_formats_match_format() {
        for (y, mo, d, h, mi) in [
            (2026, 4, 5, 7, 3),
            (0, 1, 1, 0, 0),
            (9999, 12, 31, 23, 59),
            (-5, 2, 3, 4, 5),
            (-9999, 1, 1, 0, 0),
            (42, 10, 10, 10, 10),
        ] {
            let dt = jiff::civil::date(y, mo, d).at(h, mi, 0, 0);
            assert_eq!(
                format_minutes(dt),
                format!("{:04}-{:02}-{:02}T{:02}:{:02}", y, mo, d, h, mi)
            );
            assert_eq!(
                format_date(dt.date()),
                format!("{:04}-{:02}-{:02}", y, mo, d)
            );
        }
    }
}
