//! Use cases, one per file, orchestrating the ports.

pub mod auth;
pub mod recheck;
pub mod search;
