//! The [`RouteTable`] made from `api_routes` against actix's own router
//! (`match_pattern`), for every template and for near misses.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{test, App, Error, HttpResponse};

use super::route_table::RouteTable;
use super::{api_routes, configure_api};

/// Answers `actix's template|the table's template` without calling the handler.
async fn both(
    req: ServiceRequest,
    _: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    let table = req
        .app_data::<actix_web::web::Data<RouteTable>>()
        .and_then(|t| t.find(req.path()).map(|s| s.to_string()));
    let body = format!(
        "{}|{}",
        req.match_pattern().unwrap_or_default(),
        table.unwrap_or_default()
    );
    Ok(req.into_response(HttpResponse::Ok().body(body)))
}

/// Sample paths for a template: filled in, and the near misses around it.
fn paths(template: &str) -> Vec<String> {
    let filled = template
        .replace("{rest:.*}", "a/b")
        .split('/')
        .map(|s| if s.starts_with('{') { "x1" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let mut out = vec![
        filled.clone(),
        format!("{filled}/"),
        format!("{filled}/extra"),
        // A doubled slash inside (a leading one would read as an authority).
        filled.replacen("/", "//", 2).replacen("//", "/", 1),
        filled.replace("/x1", "/"),
        filled.to_uppercase(),
    ];
    match filled.rsplit_once('/') {
        Some(("", _)) | None => {}
        Some((head, _)) => out.push(head.to_owned()),
    }
    out
}

async fn compare(base_path: &str) {
    let routes = api_routes(base_path);
    let table = RouteTable::new(routes.iter().map(|(t, _)| t.as_str()))
        .expect("every public template is one the table can match");
    let bp = base_path.to_owned();
    let app = test::init_service(
        App::new()
            .app_data(actix_web::web::Data::new(table))
            .wrap(from_fn(both))
            .configure(move |c| configure_api(c, &bp)),
    )
    .await;
    let mut checked = 0;
    let extra = [
        "/",
        "/nope",
        "/v1",
        "/v1/x1",
        "/v1/notifications",
        "/v1//itineraries",
    ];
    for path in routes
        .iter()
        .flat_map(|(t, _)| paths(t))
        .chain(extra.iter().map(|p| format!("{base_path}{p}")))
    {
        let req = test::TestRequest::get().uri(&path).to_request();
        let body = test::call_and_read_body(&app, req).await;
        let text = String::from_utf8_lossy(&body).into_owned();
        let (actix, ours) = text.split_once('|').unwrap_or_default();
        assert_eq!(ours, actix, "{path}");
        checked += usize::from(!actix.is_empty());
    }
    // Every template was reached by its filled-in path.
    assert!(checked >= routes.len(), "{checked} of {}", routes.len());
}

#[actix_web::test]
async fn the_route_table_finds_the_template_actix_matches() {
    compare("").await;
}

#[actix_web::test]
async fn the_route_table_finds_the_template_actix_matches_under_a_base_path() {
    compare("/base").await;
}
