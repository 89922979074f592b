//! 12go checkout form (S) → client `booking_schema`, client `booking_data` → reserve
//! body (R), and 12go field errors → client paths (20 §10–§12).

pub mod classify;
pub mod model;
pub mod pattern;
pub mod reserve;
pub mod schema;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_reserve;
