//! A 12go station row as the client's Station (10 §5.2).

use serde_json::{json, Value};

use super::locale::station_name_suffix;
use super::rows::StationRow;

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A coordinate as a JSON number, whether 12go sent a number or a numeric string.
fn number(v: &Option<Value>) -> Value {
    match v {
        Some(Value::Number(n)) => Value::Number(n.clone()),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        _ => Value::Null,
    }
}

/// The localized name (`StationName{suffix}` if non-empty), else `StationName`.
pub fn station_name(row: &StationRow, locale: &str) -> String {
    station_name_suffix(locale)
        .and_then(|s| row.other.get(&format!("StationName{s}")))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| text(&row.station_name))
        .unwrap_or_default()
        .to_string()
}

/// The Station object for `locale`; `id` is the id to show (native or mapped).
pub fn station_json(row: &StationRow, id: &str, locale: &str) -> Value {
    let province = text(&row.province_name);
    json!({
        "id": id,
        "name": station_name(row, locale),
        "name_alterations": [],
        "transportation_type": "Bus",
        "address": {
            "country": text(&row.country_code),
            "state": null,
            "city": {"id": row.province_id.map(|p| p.to_string()), "name": province},
            "province": province,
            "region": null,
            "street_and_number": text(&row.station_address),
            "time_zone": text(&row.timezone_name),
            "coordinate": {"latitude": number(&row.lat), "longitude": number(&row.lng)},
        },
        "keywords": [],
        "description": "",
        "images": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> StationRow {
        serde_json::from_str(
            r#"{"StationId":3,"StationName":"Bangkok","StationNameTh":"กรุงเทพ","StationNameDe":" ",
            "CountryCode":"TH","ProvinceId":1,"ProvinceName":"Bangkok","StationAddress":"Rama IV",
            "TimezoneName":"Asia/Bangkok","Lat":"13.74","Lng":100.52}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_station_shape_follows_the_spec() {
        assert_eq!(
            station_json(&row(), "3", "en"),
            json!({"id":"3","name":"Bangkok","name_alterations":[],"transportation_type":"Bus",
              "address":{"country":"TH","state":null,"city":{"id":"1","name":"Bangkok"},"province":"Bangkok",
              "region":null,"street_and_number":"Rama IV","time_zone":"Asia/Bangkok",
              "coordinate":{"latitude":13.74,"longitude":100.52}},"keywords":[],"description":"","images":[]})
        );
    }

    #[test]
    fn localized_names_fall_back_to_the_plain_name() {
        assert_eq!(station_name(&row(), "th"), "กรุงเทพ");
        assert_eq!(station_name(&row(), "de"), "Bangkok", "blank column");
        assert_eq!(station_name(&row(), "fr"), "Bangkok", "missing column");
        assert_eq!(station_name(&row(), "en"), "Bangkok");
    }
}
