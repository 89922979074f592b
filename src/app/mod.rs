//! Use cases, one per file, orchestrating the ports.

pub mod auth;
pub mod booking;
pub mod breaker;
pub mod idmaps;
pub mod masterdata;
pub mod notifications;
pub mod rate_limit;
pub mod recheck;
pub mod search;
