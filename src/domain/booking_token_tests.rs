use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

const OLD: &str = "old-secret-old-secret-old-secret-0001";
const NEW: &str = "new-secret-new-secret-new-secret-0002";
const OTHER: &str = "unrelated-secret-unrelated-secret-03";

fn keys(secrets: &[&str]) -> BookingTokenKeys {
    let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(*s)).collect();
    BookingTokenKeys::new(&secrets, Duration::from_secs(10_800)).unwrap()
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

const NOW: i64 = 1_777_769_200;

fn claims() -> TokenClaims {
    TokenClaims {
        client_id: "acme".into(),
        cart_id: "a1b2c3d4".into(),
        seats: 2,
        trip_key: "TH0a1B2c3D4e5F6g7H8i9J0k".into(),
        departure: "2026-05-01T08:00".parse().unwrap(),
        price: Money::new("914.00".parse().unwrap(), Currency::new("THB")),
        nonce: Nonce::from_bytes([7; 12]),
    }
}

fn parts(token: &str) -> (String, String) {
    let rest = token.strip_prefix("v1.").unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    (p.to_owned(), s.to_owned())
}

fn payload_json(token: &str) -> serde_json::Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts(token).0).unwrap()).unwrap()
}

/// Signs an arbitrary payload with `secret`, as a foreign or buggy issuer would.
fn forge(secret: &str, payload: &[u8]) -> String {
    let signed = format!("v1.{}", URL_SAFE_NO_PAD.encode(payload));
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn a_token_round_trips_its_claims_and_expiry() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    assert!(token.starts_with("v1."));
    assert!(!token.contains('='));
    let v = k.verify(&token, "acme", at(NOW + 60)).unwrap();
    assert_eq!(v.claims, claims());
    assert_eq!(v.expires_at, at(NOW + 10_800));
    assert_eq!(v.remaining(at(NOW + 800)), Duration::from_secs(10_000));
    assert_eq!(v.claims.price.amount.to_string(), "914.00");
}

#[test]
fn the_payload_is_the_spec_json() {
    let token = keys(&[NEW]).issue(&claims(), at(NOW));
    let json = payload_json(&token);
    assert_eq!(
        json,
        serde_json::json!({"c":"acme","k":"a1b2c3d4","n":2,"t":"TH0a1B2c3D4e5F6g7H8i9J0k",
            "d":"2026-05-01T08:00","p":{"a":"914.00","c":"THB"},"x":NOW + 10_800,
            "u":URL_SAFE_NO_PAD.encode([7u8; 12])})
    );
}

#[test]
fn the_signature_is_hmac_sha256_over_the_prefixed_payload() {
    let token = keys(&[NEW]).issue(&claims(), at(NOW));
    let (payload, _) = parts(&token);
    let json = URL_SAFE_NO_PAD.decode(payload).unwrap();
    assert_eq!(forge(NEW, &json), token);
}

