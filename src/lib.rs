//! connect-api: the Travelier Connect API carried on the 12go HTTP API.
//!
//! Layout (hexagonal): `domain` holds pure types and translation rules, `ports` the
//! traits the use cases need from the outside world, `app` the use cases, and
//! `adapters` everything that talks HTTP, reads files or the environment.
#![forbid(unsafe_code)]

pub mod adapters;
pub mod app;
pub mod domain;
pub mod ports;
pub mod replay;
pub mod startup;
