//! The sandbox over HTTP, in 12go's wire format:
//! `GET /search/{from}/{to}/{date}?seats=&direct=true&k=` and the recheck routes
//! `/searchr`, `/searchpm`, `/recheckpa` (always `200 {}`), the booking funnel
//! ([`super::booking_routes`]) and master data ([`super::masterdata_routes`]).
//! Anything else is a JSON 404.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::inventory::{self, SandboxError};
use super::Sandbox;
use crate::domain::ids::Place;
use crate::domain::time::parse_date;
use crate::ports::twelvego::SearchCall;

/// Shared by the handlers: where recheck URLs point.
#[derive(Debug, Clone)]
struct BaseUrl(String);

/// Mounts the sandbox routes; `base_url` is advertised in `recheck` URLs. Funnel
/// state (carts, bookings) belongs to this call: a server with several workers must
/// use [`configure_shared`] with one [`Sandbox`] instead.
pub fn configure(cfg: &mut web::ServiceConfig, base_url: String) {
    configure_shared(cfg, Sandbox::new(base_url));
}

/// Mounts the sandbox routes over `sandbox` (clones share carts and bookings).
pub fn configure_shared(cfg: &mut web::ServiceConfig, sandbox: Sandbox) {
    cfg.app_data(web::Data::new(BaseUrl(sandbox.base_url().to_string())))
        .app_data(web::Data::new(sandbox))
        .configure(super::booking_routes::routes)
        .configure(super::masterdata_routes::routes)
        .route("/search/{from}/{to}/{date}", web::get().to(search))
        .route("/searchr", web::get().to(recheck))
        .route("/searchpm", web::get().to(recheck))
        .route("/recheckpa", web::get().to(recheck))
        .default_service(web::to(not_found));
}

pub(super) fn error(e: &SandboxError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(e.body())
}

async fn not_found() -> HttpResponse {
    error(&SandboxError::NotFound)
}

async fn recheck() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body("{}")
}

async fn search(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    base: web::Data<BaseUrl>,
) -> HttpResponse {
    match parse_call(req.query_string(), &path) {
        Ok(call) => match inventory::search(&call, &base.0) {
            Ok(answer) => match serde_json::to_vec(&answer) {
                Ok(body) => HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body),
                Err(_) => HttpResponse::InternalServerError().json(serde_json::json!({})),
            },
            Err(e) => error(&e),
        },
        Err(e) => error(&e),
    }
}

/// Checks in 12go's order: the key first, then the parameters.
fn parse_call(
    query: &str,
    (from, to, date): &(String, String, String),
) -> Result<SearchCall, SandboxError> {
    let mut key = None;
    let mut seats = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "k" => key = Some(value.into_owned()),
            "seats" => seats = Some(value.into_owned()),
            _ => {}
        }
    }
    if key.as_deref().is_none_or(str::is_empty) {
        return Err(SandboxError::Unauthorized);
    }
    let place = |field: &'static str, raw: &str| {
        Place::parse_path(raw)
            .ok_or_else(|| SandboxError::invalid(field, format!("Invalid place `{raw}`")))
    };
    let from = place("from", from)?;
    let to = place("to", to)?;
    let date = parse_date(date).ok_or_else(|| SandboxError::invalid("date", "Invalid date"))?;
    let seats = match seats.as_deref() {
        None => 1,
        Some(raw) => raw
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| SandboxError::invalid("seats", "Seats must be between 1 and 100"))?,
    };
    Ok(SearchCall {
        from,
        to,
        date,
        seats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::twelvego::SearchAnswer;
    use actix_web::{test, App};
    use jiff::civil::date;

    const BASE: &str = "http://127.0.0.1:1";

    async fn get(uri: &str) -> (u16, Option<String>, Vec<u8>) {
        let app = test::init_service(App::new().configure(|c| configure(c, BASE.into()))).await;
        let res = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        (status, ctype, test::read_body(res).await.to_vec())
    }

    fn json(body: &[u8]) -> serde_json::Value {
        serde_json::from_slice(body).unwrap()
    }

    #[actix_web::test]
    async fn search_serves_the_in_process_answer() {
        let (status, ctype, body) =
            get("/search/1p/44p/2026-04-05?seats=1&direct=true&k=abc").await;
        assert_eq!(status, 200);
        assert_eq!(ctype.as_deref(), Some("application/json"));
        let parsed = SearchAnswer::from_slice(&body).unwrap();
        let call = SearchCall {
            from: Place::Province(1),
            to: Place::Province(44),
            date: date(2026, 4, 5),
            seats: 1,
        };
        let expected = inventory::search(&call, BASE).unwrap();
        assert_eq!(parsed, expected);
        assert!(parsed.recheck.iter().all(|u| u.starts_with(BASE)));
        let (_, _, again) = get("/search/1p/44p/2026-04-05?seats=1&direct=true&k=abc").await;
        assert_eq!(body, again, "byte for byte");
    }

    #[actix_web::test]
    async fn search_errors_look_like_12go() {
        let (status, _, body) = get("/search/3s/4s/2026-04-05?seats=1&direct=true").await;
        assert_eq!(
            (status, json(&body)),
            (401, serde_json::json!({"messages": ["Unauthorized"]}))
        );
        let (status, _, _) = get("/search/3s/4s/2026-04-05?seats=1&k=").await;
        assert_eq!(status, 401);
        for (uri, field) in [
            ("/search/3x/4s/2026-04-05?seats=1&k=a", "from"),
            ("/search/3s/4/2026-04-05?seats=1&k=a", "to"),
            ("/search/3s/4s/2026-02-30?seats=1&k=a", "date"),
            ("/search/3s/4s/2026-04-05?seats=0&k=a", "seats"),
            ("/search/3s/4s/2026-04-05?seats=101&k=a", "seats"),
            ("/search/3s/4s/2026-04-05?seats=two&k=a", "seats"),
        ] {
            let (status, ctype, body) = get(uri).await;
            assert_eq!(status, 400, "{uri}");
            assert_eq!(ctype.as_deref(), Some("application/json"));
            let v = json(&body);
            assert_eq!(v["fields"][field], "Invalid", "{uri}");
            assert!(v["messages"].is_array() && v["data"]["reasons"].is_array());
        }
        let (status, _, body) = get("/search/3s/999999s/2026-04-05?seats=1&k=a").await;
        assert_eq!(
            (status, json(&body)),
            (404, serde_json::json!({"messages": ["Not found"]}))
        );
    }

    #[actix_web::test]
    async fn recheck_routes_and_unknown_paths() {
        for path in [
            "/searchr?from=1p&to=44p&date=2026-04-05",
            "/searchpm",
            "/recheckpa?k=x",
        ] {
            let (status, ctype, body) = get(path).await;
            assert_eq!(
                (status, ctype.as_deref(), &body[..]),
                (200, Some("application/json"), &b"{}"[..])
            );
        }
        let (status, ctype, body) = get("/nope").await;
        assert_eq!((status, ctype.as_deref()), (404, Some("application/json")));
        assert_eq!(json(&body)["messages"][0], "Not found");
    }
}
