//! GetItinerary (20 §2): T → A → S, one itinerary with token, schema and seat map.

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::*;
use crate::common::future_date;
use crate::helpers::{
    assert_error, error_body, header, ok_json, spawn_with_fake_12go_and, JSON_UTF8, TRIP_KEY,
};

#[actix_web::test]
async fn get_itinerary_calls_t_a_s_and_answers_one_itinerary_with_token_schema_and_seat_map() {
    // Arrange
    let f = Funnel::start().await;
    // Act
    let res = f
        .get_with(
            &format!("/v1/acme/itineraries/{}", itinerary_id_2()),
            "acme-key",
            "it-ok",
        )
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), JSON_UTF8);
    assert_eq!(header(&res, "x-correlation-id"), "it-ok");
    let body: Value = res.json().await.unwrap();
    let its = body["itineraries"].as_array().unwrap();
    assert_eq!(its.len(), 1);
    let it = &its[0];
    assert_eq!(it["id"], json!(itinerary_id_2()));
    assert!(it["booking_token"].as_str().unwrap().starts_with("v1."));
    assert_eq!(it["departure_segments"], json!([segment_id()]));
    assert_eq!(it["number_of_available_seats"], json!(12));
    assert_eq!(
        it["pricing"],
        json!({"gross_price": {"amount": "1014.00", "currency": "THB", "price_type": "Recommended"},
               "net_price": {"amount": "914.00", "currency": "THB"},
               "taxes_and_fees": {"amount": "100.00", "currency": "THB"}})
    );
    assert_eq!(
        it["extras"],
        json!({"seat_map": {"rows": [["1A", "1B"], ["2A", null]]}})
    );
    let segments = body["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0]["id"], json!(segment_id()));
    assert_eq!(
        segments[0]["departure_time"],
        json!(format!("{}T08:00", future_date()))
    );
    assert_eq!(body["vehicles"].as_array().unwrap().len(), 1);
    // One T, one A, one S, with the parameters of 00 §1.
    assert_eq!(f.calls("GET", &trip_path()).await, 1);
    assert_eq!(f.calls("POST", &cart_path()).await, 1);
    assert_eq!(f.calls("GET", &checkout_path()).await, 1);
    let reqs = f.server.received_requests().await.unwrap();
    for r in &reqs {
        let q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        assert!(
            q.contains(&("k".into(), "test-12go-key".into())),
            "{}",
            r.url
        );
        if r.url.path() == checkout_path() {
            assert!(q.contains(&("people".into(), "1".into())));
        } else {
            assert!(q.contains(&("seats".into(), "2".into())), "{}", r.url);
        }
    }
    let cart = reqs.iter().find(|r| r.url.path() == cart_path()).unwrap();
    assert!(cart.body.is_empty(), "A is sent without a body");
}

