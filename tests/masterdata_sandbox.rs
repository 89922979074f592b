//! The awc master-data adapter against the sandbox served over HTTP: paging
//! through every list gives exactly what the in-process sandbox port gives.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpServer};
use connect_api::adapters::sandbox::http::configure_shared;
use connect_api::adapters::sandbox::Sandbox;
use connect_api::adapters::twelvego::{AwcMasterData, TwelveGoClientConfig};
use connect_api::domain::secret::Secret;
use connect_api::ports::masterdata::{MasterDataSource, Page};
use url::Url;

/// Starts the sandbox on a free loopback port and returns its base URL.
fn spawn_sandbox() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::new(base.clone());
    let server =
        HttpServer::new(move || App::new().configure(|c| configure_shared(c, sandbox.clone())))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
    actix_rt::spawn(server);
    base
}

/// Follows the pages from id 0 until `more` is false; ids of every row, in order.
async fn walk<T, F, Fut>(size: u32, fetch: F, id: impl Fn(&T) -> String) -> Vec<String>
where
    F: Fn(i64, u32) -> Fut,
    Fut: std::future::Future<Output = Page<T>>,
{
    let (mut from, mut ids) = (0, Vec::new());
    loop {
        let page = fetch(from, size).await;
        assert!(page.rows.len() <= size as usize);
        ids.extend(page.rows.iter().map(&id));
        match page.rows.last() {
            Some(last) if page.more => from = id(last).parse::<i64>().unwrap() + 1,
            _ => return ids,
        }
    }
}

#[actix_web::test]
async fn paging_the_sandbox_over_http_matches_the_in_process_port() {
    // Arrange
    let base = spawn_sandbox();
    let cfg = TwelveGoClientConfig::new(Url::parse(&base).unwrap());
    let remote = AwcMasterData::new(cfg, Secret::new("md-key"), Duration::from_secs(5)).unwrap();
    let local = Sandbox::default();

    // Act
    let md = &remote;
    let stations = walk(
        7,
        |f, s| async move { md.stations(f, s).await.unwrap() },
        |r| r.station_id.clone(),
    )
    .await;
    let operators = walk(
        5,
        |f, s| async move { md.operators(f, s).await.unwrap() },
        |r| r.operator_id.clone(),
    )
    .await;
    let provinces = walk(
        3,
        |f, s| async move { md.provinces(f, s).await.unwrap() },
        |r| r.id.clone(),
    )
    .await;

    // Assert
    let all_stations = local.stations(0, 10_000).await.unwrap();
    let all_operators = local.operators(0, 10_000).await.unwrap();
    let all_provinces = local.provinces(0, 10_000).await.unwrap();
    assert!(!all_stations.more && !all_operators.more && !all_provinces.more);
    let station_ids: Vec<String> = all_stations
        .rows
        .iter()
        .map(|r| r.station_id.clone())
        .collect();
    let operator_ids: Vec<String> = all_operators
        .rows
        .iter()
        .map(|r| r.operator_id.clone())
        .collect();
    let province_ids: Vec<String> = all_provinces.rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(stations, station_ids);
    assert_eq!(operators, operator_ids);
    assert_eq!(provinces, province_ids);
    let first = remote.stations(0, 1).await.unwrap();
    assert_eq!(first.rows[0], all_stations.rows[0], "rows decode alike");
}
