//! Key classification of the checkout form (20 §10.1), table-driven.

use super::model::{CheckoutField, CheckoutForm};
use super::pattern::{compile_all, Pattern};

/// How a passenger field is typed on the client side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaxKind {
    Text,
    Date,
    Bool,
}

/// Fixed passenger keys: 12go name, client name, kind (10.2).
pub const PAX_FIELDS: &[(&str, &str, PaxKind)] = &[
    ("first_name", "first_name", PaxKind::Text),
    ("last_name", "last_name", PaxKind::Text),
    ("middle_name", "middle_name", PaxKind::Text),
    ("title", "title", PaxKind::Text),
    ("gender", "gender", PaxKind::Text),
    ("dob", "dob", PaxKind::Date),
    ("is_child", "is_child", PaxKind::Bool),
    ("id_no", "id_number", PaxKind::Text),
    ("id_type", "id_type", PaxKind::Text),
    ("id_exp_date", "id_expiry_date", PaxKind::Date),
    ("id_issue_date", "id_issue_date", PaxKind::Date),
    ("id_scan", "id_scan", PaxKind::Text),
    ("country_id", "nationality", PaxKind::Text),
    ("seattype_code", "seat_type_code", PaxKind::Text),
    ("visa_type", "visa_type", PaxKind::Text),
    ("visa_reason", "visa_reason", PaxKind::Text),
    ("nationality", "nationality", PaxKind::Text),
    ("residency", "residency", PaxKind::Text),
];

/// Client name and kind of a fixed passenger key.
pub fn pax_field(twelvego: &str) -> Option<(&'static str, PaxKind)> {
    PAX_FIELDS
        .iter()
        .find(|(k, _, _)| *k == twelvego)
        .map(|(_, c, t)| (*c, *t))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    /// `contact[email]`.
    Email,
    /// `contact[mobile]`.
    Mobile,
    /// `seats`.
    Seats,
    /// `passenger[0][X]`, X the 12go name.
    Passenger(String),
    /// `selected_seats_…_allow_auto`.
    AutoSeat,
    /// `selected_seats_…`.
    Seat,
    /// `passenger[0][…[baggage_…`.
    Baggage,
    /// `points[…]`, `delivery[…]`, or (`unknown`) a required unknown key.
    Additional { name: String, unknown: bool },
    /// `passenger[N][…]`, N ≥ 1.
    OtherPassenger,
    /// An optional unknown key.
    Dropped,
}

/// Bracket notation: `head[a][b]` → (`head`, [`a`, `b`]); `None` if malformed.
pub fn split_key(key: &str) -> Option<(&str, Vec<&str>)> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut segs = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        segs.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    Some((head, segs))
}

/// Lowercase, runs of other characters → `_`.
pub fn normalize(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("field");
    }
    out
}

/// Family of one key, before collision handling (rules 1–7).
pub fn classify_key(key: &str, required: bool) -> Family {
    let split = split_key(key);
    if let Some(("passenger", segs)) = split.as_ref().map(|(h, s)| (*h, s)) {
        if let Some(n) = segs.first().and_then(|s| s.parse::<u32>().ok()) {
            if n >= 1 {
                return Family::OtherPassenger;
            }
            if segs.len() == 2 && pax_field(segs[1]).is_some() {
                return Family::Passenger(segs[1].to_string());
            }
        }
    }
    match key {
        "contact[email]" => return Family::Email,
        "contact[mobile]" => return Family::Mobile,
        "seats" => return Family::Seats,
        _ => {}
    }
    if key.starts_with("selected_seats_") {
        return if key.ends_with("_allow_auto") {
            Family::AutoSeat
        } else {
            Family::Seat
        };
    }
    if key.starts_with("passenger[0]") && key.contains("[baggage_") {
        return Family::Baggage;
    }
    if key.starts_with("points[") || key.starts_with("delivery[") {
        if let Some((head, segs)) = &split {
            let mut name = head.to_ascii_lowercase();
            for s in segs.iter().skip(1) {
                name.push('_');
                name.push_str(&normalize(s));
            }
            return Family::Additional {
                name,
                unknown: false,
            };
        }
    }
    if required {
        Family::Additional {
            name: normalize(key),
            unknown: true,
        }
    } else {
        Family::Dropped
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassifiedField {
    pub field: CheckoutField,
    pub family: Family,
    pub patterns: Vec<Pattern>,
}

/// The form with every key classified and additional names made unique.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassifiedForm {
    pub fields: Vec<ClassifiedField>,
    /// Required unknown keys (WARN + `connect.checkout.unknown_field`).
    pub unknown_required: Vec<String>,
    /// (key, pattern) pairs that did not compile (WARN).
    pub skipped_patterns: Vec<(String, String)>,
}

/// Classifies every key of the form (10.1).
pub fn classify(form: &CheckoutForm) -> ClassifiedForm {
    let mut out = ClassifiedForm::default();
    let mut used: Vec<String> = Vec::new();
    for f in &form.fields {
        let mut family = classify_key(&f.key, f.required);
        if let Family::Additional { name, unknown } = &mut family {
            let base = name.clone();
            let mut n = 0;
            while used.contains(name) {
                n += 1;
                *name = format!("{base}{n}");
            }
            used.push(name.clone());
            if *unknown {
                out.unknown_required.push(f.key.clone());
            }
        }
        let (patterns, skipped) = compile_all(&f.regexp);
        out.skipped_patterns
            .extend(skipped.into_iter().map(|p| (f.key.clone(), p)));
        out.fields.push(ClassifiedField {
            field: f.clone(),
            family,
            patterns,
        });
    }
    out
}

impl ClassifiedForm {
    pub fn find(&self, family: &Family) -> Option<&ClassifiedField> {
        self.fields.iter().find(|f| &f.family == family)
    }

    pub fn passenger(&self, twelvego: &str) -> Option<&ClassifiedField> {
        self.fields
            .iter()
            .find(|f| matches!(&f.family, Family::Passenger(x) if x == twelvego))
    }

    pub fn by_key(&self, key: &str) -> Option<&ClassifiedField> {
        self.fields.iter().find(|f| f.field.key == key)
    }

    /// Points, delivery and unknown required fields, with their client names.
    pub fn additional(&self) -> impl Iterator<Item = (&str, &ClassifiedField)> {
        self.fields.iter().filter_map(|f| match &f.family {
            Family::Additional { name, .. } => Some((name.as_str(), f)),
            _ => None,
        })
    }
}
