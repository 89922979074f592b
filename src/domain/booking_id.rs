//! Booking-id resolution (30 §1) for ids that carry the bid: plain 12go bids and
//! the previous platform's plain KLV ids. Mapping-file ids are resolved by the
//! caller before this.

/// The bid of `raw` for `client_id`, or `None` (→ 404 `booking_not_found`).
pub fn resolve_bid(raw: &str, client_id: &str) -> Option<String> {
    let ok_chars = raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'=' | b'.' | b'-'));
    if raw.is_empty() || raw.len() > 512 || !ok_chars {
        return None;
    }
    if raw.len() <= 19 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.parse::<i64>().ok().map(|n| n.to_string());
    }
    if raw.starts_with("0102V1") {
        return klv_bid(raw, client_id);
    }
    None
}

/// KLV: repeated 2-digit key, 2-digit length, value. Valid only for the 12go
/// integration (`03` = onetwogo) with a numeric `04`; `05`, when present, must be
/// the path client.
fn klv_bid(raw: &str, client_id: &str) -> Option<String> {
    let mut rest = raw;
    let (mut integration, mut bid, mut client) = (None, None, None);
    while !rest.is_empty() {
        let key = rest.get(..2)?;
        let len: usize = rest.get(2..4)?.parse().ok()?;
        let value = rest.get(4..4 + len)?;
        match key {
            "03" => integration = Some(value),
            "04" => bid = Some(value),
            "05" => client = Some(value),
            _ => {}
        }
        rest = &rest[4 + len..];
    }
    if !integration?.eq_ignore_ascii_case("onetwogo") {
        return None;
    }
    if client.is_some_and(|c| c != client_id) {
        return None;
    }
    let bid = bid?;
    (!bid.is_empty() && bid.len() <= 19 && bid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| bid.parse::<i64>().ok().map(|n| n.to_string()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bids_are_bids() {
        assert_eq!(resolve_bid("87654321", "acme").as_deref(), Some("87654321"));
        assert_eq!(resolve_bid("99999999999999999999", "acme"), None);
        assert_eq!(resolve_bid("", "acme"), None);
        assert_eq!(resolve_bid("12/3", "acme"), None);
    }

    #[test]
    fn klv_ids_follow_the_spec_example() {
        let id = "0102V10204C1230308onetwogo0408876543210504acme";
        assert_eq!(resolve_bid(id, "acme").as_deref(), Some("87654321"));
        assert_eq!(resolve_bid(id, "other"), None);
        assert_eq!(
            resolve_bid("0102V10308ONETWOGO040242", "x").as_deref(),
            Some("42")
        );
        assert_eq!(resolve_bid("0102V10306flixbu040242", "x"), None);
        assert_eq!(resolve_bid("0102V10308onetwogo0402ab", "x"), None);
        assert_eq!(resolve_bid("0102V10308onetwogo04", "x"), None);
    }

    #[test]
    fn other_previous_platform_ids_need_the_mapping_file() {
        assert_eq!(resolve_bid("XYXZ4Yabcdef", "acme"), None);
        assert_eq!(resolve_bid("Ab3dE5gH9k", "acme"), None);
    }
}
