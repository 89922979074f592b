//! End to end: `twelvego-sandbox` and `connect-api` as real processes, searching
//! through the real awc adapter; then a graceful SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{free_port, Proc};
use std::time::{Duration, Instant};

/// Starts the sandbox on a random port and reads the port from its one stdout line.
fn start_sandbox() -> (Proc, u16) {
    start_sandbox_with(&[])
}

/// As [`start_sandbox`], with more environment variables (webhooks).
fn start_sandbox_with(env: &[(&str, &str)]) -> (Proc, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_twelvego-sandbox"))
        .env("SANDBOX_PORT", "0")
        // Tickets appear 1 s after confirmation (default 5 s).
        .env("SANDBOX_TICKET_SECS", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("unexpected line {line:?}"));
    (Proc(child), port)
}

/// `connect-api` on free ports against the 12go at `twelvego`, with client `acme`;
/// master data loaded from it when `master_data` (the sandbox serves it).
/// Returns the process and its API and admin ports.
fn start_api(twelvego: &str, master_data: bool) -> (Proc, u16, u16) {
    let (port, admin) = (free_port(), free_port());
    (
        start_api_on(twelvego, master_data, "", &[], port, admin),
        port,
        admin,
    )
}

/// As [`start_api`], on the given ports, with more registry TOML for `acme`
/// and more environment variables.
fn start_api_on(
    twelvego: &str,
    master_data: bool,
    registry_extra: &str,
    env: &[(&str, &str)],
    port: u16,
    admin: u16,
) -> Proc {
    let registry = common::write_registry(registry_extra);
    let api = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("ADMIN_PORT", admin.to_string())
        .env("TWELVEGO_BASE_URL", twelvego)
        .env("CLIENTS_FILE", &registry)
        .env("BOOKING_TOKEN_SECRETS", common::TEST_TOKEN_SECRET)
        .env("MASTER_DATA_ENABLED", master_data.to_string())
        .env("TWELVEGO_MASTERDATA_KEY", "e2e-masterdata-key")
        .env(common::TEST_12GO_KEY_VAR, "e2e-key")
        .env("LOG_LEVEL", "warn")
        .env("DD_TRACE_ENABLED", "false")
        .env("DD_METRICS_ENABLED", "false")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Proc(api)
}

/// Waits up to 10 s for the process to exit and returns its exit code.
async fn wait_exit(p: &mut Proc, what: &str) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = p.0.try_wait().unwrap() {
            return s.code();
        }
        assert!(Instant::now() < deadline, "connect-api did not exit {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_ready(client: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(url).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{url} never became ready");
}

#[tokio::test]
async fn search_through_both_processes_then_sigterm_exits_cleanly() {
    // Arrange
    let (_sandbox, sandbox_port) = start_sandbox();
    let (mut api, port, admin) = start_api(&format!("http://127.0.0.1:{sandbox_port}"), true);
    let client = reqwest::Client::new();
    wait_ready(&client, &format!("http://127.0.0.1:{port}/ready")).await;
    wait_ready(&client, &format!("http://127.0.0.1:{admin}/ready")).await;
    let date = common::future_date();

    // Act
    let small = client
        .get(format!("http://127.0.0.1:{port}/v1/acme/itineraries?departures[]=3&arrivals[]=4&departure_date={date}&pax=1"))
        .header("x-api-key", "acme-key")
        .header("x-correlation-id", "e2e-1")
        .send()
        .await
        .unwrap();
    let large = client
        .get(format!("http://127.0.0.1:{port}/v1/acme/itineraries?departure_poi=1&arrival_poi=44&departure_date={date}&pax=1"))
        .header("x-api-key", "acme-key")
        .send()
        .await
        .unwrap();

    // Master data came from the sandbox process through the awc adapter.
    let stations: serde_json::Value = client
        .get(format!(
            "http://127.0.0.1:{port}/v1/acme/stations/GetList?locale=en"
        ))
        .header("x-api-key", "acme-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Assert
    let station_ids: Vec<&str> = stations
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        station_ids.contains(&"3") && station_ids.contains(&"4"),
        "{station_ids:?}"
    );
    assert_eq!(small.status(), 200);
    assert_eq!(small.headers()["x-correlation-id"], "e2e-1");
    let body: serde_json::Value = small.json().await.unwrap();
    assert!(!body["itineraries"].as_array().unwrap().is_empty());
    assert_eq!(
        large.status(),
        206,
        "1p→44p carries a recheck in the sandbox"
    );
    let body: serde_json::Value = large.json().await.unwrap();
    assert!(body["itineraries"].as_array().unwrap().len() >= 50);

    // SIGTERM: the process exits 0 well within the drain window.
    let pid = api.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(wait_exit(&mut api, "after SIGTERM").await, Some(0));
}

