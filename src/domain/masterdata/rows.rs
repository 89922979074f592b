//! The rows of 12go's paged master-data answers (U3–U5), read leniently: ids as
//! numbers or numeric strings, unknown columns kept (localized names live there).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::twelvego::de;

/// One U3 station row. Localized names (`StationNameTh`, …) stay in `other`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StationRow {
    #[serde(deserialize_with = "de::string_or_number")]
    pub station_id: String,
    #[serde(default)]
    pub station_name: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub province_id: Option<i64>,
    #[serde(default)]
    pub province_name: Option<String>,
    #[serde(default)]
    pub station_address: Option<String>,
    #[serde(default)]
    pub timezone_name: Option<String>,
    #[serde(default)]
    pub lat: Option<Value>,
    #[serde(default)]
    pub lng: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One U4 operator row.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperatorRow {
    #[serde(deserialize_with = "de::string_or_number")]
    pub operator_id: String,
    #[serde(default)]
    pub operator_name: Option<String>,
    #[serde(default)]
    pub operator_name_local: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One U5 province row: `{Id, ParentId?, Name, Country}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvinceRow {
    #[serde(deserialize_with = "de::string_or_number")]
    pub id: String,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_ids_leniently_and_keep_localized_columns() {
        let s: StationRow = serde_json::from_str(
            r#"{"StationId":"3","StationName":"Bangkok Hua Lamphong","StationNameTh":"หัวลำโพง","ProvinceId":1,"Lat":13.74}"#,
        )
        .unwrap();
        assert_eq!(s.station_id, "3");
        assert_eq!(s.province_id, Some(1));
        assert_eq!(s.other["StationNameTh"], "หัวลำโพง");
        let p: ProvinceRow =
            serde_json::from_str(r#"{"Id":44,"ParentId":"7","Name":"Chiang Mai"}"#).unwrap();
        assert_eq!((p.id.as_str(), p.parent_id), ("44", Some(7)));
        assert!(serde_json::from_str::<OperatorRow>(r#"{"OperatorName":"x"}"#).is_err());
    }
}
