//! A 12go operator row as the client's operating carrier (10 §5.3), and a
//! province as a POI (10 §5.4). Note the capital `Id` of both.

use serde_json::{Map, Value};

use super::rows::{OperatorRow, ProvinceRow};
use crate::domain::ids::TransportType;

fn text(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Columns of an operator row that the carrier reads beyond the named fields.
pub const VEHCLASS_COLUMNS: [&str; 3] = ["VehClasses", "Vehclasses", "VehicleClasses"];
pub const LOGO_COLUMNS: [&str; 3] = ["Logo", "LogoUrl", "LogoURL"];

/// The first present, non-empty string among `keys` of the row's other columns.
fn other_text(other: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| other.get(*k).and_then(Value::as_str))
        .and_then(|s| text(Some(s)))
}

/// The operator's vehicle classes mapped to the search vocabulary, deduplicated,
/// in 12go's order (the column name is not documented: the usual spellings).
fn transport_types(other: &Map<String, Value>) -> Vec<TransportType> {
    let raw = VEHCLASS_COLUMNS
        .iter()
        .find_map(|k| other.get(*k).and_then(Value::as_array));
    let mut out: Vec<TransportType> = Vec::new();
    for t in raw
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(TransportType::from_vehclass)
    {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The operating carrier; `id` is the id to show (native or mapped). Email and
/// phone are left out when 12go has none (the carrier is still listed).
pub fn carrier_json(row: &OperatorRow, id: &str) -> Value {
    let name = text(row.operator_name.as_deref()).unwrap_or_default();
    let types = transport_types(&row.other);
    let mut m = Map::new();
    m.insert("Id".into(), Value::String(id.to_string()));
    m.insert("name".into(), Value::String(name.clone()));
    m.insert(
        "display_name".into(),
        Value::String(text(row.operator_name_local.as_deref()).unwrap_or(name)),
    );
    if let Some(logo) = other_text(&row.other, &LOGO_COLUMNS) {
        m.insert("logo_url".into(), Value::String(logo));
    }
    if let Some(email) = text(row.email.as_deref()) {
        m.insert("email".into(), Value::String(email));
    }
    if let Some(phone) = text(row.phone.as_deref()) {
        m.insert("phone".into(), Value::String(phone));
    }
    let first = types.first().copied().unwrap_or(TransportType::Bus);
    m.insert(
        "transportation_type".into(),
        Value::String(first.as_str().into()),
    );
    let all: Vec<Value> = if types.is_empty() {
        vec![Value::String(first.as_str().into())]
    } else {
        types
            .iter()
            .map(|t| Value::String(t.as_str().into()))
            .collect()
    };
    m.insert("transportation_types".into(), Value::Array(all));
    Value::Object(m)
}

/// The POI of a province with its station ids (already translated when mapped).
pub fn poi_json(row: &ProvinceRow, id: &str, stations: &[String]) -> Value {
    serde_json::json!({
        "Id": id,
        "name": text(row.name.as_deref()).unwrap_or_default(),
        "stations": stations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_carrier_has_a_capital_id_and_the_search_vocabulary() {
        let row: OperatorRow = serde_json::from_str(
            r#"{"OperatorId":16779,"OperatorName":"Green Bus","OperatorNameLocal":"กรีนบัส","Email":"a@b.co",
            "Phone":" ","VehClasses":["train","bus","avia","train","spaceship"],"Address":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            carrier_json(&row, "16779"),
            json!({"Id":"16779","name":"Green Bus","display_name":"กรีนบัส","email":"a@b.co",
                   "transportation_type":"Train","transportation_types":["Train","Bus","Airplane"]})
        );
    }

    #[test]
    fn a_carrier_without_contact_or_classes_is_still_listed_as_bus() {
        let row: OperatorRow =
            serde_json::from_str(r#"{"OperatorId":"7","OperatorName":"X"}"#).unwrap();
        assert_eq!(
            carrier_json(&row, "7"),
            json!({"Id":"7","name":"X","display_name":"X","transportation_type":"Bus","transportation_types":["Bus"]})
        );
    }

    #[test]
    fn a_poi_is_a_province_with_its_stations() {
        let row: ProvinceRow = serde_json::from_str(r#"{"Id":44,"Name":"Chiang Mai"}"#).unwrap();
        assert_eq!(
            poi_json(&row, "44", &["4".into(), "11553".into()]),
            json!({"Id":"44","name":"Chiang Mai","stations":["4","11553"]})
        );
    }
}
