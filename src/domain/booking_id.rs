//! Booking-id resolution (30 §1): 12go bids, the previous platform's plain KLV
//! ids, and the ids of its mapping file (`BOOKING_ID_MAP_FILE`).

use std::collections::HashMap;

/// Where a mapped id points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub bid: String,
    pub client_id: String,
}

/// The previous platform's ids: `id|plain_id → (bid, client)` and `bid → id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingIdMap {
    by_id: HashMap<String, Mapped>,
    by_bid: HashMap<String, String>,
}

/// A CSV row that was left out, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

fn valid_id(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 512
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'=' | b'.' | b'-'))
}

fn numeric_bid(raw: &str) -> Option<String> {
    (raw.len() <= 19 && !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<i64>().ok().map(|n| n.to_string()))
        .flatten()
}

impl BookingIdMap {
    /// Parses the CSV (header `id,plain_id,bid,client_id`). Bad rows are left out
    /// and returned with their line numbers; a wrong header is an error.
    ///
    /// # Errors
    /// The first line is not the expected header.
    pub fn parse(text: &str) -> Result<(Self, Vec<BadRow>), String> {
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, h)| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase());
        if header.as_deref() != Some("id,plain_id,bid,client_id") {
            return Err("the first line must be `id,plain_id,bid,client_id`".into());
        }
        let mut map = Self::default();
        let mut bad = Vec::new();
        for (i, line) in lines {
            let line_no = i + 1;
            let row = line.trim();
            if row.is_empty() {
                continue;
            }
            match map.row(row) {
                Ok(()) => {}
                Err(reason) => bad.push(BadRow {
                    line: line_no,
                    reason,
                }),
            }
        }
        Ok((map, bad))
    }

    fn row(&mut self, row: &str) -> Result<(), String> {
        let cols: Vec<&str> = row.split(',').map(str::trim).collect();
        let [id, plain, bid, client] = cols[..] else {
            return Err(format!("expected 4 columns, found {}", cols.len()));
        };
        if !valid_id(id) {
            return Err("`id` is empty or has characters outside [A-Za-z0-9_=.-]".into());
        }
        if !plain.is_empty() && !valid_id(plain) {
            return Err("`plain_id` has characters outside [A-Za-z0-9_=.-]".into());
        }
        let bid = numeric_bid(bid).ok_or("`bid` is not a 12go booking id")?;
        if crate::domain::ids::ClientId::parse(client).is_none() {
            return Err("`client_id` is not a valid client id".into());
        }
        let mapped = Mapped {
            bid: bid.clone(),
            client_id: client.to_string(),
        };
        for key in [id, plain].into_iter().filter(|k| !k.is_empty()) {
            if self.by_id.get(key).is_some_and(|m| m != &mapped) {
                return Err(format!("`{key}` is already mapped to another booking"));
            }
        }
        self.by_id.insert(id.to_string(), mapped.clone());
        if !plain.is_empty() {
            self.by_id.insert(plain.to_string(), mapped);
        }
        self.by_bid.entry(bid).or_insert_with(|| id.to_string());
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.by_bid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_bid.is_empty()
    }

    /// The row of a mapped id (`id` or `plain_id`).
    pub fn get(&self, id: &str) -> Option<&Mapped> {
        self.by_id.get(id)
    }

    /// The id the client holds for a bid (notifications).
    pub fn id_of(&self, bid: &str) -> Option<&str> {
        self.by_bid.get(bid).map(String::as_str)
    }
}

/// The bid of `raw` for `client_id`, or `None` (→ 404 `booking_not_found`), in
/// the order of 30 §1: charset, mapping file, plain bid, KLV.
pub fn resolve_bid(raw: &str, client_id: &str, map: Option<&BookingIdMap>) -> Option<String> {
    if !valid_id(raw) {
        return None;
    }
    if let Some(m) = map.and_then(|m| m.get(raw)) {
        return (m.client_id == client_id).then(|| m.bid.clone());
    }
    if let Some(bid) = numeric_bid(raw) {
        return Some(bid);
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
    if !integration?.eq_ignore_ascii_case("onetwogo") || client.is_some_and(|c| c != client_id) {
        return None;
    }
    numeric_bid(bid?)
}

#[cfg(test)]
#[path = "booking_id_tests.rs"]
mod tests;
