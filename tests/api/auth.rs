//! Authentication (00 §4): every failure is the same 401 body; a success sends
//! the client's own 12go key as `k`.

use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path, query_param};
use wiremock::Mock;

use crate::helpers::{
    assert_error, error_body, expect_no_12go_call, ok_json, search_3_to_4, spawn_with_fake_12go,
    spawn_with_fake_12go_and, twelvego_answer, twelvego_search_path, ACME_KEY, TRIP_KEY,
};

/// A registry entry for `id` with API key `key`, 12go key from `key_env`.
fn client_toml(id: &str, key: &str, enabled: bool, key_env: &str, expires: Option<&str>) -> String {
    let hash = hex::encode(Sha256::digest(key.as_bytes()));
    let expires = expires
        .map(|e| format!("expires_at = \"{e}\"\n"))
        .unwrap_or_default();
    format!(
        "[clients.{id}]\nenabled = {enabled}\ntwelvego_key_env = \"{key_env}\"\n[[clients.{id}.api_keys]]\nid = \"k1\"\nsha256 = \"{hash}\"\n{expires}"
    )
}

/// `acme` plus: `off` (disabled), `old` (expired key), `nokey` (12go key variable
/// never set) and `other` (valid, key `other-key`).
fn registry() -> String {
    let var = crate::common::TEST_12GO_KEY_VAR;
    [
        client_toml("off", "off-key", false, var, None),
        client_toml("old", "old-key", true, var, Some("2020-01-01T00:00:00Z")),
        client_toml(
            "nokey",
            "nokey-key",
            true,
            "CONNECT_TEST_VARIABLE_NEVER_SET",
            None,
        ),
        client_toml("other", "other-key", true, var, None),
    ]
    .join("\n")
}

/// Searches `/v1/{client}/itineraries` with `key` and asserts the one 401 body
/// and no 12go call.
async fn assert_unauthorized(client: &str, key: Option<&str>) {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and(&registry(), |_| {}).await;
    expect_no_12go_call(&server).await;
    let path = search_3_to_4().replace("/v1/acme/", &format!("/v1/{client}/"));
    let mut headers = vec![("x-correlation-id", "auth-1")];
    if let Some(k) = key {
        headers.push(("x-api-key", k));
    }
    // Act
    let res = app.get(&path, &headers).await;
    // Assert
    assert_error(
        res,
        401,
        error_body("unauthorized", "Missing or invalid API key.", &[], "auth-1"),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn search_answers_401_without_an_api_key() {
    assert_unauthorized("acme", None).await;
}

#[actix_web::test]
async fn search_answers_401_with_an_empty_api_key() {
    assert_unauthorized("acme", Some("")).await;
}

#[actix_web::test]
async fn search_answers_401_with_a_wrong_api_key() {
    assert_unauthorized("acme", Some("wrong-key")).await;
}

#[actix_web::test]
async fn search_answers_401_for_an_unknown_client() {
    assert_unauthorized("nobody", Some(ACME_KEY)).await;
}

#[actix_web::test]
async fn search_answers_401_for_a_disabled_client() {
    assert_unauthorized("off", Some("off-key")).await;
}

#[actix_web::test]
async fn search_answers_401_for_an_expired_key() {
    assert_unauthorized("old", Some("old-key")).await;
}

#[actix_web::test]
async fn search_answers_401_when_the_clients_12go_key_variable_is_unset() {
    assert_unauthorized("nokey", Some("nokey-key")).await;
}

#[actix_web::test]
async fn search_answers_401_for_another_clients_key() {
    assert_unauthorized("acme", Some("other-key")).await;
}

#[actix_web::test]
async fn search_answers_401_for_acmes_key_on_another_clients_path() {
    assert_unauthorized("other", Some(ACME_KEY)).await;
}

#[actix_web::test]
async fn an_authenticated_search_sends_the_clients_12go_key_as_k() {
    // Arrange
    let (app, server) = spawn_with_fake_12go().await;
    Mock::given(method("GET"))
        .and(path(twelvego_search_path(3, 4)))
        .and(query_param("k", crate::common::TEST_12GO_KEY))
        .respond_with(ok_json(&twelvego_answer(TRIP_KEY, 3, 4, &[])))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let res = app.get(&search_3_to_4(), &[("X-API-KEY", ACME_KEY)]).await;
    // Assert
    assert_eq!(res.status(), 200);
    server.verify().await;
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.headers.get("x-api-key").is_none());
    assert!(req.headers.get("authorization").is_none());
}
