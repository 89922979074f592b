//! Small header and parameter parsers: Retry-After, API version headers,
//! master-data kind and locale, dates, decimals, config lists.
#![no_main]

#[path = "common.rs"]
mod common;

use connect_api::domain::masterdata::snapshot::Kind;
use connect_api::domain::masterdata::station_name_suffix;
use connect_api::domain::money::{parse_decimal, Currency, Money};
use connect_api::domain::notification::{parse_retry_after, SourceAllowlist};
use connect_api::domain::time::{parse_date, parse_lenient_datetime};
use connect_api::domain::translate::PriceTypeMap;
use connect_api::domain::version::ApiVersions;
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((text.as_ref(), ""));
    for now in [common::now(), Timestamp::MIN, Timestamp::MAX] {
        let _ = parse_retry_after(a, now);
    }
    let v = ApiVersions::default();
    let _ = v.resolve(Some(a), None);
    let _ = v.resolve(Some(a), Some(b));
    let _ = ApiVersions::parse(&text);
    let _ = Kind::parse(a);
    let _ = station_name_suffix(a);
    let _ = parse_date(a);
    let _ = parse_lenient_datetime(a);
    if let Some(d) = parse_decimal(a) {
        let _ = Money::new(d, Currency::new("THB")).amount_string();
        let _ = Money::new(d, Currency::new(b)).amount_string();
    }
    let _ = PriceTypeMap::parse(&text);
    let _ = SourceAllowlist::parse(&text);
});
