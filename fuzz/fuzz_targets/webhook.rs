//! Inbound 12go webhook: body parsing and the signature / key headers. The first
//! line of the input is the timestamp header, the second the signature, the third
//! the key; the rest is the body.
#![no_main]

#[path = "common.rs"]
mod common;

use std::time::Duration;

use connect_api::domain::clients::InboundWebhook;
use connect_api::domain::notification::parse_webhook;
use connect_api::domain::notification::signature::{verify_inbound, InboundAuthHeaders};
use connect_api::domain::secret::Secret;
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = parse_webhook(data) {
        assert!(e.bid.parse::<i64>().is_ok_and(|n| n > 0));
    }
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let ts = parts.next().map(String::from_utf8_lossy);
    let sig = parts.next().map(String::from_utf8_lossy);
    let key = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();
    let _ = parse_webhook(body);
    let cfg = InboundWebhook {
        hmac_secrets: vec![Secret::new(common::SECRET)],
        shared_key: Some(Secret::new("shared-key")),
    };
    let headers = InboundAuthHeaders {
        timestamp: ts.as_deref(),
        signature: sig.as_deref(),
        key: key.as_deref(),
    };
    for now in [common::now(), Timestamp::MIN, Timestamp::MAX] {
        let _ = verify_inbound(Some(&cfg), &headers, body, now, Duration::from_secs(300));
    }
});