#[test]
fn an_invalid_setting_exits_non_zero_with_one_line_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .env("PORT", "not-a-port")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PORT"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unreadable_booking_id_map_stops_start_up_with_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .current_dir(std::env::temp_dir())
        .env("BOOKING_ID_MAP_FILE", "/nonexistent/ids.csv")
        .env("PORT", "0")
        .env("ADMIN_PORT", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("BOOKING_ID_MAP_FILE") && stderr.contains("/nonexistent/ids.csv"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_id_map_dir_stops_start_up_with_one_line_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .current_dir(std::env::temp_dir())
        .env("ID_MAP_DIR", "/nonexistent/idmaps")
        .env("PORT", "0")
        .env("ADMIN_PORT", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("ID_MAP_DIR") && stderr.contains("/nonexistent/idmaps"),
        "{stderr}"
    );
}

#[test]
fn a_real_12go_without_a_registry_refuses_to_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .current_dir(std::env::temp_dir())
        .env("TWELVEGO_BASE_URL", "http://127.0.0.1:9")
        .env("BOOKING_TOKEN_SECRETS", common::TEST_TOKEN_SECRET)
        .env("TWELVEGO_MASTERDATA_KEY", "md-key")
        .env("PORT", "0")
        .env("ADMIN_PORT", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("CLIENTS_FILE"), "{stderr}");
}

#[test]
fn a_real_12go_without_booking_token_secrets_refuses_to_start_with_one_line() {
    let registry = common::write_registry("");
    let out = Command::new(env!("CARGO_BIN_EXE_connect-api"))
        .current_dir(std::env::temp_dir())
        .env("TWELVEGO_BASE_URL", "http://127.0.0.1:9")
        .env("CLIENTS_FILE", &registry)
        .env("TWELVEGO_MASTERDATA_KEY", "md-key")
        .env_remove("BOOKING_TOKEN_SECRETS")
        .env("PORT", "0")
        .env("ADMIN_PORT", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "connect-api: configuration error: BOOKING_TOKEN_SECRETS: required when TWELVEGO_BASE_URL is set\n"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_search_finish_refuses_new_connections_and_exits_0() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    // Arrange: a 12go that takes 1.5 s to answer.
    let twelvego = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/search/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"trips":[],"recheck":[]}"#, "application/json")
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&twelvego)
        .await;
    let (mut api, port, _admin) = start_api(&twelvego.uri(), false);
    let client = reqwest::Client::new();
    wait_ready(&client, &format!("http://127.0.0.1:{port}/ready")).await;
    let url = format!(
        "http://127.0.0.1:{port}/v1/acme/itineraries?departures[]=3&arrivals[]=4&departure_date={}&pax=1",
        common::future_date()
    );
    // Act: a search is in flight when SIGTERM arrives.
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.get(url).header("x-api-key", "acme-key").send().await }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let pid = api.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = std::net::TcpStream::connect(("127.0.0.1", port)).is_err();

    // Assert
    let res = in_flight
        .await
        .unwrap()
        .expect("the in-flight search must be answered");
    assert_eq!(res.status(), 200);
    assert!(refused, "new connections must be refused while draining");
    assert_eq!(wait_exit(&mut api, "after draining").await, Some(0));
}

/// A value the field's schema accepts: the first option of an enum, else a
/// plausible value by name.
fn sample(name: &str, schema: &serde_json::Value) -> serde_json::Value {
    if let Some(first) = schema["anyOf"].as_array().and_then(|a| a.first()) {
        return first["const"].clone();
    }
    if schema["type"] == "boolean" {
        return serde_json::json!(false);
    }
    let v = match name {
        "first_name" => "John",
        "last_name" => "Doe",
        "middle_name" => "Quincy",
        "email" => "a@b.co",
        "mobile_phone" => "+66812345678",
        "id_number" => "AB123456",
        "id_expiry_date" | "id_issue_date" => "2030-01-01",
        _ if schema["format"] == "date" => "1990-01-01",
        _ => "Riverside",
    };
    serde_json::json!(v)
}

