//! Master data (10 §5): 12go's station, operator and province rows, and the
//! client shapes built from them per locale. Pure: fetching and scheduling live
//! elsewhere.

pub mod carrier;
pub mod locale;
pub mod page;
pub mod poi;
pub mod rows;
pub mod snapshot;
pub mod station;

pub use carrier::{carrier_json, poi_json};
pub use locale::station_name_suffix;
pub use page::{OperatorsPage, ProvincesPage, StationsPage};
pub use poi::poi_stations;
pub use rows::{OperatorRow, ProvinceRow, StationRow};
pub use snapshot::{
    compact_operator, compact_station, Kind, ReverseIds, Snapshot, Unmapped, TOP_LIMIT,
};
pub use station::station_json;
