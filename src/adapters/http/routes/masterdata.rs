//! Master data (10 §5.1): `/v1/{client_id}/{kind}` answers a signed link,
//! `/{kind}/GetList` the list inline, and `/snapshots/{kind}/{locale}` (no API
//! key, the signature instead) the full list with ETag, 304 and gzip.

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};
use std::sync::Arc;

use super::funnel::check_currency;
use crate::adapters::http::auth::Authed;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::state::Shared;
use crate::adapters::http::JSON_CONTENT_TYPE;
use crate::app::masterdata::{IdView, Listing};
use crate::domain::clients::{Client, IdMode};
use crate::domain::field_error::FieldError;
use crate::domain::masterdata::Kind;

fn kind_of(req: &HttpRequest) -> Result<Kind, ApiError> {
    // The kind is a literal in each registered template.
    let path = req.match_pattern().unwrap_or_default();
    [Kind::Stations, Kind::OperatingCarriers, Kind::Pois]
        .into_iter()
        .find(|k| path.contains(&format!("/{}", k.as_str())))
        .ok_or_else(ApiError::not_found)
}

fn query(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `^[a-z]{2}(-[A-Za-z]{2,4})?$`.
fn valid_locale(raw: &str) -> bool {
    let (primary, region) = match raw.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (raw, None),
    };
    primary.len() == 2
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| {
            (2..=4).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphabetic())
        })
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::invalid_parameter(vec![FieldError::new(field, message)])
}

const LOCALE_RULE: &str = "Must look like `en` or `zh-CN`.";

fn locale_param(req: &HttpRequest, required: bool) -> Result<String, ApiError> {
    match query(req, "locale") {
        Some(l) if valid_locale(&l) => Ok(l),
        Some(_) => Err(bad("locale", LOCALE_RULE)),
        None if required => Err(bad("locale", "Required.")),
        None => Ok("en".into()),
    }
}

fn not_ready() -> ApiError {
    ApiError::new(
        503,
        "data_not_ready",
        "Master data is not loaded yet; retry shortly.",
    )
    .with_retry_after(5)
}

/// The list in the client's id space. A list not rendered yet is rendered on
/// the blocking pool (hundreds of ms for a large one), never on a worker thread.
async fn listing(
    shared: &Shared,
    client: &Client,
    kind: Kind,
    locale: &str,
    top: bool,
) -> Result<Arc<Listing>, ApiError> {
    let md = shared.master_data.clone();
    // Previous-platform ids for mapped clients; unmapped entries left out (10 §6).
    let maps = (client.id_mode == IdMode::Mapped).then(|| shared.id_maps.current());
    let (client_id, locale) = (client.id.as_str().to_owned(), locale.to_owned());
    let listing = web::block(move || {
        let view = maps.as_ref().map(|m| IdView {
            ids: &**m,
            generation: m.generation(),
            client_id: &client_id,
        });
        md.listing(kind, &locale, top, view.as_ref())
    })
    .await
    .map_err(|_| ApiError::internal())?;
    listing.ok_or_else(not_ready)
}

/// True when the request accepts gzip (`Accept-Encoding`, q > 0).
fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';').map(str::trim);
            let coding = it.next().unwrap_or_default();
            let q_zero = it.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0");
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q_zero
        })
}

/// `If-None-Match` names this ETag (or `*`).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// 200 with the JSON (gzip when accepted) or 304, with `ETag`.
async fn send(
    req: &HttpRequest,
    listing: Arc<Listing>,
    cache_control: String,
) -> Result<HttpResponse, ApiError> {
    let unchanged = not_modified(req, &listing.etag);
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, listing.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Accept-Encoding"));
    if unchanged {
        return Ok(res.finish());
    }
    res.insert_header((header::CONTENT_TYPE, JSON_CONTENT_TYPE));
    if accepts_gzip(req) {
        // Stored compressed: sent as is, never encoded again on the way out.
        return Ok(res
            .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
            .body(listing.gzip()));
    }
    let json = web::block(move || listing.json())
        .await
        .map_err(|_| ApiError::internal())?;
    Ok(res.body(json))
}

