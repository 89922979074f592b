//! The embedded 12go sandbox: a deterministic stand-in for 12go behind the same port.
