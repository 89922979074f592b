//! The awc 12go client: the outbound adapter of `ports::twelvego::TwelveGo`.
