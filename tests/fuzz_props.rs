//! Property-based robustness campaign (issue 8): every parser that sees outside
//! input gets arbitrary and structure-aware input and must answer with a value
//! or an error, never a panic. Where meaningful an invariant is checked too.
//!
//! Quick run (part of `cargo test`): 256 cases per property.
//! Long campaign: `PROPTEST_CASES=20000 cargo test --test fuzz_props`
//! (`scripts/fuzz.sh` does this, plus the libFuzzer targets in `fuzz/`).

use std::time::Duration;

use jiff::civil::date;
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use connect_api::domain::booking_id::{resolve_bid, BookingIdMap};
use connect_api::domain::booking_token::{BookingTokenKeys, Nonce, TokenClaims, TokenError};
use connect_api::domain::checkout::{
    classify, parse_booking_data, parse_checkout, reserve_body, validate, Quote,
};
use connect_api::domain::clients::InboundWebhook;
use connect_api::domain::ids::{ClientId, ItineraryRef, Place};
use connect_api::domain::masterdata::snapshot::Kind;
use connect_api::domain::masterdata::station_name_suffix;
use connect_api::domain::money::{parse_decimal, Currency, Money};
use connect_api::domain::notification::signature::{
    sign_outbound, verify_inbound, InboundAuthHeaders,
};
use connect_api::domain::notification::{parse_retry_after, parse_webhook, SourceAllowlist};
use connect_api::domain::search_query::{QueryParams, SearchLimits, SearchQuery};
use connect_api::domain::secret::Secret;
use connect_api::domain::time::{parse_date, parse_lenient_datetime};
use connect_api::domain::translate::PriceTypeMap;
use connect_api::domain::upstream::Rejection;
use connect_api::domain::version::ApiVersions;

#[path = "support/twelvego_parsers.rs"]
mod twelvego_parsers;
use twelvego_parsers::{run_checkout, run_twelvego};

fn config() -> ProptestConfig {
    // PROPTEST_CASES (read by proptest itself) raises this for the long campaign.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const SECRET: &str = "fuzz-secret-fuzz-secret-fuzz-secret-0123";

/// Text that mixes ASCII digits/punctuation the parsers look at with multi-byte
/// characters (byte-offset slicing is the classic panic).
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[0-9a-zA-Z:._ +TZ-]{0,40}",
        "[0-9é€😀:T -]{0,24}",
        proptest::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// Arbitrary JSON, with realistic keys where given.
fn json_value(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        tricky().prop_map(Value::String),
        "[0-9]{1,25}".prop_map(Value::String),
        "-?[0-9]{1,20}(\\.[0-9]{0,30})?([eE][-+]?[0-9]{1,4})?".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        proptest::sample::select(keys).prop_map(str::to_owned),
                        tricky()
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const QUERY_KEYS: &[&str] = &[
    "departure_date",
    "return_date",
    "pax",
    "pax_ages",
    "pax_ages[]",
    "currency",
    "confidence_score",
    "cache_only",
    "timeout",
    "departures",
    "departures[]",
    "arrivals",
    "arrivals[]",
    "departure_poi",
    "arrival_poi",
    "locale",
];

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky(),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9](:[0-5][0-9])?",
        "-?[0-9]{1,22}",
        "[A-Z0-9]{1,18}",
        "[A-Z]{3}",
    ]
}

fn limits() -> SearchLimits {
    SearchLimits {
        max_routes: 20,
        max_timeout_secs: 30,
    }
}

