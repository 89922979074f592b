//! The sandbox's master data (U3–U5), built from the same static world as its
//! search, so every station and operator a search returns is listed. Pure: the
//! pages are 12go's wire JSON, which both the HTTP routes and the in-process
//! port use (the port decodes them like the awc adapter does).

use serde_json::{Map, Value};

use super::inventory::SandboxError;
use super::world::{self, Operator, Province, Station};

/// One of the three paged lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Stations,
    Operators,
    Provinces,
}

impl List {
    /// The envelope's list key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Stations => "Stations",
            Self::Operators => "TourOperators",
            Self::Provinces => "Provinces",
        }
    }
}

/// Localized names (`StationName{suffix}`). Only some stations have one, so the
/// fallback to `StationName` is exercised; `StationNameTh` is always sent, empty
/// when unknown, as 12go does.
#[rustfmt::skip]
const STATION_NAMES: &[(i64, &str, &str)] = &[
    (3, "Th", "สถานีรถไฟกรุงเทพ (หัวลำโพง)"),
    (3, "De", "Bangkok Hauptbahnhof Hua Lamphong"),
    (4055, "Th", "สถานีขนส่งหมอชิต 2"),
    (4, "Th", "สถานีรถไฟเชียงใหม่"),
    (5939, "Th", "ท่าอากาศยานเชียงใหม่"),
    (7301, "Th", "ท่าเรือหน้าทอน"),
    (8001, "Jp", "東京駅"),
    (8001, "De", "Bahnhof Tokio"),
    (8101, "Jp", "新大阪駅"),
    (9001, "Vi", "Ga Hà Nội"),
];

#[rustfmt::skip]
const OPERATOR_LOCAL_NAMES: &[(i64, &str)] = &[
    (16779, "การรถไฟแห่งประเทศไทย"),
    (231, "บริษัท ขนส่ง จำกัด"),
    (60001, "JR東海"),
    (70001, "Đường sắt Việt Nam"),
];

fn timezone(country: &str) -> &'static str {
    match country {
        "JP" => "Asia/Tokyo",
        "VN" => "Asia/Ho_Chi_Minh",
        _ => "Asia/Bangkok",
    }
}

fn number(raw: &str) -> Value {
    raw.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A U3 row.
pub fn station_row(s: &Station) -> Value {
    let province = world::province(s.province);
    let (province_name, country) = province.map_or(("", ""), |p| (p.name, p.country));
    let mut row = object(vec![
        ("StationId", s.id.into()),
        ("StationName", s.name.into()),
        ("StationNameTh", "".into()),
        ("CountryCode", country.into()),
        ("ProvinceId", s.province.into()),
        ("ProvinceName", province_name.into()),
        (
            "StationAddress",
            format!("{}, {province_name}, {country}", s.name).into(),
        ),
        ("TimezoneName", timezone(country).into()),
        ("Lat", number(s.lat)),
        ("Lng", number(s.lng)),
    ]);
    if let Value::Object(m) = &mut row {
        for (_, suffix, name) in STATION_NAMES.iter().filter(|(id, ..)| *id == s.id) {
            m.insert(format!("StationName{suffix}"), (*name).into());
        }
    }
    row
}

/// A U4 row. Contacts follow the id so that every combination occurs: both
/// (with a logo), e-mail only, or neither.
pub fn operator_row(o: &Operator) -> Value {
    let mut m = Map::new();
    m.insert("OperatorId".into(), o.id.into());
    m.insert("OperatorName".into(), o.name.into());
    if let Some((_, local)) = OPERATOR_LOCAL_NAMES.iter().find(|(id, _)| *id == o.id) {
        m.insert("OperatorNameLocal".into(), (*local).into());
    }
    let dial = match o.id {
        60_000..70_000 => "81",
        70_000..80_000 => "84",
        _ => "66",
    };
    match o.id % 3 {
        1 => {
            m.insert("Email".into(), format!("{}@example.com", o.slug).into());
            m.insert("Phone".into(), format!("+{dial} {:08}", o.id).into());
            let logo = format!("https://static.12go.invalid/logo/{}.png", o.slug);
            m.insert("Logo".into(), logo.into());
        }
        2 => {
            m.insert("Email".into(), format!("{}@example.com", o.slug).into());
        }
        _ => {}
    }
    m.insert("VehClasses".into(), o.vehclasses.to_vec().into());
    Value::Object(m)
}

/// A U5 row; `ParentId` only for child provinces.
pub fn province_row(p: &Province) -> Value {
    let mut pairs = vec![("Id", p.id.into())];
    if let Some(parent) = p.parent {
        pairs.push(("ParentId", parent.into()));
    }
    pairs.extend([("Name", p.name.into()), ("Country", p.country.into())]);
    object(pairs)
}

/// Every row of `list` with its id, ordered by id.
pub fn rows(list: List) -> Vec<(i64, Value)> {
    let mut all: Vec<(i64, Value)> = match list {
        List::Stations => world::STATIONS
            .iter()
            .map(|s| (s.id, station_row(s)))
            .collect(),
        List::Operators => world::OPERATORS
            .iter()
            .map(|o| (o.id, operator_row(o)))
            .collect(),
        List::Provinces => world::PROVINCES
            .iter()
            .map(|p| (p.id, province_row(p)))
            .collect(),
    };
    all.sort_by_key(|(id, _)| *id);
    all
}

/// One page as 12go sends it: the rows with id ≥ `from`, at most `size` of them,
/// and `NextPage` = last id + 1 while rows remain, else null.
///
/// # Errors
/// `Invalid` (400) when `size` is 0.
pub fn page(list: List, from: i64, size: u32) -> Result<Value, SandboxError> {
    if size == 0 {
        return Err(SandboxError::invalid(
            "pageSize",
            "pageSize must be at least 1",
        ));
    }
    let mut rest = rows(list).into_iter().filter(|(id, _)| *id >= from);
    let taken: Vec<(i64, Value)> = rest.by_ref().take(size as usize).collect();
    let next = match (rest.next(), taken.last()) {
        (Some(_), Some((last, _))) => Value::from(last.saturating_add(1)),
        _ => Value::Null,
    };
    let rows: Vec<Value> = taken.into_iter().map(|(_, row)| row).collect();
    Ok(object(vec![
        (list.key(), Value::Array(rows)),
        ("NextPage", next),
    ]))
}

#[cfg(test)]
#[path = "masterdata_tests.rs"]
mod tests;
