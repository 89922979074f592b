//! After the sale (30 §1–§6): booking details, ticket and cancel against a fake
//! 12go; every id form; ownership; F at most once; concurrent cancels.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use wiremock::matchers::{body_string, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::funnel::fixtures::*;
use crate::helpers::{header, ok_json};

const KLV_ACME: &str = "0102V10204C1230308onetwogo0408876543210504acme";
const KLV_BETA: &str = "0102V10204C1230308onetwogo0408876543210504beta";
const MAPPED: &str = "XYXZ4Yabc123";
const SHORT: &str = "Ab3dE5gH9k";
const SHORT_BETA: &str = "Zz9yX8wV7u";
const REFUND: &str = "/booking/87654321/refund";
const OPTIONS: &str = "/booking/87654321/refund-options";

/// Client `beta` with its own 12go key, and `nocancel` with cancel disabled.
fn registry() -> String {
    let key = |k: &[u8]| hex::encode(Sha256::digest(k));
    format!(
        "[clients.beta]\nenabled = true\ntwelvego_key_env = \"{}\"\n[[clients.beta.api_keys]]\nid = \"b1\"\nsha256 = \"{}\"\n\
         [clients.nocancel]\nenabled = true\ncancel_enabled = false\ntwelvego_key_env = \"{}\"\n[[clients.nocancel.api_keys]]\nid = \"n1\"\nsha256 = \"{}\"\n",
        common::OTHER_12GO_KEY_VAR,
        key(b"beta-key"),
        common::TEST_12GO_KEY_VAR,
        key(b"nocancel-key"),
    )
}

