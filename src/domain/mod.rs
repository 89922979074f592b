//! Pure types and rules: money, ids, times, the 12go search model and its
//! translation into the Connect contract. No I/O and no HTTP framework here.

pub mod auth;
pub mod booking;
pub mod booking_id;
pub mod booking_token;
pub mod breaker;
pub mod checkout;
pub mod clients;
pub mod field_error;
pub mod funnel_error;
pub mod id_index;
pub mod idmap;
pub mod ids;
pub mod itinerary;
pub mod masterdata;
pub mod money;
pub mod notification;
pub mod rate_limit;
pub mod refund_choice;
pub mod search_query;
pub mod search_status;
pub mod secret;
pub mod time;
pub mod translate;
pub mod trip_choice;
pub mod twelvego;
pub mod upstream;
pub mod version;
