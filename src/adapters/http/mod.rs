//! Inbound HTTP (actix-web): routes, the request pipeline and the error body.

pub mod admin_auth;
pub mod auth;
mod direct_route;
pub mod error;
pub mod openapi;
pub mod pipeline;
pub mod route_table;
#[cfg(test)]
mod route_table_tests;
pub mod routes;
pub mod search_json;
pub mod sliced_body;
pub mod state;
pub mod telemetry;

use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};

use error::ApiError;

pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// Client request bodies (00 §2).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON answer from already-serialized bytes; one larger than a slice is handed
/// to actix in slices, so the connection does not keep a buffer of its size
/// (`sliced_body`).
pub fn json_bytes(status: u16, body: Vec<u8>) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    res.insert_header((actix_web::http::header::CONTENT_TYPE, JSON_CONTENT_TYPE));
    match body.len() > sliced_body::SLICE {
        true => res.body(sliced_body::Sliced::new(body)),
        false => res.body(body),
    }
}

/// A GET-only resource whose other methods answer 405 with `Allow: GET`.
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::method_not_allowed("GET"))
        }))
}

/// A POST-only resource whose other methods answer 405 with `Allow: POST`.
fn post<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::post().to(handler))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::method_not_allowed("POST"))
        }))
}

/// Builds one route's resource from its full template.
pub type MakeResource = fn(&str) -> actix_web::Resource;

/// Every public route: its full template under `base_path` and how its resource is
/// built, in registration order. Both actix's router ([`configure_api`]) and the
/// pipeline's [`route_table::RouteTable`] are made from this one list.
pub fn api_routes(base_path: &str) -> Vec<(String, MakeResource)> {
    use routes::{funnel, masterdata, post_booking};
    let mut all: Vec<(String, MakeResource)> = vec![
        ("/health".into(), |p| get(p, routes::health::health)),
        ("/ready".into(), |p| get(p, routes::health::ready)),
        ("/openapi.json".into(), |p| get(p, openapi::openapi_json)),
        (direct_route::SEARCH_ROUTE.into(), |p| {
            get(p, routes::search::search)
        }),
        ("/v1/notifications/{integration}".into(), |p| {
            post(p, routes::webhook::webhook)
        }),
        ("/v1/notifications/{integration}/{rest:.*}".into(), |p| {
            post(p, routes::webhook::webhook)
        }),
    ];
    // Master data (10 §5.1), only under `/v1`; the kind is a literal in each
    // template so that request metrics get a stable endpoint name.
    for kind in ["stations", "operating_carriers", "pois"] {
        all.push((format!("/v1/{{client_id}}/{kind}"), |p| {
            get(p, masterdata::link)
        }));
        all.push((format!("/v1/{{client_id}}/{kind}/GetList"), |p| {
            get(p, masterdata::get_list)
        }));
        all.push((
            format!("/v1/{{client_id}}/snapshots/{kind}/{{locale}}"),
            |p| get(p, masterdata::snapshot),
        ));
    }
    // The booking routes (funnel and after), each under `/v1` and as an alias
    // without it (00 §2).
    for prefix in ["/v1", ""] {
        let funnel_routes: [(&str, MakeResource); 9] = [
            ("/itineraries/{itinerary_id}", |p| {
                get(p, funnel::get_itinerary)
            }),
            ("/incomplete_results/{incomplete_results_id}", |p| {
                get(p, funnel::incomplete_result)
            }),
            ("/bookings/lock_seats", |p| post(p, funnel::lock_seats)),
            ("/seats", |p| post(p, funnel::lock_seats)),
            ("/bookings/{booking_id}/confirm", |p| {
                post(p, funnel::confirm_booking)
            }),
            ("/bookings", |p| post(p, funnel::create_booking)),
            ("/bookings/{booking_id}/ticket", |p| {
                get(p, post_booking::ticket)
            }),
            ("/bookings/{booking_id}/cancel", |p| {
                post(p, post_booking::cancel)
            }),
            ("/bookings/{booking_id}", |p| {
                get(p, post_booking::booking_details)
            }),
        ];
        for (rest, make) in funnel_routes {
            all.push((format!("{prefix}/{{client_id}}{rest}"), make));
        }
    }
    all.into_iter()
        .map(|(template, make)| (format!("{base_path}{template}"), make))
        .collect()
}

/// The public API routes under `base_path`.
pub fn configure_api(cfg: &mut ServiceConfig, base_path: &str) {
    cfg.app_data(json_config())
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES));
    for (template, make) in api_routes(base_path) {
        cfg.service(make(&template));
    }
}

/// The admin routes (private port). Every route goes inside the scope: it needs
/// the admin token except `/health`, `/ready` and `/build` (see `admin_auth`).
pub fn configure_admin(cfg: &mut ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(
                admin_auth::require_admin_token,
            ))
            .service(get("/health", routes::health::health))
            .service(get("/ready", routes::health::ready))
            .service(get("/build", routes::health::build))
            .service(get("/openapi.json", openapi::openapi_json))
            .service(get("/debug/pprof/profile", routes::debug::profile))
            .service(get("/debug/pprof/flamegraph", routes::debug::flamegraph))
            .service(get("/debug/tasks", routes::debug::tasks))
            .service(get("/admin/stats", routes::admin_stats::admin_stats))
            .service(get(
                "/admin/notifications/pending",
                routes::admin_notifications::pending,
            ))
            .service(get(
                "/admin/notifications/dead-letters",
                routes::admin_notifications::dead_letters,
            ))
            .service(post(
                "/admin/notifications/dead-letters/requeue",
                routes::admin_notifications::requeue_all,
            ))
            .service(post(
                "/admin/notifications/dead-letters/{notification_id}/requeue",
                routes::admin_notifications::requeue,
            )),
    );
}

/// Unknown routes: 404 `not_found`.
pub async fn not_found(_: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// JSON bodies: 1 MiB, errors in the common body.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        // 00 §2: `Content-Type` is not enforced.
        .content_type_required(false)
        .error_handler(|err, _| {
            let e = match &err {
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    ApiError::payload_too_large()
                }
                _ => ApiError::invalid_body("The body is not valid JSON."),
            };
            e.into()
        })
}
