//! The envelopes of 12go's master-data pages (U3–U5): the rows under their own
//! key and a `NextPage` cursor. A missing list key does not decode, so a changed
//! answer fails the refresh instead of emptying the snapshot.

use serde::Deserialize;
use serde_json::Value;

use super::rows::{OperatorRow, ProvinceRow, StationRow};

/// Whether more rows follow: `NextPage` was non-null and this page had rows
/// (10 §5.5: stop on an empty page or a null `NextPage`).
fn more<T>(rows: &[T], next_page: &Option<Value>) -> bool {
    !rows.is_empty() && next_page.as_ref().is_some_and(|v| !v.is_null())
}

/// U3 `{"Stations":[…],"NextPage":…}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct StationsPage {
    #[serde(rename = "Stations")]
    pub rows: Vec<StationRow>,
    /// Absent or null: no more pages; any other value: more.
    #[serde(rename = "NextPage", default)]
    pub next_page: Option<Value>,
}

/// U4 `{"TourOperators":[…],"NextPage":…}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OperatorsPage {
    #[serde(rename = "TourOperators")]
    pub rows: Vec<OperatorRow>,
    #[serde(rename = "NextPage", default)]
    pub next_page: Option<Value>,
}

/// U5 `{"Provinces":[{Id, ParentId?, Name, Country}],"NextPage":…}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProvincesPage {
    #[serde(rename = "Provinces")]
    pub rows: Vec<ProvinceRow>,
    #[serde(rename = "NextPage", default)]
    pub next_page: Option<Value>,
}

impl StationsPage {
    pub fn more(&self) -> bool {
        more(&self.rows, &self.next_page)
    }
}

impl OperatorsPage {
    pub fn more(&self) -> bool {
        more(&self.rows, &self.next_page)
    }
}

impl ProvincesPage {
    pub fn more(&self) -> bool {
        more(&self.rows, &self.next_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_absent_or_null_means_no_more() {
        let p: StationsPage = serde_json::from_str(r#"{"Stations":[{"StationId":3}]}"#).unwrap();
        assert_eq!((p.rows.len(), p.more()), (1, false));
        let p: StationsPage =
            serde_json::from_str(r#"{"Stations":[{"StationId":3}],"NextPage":null}"#).unwrap();
        assert!(!p.more());
    }

    #[test]
    fn any_non_null_next_page_means_more() {
        for next in ["4", r#""4""#, "true", "{}", "0"] {
            let raw = format!(r#"{{"TourOperators":[{{"OperatorId":1}}],"NextPage":{next}}}"#);
            let p: OperatorsPage = serde_json::from_str(&raw).unwrap();
            assert!(p.more(), "{next}");
        }
    }

    #[test]
    fn an_empty_page_has_no_more_whatever_next_page_says() {
        let p: ProvincesPage = serde_json::from_str(r#"{"Provinces":[],"NextPage":5}"#).unwrap();
        assert!(p.rows.is_empty() && !p.more());
    }

    #[test]
    fn provinces_decode_with_optional_parent() {
        let p: ProvincesPage = serde_json::from_str(
            r#"{"Provinces":[{"Id":61,"Name":"Surat Thani","Country":"TH"},
                {"Id":"62","ParentId":61,"Name":"Koh Samui","Country":"TH"}],"NextPage":63}"#,
        )
        .unwrap();
        assert_eq!(p.rows[0].parent_id, None);
        assert_eq!(
            (p.rows[1].id.as_str(), p.rows[1].parent_id),
            ("62", Some(61))
        );
        assert_eq!(p.rows[1].country.as_deref(), Some("TH"));
    }

    #[test]
    fn a_missing_or_misnamed_list_key_does_not_decode() {
        assert!(serde_json::from_str::<StationsPage>(r#"{"NextPage":null}"#).is_err());
        assert!(serde_json::from_str::<StationsPage>(r#"{"Stations":null}"#).is_err());
        assert!(serde_json::from_str::<OperatorsPage>(r#"{"Operators":[]}"#).is_err());
        assert!(serde_json::from_str::<ProvincesPage>(r#"[]"#).is_err());
    }
}