proptest! {
    #![proptest_config(config())]

    // ---- query strings -------------------------------------------------------

    #[test]
    fn search_query_raw_bytes(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        let q = QueryParams::from_pairs(form_urlencoded::parse(&raw).into_owned());
        let _ = SearchQuery::parse(&q, date(2026, 1, 1), limits());
    }

    #[test]
    fn search_query_structured(
        pairs in proptest::collection::vec(
            (proptest::sample::select(QUERY_KEYS), query_value()), 0..14),
    ) {
        // Through the real percent-encoding, as the route sees it.
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let q = QueryParams::from_pairs(form_urlencoded::parse(encoded.as_bytes()).into_owned());
        if let Ok(s) = SearchQuery::parse(&q, date(2026, 1, 1), limits()) {
            prop_assert!((1..=100).contains(&s.pax));
            prop_assert!(s.timeout_secs <= 30);
            prop_assert!(s.departure_date >= date(2026, 1, 1));
            prop_assert!(s.routes.len() <= 20);
            prop_assert!(s.routes.iter().all(|(o, d)| o != d));
        }
    }

    // ---- ids -----------------------------------------------------------------

    #[test]
    fn ids_arbitrary(raw in tricky()) {
        if let Some(id) = ClientId::parse(&raw) {
            prop_assert_eq!(id.as_str(), raw.as_str());
        }
        if let Some(p) = Place::parse_path(&raw) {
            prop_assert_eq!(Place::parse_path(&p.to_string()), Some(p));
        }
        let _ = ItineraryRef::parse(&raw);
        let _ = resolve_bid(&raw, "acme", None);
        let _ = Kind::parse(&raw);
        let _ = station_name_suffix(&raw);
    }

    #[test]
    fn itinerary_id_round_trip(
        key in "[A-Za-z0-9é_-]{1,30}",
        y in 1900i16..2100, m in 1i8..=12, d in 1i8..=28, h in 0i8..24, mi in 0i8..60,
        seats in 1u8..=100,
    ) {
        let dt = date(y, m, d).at(h, mi, 0, 0);
        let id = connect_api::domain::ids::itinerary_id(&key, dt, seats);
        let r = ItineraryRef::parse(&id).expect("an id we built parses");
        prop_assert_eq!(r.trip_key, key);
        prop_assert_eq!(r.date, dt.date());
        prop_assert_eq!((r.hour, r.minute, r.seats), (h, mi, Some(seats)));
    }

    #[test]
    fn itinerary_id_structured(
        key in tricky(), dt in "[0-9é]{4}-[0-9]{2}-[0-9]{2}", t in "[0-9é]{2}:[0-9]{2}",
        seats in "(-[0-9é]{0,4})?",
    ) {
        let _ = ItineraryRef::parse(&format!("{key}-{dt}-{t}{seats}"));
    }

    #[test]
    fn klv_ids(
        parts in proptest::collection::vec(("[0-9]{2}", 0usize..120, tricky()), 0..6),
        client in "[a-z]{1,8}",
    ) {
        let mut raw = String::from("0102V1");
        for (k, len, v) in &parts {
            raw.push_str(&format!("{k}{len:02}{v}"));
        }
        let _ = resolve_bid(&raw, &client, None);
    }

    #[test]
    fn booking_id_map_csv(
        rows in proptest::collection::vec(
            proptest::collection::vec(tricky(), 0..6).prop_map(|c| c.join(",")), 0..8),
    ) {
        let text = format!("id,plain_id,bid,client_id\n{}", rows.join("\n"));
        let (map, _) = BookingIdMap::parse(&text).expect("header is right");
        for row in &rows {
            for col in row.split(',') {
                let _ = resolve_bid(col.trim(), "acme", Some(&map));
            }
        }
        let _ = BookingIdMap::parse(&rows.join("\n"));
    }

    // ---- booking tokens ------------------------------------------------------

    #[test]
    fn token_arbitrary(raw in tricky(), prefixed in tricky()) {
        let k = keys();
        let _ = k.verify(&raw, "acme", now());
        let _ = k.verify(&format!("v1.{prefixed}"), "acme", now());
        let _ = k.verify_link("acme", &raw, &prefixed, 1, &raw, now());
    }

    #[test]
    fn token_flipped(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let k = keys();
        let token = k.issue(&claims(), now());
        let mut bytes = token.clone().into_bytes();
        for (i, b) in &flips {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        let s = String::from_utf8_lossy(&bytes).into_owned();
        match k.verify(&s, "acme", now()) {
            Ok(v) => {
                prop_assert_eq!(s, token);
                prop_assert_eq!(v.claims, claims());
            }
            Err(e) => prop_assert!(matches!(e, TokenError::Malformed | TokenError::BadSignature)),
        }
    }

    /// Payloads that are correctly signed (the key is ours), so the JSON and
    /// claim parsing behind the signature check is reached.
    #[test]
    fn token_signed_payload(payload in json_value(&["c", "k", "n", "t", "d", "p", "a", "x", "u"])) {
        let k = keys();
        let token = sign_payload(&serde_json::to_vec(&payload).unwrap());
        let _ = k.verify(&token, "acme", now());
    }

    #[test]
    fn token_signed_structured(
        d in tricky(), a in tricky(), c in "[A-Z]{3}|.{0,5}", x in any::<i64>(), n in any::<u32>(),
        u in tricky(),
    ) {
        let payload = json!({"c":"acme","k":"cart","n":n,"t":"trip","d":d,
            "p":{"a":a,"c":c},"x":x,"u":u});
        let token = sign_payload(&serde_json::to_vec(&payload).unwrap());
        if let Ok(v) = keys().verify(&token, "acme", now()) {
            // What verifies can be rendered again.
            let _ = v.claims.price.amount_string();
            let _ = v.remaining(now());
        }
    }

    // ---- JSON bodies: booking_data / lock_seats -----------------------------

    #[test]
    fn booking_data_arbitrary(v in json_value(BOOKING_KEYS), pax in 0usize..12) {
        run_booking_data(&v, pax);
    }

    #[test]
    fn booking_data_structured(
        contact in proptest::collection::vec(
            (proptest::sample::select(&["email", "mobile_phone", "seat_selection", "passengers",
                "additional_fields", "total_price"][..]), json_value(BOOKING_KEYS)), 0..6),
        passengers in proptest::collection::vec(
            proptest::collection::vec(
                (proptest::sample::select(PASSENGER_KEYS), json_value(BOOKING_KEYS)), 0..8),
            0..4),
        pax in 0usize..6,
    ) {
        let mut obj: Map<String, Value> = contact.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        obj.insert("passengers".into(), Value::Array(passengers.into_iter()
            .map(|p| Value::Object(p.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .collect()));
        run_booking_data(&Value::Object(obj), pax);
    }

    // ---- 12go responses, checkout forms --------------------------------------

    #[test]
    fn twelvego_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
        run_twelvego(&raw);
    }

    #[test]
    fn twelvego_structured(v in json_value(TWELVEGO_KEYS)) {
        run_twelvego(&serde_json::to_vec(&v).unwrap());
        // As a search answer wrapped the way 12go wraps trips.
        let wrapped = json!({"trips":[v.clone()],"operators":{"1":v.clone()},"stations":{"3":v.clone()},"classes":{"1":v}});
        run_twelvego(&serde_json::to_vec(&wrapped).unwrap());
    }

    #[test]
    fn checkout_structured(
        fields in proptest::collection::vec(
            (proptest::sample::select(CHECKOUT_KEYS), json_value(CHECKOUT_FIELD_KEYS)), 0..10),
        data in json_value(BOOKING_KEYS),
    ) {
        let form: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let text = serde_json::to_string(&form).unwrap();
        run_checkout(&text, &data);
    }

    #[test]
    fn checkout_fixture_mutated(
        which in 0usize..2,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let base = [CHECKOUT_SPEC, CHECKOUT_VARIANTS][which];
        let mut bytes = base.as_bytes().to_vec();
        for (i, b) in &flips {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        run_checkout(&String::from_utf8_lossy(&bytes), &json!({}));
    }

    // ---- webhooks ------------------------------------------------------------

    #[test]
    fn webhook_arbitrary(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_webhook(&raw);
        run_webhook_auth(&raw, None, None, None);
    }

    #[test]
    fn webhook_structured(v in json_value(&["bid", "type", "stamp", "previous_data", "status"])) {
        let body = serde_json::to_vec(&v).unwrap();
        if let Ok(e) = parse_webhook(&body) {
            prop_assert!(e.bid.parse::<i64>().is_ok_and(|n| n > 0));
            prop_assert!(!e.kind.is_empty() && e.kind.len() <= 64);
            prop_assert!(e.stamp.is_none_or(|s| s > 0));
        }
    }

    #[test]
    fn webhook_headers(
        body in proptest::collection::vec(any::<u8>(), 0..64),
        ts in prop_oneof![tricky(), any::<i64>().prop_map(|n| n.to_string())],
        sig in prop_oneof![tricky(), "sha256=[0-9a-fé]{60,68}"],
        key in tricky(),
        sign in any::<bool>(),
    ) {
        let sig = match (sign, ts.parse::<i64>()) {
            (true, Ok(t)) => sign_outbound(&Secret::new(SECRET), t, &body).unwrap(),
            _ => sig,
        };
        run_webhook_auth(&body, Some(&ts), Some(&sig), Some(&key));
    }

    // ---- master data params, headers, Retry-After, config-ish text -----------

    #[test]
    fn small_text_parsers(raw in tricky(), alt in tricky()) {
        let _ = parse_date(&raw);
        let _ = parse_lenient_datetime(&raw);
        if let Some(d) = parse_decimal(&raw) {
            let _ = Money::new(d, Currency::new("THB")).amount_string();
            let _ = Money::new(d, Currency::new(&alt)).amount_string();
        }
        let _ = parse_retry_after(&raw, now());
        let _ = parse_retry_after(&raw, Timestamp::MIN);
        let _ = parse_retry_after(&raw, Timestamp::MAX);
        let v = ApiVersions::default();
        let _ = v.resolve(Some(&raw), None);
        let _ = v.resolve(Some(&raw), Some(&alt));
        let _ = ApiVersions::parse(&raw);
        let _ = PriceTypeMap::parse(&raw);
        let _ = SourceAllowlist::parse(&raw);
        let _ = Rejection::parse(raw.as_bytes());
    }

    #[test]
    fn retry_after_seconds_round_trip(n in any::<u64>()) {
        prop_assert_eq!(parse_retry_after(&n.to_string(), now()), Some(Duration::from_secs(n)));
    }

    #[test]
    fn decimal_text(raw in "[-+]?[0-9]{0,40}(\\.[0-9]{0,40})?([eE][-+]?[0-9]{1,6})?") {
        if let Some(d) = parse_decimal(&raw) {
            let _ = Money::new(d, Currency::new("JPY")).amount_string();
            let _ = Money::new(d, Currency::new("KWD")).amount_string();
        }
    }
}

const BOOKING_KEYS: &[&str] = &[
    "email",
    "mobile_phone",
    "seat_selection",
    "passengers",
    "first_name",
    "last_name",
    "dob",
    "id_number",
    "id_type",
    "id_expiry_date",
    "nationality",
    "gender",
    "title",
    "additional_fields",
    "baggage",
    "amount",
    "currency",
];
const PASSENGER_KEYS: &[&str] = &[
    "first_name",
    "last_name",
    "middle_name",
    "dob",
    "id_number",
    "id_type",
    "id_expiry_date",
    "id_issue_date",
    "id_country",
    "nationality",
    "gender",
    "title",
    "seat",
    "baggage",
    "additional_fields",
];
const TWELVEGO_KEYS: &[&str] = &[
    "trips",
    "id",
    "params",
    "segments",
    "travel_options",
    "price",
    "netprice",
    "value",
    "fxcode",
    "bookable",
    "dep_time",
    "arr_time",
    "from",
    "to",
    "class",
    "vehclasses",
    "operators",
    "stations",
    "classes",
    "bid",
    "status",
    "dep_date_time",
    "created_on",
    "stamp",
    "ticket_url",
    "from_id",
    "to_id",
    "seats",
    "tracker",
    "available",
    "options",
    "refund_amount",
    "hash",
    "expires",
    "expires_after",
    "messages",
    "fields",
    "data",
    "reasons",
    "reason_code",
    "hide",
    "duration",
    "ticket_type",
    "confirmation_minutes",
    "cancellation",
];
const CHECKOUT_KEYS: &[&str] = &[
    "contact[mobile]",
    "contact[email]",
    "seats",
    "selected_seats_TH0001",
    "passenger[0][first_name]",
    "passenger[0][last_name]",
    "passenger[0][dob]",
    "passenger[0][id_no]",
    "passenger[0][title]",
    "passenger[0][baggage_TH01]",
    "passenger[1][first_name]",
    "passenger[0]",
    "passenger[][x]",
    "points[pickup]",
    "",
    "[",
];
const CHECKOUT_FIELD_KEYS: &[&str] = &[
    "type",
    "required",
    "regexp",
    "options",
    "value",
    "text",
    "data",
    "seatmap",
    "seats",
    "price",
    "price_diff",
    "is_booked",
    "fxcode",
    "title",
    "name",
    "layout",
];

const CHECKOUT_SPEC: &str = include_str!("fixtures/12go/checkout-spec-example.json");
const CHECKOUT_VARIANTS: &str = include_str!("fixtures/12go/checkout-variants.json");

fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

fn keys() -> BookingTokenKeys {
    BookingTokenKeys::new(&[Secret::new(SECRET)], Duration::from_secs(900)).unwrap()
}

fn claims() -> TokenClaims {
    TokenClaims {
        client_id: "acme".into(),
        cart_id: "cart-1".into(),
        seats: 2,
        trip_key: "TH000300044mDt00g03BNR3q".into(),
        departure: date(2026, 12, 26).at(20, 22, 0, 0),
        price: Money::new("740.74".parse().unwrap(), Currency::new("THB")),
        nonce: Nonce::from_bytes([7; 12]),
    }
}

/// `v1.{b64(payload)}.{b64(HMAC-SHA256(key, "v1." + b64(payload)))}` (20 §8).
fn sign_payload(payload: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let signed = format!("v1.{}", URL_SAFE_NO_PAD.encode(payload));
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{sig}")
}

fn run_booking_data(v: &Value, pax: usize) {
    if let Ok(data) = parse_booking_data(v) {
        for text in [CHECKOUT_SPEC, CHECKOUT_VARIANTS] {
            let form = classify(&parse_checkout(text).unwrap());
            let _ = validate(&form, &data, pax);
            let _ = reserve_body(&form, &data);
            let q = Quote {
                net: Money::new("100.10".parse().unwrap(), Currency::new("THB")),
                seats: u32::try_from(pax).unwrap(),
            };
            let _ = connect_api::domain::checkout::estimate(&form, &data, &q);
        }
    }
}

fn run_webhook_auth(body: &[u8], ts: Option<&str>, sig: Option<&str>, key: Option<&str>) {
    let cfg = InboundWebhook {
        hmac_secrets: vec![Secret::new(SECRET)],
        shared_key: Some(Secret::new("shared-key")),
    };
    let headers = InboundAuthHeaders {
        timestamp: ts,
        signature: sig,
        key,
    };
    for now in [now(), Timestamp::MIN, Timestamp::MAX] {
        let _ = verify_inbound(Some(&cfg), &headers, body, now, Duration::from_secs(300));
        let _ = verify_inbound(Some(&cfg), &headers, body, now, Duration::MAX);
    }
}
