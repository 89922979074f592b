use super::*;
use crate::adapters::sandbox::funnel_fixtures::*;
use actix_web::{test as at, App};
use serde_json::json;

/// Sends one request; the status, the raw body and the body as JSON.
macro_rules! send {
    ($app:expr, $req:expr) => {{
        let res = at::call_service(&$app, $req.to_request()).await;
        let status = res.status().as_u16();
        let ctype = res.headers().get("content-type").cloned();
        let body = at::read_body(res).await;
        assert_eq!(ctype.unwrap(), "application/json");
        let v: Value = serde_json::from_slice(&body).unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap(), v)
    }};
}

fn get(uri: &str) -> at::TestRequest {
    at::TestRequest::get().uri(uri)
}

fn post(uri: &str, body: &str) -> at::TestRequest {
    at::TestRequest::post()
        .uri(uri)
        .set_payload(body.to_string())
        .insert_header(("content-type", "application/json"))
}

fn f_body(o: &Value, amount: &str) -> String {
    format!(
        r#"{{"hash":{},"refund_fxcode":{},"refund_amount":{amount}}}"#,
        o["hash"], o["refund_fxcode"]
    )
}

#[actix_web::test]
async fn refund_options_over_http() {
    let sb = Sandbox::default().with_pending_delay(None);
    let app = at::init_service(
        App::new().configure(|c| super::super::http::configure_shared(c, sb.clone())),
    )
    .await;
    let bid = booked(&sb, &find(2, |o, _| instant(o)), "jo@example.com", true);
    let (code, raw, v) = send!(app, get(&format!("/booking/{bid}/refund-options?k=a")));
    assert_eq!((code, &v["available"]), (200, &json!(true)));
    let inproc = sb.funnel_refund_options(&bid).unwrap();
    assert_eq!(raw, serde_json::to_string(&inproc).unwrap());
    let options = v["options"].as_array().unwrap();
    assert_eq!(options.len(), 4);
    for o in &inproc.options {
        assert!(raw.contains(&format!("\"refund_amount\":{},", o.refund_amount.raw)));
        assert!(o.refund_amount.raw.split_once('.').unwrap().1.len() == 2);
    }
    assert_eq!(options[1]["available"], json!(false));
    assert_eq!(options[3]["expires_after"], Value::Null);
    let reserved = booked(&sb, &find(1, |o, _| instant(o)), "jo@example.com", false);
    let pending = booked(&sb, &find(1, |o, _| !instant(o)), "jo@example.com", true);
    for b in [reserved, pending] {
        let (code, _, v) = send!(app, get(&format!("/booking/{b}/refund-options?k=a")));
        assert_eq!(
            (code, v),
            (400, json!({"messages": ["Booking is not refundable"]}))
        );
    }
    let (code, _, _) = send!(app, get("/booking/1/refund-options?k=a"));
    assert_eq!(code, 404);
    let (code, _, _) = send!(app, get(&format!("/booking/{bid}/refund-options")));
    assert_eq!(code, 401);
}

#[actix_web::test]
async fn refund_over_http() {
    let sb = Sandbox::default();
    let app = at::init_service(
        App::new().configure(|c| super::super::http::configure_shared(c, sb.clone())),
    )
    .await;
    let call = find(2, |o, _| instant(o));
    let bid = booked(&sb, &call, "jo@example.com", true);
    let (_, _, v) = send!(app, get(&format!("/booking/{bid}/refund-options?k=a")));
    let half = v["options"][3].clone();
    let exact = sb.funnel_refund_options(&bid).unwrap().options[3]
        .refund_amount
        .raw
        .clone();
    let uri = format!("/booking/{bid}/refund?k=a");
    let message = |m: &str| json!({ "messages": [m] });
    let unknown = f_body(
        &json!({"hash": "c0ffee01", "refund_fxcode": half["refund_fxcode"]}),
        &exact,
    );
    let (code, _, v) = send!(app, post(&uri, &unknown));
    assert_eq!((code, v), (400, message("Unknown refund option")));
    let quoted = f_body(&half, &format!("\"{exact}\""));
    let (code, _, v) = send!(app, post(&uri, &quoted));
    assert_eq!(
        (code, v),
        (400, message("Refund amount does not match the option"))
    );
    let (code, _, v) = send!(app, post(&uri, "{}"));
    assert_eq!((code, v), (400, message("Invalid refund request")));
    let (code, _, _) = send!(app, post("/booking/1/refund?k=a", &f_body(&half, &exact)));
    assert_eq!(code, 404);
    let (code, _, _) = send!(
        app,
        post(&format!("/booking/{bid}/refund"), &f_body(&half, &exact))
    );
    assert_eq!(code, 401);
    let (code, raw, _) = send!(app, post(&uri, &f_body(&half, &exact)));
    assert_eq!(
        (code, raw.as_str()),
        (
            200,
            r#"{"success":true,"delay_minutes":0,"message":"Refund accepted"}"#
        )
    );
    let (_, _, b) = send!(app, get(&format!("/booking/{bid}?k=a")));
    assert_eq!(b["status"], "cancelled");
    let (code, _, v) = send!(app, post(&uri, &f_body(&half, &exact)));
    assert_eq!((code, v), (400, message("Booking is not refundable")));
    let fails = booked(&sb, &call, "refundfail@example.com", true);
    let o = sb.funnel_refund_options(&fails).unwrap();
    let body = serde_json::to_string(&crate::domain::twelvego::RefundRequest {
        hash: o.options[3].hash.clone(),
        refund_fxcode: o.options[3].refund_fxcode.clone(),
        refund_amount: o.options[3].refund_amount.clone(),
    })
    .unwrap();
    let (code, _, v) = send!(app, post(&format!("/booking/{fails}/refund?k=a"), &body));
    assert_eq!(
        (code, v),
        (
            200,
            json!({"success": false, "delay_minutes": 0, "message": "Refund declined by operator"})
        )
    );
    let (_, _, b) = send!(app, get(&format!("/booking/{fails}?k=a")));
    assert_eq!(b["status"], "confirmed");
}
