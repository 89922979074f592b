//! U3–U5 master-data pages against the fake 12go.

use std::sync::Arc;

use super::telemetry::Recorded;
use super::*;
use crate::adapters::twelvego::AwcMasterData;
use crate::ports::masterdata::MasterDataSource;

const KEY: &str = "md-key";

fn source(server: &MockServer) -> AwcMasterData {
    md(&server.uri())
}

fn md(base: &str) -> AwcMasterData {
    AwcMasterData::new(config(base), Secret::new(KEY), ms(300)).unwrap()
}

fn ok(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(body)
}

async fn mount_stations(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/stations"))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

#[actix_web::test]
async fn stations_send_the_cursor_size_and_master_data_key() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/stations"))
        .and(query_param("fromStationId", "4056"))
        .and(query_param("pageSize", "100"))
        .and(query_param("k", KEY))
        .and(header("accept", "application/json"))
        .and(header("x-correlation-id", "masterdata-refresh"))
        .respond_with(ok(
            r#"{"Stations":[{"StationId":5133,"StationName":"Arcade 2","StationNameTh":"อาเขต","ProvinceId":44},
                {"StationId":"5936","StationName":"Don Mueang"}],"NextPage":5937}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let page = source(&server).stations(4056, 100).await.unwrap();
    // Assert
    assert!(page.more);
    let ids: Vec<&str> = page.rows.iter().map(|r| r.station_id.as_str()).collect();
    assert_eq!(ids, ["5133", "5936"]);
    assert_eq!(page.rows[0].other["StationNameTh"], "อาเขต");
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.headers.get("authorization").is_none());
    assert!(req.headers.get("x-api-key").is_none());
    server.verify().await;
}

#[actix_web::test]
async fn operators_and_provinces_use_their_own_routes_under_the_base_path() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/md/tourOperators"))
        .and(query_param("fromOperatorId", "0"))
        .and(query_param("pageSize", "100"))
        .and(query_param("k", KEY))
        .respond_with(ok(
            r#"{"TourOperators":[{"OperatorId":16779,"OperatorName":"SRT","VehClasses":["train"]}],"NextPage":null}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/md/provinces"))
        .and(query_param("fromProvinceId", "60"))
        .and(query_param("pageSize", "2000"))
        .and(query_param("k", KEY))
        .respond_with(ok(
            r#"{"Provinces":[{"Id":61,"Name":"Surat Thani","Country":"TH"},{"Id":62,"ParentId":61,"Name":"Koh Samui","Country":"TH"}]}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let source = md(&format!("{}/md/", server.uri()));
    // Act
    let operators = source.operators(0, 100).await.unwrap();
    let provinces = source.provinces(60, 2000).await.unwrap();
    // Assert
    assert_eq!(operators.rows[0].operator_id, "16779");
    assert!(!operators.more, "NextPage null stops");
    assert_eq!(provinces.rows[1].parent_id, Some(61));
    assert!(!provinces.more, "NextPage absent stops");
    server.verify().await;
}

#[actix_web::test]
async fn an_empty_page_stops_whatever_next_page_says() {
    let server = MockServer::start().await;
    mount_stations(&server, ok(r#"{"Stations":[],"NextPage":9}"#), 1).await;
    let page = source(&server).stations(0, 100).await.unwrap();
    assert_eq!(page, crate::ports::masterdata::Page::default());
    server.verify().await;
}

#[actix_web::test]
async fn a_missing_list_key_or_bad_json_is_decode() {
    for body in [
        r#"{"NextPage":null}"#,
        r#"{"Operators":[]}"#,
        "[]",
        "<html>",
    ] {
        let server = MockServer::start().await;
        mount_stations(&server, ok(body), 1).await;
        let err = source(&server).stations(0, 100).await.unwrap_err();
        assert_eq!(err, UpstreamError::Decode, "{body}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn a_502_is_retried_per_the_get_rule() {
    // Arrange
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/provinces"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/provinces"))
        .respond_with(ok(
            r#"{"Provinces":[{"Id":1,"Name":"Bangkok"}],"NextPage":2}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Act
    let page = source(&server).provinces(0, 2000).await.unwrap();
    // Assert
    assert_eq!((page.rows.len(), page.more), (1, true));
    server.verify().await;
}

#[actix_web::test]
async fn a_504_is_tried_three_times_and_503_or_500_once() {
    for (code, times) in [(504, 3), (503, 1), (500, 1)] {
        let server = MockServer::start().await;
        mount_stations(&server, ResponseTemplate::new(code), times).await;
        let err = source(&server).stations(0, 100).await.unwrap_err();
        assert_eq!(err, status(code, false, None), "{code}");
        server.verify().await;
    }
}

#[actix_web::test]
async fn a_slow_page_times_out_after_the_retries() {
    let server = MockServer::start().await;
    let slow = ok(r#"{"Stations":[]}"#).set_delay(Duration::from_secs(2));
    mount_stations(&server, slow, 3).await;
    let err = source(&server).stations(0, 100).await.unwrap_err();
    assert_eq!(err, UpstreamError::Timeout);
    server.verify().await;
}

#[actix_web::test]
async fn pages_are_measured_under_the_masterdata_endpoint() {
    let server = MockServer::start().await;
    mount_stations(&server, ok(r#"{"Stations":[]}"#), 1).await;
    let metrics = Arc::new(Recorded::default());
    let source = source(&server).with_metrics(metrics.clone());
    source.stations(0, 100).await.unwrap();
    assert_eq!(
        metrics.lines(),
        [
            "upstream.count endpoint=masterdata,status_code=200",
            "upstream.duration endpoint=masterdata",
        ]
    );
}