#[actix_web::test]
async fn the_booking_schema_follows_the_checkout_form() {
    // Arrange
    let f = Funnel::start().await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let s = &body["itineraries"][0]["booking_schema"];
    assert_eq!(s["type"], "object");
    let mut required: Vec<&str> = s["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(
        required,
        ["additional_fields", "email", "mobile_phone", "passengers"]
    );
    let p = &s["properties"];
    assert_eq!(p["email"], json!({"type": "string"}));
    assert_eq!(
        p["mobile_phone"],
        json!({"type": "string", "pattern": "^\\+[0-9]{7,15}$"})
    );
    assert_eq!(
        p["allow_automatic_seat_selection"],
        json!({"type": "boolean"})
    );
    // Seat options at properties.seat_selection.items.anyOf[].const, priced
    // against the per-seat quote 914 / 2 = 457; the unavailable 2A is absent.
    assert_eq!(p["seat_selection"]["type"], "array");
    assert_eq!(p["seat_selection"]["maxItems"], 2);
    assert_eq!(
        p["seat_selection"]["items"]["anyOf"],
        json!([{"const": "1A", "x-price": {"amount": "0.00", "currency": "THB"}},
               {"const": "1B", "x-price": {"amount": "20.00", "currency": "THB"}}])
    );
    let pax = &p["passengers"];
    assert_eq!(pax["type"], "array");
    assert_eq!(
        (pax["minItems"].clone(), pax["maxItems"].clone()),
        (json!(2), json!(2))
    );
    let item = &pax["items"];
    let mut preq: Vec<&str> = item["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    preq.sort_unstable();
    assert_eq!(preq, ["first_name", "gender", "last_name", "nationality"]);
    let pp = &item["properties"];
    assert_eq!(
        pp["first_name"],
        json!({"type": "string", "pattern": "^[\\s\\pCA-Za-z\\x{0E00}-\\x{0E7F}]{2,30}$"})
    );
    assert_eq!(pp["last_name"], json!({"type": "string"}));
    assert_eq!(
        pp["gender"],
        json!({"type": "string", "anyOf": [{"const": "M", "title": "Male"}, {"const": "F", "title": "Female"}]})
    );
    assert_eq!(
        pp["nationality"],
        json!({"type": "string", "anyOf": [{"const": "TH", "title": "Thailand"}, {"const": "AR", "title": "Argentina"}]})
    );
    assert_eq!(pp["is_child"], json!({"type": "boolean"}));
    assert_eq!(pp["dob"], json!({"type": "string", "format": "date"}));
    assert_eq!(
        pp["baggage_option"],
        json!({"type": "string", "anyOf": [
            {"const": "none", "title": "Carry-on", "x-price": {"amount": "0.00", "currency": "THB"}},
            {"const": "10kg", "title": "10 kg", "x-price": {"amount": "200.00", "currency": "THB"}}]})
    );
    let add = &p["additional_fields"];
    assert_eq!(add["type"], "object");
    assert_eq!(add["required"], json!(["points_pickup"]));
    assert_eq!(
        add["properties"],
        json!({"points_pickup": {"type": "string", "anyOf": [{"const": "hotel_abc", "title": "Hotel ABC"}]},
               "delivery_address": {"type": "string"}})
    );
}

#[actix_web::test]
async fn a_form_without_seat_selection_gives_empty_extras_and_no_seat_property() {
    // Arrange
    let f = Funnel::start_with_form("", &checkout_form_without_seats(), |_| {}).await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let it = &body["itineraries"][0];
    assert_eq!(it["extras"], json!({}));
    assert!(it["booking_schema"]["properties"]
        .get("seat_selection")
        .is_none());
}

#[actix_web::test]
async fn the_short_id_form_takes_the_seat_count_from_pax_and_answers_the_full_id() {
    // Arrange
    let f = Funnel::start().await;
    let short = format!("{TRIP_KEY}-{}-08:00", future_date());
    // Act
    let res = f.get(&format!("/v1/acme/itineraries/{short}?pax=2")).await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["itineraries"][0]["id"], json!(itinerary_id_2()));
    assert_eq!(f.calls("GET", &trip_path()).await, 1);
}

