//! 12go's paged master-data calls (U3–U5, 10 §5.5), as the refresh task sees them.
//! Called with the master-data key the adapter was built with, never a client's.

use async_trait::async_trait;

use crate::domain::masterdata::{OperatorRow, ProvinceRow, StationRow};
use crate::domain::upstream::UpstreamError;

/// One page of a master-data list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// 12go's `NextPage` was non-null and the page had rows (10 §5.5 stops on
    /// either): ask again from the last id + 1.
    pub more: bool,
}

/// U3 `GET /stations?fromStationId={from}&pageSize={size}`, U4
/// `GET /tourOperators?fromOperatorId=…`, U5 `GET /provinces?fromProvinceId=…`.
///
/// Each page follows the GET retry rule with its own timeout
/// (`TWELVEGO_MASTERDATA_TIMEOUT_MS`, 30 s).
///
/// # Errors
/// As for [`crate::ports::twelvego::TwelveGo::search`]; an answer without the
/// list key (`Stations`, `TourOperators`, `Provinces`) is `UpstreamError::Decode`.
#[cfg_attr(test, mockall::automock)]
#[async_trait(?Send)]
pub trait MasterDataSource {
    async fn stations(&self, from: i64, page_size: u32) -> Result<Page<StationRow>, UpstreamError>;
    async fn operators(
        &self,
        from: i64,
        page_size: u32,
    ) -> Result<Page<OperatorRow>, UpstreamError>;
    async fn provinces(
        &self,
        from: i64,
        page_size: u32,
    ) -> Result<Page<ProvinceRow>, UpstreamError>;
}
