//! `connect-replay`: replays recorded partner requests against a base URL and compares
//! the answers with the recorded ones (docs/replay.md).
//!
//! Everything here is pure (no network, no files): the binary
//! `src/bin/connect_replay.rs` reads the files, sends the requests and prints.
//!
//! - [`args`]: the command line.
//! - [`corpus`]: one JSON line per request, `{{…}}` placeholders and captures.
//! - [`compare`]: structural comparison under ignore rules → differences with JSON pointers.
//! - [`report`]: outcomes rendered as Markdown or JSON.

pub mod args;
pub mod compare;
pub mod corpus;
pub mod placeholders;
pub mod report;