/// A time-limited link to the full list, as plain text.
#[utoipa::path(get, path = "/v1/{client_id}/{kind}", tag = "master-data",
    params(("client_id" = String, Path), ("kind" = crate::adapters::http::openapi::ListKind, Path, description = "`stations`, `operating_carriers` or `pois`"), ("locale" = Option<String>, Query, description = "Default `en`; `^[a-z]{2}(-[A-Za-z]{2,4})?$`"), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "A bare URL (text/plain) to the full list, valid MASTER_DATA_LINK_TTL_SECS", content_type = "text/plain",
            example = "https://connect.example.com/v1/acme/snapshots/stations/en?expires=1775394000&sig=3f…"),
        (status = 400, description = "invalid_parameter", body = crate::adapters::http::error::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "data_not_ready", body = crate::adapters::http::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn link(
    req: HttpRequest,
    authed: Authed,
    shared: Data<Shared>,
) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let locale = locale_param(&req, false)?;
    check_currency(&req)?;
    if !shared.master_data.is_ready() || !shared.master_data.is_enabled() {
        return Err(not_ready());
    }
    let client_id = authed.client.client.id.as_str();
    let expires = jiff::Timestamp::now().as_second()
        + i64::try_from(shared.links.ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let sig = shared
        .token_keys
        .sign_link(client_id, kind.as_str(), &locale, expires);
    let url = format!(
        "{}/v1/{client_id}/snapshots/{}/{locale}?expires={expires}&sig={sig}",
        shared.links.public_base,
        kind.as_str()
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(url))
}

/// The list inline (`top10K=true`: the first 10,000 entries).
#[utoipa::path(get, path = "/v1/{client_id}/{kind}/GetList", tag = "master-data",
    params(("client_id" = String, Path), ("kind" = crate::adapters::http::openapi::ListKind, Path, description = "`stations`, `operating_carriers` or `pois`"), ("locale" = String, Query, description = "Required"), ("top10K" = Option<bool>, Query, description = "`true`: only the first 10,000 entries"), crate::adapters::http::openapi::CommonHeaders),
    responses(
        (status = 200, description = "The list ordered by 12go id. Station: `{\"id\":\"3\",\"name\":…,\"name_alterations\":[],\"transportation_type\":\"Bus\",\"address\":{\"country\":\"TH\",\"state\":null,\"city\":{\"id\":\"1\",\"name\":…},\"province\":…,\"region\":null,\"street_and_number\":…,\"time_zone\":\"Asia/Bangkok\",\"coordinate\":{\"latitude\":13.74,\"longitude\":100.52}},\"keywords\":[],\"description\":\"\",\"images\":[]}`; operating carrier: `{\"Id\":\"16779\",\"name\":…,\"display_name\":…,\"logo_url\"?,\"email\"?,\"phone\"?,\"transportation_type\":\"Train\",\"transportation_types\":[\"Train\"]}`; POI: `{\"Id\":\"44\",\"name\":\"Chiang Mai\",\"stations\":[\"4\",\"5133\"]}`", body = Vec<Object>),
        (status = 400, description = "invalid_parameter", body = crate::adapters::http::error::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "data_not_ready", body = crate::adapters::http::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_list(
    req: HttpRequest,
    authed: Authed,
    shared: Data<Shared>,
) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let locale = locale_param(&req, true)?;
    let top = match query(&req, "top10K").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("top10K", "Must be true or false.")),
    };
    check_currency(&req)?;
    let listing = listing(&shared, &authed.client.client, kind, &locale, top).await?;
    send(&req, listing, "private, no-cache".into()).await
}

/// The full list behind a signed link; no API key.
#[utoipa::path(get, path = "/v1/{client_id}/snapshots/{kind}/{locale}", tag = "master-data",
    params(("client_id" = String, Path), ("kind" = crate::adapters::http::openapi::ListKind, Path, description = "`stations`, `operating_carriers` or `pois`"), ("locale" = String, Path),
        ("expires" = i64, Query, description = "Unix seconds"), ("sig" = String, Query, description = "Hex HMAC-SHA256")),
    responses(
        (status = 200, description = "The full list; `ETag`, gzip when accepted, `Cache-Control: private, max-age=<seconds left>`", body = Vec<Object>),
        (status = 304, description = "If-None-Match matched"),
        (status = 400, description = "invalid_parameter (locale)", body = crate::adapters::http::error::ErrorBody),
        (status = 401, description = "unauthorized: bad or expired signature, unknown or disabled client", body = crate::adapters::http::error::ErrorBody),
        (status = 503, description = "data_not_ready", body = crate::adapters::http::error::ErrorBody)))]
pub async fn snapshot(req: HttpRequest, shared: Data<Shared>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let client_id = req.match_info().get("client_id").unwrap_or_default();
    let locale = req.match_info().get("locale").unwrap_or_default();
    if !valid_locale(locale) {
        return Err(bad("locale", LOCALE_RULE));
    }
    let expires = query(&req, "expires").and_then(|e| e.parse::<i64>().ok());
    let sig = query(&req, "sig").unwrap_or_default();
    let now = jiff::Timestamp::now();
    let client = shared.authenticator.enabled_client(client_id);
    let verified = match (expires, &client) {
        (Some(expires), Some(_)) => {
            shared
                .token_keys
                .verify_link(client_id, kind.as_str(), locale, expires, &sig, now)
        }
        _ => false,
    };
    let (Some(expires), Some(client), true) = (expires, client, verified) else {
        shared
            .metrics
            .count("auth.failed", 1, &[("reason", "bad_link")]);
        return Err(ApiError::unauthorized());
    };
    let listing = listing(&shared, &client, kind, locale, false).await?;
    let left = (expires - now.as_second()).max(0);
    send(&req, listing, format!("private, max-age={left}")).await
}

#[cfg(test)]
mod tests {
    use super::valid_locale;

    #[test]
    fn locales_follow_the_pattern() {
        for ok in ["en", "th", "zh-CN", "zh-Hans", "de-at"] {
            assert!(valid_locale(ok), "{ok}");
        }
        for bad in [
            "", "EN", "e", "eng", "zh-", "zh-C", "zh-Hans1", "zh_CN", "en-ABCDE",
        ] {
            assert!(!valid_locale(bad), "{bad}");
        }
    }
}
