//! The search answer written as JSON directly: the same bytes as
//! `serde_json::to_vec(&SearchResult)` (tested below), without serde's per-string
//! escape scan and per-piece writes. Serialising a 140-itinerary answer through
//! serde took a quarter of the search's CPU in the profile (issue 8); almost every
//! string in it is an id, a time or a code that needs no escaping, which one
//! check per string establishes before it is copied whole.

use crate::domain::itinerary::{
    CancellationPolicy, Image, Itinerary, Penalty, SearchResult, SeatClass, Segment, Vehicle,
};
use crate::domain::money::{push_amount, Money};
use crate::domain::time::push_int;

/// `result` as compact JSON, in a buffer of `capacity` bytes to start with.
pub fn search_result_json(result: &SearchResult, capacity: usize) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(capacity), String::new());
    w.raw(b"{\"vehicles\":");
    w.list(&result.vehicles, Writer::vehicle);
    w.raw(b",\"segments\":");
    w.list(&result.segments, Writer::segment);
    w.raw(b",\"itineraries\":");
    w.list(&result.itineraries, Writer::itinerary);
    w.raw(b"}");
    w.0
}

/// The output, and a scratch buffer for numbers (reused, not allocated per number).
struct Writer(Vec<u8>, String);

impl Writer {
    /// Pieces up to 256 bytes in fixed-size words, the last word overlapping the
    /// one before it (written, then partly taken back with `truncate`): musl's
    /// `memcpy` has a fixed cost per call that was 2–4 % of a large search, and a
    /// byte-by-byte loop was then 7 % of the instructions (a fixed-size copy is
    /// inlined as one store).
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        if n > 256 {
            self.0.extend_from_slice(bytes);
        } else if n >= 8 {
            self.0.reserve(n);
            let mut words = bytes.chunks_exact(8);
            for w in &mut words {
                self.word(w);
            }
            let rest = words.remainder().len();
            if rest > 0 {
                self.0.truncate(self.0.len() - (8 - rest));
                self.word(&bytes[n - 8..]);
            }
        } else if n >= 4 {
            let at = self.0.len();
            self.0.extend_from_slice(&four(&bytes[..4]));
            self.0.truncate(at + n - 4);
            self.0.extend_from_slice(&four(&bytes[n - 4..]));
        } else {
            for &b in bytes {
                self.0.push(b);
            }
        }
    }

    /// Eight bytes (`w.len()` is 8) as one store.
    #[inline]
    fn word(&mut self, w: &[u8]) {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        self.0.extend_from_slice(&a);
    }

    /// A JSON string; escaped exactly as serde_json does when it needs escaping.
    fn str(&mut self, s: &str) {
        if !needs_escape(s.as_bytes()) {
            self.0.push(b'"');
            self.raw(s.as_bytes());
            self.0.push(b'"');
        } else if serde_json::to_writer(&mut self.0, s).is_err() {
            // Writing to a Vec cannot fail; keep the document valid regardless.
            self.raw(b"\"\"");
        }
    }

    /// `,"key":` (or without the comma for the first field).
    #[inline]
    fn key(&mut self, first: bool, key: &[u8]) {
        if !first {
            self.0.push(b',');
        }
        self.0.push(b'"');
        self.raw(key);
        self.raw(b"\":");
    }

    fn field_str(&mut self, first: bool, key: &[u8], value: &str) {
        self.key(first, key);
        self.str(value);
    }

    fn int(&mut self, v: i64) {
        let mut s = std::mem::take(&mut self.1);
        s.clear();
        push_int(&mut s, v);
        self.raw(s.as_bytes());
        self.1 = s;
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.0.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            each(self, item);
        }
        self.0.push(b']');
    }

    fn opt_list<T>(&mut self, items: Option<&Vec<T>>, each: impl FnMut(&mut Self, &T)) {
        match items {
            Some(items) => self.list(items, each),
            None => self.raw(b"null"),
        }
    }

    fn image(&mut self, i: &Image) {
        self.0.push(b'{');
        self.field_str(true, b"url", &i.url);
        self.key(false, b"width");
        self.int(i64::from(i.width));
        self.key(false, b"height");
        self.int(i64::from(i.height));
        self.field_str(false, b"type", &i.kind);
        self.0.push(b'}');
    }

    fn seat_class(&mut self, c: &SeatClass) {
        self.0.push(b'{');
        self.field_str(true, b"id", &c.id);
        self.field_str(false, b"name", &c.name);
        self.field_str(false, b"description", &c.description);
        self.key(false, b"keywords");
        self.opt_list(c.keywords.as_ref(), |w, s| w.str(s));
        self.key(false, b"images");
        self.opt_list(c.images.as_ref(), Self::image);
        self.key(false, b"amenities");
        self.list(&c.amenities, |w, s| w.str(s));
        self.0.push(b'}');
    }

    fn vehicle(&mut self, v: &Vehicle) {
        self.0.push(b'{');
        self.field_str(true, b"id", &v.id);
        self.field_str(false, b"name", &v.name);
        self.key(false, b"seat_classes");
        self.list(&v.seat_classes, Self::seat_class);
        self.key(false, b"images");
        self.opt_list(v.images.as_ref(), Self::image);
        self.key(false, b"description");
        match &v.description {
            Some(d) => self.str(d),
            None => self.raw(b"null"),
        }
        self.key(false, b"keywords");
        self.opt_list(v.keywords.as_ref(), |w, s| w.str(s));
        self.key(false, b"amenities");
        self.opt_list(v.amenities.as_ref(), |w, s| w.str(s));
        self.0.push(b'}');
    }

    fn segment(&mut self, s: &Segment) {
        self.0.push(b'{');
        self.field_str(true, b"id", &s.id);
        self.field_str(false, b"from_station", &s.from_station);
        self.field_str(false, b"to_station", &s.to_station);
        self.field_str(false, b"departure_time", &s.departure_time);
        self.field_str(false, b"arrival_time", &s.arrival_time);
        self.field_str(false, b"travel_duration", &s.travel_duration);
        self.field_str(false, b"vehicle_id", &s.vehicle_id);
        self.field_str(false, b"operating_carrier_id", &s.operating_carrier_id);
        self.field_str(false, b"seat_class_id", &s.seat_class_id);
        self.key(false, b"transportation_types");
        self.list(&s.transportation_types, |w, t| w.str(t.as_str()));
        self.0.push(b'}');
    }

    fn money(&mut self, m: &Money) {
        self.0.push(b'{');
        let mut amount = std::mem::take(&mut self.1);
        amount.clear();
        push_amount(&mut amount, m.amount, &m.currency);
        self.field_str(true, b"amount", &amount);
        self.1 = amount;
        self.field_str(false, b"currency", m.currency.as_str());
        self.0.push(b'}');
    }

    fn policy(&mut self, p: &CancellationPolicy) {
        self.0.push(b'{');
        self.key(true, b"from");
        match &p.from {
            Some(from) => self.str(from),
            None => self.raw(b"null"),
        }
        self.key(false, b"penalty");
        match &p.penalty {
            Penalty::Percent(n) => {
                self.raw(b"{\"percent\":");
                self.int(i64::from(*n));
            }
            Penalty::Amount(m) => {
                self.raw(b"{\"amount\":");
                self.money(m);
            }
        }
        self.raw(b"}}");
    }

    fn itinerary(&mut self, i: &Itinerary) {
        self.0.push(b'{');
        self.field_str(true, b"id", &i.id);
        self.key(false, b"departure_segments");
        self.list(&i.departure_segments, |w, s| w.str(s));
        self.key(false, b"connection_guaranteed");
        self.raw(if i.connection_guaranteed {
            b"true"
        } else {
            b"false"
        });
        self.key(false, b"cancellation_policies");
        self.list(&i.cancellation_policies, Self::policy);
        self.key(false, b"number_of_available_seats");
        self.int(i.number_of_available_seats);
        let gross = &i.pricing.gross_price;
        self.raw(b",\"pricing\":{\"gross_price\":{");
        self.field_str(true, b"amount", &gross.price.amount_string());
        self.field_str(false, b"currency", gross.price.currency.as_str());
        self.field_str(false, b"price_type", gross.price_type.as_str());
        self.raw(b"},\"net_price\":");
        self.money(&i.pricing.net_price);
        self.raw(b",\"taxes_and_fees\":");
        self.money(&i.pricing.taxes_and_fees);
        self.0.push(b'}');
        self.field_str(false, b"confirmation_type", i.confirmation_type.as_str());
        if let Some(t) = i.ticket_type {
            self.field_str(false, b"ticket_type", t.as_str());
        }
        self.0.push(b'}');
    }
}

/// Four bytes (`b.len()` is 4) as an array, so that copying them is one store.
#[inline]
fn four(b: &[u8]) -> [u8; 4] {
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    a
}

/// Whether `bytes` holds a control character, `"` or `\` (what JSON escapes).
/// Eight bytes at a time: the byte-by-byte test was a quarter of this writer's time
/// in the profile of a large search. Exact, not a heuristic: for a word `x`,
/// `(x - 0x01…01 * n) & !x & 0x80…80` is non-zero iff some byte of `x` is below `n`
/// (n ≤ 128), and a byte equals `c` iff it is zero in `x ^ c…c`.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS != 0;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_ne_bytes(<[u8; 8]>::try_from(w).unwrap_or([0; 8]));
        if below(x, 0x20)
            || below(x ^ (ONES * u64::from(b'"')), 1)
            || below(x ^ (ONES * u64::from(b'\\')), 1)
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
#[path = "search_json_tests.rs"]
mod tests;
