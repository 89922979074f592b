//! Search query strings, as the search route reads them (percent-decoding included).
#![no_main]

use connect_api::domain::search_query::{QueryParams, SearchLimits, SearchQuery};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let q = QueryParams::from_pairs(form_urlencoded::parse(data).into_owned());
    let limits = SearchLimits {
        max_routes: 20,
        max_timeout_secs: 30,
    };
    if let Ok(s) = SearchQuery::parse(&q, date(2026, 1, 1), limits) {
        assert!((1..=100).contains(&s.pax));
        assert!(s.routes.len() <= 20);
    }
});
