use super::*;

const BODY: &[u8] = br#"{"bid":87654321}"#;
const TS: &str = "1775390400";
/// HMAC-SHA256("in-old", TS + "." + BODY), computed outside Rust.
const SIG_OLD: &str = "sha256=8198b523a98d085d4fa4dc0b9bdc022b415ea5d8026b6dd9d05470762a8b5b86";

fn now() -> Timestamp {
    Timestamp::from_second(1775390400 + 10).unwrap()
}

fn cfg(secrets: &[&str], key: Option<&str>) -> InboundWebhook {
    InboundWebhook {
        hmac_secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
        shared_key: key.map(Secret::new),
    }
}

fn sig(secret: &str, ts: &str, body: &[u8]) -> String {
    sign_outbound(&Secret::new(secret), ts.parse().unwrap(), body).unwrap()
}

fn signed<'a>(ts: &'a str, sig: &'a str) -> InboundAuthHeaders<'a> {
    InboundAuthHeaders {
        timestamp: Some(ts),
        signature: Some(sig),
        key: None,
    }
}

fn verify(
    c: &InboundWebhook,
    h: InboundAuthHeaders<'_>,
    body: &[u8],
) -> Result<AuthMethod, AuthFailure> {
    verify_inbound(Some(c), &h, body, now(), DEFAULT_TOLERANCE)
}

#[test]
fn a_valid_hmac_authenticates() {
    let c = cfg(&["in-new"], None);
    let s = sig("in-new", TS, BODY);
    assert_eq!(verify(&c, signed(TS, &s), BODY), Ok(AuthMethod::Hmac));
    // Upper-case hex is the same signature.
    let upper = format!("sha256={}", s["sha256=".len()..].to_uppercase());
    assert_eq!(verify(&c, signed(TS, &upper), BODY), Ok(AuthMethod::Hmac));
}

#[test]
fn a_rotated_secret_still_verifies() {
    let c = cfg(&["in-new", "in-old"], None);
    assert_eq!(verify(&c, signed(TS, SIG_OLD), BODY), Ok(AuthMethod::Hmac));
}

#[test]
fn a_wrong_secret_or_altered_body_or_timestamp_is_a_bad_signature() {
    let c = cfg(&["in-new"], None);
    assert_eq!(
        verify(&c, signed(TS, SIG_OLD), BODY),
        Err(AuthFailure::BadSignature)
    );
    let s = sig("in-new", TS, BODY);
    assert_eq!(
        verify(&c, signed(TS, &s), br#"{"bid":87654322}"#),
        Err(AuthFailure::BadSignature)
    );
    assert_eq!(
        verify(&c, signed("1775390401", &s), BODY),
        Err(AuthFailure::BadSignature)
    );
    for garbage in ["", "sha256=", "sha256=zz", "md5=00", &s["sha256=".len()..]] {
        assert_eq!(
            verify(&c, signed(TS, garbage), BODY),
            Err(AuthFailure::BadSignature)
        );
    }
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let c = cfg(&["in-new"], None);
    let at = |ts: i64| {
        let t = ts.to_string();
        let s = sig("in-new", &t, BODY);
        verify(&c, signed(&t, &s), BODY)
    };
    let n = now().as_second();
    assert_eq!(at(n - 300), Ok(AuthMethod::Hmac));
    assert_eq!(at(n + 300), Ok(AuthMethod::Hmac));
    assert_eq!(at(n - 301), Err(AuthFailure::StaleTimestamp));
    assert_eq!(at(n + 301), Err(AuthFailure::StaleTimestamp));
    assert_eq!(at(0), Err(AuthFailure::StaleTimestamp));
}

#[test]
fn a_signature_without_timestamp_is_missing() {
    let c = cfg(&["in-old"], None);
    let h = InboundAuthHeaders {
        signature: Some(SIG_OLD),
        ..Default::default()
    };
    assert_eq!(verify(&c, h, BODY), Err(AuthFailure::Missing));
    assert_eq!(
        verify(&c, InboundAuthHeaders::default(), BODY),
        Err(AuthFailure::Missing)
    );
}

#[test]
fn the_shared_key_authenticates_in_constant_time() {
    let c = cfg(&[], Some("subscriber-key"));
    let key = |k: &'static str| InboundAuthHeaders {
        key: Some(k),
        ..Default::default()
    };
    assert_eq!(
        verify(&c, key("subscriber-key"), BODY),
        Ok(AuthMethod::SharedKey)
    );
    assert_eq!(
        verify(&c, key("subscriber-kez"), BODY),
        Err(AuthFailure::BadSignature)
    );
    assert_eq!(verify(&c, key(""), BODY), Err(AuthFailure::BadSignature));
    // A signature means nothing without HMAC secrets.
    assert_eq!(
        verify(&c, signed(TS, SIG_OLD), BODY),
        Err(AuthFailure::Missing)
    );
}

#[test]
fn the_shared_key_is_a_fallback_after_a_bad_signature() {
    let c = cfg(&["in-new"], Some("subscriber-key"));
    let h = InboundAuthHeaders {
        key: Some("subscriber-key"),
        ..signed(TS, SIG_OLD)
    };
    assert_eq!(verify(&c, h, BODY), Ok(AuthMethod::SharedKey));
    let h = InboundAuthHeaders {
        key: Some("wrong"),
        ..signed(TS, SIG_OLD)
    };
    assert_eq!(verify(&c, h, BODY), Err(AuthFailure::BadSignature));
}

#[test]
fn nothing_configured_refuses_everything() {
    let h = InboundAuthHeaders {
        key: Some("x"),
        ..signed(TS, SIG_OLD)
    };
    assert_eq!(
        verify_inbound(None, &h, BODY, now(), DEFAULT_TOLERANCE),
        Err(AuthFailure::NotConfigured)
    );
    assert_eq!(
        verify(&cfg(&[], None), h, BODY),
        Err(AuthFailure::NotConfigured)
    );
    assert_eq!(AuthFailure::NotConfigured.as_str(), "not_configured");
    assert_eq!(AuthFailure::StaleTimestamp.as_str(), "stale_timestamp");
}

#[test]
fn outbound_signing_matches_an_independent_hmac() {
    assert_eq!(
        sign_outbound(&Secret::new("out-secret"), 1775390400, br#"{"a":1}"#).unwrap(),
        "sha256=d37fa5007ddd68bfae9e7edd61e95f7ff65ee9791f1326ae7df1a1fb7586a40a"
    );
}