#[actix_web::test]
async fn a_percent_encoded_itinerary_id_is_accepted() {
    // Arrange
    let f = Funnel::start().await;
    let encoded = itinerary_id_2().replace(':', "%3A");
    // Act
    let res = f.get(&format!("/v1/acme/itineraries/{encoded}")).await;
    // Assert
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn an_invalid_itinerary_id_is_400_invalid_parameter_without_any_12go_call() {
    // Arrange
    let (app, server) = spawn_with_fake_12go_and("", |_| {}).await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    // Act
    let res = app
        .get(
            "/v1/acme/itineraries/not-an-itinerary",
            &[("x-api-key", "acme-key"), ("x-correlation-id", "it-bad")],
        )
        .await;
    // Assert
    assert_error(
        res,
        400,
        error_body(
            "invalid_parameter",
            "Some parameters are invalid.",
            &[("itinerary_id", "Not a valid itinerary id.")],
            "it-bad",
        ),
    )
    .await;
    server.verify().await;
}

#[actix_web::test]
async fn a_cart_answer_as_an_object_with_cart_id_is_read() {
    // Arrange
    let f = Funnel::start().await;
    mount_first(
        &f.server,
        "POST",
        &cart_path(),
        ok_json(&json!({"cart_id": CART})),
    )
    .await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    assert_eq!(f.calls("GET", &checkout_path()).await, 1);
}

#[actix_web::test]
async fn an_unreadable_cart_answer_is_502_upstream_error() {
    // Arrange
    let f = Funnel::start().await;
    mount_first(&f.server, "POST", &cart_path(), ok_json(&json!([1, 2]))).await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_code(res, 502, "upstream_error").await;
    assert_eq!(f.calls("GET", &checkout_path()).await, 0);
}

#[actix_web::test]
async fn a_trip_without_a_bookable_option_is_422_trip_unavailable() {
    // Arrange
    let f = Funnel::start().await;
    let mut answer = trip_answer();
    answer["trips"][0]["travel_options"][0]["is_bookable"] = json!(0);
    answer["trips"][0]["travel_options"][0]["id"] = json!("other-option");
    mount_first(&f.server, "GET", &trip_path(), ok_json(&answer)).await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_code(res, 422, "trip_unavailable").await;
    assert_eq!(f.calls("POST", &cart_path()).await, 0);
}

#[actix_web::test]
async fn a_t_answer_without_the_trip_is_404_itinerary_not_found() {
    // Arrange
    let f = Funnel::start().await;
    let answer =
        json!({"trips": [], "operators": {}, "classes": {}, "stations": {}, "recheck": []});
    mount_first(&f.server, "GET", &trip_path(), ok_json(&answer)).await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_code(res, 404, "itinerary_not_found").await;
    assert_eq!(f.calls("POST", &cart_path()).await, 0);
}

#[actix_web::test]
async fn the_option_whose_id_is_the_trip_key_is_taken() {
    // Arrange
    let f = Funnel::start().await;
    let mut answer = trip_answer();
    let keyed = answer["trips"][0]["travel_options"][0].clone();
    let mut other = keyed.clone();
    other["id"] = json!("another-option");
    other["netprice"] = json!({"value": 500, "fxcode": "THB"});
    other["price"] = json!({"value": 600, "fxcode": "THB"});
    answer["trips"][0]["travel_options"] = json!([other, keyed]);
    mount_first(&f.server, "GET", &trip_path(), ok_json(&answer)).await;
    // Act
    let res = f
        .get(&format!("/v1/acme/itineraries/{}", itinerary_id_2()))
        .await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["itineraries"][0]["pricing"]["net_price"],
        json!({"amount": "914.00", "currency": "THB"})
    );
}

#[actix_web::test]
async fn a_lowercase_currency_parameter_is_400_invalid_parameter() {
    // Arrange
    let f = Funnel::start().await;
    // Act
    let res = f
        .get(&format!(
            "/v1/acme/itineraries/{}?currency=thb",
            itinerary_id_2()
        ))
        .await;
    // Assert
    let body = assert_code(res, 400, "invalid_parameter").await;
    assert_eq!(field_paths(&body), ["currency"]);
    assert_eq!(f.calls("GET", &trip_path()).await, 0);
}

#[actix_web::test]
async fn the_short_id_form_without_pax_books_one_seat() {
    // Arrange
    let f = Funnel::start().await;
    on("GET", &trip_path())
        .and(wiremock::matchers::query_param("seats", "1"))
        .respond_with(ok_json(&trip_answer()))
        .mount(&f.server)
        .await;
    on("POST", &cart_path())
        .and(wiremock::matchers::query_param("seats", "1"))
        .respond_with(ok_json(&json!(CART)))
        .mount(&f.server)
        .await;
    let short = format!("{TRIP_KEY}-{}-08:00", future_date());
    // Act
    let res = f.get(&format!("/v1/acme/itineraries/{short}")).await;
    // Assert
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let it = &body["itineraries"][0];
    assert_eq!(it["id"], json!(format!("{short}-1")));
    let pax = &it["booking_schema"]["properties"]["passengers"];
    assert_eq!(
        (pax["minItems"].clone(), pax["maxItems"].clone()),
        (json!(1), json!(1))
    );
}
