use super::*;
use crate::adapters::sandbox::funnel_fixtures::*;
use crate::domain::twelvego::{BookingAnswer, SearchAnswer};
use actix_web::{test as at, App};
use serde_json::json;

type Reply = (u16, Value);

/// Sends one request to the app and reads the JSON answer.
macro_rules! send {
    ($app:expr, $req:expr) => {{
        let res = at::call_service(&$app, $req.to_request()).await;
        let status = res.status().as_u16();
        let ctype = res.headers().get("content-type").cloned();
        let body = at::read_body(res).await;
        assert_eq!(ctype.unwrap(), "application/json");
        let v: Value = serde_json::from_slice(&body).unwrap();
        (status, v)
    }};
}

fn get(uri: &str) -> at::TestRequest {
    at::TestRequest::get().uri(uri)
}

fn post(uri: &str, body: Option<&Value>) -> at::TestRequest {
    let req = at::TestRequest::post().uri(uri);
    match body {
        Some(b) => req
            .set_payload(b.to_string())
            .insert_header(("content-type", "application/json")),
        None => req,
    }
}

fn dt(call: &TripCall) -> String {
    call.departure.strftime("%Y-%m-%d-%H-%M-%S").to_string()
}

async fn funnel(sb: Sandbox, call: &TripCall) -> (Reply, Reply) {
    let app = at::init_service(
        App::new().configure(|c| super::super::http::configure_shared(c, sb.clone())),
    )
    .await;
    let c = app;
    let (key, dt, n) = (&call.trip_key, dt(call), call.seats);
    let (code, t) = send!(c, get(&format!("/trip/{key}/{dt}?seats={n}&k=abc")));
    assert_eq!(code, 200);
    let t = serde_json::to_vec(&t).unwrap();
    let t = SearchAnswer::from_slice(&t).unwrap();
    assert_eq!(t, sb.funnel_trip(call).unwrap());
    let (code, cart) = send!(c, post(&format!("/cart/{key}/{dt}?seats={n}&k=abc"), None));
    assert_eq!(code, 200);
    let cart = cart.as_str().expect("a bare JSON string").to_string();
    let (code, form) = send!(c, get(&format!("/checkout/{cart}?people=1&k=abc")));
    assert_eq!((code, &form), (200, &sb.funnel_checkout(&cart).unwrap()));
    let (_, body) = form_and_body(&form, n);
    let body = Value::Object(body);
    let (code, r) = send!(c, post(&format!("/reserve/{cart}?k=abc"), Some(&body)));
    assert_eq!(code, 200);
    let bid = r["bid"].as_str().expect("bid as a string").to_string();
    let again = send!(c, post(&format!("/reserve/{cart}?k=abc"), Some(&body)));
    assert_eq!(again, (400, json!({"messages": ["Cart already used"]})));
    let (code, done) = send!(c, post(&format!("/confirm/{bid}?k=abc"), None));
    assert_eq!(
        (code, done["bid"].as_u64().map(|b| b.to_string())),
        (200, Some(bid.clone()))
    );
    let confirmed = send!(c, get(&format!("/booking/{bid}?k=abc")));
    let twice = send!(c, post(&format!("/confirm/{bid}?k=abc"), None));
    (confirmed, twice)
}

fn parse(b: &Value) -> BookingAnswer {
    BookingAnswer::from_slice(b.to_string().as_bytes()).unwrap()
}

#[actix_web::test]
async fn instant_funnel_over_http() {
    let call = find(2, |o, _| instant(o));
    let ((code, b), twice) = funnel(
        Sandbox::new("http://127.0.0.1:1").with_ticket_delay(Some(Duration::ZERO)),
        &call,
    )
    .await;
    assert_eq!(code, 200);
    for k in [
        "bid",
        "tracker",
        "status",
        "from_id",
        "to_id",
        "dep_date_time",
        "seats",
        "ticket_url",
        "created_on",
        "stamp",
        "price",
        "netprice",
        "agfee",
        "sysfee",
    ] {
        assert!(b.get(k).is_some(), "{k}");
    }
    assert!(b["bid"].is_u64() && b["price"]["value"].is_number());
    let b = parse(&b);
    assert_eq!(b.status.as_deref(), Some("confirmed"));
    assert!(b
        .ticket_url
        .unwrap()
        .starts_with("http://127.0.0.1:1/tickets/"));
    assert_eq!(
        twice,
        (400, json!({"messages": ["Booking is already confirmed"]}))
    );
}

