//! Route handlers, one file per resource.

pub mod admin_notifications;
pub mod admin_stats;
pub mod debug;
pub mod funnel;
pub mod health;
pub mod masterdata;
pub mod post_booking;
pub mod search;
pub mod webhook;
