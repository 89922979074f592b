//! Shared fixtures of the fuzz targets (included with `#[path]`).
#![allow(dead_code)]

use std::time::Duration;

use connect_api::domain::booking_token::BookingTokenKeys;
use connect_api::domain::secret::Secret;
use jiff::Timestamp;

pub const SECRET: &str = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
pub const CHECKOUT_SPEC: &str =
    include_str!("../../tests/fixtures/12go/checkout-spec-example.json");
pub const CHECKOUT_VARIANTS: &str =
    include_str!("../../tests/fixtures/12go/checkout-variants.json");

pub fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

pub fn keys() -> BookingTokenKeys {
    BookingTokenKeys::new(&[Secret::new(SECRET)], Duration::from_secs(900)).unwrap()
}
