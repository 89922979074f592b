//! Booking tokens and master-data link signatures. Input is tried as a token and,
//! signed with the fuzzing key, as a token payload (reaching the JSON/claims parsing).
#![no_main]

#[path = "common.rs"]
mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let k = common::keys();
    let text = String::from_utf8_lossy(data);
    let _ = k.verify(&text, "acme", common::now());
    let _ = k.verify_link(
        "acme",
        "stations",
        &text,
        1_790_000_100,
        &text,
        common::now(),
    );
    let signed = format!("v1.{}", URL_SAFE_NO_PAD.encode(data));
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(common::SECRET.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let token = format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    if let Ok(v) = k.verify(&token, "acme", common::now()) {
        let _ = v.claims.price.amount_string();
        let _ = v.remaining(common::now());
    }
});
