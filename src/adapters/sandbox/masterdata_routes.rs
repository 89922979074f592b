//! Master data over HTTP: `GET /stations?fromStationId=&pageSize=`,
//! `GET /tourOperators?fromOperatorId=&pageSize=`, `GET /provinces?fromProvinceId=&pageSize=`.
//! Only parsing and serializing; the pages are [`super::masterdata::page`].
//! A missing or empty `k` → 401; a cursor or size that is not a number → 400.

use actix_web::{web, HttpRequest, HttpResponse};

use super::http::error;
use super::inventory::SandboxError;
use super::masterdata::{page, List};

/// 12go's page sizes when the caller sends none (the sizes U3–U5 ask for).
const fn default_size(list: List) -> u32 {
    match list {
        List::Provinces => 2000,
        List::Stations | List::Operators => 100,
    }
}

const fn cursor_param(list: List) -> &'static str {
    match list {
        List::Stations => "fromStationId",
        List::Operators => "fromOperatorId",
        List::Provinces => "fromProvinceId",
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stations", web::get().to(stations))
        .route("/tourOperators", web::get().to(operators))
        .route("/provinces", web::get().to(provinces));
}

async fn stations(req: HttpRequest) -> HttpResponse {
    answer(&req, List::Stations)
}

async fn operators(req: HttpRequest) -> HttpResponse {
    answer(&req, List::Operators)
}

async fn provinces(req: HttpRequest) -> HttpResponse {
    answer(&req, List::Provinces)
}

fn answer(req: &HttpRequest, list: List) -> HttpResponse {
    match parse(req.query_string(), list).and_then(|(from, size)| page(list, from, size)) {
        Ok(body) => HttpResponse::Ok().json(body),
        Err(e) => error(&e),
    }
}

/// The key first, then the numbers (as the other sandbox routes check).
fn parse(query: &str, list: List) -> Result<(i64, u32), SandboxError> {
    let (mut key, mut from, mut size) = (None, None, None);
    let cursor = cursor_param(list);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "k" => key = Some(value.into_owned()),
            "pageSize" => size = Some(value.into_owned()),
            n if n == cursor => from = Some(value.into_owned()),
            _ => {}
        }
    }
    if key.as_deref().is_none_or(str::is_empty) {
        return Err(SandboxError::Unauthorized);
    }
    let from = match from.as_deref() {
        None => 0,
        Some(raw) => raw
            .parse::<i64>()
            .map_err(|_| SandboxError::invalid(cursor, format!("{cursor} must be a number")))?,
    };
    let size = match size.as_deref() {
        None => default_size(list),
        Some(raw) => raw
            .parse::<u32>()
            .map_err(|_| SandboxError::invalid("pageSize", "pageSize must be a number"))?,
    };
    Ok((from, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::sandbox::http::configure;
    use actix_web::{test, App};
    use serde_json::{json, Value};

    async fn get(uri: &str) -> (u16, Option<String>, Value) {
        let app =
            test::init_service(App::new().configure(|c| configure(c, "http://sb".into()))).await;
        let res = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let body = test::read_body(res).await;
        (status, ctype, serde_json::from_slice(&body).unwrap())
    }

    #[actix_web::test]
    async fn pages_are_served_as_12go_sends_them() {
        for (uri, list, from, size) in [
            (
                "/stations?fromStationId=4&pageSize=3&k=a",
                List::Stations,
                4,
                3,
            ),
            (
                "/tourOperators?fromOperatorId=0&pageSize=100&k=a",
                List::Operators,
                0,
                100,
            ),
            ("/provinces?k=a", List::Provinces, 0, 2000),
            (
                "/provinces?fromProvinceId=62&pageSize=2&k=a",
                List::Provinces,
                62,
                2,
            ),
        ] {
            let (status, ctype, body) = get(uri).await;
            assert_eq!(
                (status, ctype.as_deref()),
                (200, Some("application/json")),
                "{uri}"
            );
            assert_eq!(body, page(list, from, size).unwrap(), "{uri}");
        }
        let (_, _, body) = get("/stations?fromStationId=4&pageSize=3&k=a").await;
        assert_eq!(body["Stations"][0]["StationId"], 4);
        assert_eq!(body["NextPage"], 5134);
        let (_, _, body) = get("/provinces?fromProvinceId=62&pageSize=2&k=a").await;
        assert_eq!(
            body["Provinces"][1],
            json!({"Id":63,"Name":"Koh Phi Phi","Country":"TH"})
        );
    }

    #[actix_web::test]
    async fn a_missing_or_empty_key_is_401() {
        for uri in [
            "/stations",
            "/tourOperators?k=",
            "/provinces?fromProvinceId=x",
        ] {
            let (status, _, body) = get(uri).await;
            assert_eq!(
                (status, body),
                (401, json!({"messages": ["Unauthorized"]})),
                "{uri}"
            );
        }
    }

    #[actix_web::test]
    async fn bad_numbers_are_400() {
        for (uri, field) in [
            ("/stations?fromStationId=x&k=a", "fromStationId"),
            ("/tourOperators?fromOperatorId=1.5&k=a", "fromOperatorId"),
            ("/provinces?pageSize=-1&k=a", "pageSize"),
            ("/stations?pageSize=0&k=a", "pageSize"),
            ("/stations?pageSize=&k=a", "pageSize"),
        ] {
            let (status, _, body) = get(uri).await;
            assert_eq!(status, 400, "{uri}");
            assert_eq!(body["fields"][field], "Invalid", "{uri}");
        }
    }
}
