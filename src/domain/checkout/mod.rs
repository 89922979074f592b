//! 12go checkout form (S) → client `booking_schema`, client `booking_data` → reserve
//! body (R), and 12go field errors → client paths (20 §10–§12).

pub mod classify;
pub mod input;
pub mod model;
pub mod pattern;
pub mod price;
pub mod reserve;
pub mod schema;

pub use classify::{classify, ClassifiedForm, Family};
pub use input::parse_booking_data;
pub use model::{parse_checkout, CheckoutForm, CheckoutParseError};
pub use price::{estimate, matches_total, Quote};
pub use reserve::{client_field, map_field_errors, reserve_body, validate, BookingData};
pub use schema::{booking_schema, seat_map};

/// Parses and classifies the S answer; log `unknown_required` and `skipped_patterns`.
pub fn checkout_form(body: &str) -> Result<ClassifiedForm, CheckoutParseError> {
    parse_checkout(body).map(|f| classify(&f))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_reserve;