/// Searches 3 → 4 for `pax` seats and reads the first Instant itinerary:
/// (its search entry, the GetItinerary answer).
async fn instant_itinerary(
    client: &reqwest::Client,
    base: &str,
    pax: u32,
) -> (serde_json::Value, serde_json::Value) {
    let get = |url: String| client.get(url).header("x-api-key", "acme-key").send();
    let date = common::future_date();
    let found: serde_json::Value = get(format!(
        "{base}/itineraries?departures[]=3&arrivals[]=4&departure_date={date}&pax={pax}"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let instant = found["itineraries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["confirmation_type"] == "Instant")
        .expect("an Instant itinerary")
        .clone();
    let res = get(format!(
        "{base}/itineraries/{}",
        instant["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    (instant, res.json().await.unwrap())
}

/// `booking_data` with every required member of `booking_schema` filled.
fn fill(schema: &serde_json::Value) -> serde_json::Value {
    let required = |s: &serde_json::Value| -> Vec<String> {
        s["required"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let props = &schema["properties"];
    let mut data = serde_json::json!({
        "email": sample("email", &props["email"]),
        "mobile_phone": sample("mobile_phone", &props["mobile_phone"]),
        "additional_fields": {},
    });
    let extra = &props["additional_fields"];
    for name in required(extra) {
        data["additional_fields"][&name] = sample(&name, &extra["properties"][&name]);
    }
    let pax = &props["passengers"];
    let n = pax["minItems"].as_u64().unwrap_or(1);
    let item = &pax["items"];
    let passengers: Vec<serde_json::Value> = (0..n)
        .map(|_| {
            let mut p = serde_json::json!({});
            for name in required(item) {
                p[&name] = sample(&name, &item["properties"][&name]);
            }
            p
        })
        .collect();
    data["passengers"] = serde_json::json!(passengers);
    data
}

#[tokio::test]
async fn search_itinerary_book_and_confirm_through_both_processes() {
    // Arrange
    let (_sandbox, sandbox_port) = start_sandbox();
    let (_api, port, _admin) = start_api(&format!("http://127.0.0.1:{sandbox_port}"), true);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/v1/acme");
    wait_ready(&client, &format!("http://127.0.0.1:{port}/ready")).await;
    let get = |url: String| client.get(url).header("x-api-key", "acme-key").send();

    // Act: search, GetItinerary, CreateBooking, ConfirmBooking over the real awc adapter.
    let (instant, it) = instant_itinerary(&client, &base, 2).await;
    let it = &it["itineraries"][0];
    assert_eq!(it["id"], instant["id"]);
    assert_eq!(it["pricing"]["net_price"], instant["pricing"]["net_price"]);
    let token = it["booking_token"].as_str().unwrap();
    let body = serde_json::json!({
        "booking_token": token,
        "total_price": it["pricing"]["net_price"],
        "booking_data": fill(&it["booking_schema"]),
    });
    let created = client
        .post(format!("{base}/bookings"))
        .header("x-api-key", "acme-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = created.status();
    let booking: serde_json::Value = created.json().await.unwrap();
    assert_eq!(status, 200, "{booking}");
    let again = client
        .post(format!("{base}/bookings"))
        .header("x-api-key", "acme-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    let confirmed = client
        .post(format!(
            "{base}/bookings/{}/confirm",
            booking["id"].as_str().unwrap()
        ))
        .header("x-api-key", "acme-key")
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(booking["status"], "reserved");
    assert_eq!(booking["passenger_count"], 2);
    assert_eq!(booking["total_price"], it["pricing"]["net_price"]);
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.headers()["location"].to_str().unwrap(),
        format!("/v1/acme/bookings/{}", booking["id"].as_str().unwrap())
    );
    assert_eq!(confirmed.status(), 200);
    let confirmed: serde_json::Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["status"], "approved");
    assert!(!confirmed["operator_booking_id"]
        .as_str()
        .unwrap()
        .is_empty());

    // After the sale: the ticket is not ready at once, then it is; then cancel.
    let bid = booking["id"].as_str().unwrap();
    let ticket = get(format!("{base}/bookings/{bid}/ticket")).await.unwrap();
    assert_eq!(ticket.status(), 202);
    assert_eq!(ticket.headers()["retry-after"], "30");
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let ticket = get(format!("{base}/bookings/{bid}/ticket")).await.unwrap();
    assert_eq!(ticket.status(), 200);
    let url: serde_json::Value = ticket.json().await.unwrap();
    assert!(url["ticket_url"].as_str().unwrap().ends_with(".pdf"));
    let details: serde_json::Value = get(format!("{base}/bookings/{bid}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(details["voucher_url"], url["ticket_url"]);
    let cancelled = client
        .post(format!("{base}/bookings/{bid}/cancel"))
        .header("x-api-key", "acme-key")
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    let cancelled: serde_json::Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["booking_id"], bid);
    assert_eq!(cancelled["booking_status"], "cancelled");
    let details: serde_json::Value = get(format!("{base}/bookings/{bid}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(details["status"], "cancelled");
}

/// The notification loop with real processes (30 §7–§8): the sandbox posts its
/// signed webhook when a booking is confirmed, `connect-api` authenticates it,
/// re-reads the booking and delivers the signed notification to the partner.
#[tokio::test]
async fn a_confirmed_sandbox_booking_reaches_the_partner_webhook() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    // Arrange
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let (port, admin) = (free_port(), free_port());
    let hook_in = format!("http://127.0.0.1:{port}/v1/notifications/onetwogo");
    let (_sandbox, sandbox_port) = start_sandbox_with(&[
        ("SANDBOX_WEBHOOK_URL", &hook_in),
        ("SANDBOX_WEBHOOK_CLIENT_ID", "acme"),
        ("SANDBOX_WEBHOOK_SECRET", "e2e-inbound-secret"),
    ]);
    let extra = format!(
        "[clients.acme.inbound_webhook]\nhmac_secret_envs = [\"E2E_WH_IN\"]\n\
         [clients.acme.notifications]\nwebhook_url = \"{}/hook\"\nsigning_secret_env = \"E2E_WH_OUT\"\n",
        receiver.uri()
    );
    let _api = start_api_on(
        &format!("http://127.0.0.1:{sandbox_port}"),
        false,
        &extra,
        &[
            ("E2E_WH_IN", "e2e-inbound-secret"),
            ("E2E_WH_OUT", "e2e-outbound-secret"),
        ],
        port,
        admin,
    );
    let client = reqwest::Client::new();
    wait_ready(&client, &format!("http://127.0.0.1:{port}/ready")).await;
    let base = format!("http://127.0.0.1:{port}/v1/acme");
    let (_, it) = instant_itinerary(&client, &base, 1).await;
    let it = &it["itineraries"][0];
    let booking: serde_json::Value = client
        .post(format!("{base}/bookings"))
        .header("x-api-key", "acme-key")
        .json(&serde_json::json!({
            "booking_token": it["booking_token"],
            "booking_data": fill(&it["booking_schema"]),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bid = booking["id"].as_str().expect("a booking id").to_owned();
    // Act
    let confirmed = client
        .post(format!("{base}/bookings/{bid}/confirm"))
        .header("x-api-key", "acme-key")
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    // Assert: the partner hears about it, signed with its own secret.
    let deadline = Instant::now() + Duration::from_secs(10);
    let notification = loop {
        let reqs = receiver.received_requests().await.unwrap();
        let hit = reqs.into_iter().find_map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).ok()?;
            (body["event"] == "booking.confirmed").then_some((r, body))
        });
        if let Some(hit) = hit {
            break hit;
        }
        assert!(
            Instant::now() < deadline,
            "no booking.confirmed notification"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (req, body) = notification;
    assert_eq!(body["booking_id"], bid);
    assert_eq!(body["booking"]["id"], bid);
    assert_eq!(body["booking"]["status"], "approved");
    let h = |k: &str| req.headers[k].to_str().unwrap().to_owned();
    assert_eq!(h("x-travelier-notification-id"), body["notification_id"]);
    use hmac::Mac;
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(b"e2e-outbound-secret").unwrap();
    mac.update(format!("{}.", h("x-travelier-timestamp")).as_bytes());
    mac.update(&req.body);
    assert_eq!(
        h("x-travelier-signature"),
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    );
}