#[test]
fn rotation_the_new_key_signs_and_the_old_key_still_verifies() {
    let before = keys(&[OLD]);
    let during = keys(&[NEW, OLD]);
    let after = keys(&[NEW]);
    let old_token = before.issue(&claims(), at(NOW));
    let new_token = during.issue(&claims(), at(NOW));
    assert!(during.verify(&old_token, "acme", at(NOW)).is_ok());
    assert!(during.verify(&new_token, "acme", at(NOW)).is_ok());
    assert!(after.verify(&new_token, "acme", at(NOW)).is_ok());
    assert_eq!(
        before.verify(&new_token, "acme", at(NOW)),
        Err(TokenError::BadSignature)
    );
    assert_eq!(
        after.verify(&old_token, "acme", at(NOW)),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn a_tampered_payload_does_not_verify() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    let (_, sig) = parts(&token);
    let mut json = payload_json(&token);
    json["n"] = 9.into();
    let tampered = format!(
        "v1.{}.{sig}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&json).unwrap())
    );
    assert_eq!(
        k.verify(&tampered, "acme", at(NOW)),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn a_tampered_signature_does_not_verify() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    let (payload, sig) = parts(&token);
    let mut bytes = URL_SAFE_NO_PAD.decode(&sig).unwrap();
    bytes[0] ^= 1;
    let tampered = format!("v1.{payload}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(
        k.verify(&tampered, "acme", at(NOW)),
        Err(TokenError::BadSignature)
    );
    // A key outside the configured set.
    let foreign = keys(&[OTHER]).issue(&claims(), at(NOW));
    assert_eq!(
        k.verify(&foreign, "acme", at(NOW)),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn another_clients_token_is_not_found() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    let e = k.verify(&token, "globex", at(NOW)).unwrap_err();
    assert_eq!(e, TokenError::WrongClient);
    assert_eq!((e.status(), e.code()), (404, "booking_token_not_found"));
}

#[test]
fn an_expired_token_is_not_found() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    assert!(k.verify(&token, "acme", at(NOW + 10_799)).is_ok());
    let e = k.verify(&token, "acme", at(NOW + 10_800)).unwrap_err();
    assert_eq!(e, TokenError::Expired);
    assert_eq!((e.status(), e.code()), (404, "booking_token_not_found"));
}

#[test]
fn malformed_pieces_are_invalid_tokens() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    let (payload, sig) = parts(&token);
    for bad in [
        String::new(),
        "v1".into(),
        "v1.".into(),
        "v1..".into(),
        format!("v1.{payload}"),
        format!("v1.{payload}."),
        format!("v1..{sig}"),
        format!("v1.{payload}.{sig}.x"),
        format!("v1.{payload}.{sig}="),
        format!("v1.{payload}=.{sig}"),
        format!("v1.{payload}.{}", &sig[1..]),
        format!("v1.{payload}!.{sig}"),
        format!("v1.{payload}.{sig}").replace('.', " "),
        format!("v1.{}.{sig}", "A".repeat(5000)),
    ] {
        let e = k.verify(&bad, "acme", at(NOW)).unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (400, "invalid_booking_token"),
            "{bad}"
        );
    }
}

