//! The booking funnel (20) against a fake 12go: GetItinerary, SeatLock,
//! CreateBooking, ConfirmBooking and `incomplete_results`.

mod confirm;
mod create;
mod faults;
pub mod fixtures;
mod itinerary;
mod routes;
mod seat_lock;
mod slow_path;
mod tokens;