fn id_map_file() -> String {
    let dir = std::env::temp_dir().join(format!("connect-idmap-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("ids.csv");
    std::fs::write(
        &p,
        format!(
            "id,plain_id,bid,client_id\n{MAPPED},,87654321,acme\n{SHORT},,87654321,acme\n{SHORT_BETA},,87654321,beta\nbroken row\n"
        ),
    )
    .unwrap();
    p.to_string_lossy().into_owned()
}

async fn start() -> Funnel {
    let map = id_map_file();
    Funnel::start_with(&registry(), |s| s.booking_id_map_file = Some(map)).await
}

async fn get_as(f: &Funnel, p: &str, key: &str) -> reqwest::Response {
    f.get_with(p, key, "pb-1").await
}

async fn post_as(f: &Funnel, p: &str, key: &str) -> reqwest::Response {
    f.app
        .client
        .post(f.app.url(p))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap()
}

async fn mount_b(f: &Funnel, response: ResponseTemplate) {
    mount(&f.server, "GET", &booking_path(), response).await;
}

// ------------------------------------------------------------ details

#[actix_web::test]
async fn details_echo_every_accepted_id_form_with_one_live_read_each() {
    let f = start().await;
    mount_b(&f, ok_json(&confirmed_answer())).await;
    for (p, id) in [
        (format!("/v1/acme/bookings/{BID}"), BID),
        (format!("/acme/bookings/{BID}"), BID),
        (format!("/v1/acme/bookings/{KLV_ACME}"), KLV_ACME),
        (format!("/v1/acme/bookings/{MAPPED}"), MAPPED),
        (format!("/acme/bookings/{SHORT}"), SHORT),
    ] {
        let res = f.get(&p).await;
        assert_eq!(res.status(), 200, "{p}");
        let mut want = expected_booking("approved", json!("TRK-7QX2"), json!(TICKET_URL));
        want["id"] = json!(id);
        assert_eq!(res.json::<Value>().await.unwrap(), want, "{p}");
    }
    assert_eq!(f.calls("GET", &booking_path()).await, 5);
}

#[actix_web::test]
async fn ids_of_another_client_or_unknown_forms_are_404_without_calling_12go() {
    let f = start().await;
    mount_b(&f, ok_json(&confirmed_answer())).await;
    for id in [
        KLV_BETA,
        SHORT_BETA,
        "XYXZ4Yunknown",
        "Qq1wE2rT3y",
        "12%2F3",
        "0102V10306flixbu040242",
    ] {
        let res = f.get(&format!("/v1/acme/bookings/{id}")).await;
        assert_code(res, 404, "booking_not_found").await;
        let res = post_as(&f, &format!("/v1/acme/bookings/{id}/cancel"), "acme-key").await;
        assert_code(res, 404, "booking_not_found").await;
        let res = f.get(&format!("/v1/acme/bookings/{id}/ticket")).await;
        assert_code(res, 404, "booking_not_found").await;
    }
    assert_eq!(f.calls("GET", &booking_path()).await, 0);
}

#[actix_web::test]
async fn a_bid_is_read_with_the_callers_own_12go_key_so_another_clients_booking_is_404() {
    let f = start().await;
    // 12go shows the booking to acme's key only.
    on("GET", &booking_path())
        .respond_with(ok_json(&confirmed_answer()))
        .mount(&f.server)
        .await;
    Mock::given(method("GET"))
        .and(path(booking_path()))
        .and(query_param("k", common::OTHER_12GO_KEY))
        .respond_with(ResponseTemplate::new(404).set_body_string("{\"messages\":[\"Not found\"]}"))
        .mount(&f.server)
        .await;
    assert_eq!(
        get_as(&f, &format!("/v1/acme/bookings/{BID}"), "acme-key")
            .await
            .status(),
        200
    );
    let res = get_as(&f, &format!("/v1/beta/bookings/{BID}"), "beta-key").await;
    assert_code(res, 404, "booking_not_found").await;
    let res = get_as(&f, &format!("/v1/beta/bookings/{BID}/ticket"), "beta-key").await;
    assert_code(res, 404, "booking_not_found").await;
    let res = post_as(&f, &format!("/v1/beta/bookings/{BID}/cancel"), "beta-key").await;
    assert_code(res, 404, "booking_not_found").await;
    assert_eq!(f.calls("POST", REFUND).await, 0);
}

#[actix_web::test]
async fn details_map_12go_failures() {
    for (response, status, code) in [
        (twelvego_error(404, "{}"), 404, "booking_not_found"),
        (
            twelvego_error(403, "{\"messages\":[\"Forbidden\"]}"),
            404,
            "booking_not_found",
        ),
        (
            twelvego_error(400, "{\"messages\":[\"Bad bid\"]}"),
            404,
            "booking_not_found",
        ),
        (twelvego_error(400, "{}"), 502, "upstream_auth_failed"),
        (twelvego_error(401, "{}"), 502, "upstream_auth_failed"),
        (twelvego_error(500, "{}"), 502, "upstream_error"),
        (
            ok_json(&json!({"status": "confirmed"})),
            502,
            "upstream_error",
        ),
    ] {
        let f = start().await;
        mount_b(&f, response).await;
        assert_code(
            f.get(&format!("/v1/acme/bookings/{BID}")).await,
            status,
            code,
        )
        .await;
    }
}

#[actix_web::test]
async fn details_time_out_as_504() {
    let f = Funnel::start_with("", |s| s.twelvego_timeout_ms = 300).await;
    mount_b(&f, slow_json(&confirmed_answer(), 2_000)).await;
    assert_code(
        f.get(&format!("/v1/acme/bookings/{BID}")).await,
        504,
        "upstream_timeout",
    )
    .await;
}

// ------------------------------------------------------------ ticket

#[actix_web::test]
async fn ticket_answers_200_202_405_and_404() {
    let cases = [
        (ok_json(&confirmed_answer()), 200),
        (ok_json(&booking_answer("confirmed", "TRK", "")), 202),
        (ok_json(&reserved_answer()), 405),
        (
            ok_json(&booking_answer("cancelled", "TRK", TICKET_URL)),
            405,
        ),
        (twelvego_error(404, "{}"), 404),
    ];
    for (response, status) in cases {
        let f = start().await;
        mount_b(&f, response).await;
        let res = f.get(&format!("/acme/bookings/{BID}/ticket")).await;
        match status {
            200 => {
                assert_eq!(res.status(), 200);
                assert_eq!(
                    res.json::<Value>().await.unwrap(),
                    json!({"ticket_url": TICKET_URL})
                );
            }
            202 => {
                assert_eq!(res.status(), 202);
                assert_eq!(header(&res, "retry-after"), "30");
                assert_eq!(res.text().await.unwrap(), "");
            }
            405 => {
                assert_code(res, 405, "ticket_not_available").await;
            }
            _ => {
                assert_code(res, 404, "booking_not_found").await;
            }
        }
    }
}

// ------------------------------------------------------------ cancel

/// O with four options; written as text so `825.10` keeps its trailing zero.
const REFUND_OPTIONS: &str = r#"{"available": true, "options": [
    {"refund_amount": 550.00, "refund_fxcode": "THB", "expires": false, "available": true, "hash": "half"},
    {"refund_amount": 825.10, "refund_fxcode": "THB", "expires": true, "expires_after": "2099-01-01 00:00:00", "available": true, "hash": "most"},
    {"refund_amount": 1000.00, "refund_fxcode": "THB", "available": false, "hash": "off"},
    {"refund_amount": 990.00, "refund_fxcode": "THB", "expires": true, "expires_after": "2020-01-01 00:00:00", "hash": "gone"}
]}"#;

