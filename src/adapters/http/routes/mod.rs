//! Route handlers, one file per resource.

pub mod debug;
pub mod health;
pub mod search;
