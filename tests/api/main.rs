//! Black-box HTTP tests: the real app on random ports, `reqwest` as the client
//! and `wiremock` as the fake 12go (STYLE 10–11). One file per topic.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;

mod admin_notifications;
mod auth;
mod delivery;
mod funnel;
mod funnel_redis;
mod headers;
mod helpers;
mod idmap;
mod masterdata;
mod outbox_redis;
mod overload;
mod post_booking;
mod profiling;
mod resilience;
mod routing;
mod service;
mod upstream;
mod validation;
mod webhook;
mod webhook_source;