fn refund_options() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(REFUND_OPTIONS, "application/json")
}

const REFUND_BODY: &str = r#"{"hash":"most","refund_fxcode":"THB","refund_amount":825.10}"#;

fn cancelled(id: &str) -> Value {
    json!({"booking_id": id, "booking_status": "cancelled", "refund": {"amount": "825.10", "currency": "THB"}})
}

/// B confirmed (then `after` for later reads), O with the options, F answering `f_answer`.
async fn cancel_world(f: &Funnel, after: Value, f_answer: ResponseTemplate) {
    // The pre-check sees it confirmed; later reads (reconciliation) see `after`.
    mount_first_n(
        &f.server,
        "GET",
        &booking_path(),
        ok_json(&confirmed_answer()),
        1,
    )
    .await;
    mount(&f.server, "GET", &booking_path(), ok_json(&after)).await;
    mount(&f.server, "GET", OPTIONS, refund_options()).await;
    on("POST", REFUND)
        .and(body_string(REFUND_BODY))
        .respond_with(f_answer)
        .mount(&f.server)
        .await;
}

fn refund_ok() -> ResponseTemplate {
    ok_json(&json!({"success": true, "delay_minutes": 0, "message": "Refund accepted"}))
}

#[actix_web::test]
async fn cancel_refunds_the_largest_usable_option_echoing_its_amount_byte_for_byte() {
    let f = start().await;
    cancel_world(&f, booking_answer("cancelled", "TRK", ""), refund_ok()).await;
    let res = post_as(&f, &format!("/acme/bookings/{MAPPED}/cancel"), "acme-key").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), cancelled(MAPPED));
    assert_eq!(f.calls("POST", REFUND).await, 1);
    // A repeat is answered from the stored outcome: no second refund.
    let again = post_as(
        &f,
        &format!("/v1/acme/bookings/{MAPPED}/cancel"),
        "acme-key",
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap(), cancelled(MAPPED));
    assert_eq!(f.calls("POST", REFUND).await, 1);
}