#[actix_web::test]
async fn pending_funnel_over_http() {
    let call = find(1, |o, p| !instant(o) && p.documents);
    let sb = Sandbox::default().with_pending_delay(Some(Duration::from_secs(600)));
    let ((code, b), twice) = funnel(sb, &call).await;
    assert_eq!(code, 200);
    let b = parse(&b);
    assert_eq!(
        (b.status.as_deref(), b.ticket_url.as_deref()),
        (Some("pending"), Some(""))
    );
    assert_eq!(twice.0, 400);
}

#[actix_web::test]
async fn http_errors_look_like_12go() {
    let sb = Sandbox::default();
    let app = at::init_service(
        App::new().configure(|c| super::super::http::configure_shared(c, sb.clone())),
    )
    .await;
    let c = app;
    let call = find(1, |_, _| true);
    let (key, d) = (&call.trip_key, dt(&call));
    let unauthorized = (401, json!({"messages": ["Unauthorized"]}));
    let not_found = (404, json!({"messages": ["Not found"]}));
    assert_eq!(
        send!(c, get(&format!("/trip/{key}/{d}?seats=1"))),
        unauthorized
    );
    assert_eq!(
        send!(c, get(&format!("/trip/{key}/{d}?seats=1&k="))),
        unauthorized
    );
    assert_eq!(send!(c, get("/checkout/abc")), unauthorized);
    assert_eq!(
        send!(c, get(&format!("/trip/{key}/2026-04-05-00-01-00?k=a"))),
        not_found
    );
    assert_eq!(
        send!(c, get(&format!("/trip/TH000300044mDt00g03BNR3q/{d}?k=a"))),
        not_found
    );
    assert_eq!(
        send!(
            c,
            post(&format!("/cart/TH000300044mDt00g03BNR3q/{d}?k=a"), None)
        ),
        not_found
    );
    assert_eq!(send!(c, get("/checkout/nope?k=a")), not_found);
    assert_eq!(
        send!(c, post("/reserve/nope?k=a", Some(&json!({})))),
        not_found
    );
    assert_eq!(send!(c, post("/confirm/1?k=a", None)), not_found);
    assert_eq!(send!(c, get("/booking/1?k=a")), not_found);
    let (code, v) = send!(c, get(&format!("/trip/{key}/2026-04-05T00:01?k=a")));
    assert_eq!((code, &v["fields"]["date"]), (400, &json!("Invalid")));
    let (code, v) = send!(c, get(&format!("/trip/{key}/{d}?seats=0&k=a")));
    assert_eq!((code, &v["fields"]["seats"]), (400, &json!("Invalid")));
    let (_, cart) = send!(c, post(&format!("/cart/{key}/{d}?k=a"), None));
    let cart = cart.as_str().unwrap();
    let bad = send!(c, post(&format!("/reserve/{cart}?k=a"), None));
    assert_eq!(bad, (400, json!({"messages": ["Invalid JSON body"]})));
    let (code, v) = send!(
        c,
        post(&format!("/reserve/{cart}?k=a"), Some(&json!({"seats": 1})))
    );
    assert_eq!((code, &v["messages"]), (422, &json!(["Validation failed"])));
    assert_eq!(v["fields"]["passenger[0][first_name]"], "Required");
    assert_eq!(v["fields"]["contact[email]"], "Required");
}

#[test]
fn departures_parse_strictly() {
    let d = parse_dt("2026-04-05-08-30-00").unwrap();
    assert_eq!(d.to_string(), "2026-04-05T08:30:00");
    for bad in [
        "2026-04-05",
        "2026-4-05-08-30-00",
        "2026-02-30-08-30-00",
        "2026-04-05-24-00-00",
        "x",
    ] {
        assert_eq!(parse_dt(bad), None, "{bad}");
    }
}
