//! 12go answers: search (and its translation), booking details, refund options,
//! error bodies, and checkout forms with their booking schema. The harness is the
//! property campaign's (tests/support/twelvego_parsers.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/twelvego_parsers.rs"]
mod twelvego_parsers;

fuzz_target!(|data: &[u8]| twelvego_parsers::run_twelvego(data));