#[actix_web::test]
async fn an_ambiguous_refund_is_never_resent_and_is_reconciled_by_reading_the_booking() {
    let reset = ResponseTemplate::new(200).set_delay(Duration::from_millis(3_000));
    for (f_answer, after, status, code) in [
        (twelvego_error(500, "{}"), "cancelled", 200, ""),
        (
            twelvego_error(502, "{}"),
            "confirmed",
            502,
            "upstream_error",
        ),
        (twelvego_error(504, "{}"), "cancelled", 200, ""),
        (reset.clone(), "cancelled", 200, ""),
        (reset, "confirmed", 504, "upstream_timeout"),
    ] {
        let f = Funnel::start_with("", |s| s.twelvego_refund_timeout_ms = 300).await;
        cancel_world(&f, booking_answer(after, "TRK", ""), f_answer).await;
        let res = post_as(&f, &format!("/v1/acme/bookings/{BID}/cancel"), "acme-key").await;
        if status == 200 {
            assert_eq!(res.status(), 200);
            assert_eq!(res.json::<Value>().await.unwrap(), cancelled(BID));
        } else {
            assert_code(res, status, code).await;
        }
        assert_eq!(f.calls("POST", REFUND).await, 1, "{after} {status}");
    }
}

#[actix_web::test]
async fn cancel_refusals_map_to_their_codes() {
    // B not approved.
    let f = start().await;
    mount_b(&f, ok_json(&reserved_answer())).await;
    let res = post_as(&f, &format!("/v1/acme/bookings/{BID}/cancel"), "acme-key").await;
    assert_code(res, 422, "booking_not_cancellable").await;
    // O refuses, or offers nothing usable.
    for options in [
        twelvego_error(400, "{\"messages\":[\"no\"]}"),
        ok_json(&json!({"available": false, "options": []})),
        ok_json(
            &json!({"available": true, "options": [{"refund_amount": 1, "refund_fxcode": "THB", "available": false, "hash": "x"}]}),
        ),
    ] {
        let f = start().await;
        mount_b(&f, ok_json(&confirmed_answer())).await;
        mount(&f.server, "GET", OPTIONS, options).await;
        let res = post_as(&f, &format!("/v1/acme/bookings/{BID}/cancel"), "acme-key").await;
        assert_code(res, 422, "no_refund_option").await;
        assert_eq!(f.calls("POST", REFUND).await, 0);
    }
    // F says no, or rejects.
    for (f_answer, status, code) in [
        (
            ok_json(&json!({"success": false, "delay_minutes": 0, "message": "Declined"})),
            502,
            "refund_failed",
        ),
        (
            twelvego_error(422, "{\"messages\":[\"Too late\"]}"),
            422,
            "booking_not_cancellable",
        ),
    ] {
        let f = start().await;
        cancel_world(&f, confirmed_answer(), f_answer).await;
        let res = post_as(&f, &format!("/v1/acme/bookings/{BID}/cancel"), "acme-key").await;
        let body = assert_code(res, status, code).await;
        assert!(!body.to_string().contains("Declined") && !body.to_string().contains("Too late"));
        assert_eq!(f.calls("POST", REFUND).await, 1);
    }
}

#[actix_web::test]
async fn a_client_without_cancel_gets_422_and_12go_is_not_called() {
    let f = start().await;
    let res = post_as(
        &f,
        &format!("/v1/nocancel/bookings/{BID}/cancel"),
        "nocancel-key",
    )
    .await;
    assert_code(res, 422, "cancel_not_supported").await;
    assert_eq!(f.calls("GET", &booking_path()).await, 0);
}

#[actix_web::test]
async fn concurrent_cancels_of_one_booking_refund_once_and_share_the_outcome() {
    let f = start().await;
    cancel_world(
        &f,
        booking_answer("cancelled", "TRK", ""),
        refund_ok().set_delay(Duration::from_millis(500)),
    )
    .await;
    let p = format!("/v1/acme/bookings/{BID}/cancel");
    let (a, b) = tokio::join!(post_as(&f, &p, "acme-key"), post_as(&f, &p, "acme-key"));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(a.json::<Value>().await.unwrap(), cancelled(BID));
    assert_eq!(b.json::<Value>().await.unwrap(), cancelled(BID));
    assert_eq!(f.calls("POST", REFUND).await, 1);
}