#[test]
fn a_wrong_version_prefix_is_malformed() {
    let k = keys(&[NEW]);
    let token = k.issue(&claims(), at(NOW));
    let rest = token.strip_prefix("v1.").unwrap();
    for bad in [
        format!("v2.{rest}"),
        format!("V1.{rest}"),
        rest.to_owned(),
        format!(".{rest}"),
    ] {
        assert_eq!(
            k.verify(&bad, "acme", at(NOW)),
            Err(TokenError::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn a_correctly_signed_but_invalid_payload_is_malformed() {
    let k = keys(&[NEW]);
    let good = payload_json(&k.issue(&claims(), at(NOW)));
    let mut cases: Vec<Vec<u8>> = vec![b"not json".to_vec(), b"{}".to_vec(), b"[]".to_vec()];
    for (field, value) in [
        ("d", serde_json::json!("tomorrow")),
        ("n", serde_json::json!(0)),
        ("n", serde_json::json!(-1)),
        ("x", serde_json::json!("soon")),
        ("x", serde_json::json!(i64::MAX)),
        ("u", serde_json::json!("short")),
        ("c", serde_json::json!("")),
        ("p", serde_json::json!({"a":"lots","c":"THB"})),
    ] {
        let mut j = good.clone();
        j[field] = value;
        cases.push(serde_json::to_vec(&j).unwrap());
    }
    for payload in cases {
        let token = forge(NEW, &payload);
        assert_eq!(
            k.verify(&token, "acme", at(NOW)),
            Err(TokenError::Malformed),
            "{}",
            String::from_utf8_lossy(&payload)
        );
    }
}

#[test]
fn keys_need_at_least_one_secret_of_32_bytes_and_a_ttl() {
    let ttl = Duration::from_secs(1);
    assert_eq!(
        BookingTokenKeys::new(&[], ttl).unwrap_err(),
        KeysError::Empty
    );
    let short = [Secret::new(NEW), Secret::new("x".repeat(31))];
    assert_eq!(
        BookingTokenKeys::new(&short, ttl).unwrap_err(),
        KeysError::TooShort(2)
    );
    assert_eq!(
        BookingTokenKeys::new(&[Secret::new(NEW)], Duration::ZERO).unwrap_err(),
        KeysError::ZeroTtl
    );
    assert!(BookingTokenKeys::new(&[Secret::new("x".repeat(32))], ttl).is_ok());
}

#[test]
fn debug_never_shows_a_secret() {
    let k = keys(&[NEW, OLD]);
    let shown = format!("{k:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("keys: 2"), "{shown}");
}

#[test]
fn a_signed_link_verifies_with_any_key_until_it_expires() {
    let k = keys(&[NEW, OLD]);
    let sig = k.sign_link("acme", "stations", "en", NOW + 3600);
    assert_eq!(sig.len(), 64);
    assert!(sig
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    // Same HMAC as the spec's message.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(NEW.as_bytes()).unwrap();
    mac.update(format!("link.v1\nacme\nstations\nen\n{}", NOW + 3600).as_bytes());
    assert_eq!(sig, hex::encode(mac.finalize().into_bytes()));

    assert!(k.verify_link("acme", "stations", "en", NOW + 3600, &sig, at(NOW)));
    // Signed with the old key before rotation: still verifies.
    let old_sig = keys(&[OLD]).sign_link("acme", "stations", "en", NOW + 3600);
    assert!(k.verify_link("acme", "stations", "en", NOW + 3600, &old_sig, at(NOW)));
    // Not with a key outside the set.
    assert!(!keys(&[OTHER]).verify_link("acme", "stations", "en", NOW + 3600, &sig, at(NOW)));
}

#[test]
fn a_signed_link_refuses_any_change_expiry_or_garbage() {
    let k = keys(&[NEW]);
    let exp = NOW + 3600;
    let sig = k.sign_link("acme", "stations", "en", exp);
    assert!(!k.verify_link("globex", "stations", "en", exp, &sig, at(NOW)));
    assert!(!k.verify_link("acme", "pois", "en", exp, &sig, at(NOW)));
    assert!(!k.verify_link("acme", "stations", "th", exp, &sig, at(NOW)));
    assert!(!k.verify_link("acme", "stations", "en", exp + 1, &sig, at(NOW)));
    assert!(!k.verify_link("acme", "stations", "en", exp, &sig, at(exp)));
    assert!(!k.verify_link("acme", "stations", "en", exp, "", at(NOW)));
    assert!(!k.verify_link("acme", "stations", "en", exp, &"z".repeat(64), at(NOW)));
    assert!(!k.verify_link("acme", "stations", "en", exp, &sig[..62], at(NOW)));
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic_and_never_verify(s in ".{0,600}") {
        let k = keys(&[NEW]);
        prop_assert!(k.verify(&s, "acme", at(NOW)).is_err());
        prop_assert!(!k.verify_link("acme", "stations", "en", NOW + 1, &s, at(NOW)));
    }

    #[test]
    fn token_shaped_strings_never_panic_and_never_verify(
        payload in "[A-Za-z0-9_-]{0,300}",
        sig in "[A-Za-z0-9_=-]{0,60}",
        dots in 0usize..3,
    ) {
        let k = keys(&[NEW]);
        let s = format!("v1.{payload}{}{sig}", ".".repeat(dots));
        let e = k.verify(&s, "acme", at(NOW)).unwrap_err();
        prop_assert_eq!(e.status(), 400);
    }

    #[test]
    fn any_single_character_change_is_refused(pos in 0usize..1000, c in "[A-Za-z0-9_.=-]") {
        let k = keys(&[NEW]);
        let token = k.issue(&claims(), at(NOW));
        let pos = pos % token.len();
        let mut bytes = token.clone().into_bytes();
        bytes[pos] = c.as_bytes()[0];
        let changed = String::from_utf8(bytes).unwrap();
        prop_assume!(changed != token);
        let r = k.verify(&changed, "acme", at(NOW));
        prop_assert!(r.is_err(), "{changed}");
    }
}
