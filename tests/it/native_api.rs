//! The native JSON API: intake, validation of bad input, Idempotency-Key, public reads.

use crate::common;

use common::{larkana_request, TestApp};
use serde_json::json;

#[tokio::test]
async fn a_request_in_larkana_city_is_stored_with_its_district_and_tehsil() {
    let app = TestApp::new().await;
    let res = app.post_json("/api/v1/requests", &larkana_request()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    assert_eq!(body["district"], "PK713");
    let larkana = app.state.catalogue.district("PK713").unwrap();
    assert_eq!(
        body["district_name"],
        larkana.names.sd.as_str(),
        "named in the reporter's language (Sindhi)"
    );
    assert_eq!(body["tehsil"], "PK71303");
    assert_eq!(body["province"], "PK7");
    assert_eq!(body["status"], "submitted");
    let reference = body["reference"].as_str().unwrap();
    assert_eq!(reference.len(), 9);
    sahulat_domain::reference::Reference::parse(reference)
        .expect("reference carries a valid check digit");
}

#[tokio::test]
async fn the_request_its_contact_and_its_triage_job_are_stored_together() {
    let app = TestApp::new().await;
    let res = app.post_json("/api/v1/requests", &larkana_request()).await;
    assert_eq!(res.status, 201);
    let reference = res.json()["reference"].as_str().unwrap().to_string();
    let stored = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let jobs = app.store().jobs("queued", 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "triage");
    assert_eq!(jobs[0].payload["request_id"], stored.id);
    let contact = app.store().contact(stored.id).await.unwrap().unwrap();
    assert_eq!(contact.phone.unwrap().e164(), "+923001234567");
    assert_eq!(contact.name.as_deref(), Some("Ayesha Bhutto"));
}

#[tokio::test]
async fn the_public_view_of_a_request_shows_no_personal_data() {
    let app = TestApp::new().await;
    let created = app
        .post_json("/api/v1/requests", &larkana_request())
        .await
        .json();
    let res = app
        .get(&format!(
            "/api/v1/requests/{}",
            created["reference"].as_str().unwrap()
        ))
        .await;
    assert_eq!(res.status, 200);
    let text = res.text();
    assert!(!text.contains("1234567"), "phone leaked: {text}");
    assert!(!text.contains("Ayesha"), "name leaked: {text}");
    assert_eq!(res.json()["updates"][0]["status"], "submitted");
}

#[tokio::test]
async fn a_reference_with_one_mistyped_digit_is_answered_with_a_typing_mistake_message() {
    let app = TestApp::new().await;
    let created = app
        .post_json("/api/v1/requests", &larkana_request())
        .await
        .json();
    let mut digits: Vec<u8> = created["reference"].as_str().unwrap().bytes().collect();
    digits[3] = b'0' + (digits[3] - b'0' + 1) % 10;
    let res = app
        .get(&format!(
            "/api/v1/requests/{}",
            String::from_utf8(digits).unwrap()
        ))
        .await;
    assert_eq!(res.status, 400);
    assert!(res.json()["error"]["fields"]["reference"]
        .as_str()
        .unwrap()
        .contains("typing mistake"));
}

#[tokio::test]
async fn a_well_formed_reference_that_does_not_exist_is_404() {
    let app = TestApp::new().await;
    let r = sahulat_domain::reference::Reference::from_body(12_345_678);
    let res = app
        .get(&format!(
            "/api/v1/requests/{}",
            r.grouped().replace(' ', "%20")
        ))
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.error_code(), "not_found");
}

#[tokio::test]
async fn a_point_in_karachi_is_rejected_naming_south_karachi_and_the_served_districts() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["lat"] = json!(24.86);
    body["lon"] = json!(67.01);
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    let msg = res.json()["error"]["fields"]["lat"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("South Karachi"), "{msg}");
    assert!(
        msg.contains("Quetta, Kech, Larkana and Naushahro Feroze"),
        "{msg}"
    );
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_point_in_the_arabian_sea_is_rejected_with_the_nearest_district_named() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["lat"] = json!(24.5);
    body["lon"] = json!(64.0);
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    let msg = res.json()["error"]["fields"]["lat"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("outside every district"), "{msg}");
    assert!(msg.contains("the nearest is"), "{msg}");
}

#[tokio::test]
async fn a_point_just_outside_quetta_names_mastung() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["lat"] = json!(29.8);
    body["lon"] = json!(66.85);
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["lat"]
        .as_str()
        .unwrap()
        .contains("Mastung"));
}

#[tokio::test]
async fn latitude_91_is_rejected_naming_the_field_and_the_range() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["lat"] = json!(91.0);
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.error_code(), "validation_failed");
    assert!(res.json()["error"]["fields"]["lat"]
        .as_str()
        .unwrap()
        .contains("-90 to 90"));
}

#[tokio::test]
async fn an_unknown_service_code_is_rejected_listing_the_accepted_codes() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["service_code"] = json!("potholes");
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    let msg = res.json()["error"]["fields"]["service_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("\"potholes\"") && msg.contains("water-supply") && msg.contains("roads"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_description_of_4001_characters_is_rejected_and_4000_is_accepted() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["description"] = json!("پ".repeat(4001));
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["description"]
        .as_str()
        .unwrap()
        .contains("at most 4000"));
    body["description"] = json!("پ".repeat(4000));
    assert_eq!(app.post_json("/api/v1/requests", &body).await.status, 201);
}

#[tokio::test]
async fn a_phone_number_that_is_not_pakistani_is_rejected() {
    let app = TestApp::new().await;
    let mut body = larkana_request();
    body["phone"] = json!("+44 7700 900123");
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["phone"]
        .as_str()
        .unwrap()
        .contains("not a Pakistani number"));
}

#[tokio::test]
async fn every_problem_in_a_request_is_reported_at_once() {
    let app = TestApp::new().await;
    let body = json!({"service_code": "nope", "description": "", "lat": 27.56, "lon": 200.0, "language": "fr", "email": "x"});
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    let fields = res.json()["error"]["fields"].as_object().unwrap().clone();
    for f in ["service_code", "description", "long", "language", "email"] {
        assert!(fields.contains_key(f), "missing {f}: {fields:?}");
    }
}

#[tokio::test]
async fn malformed_json_gets_400_with_the_parser_position() {
    let app = TestApp::new().await;
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            b"{\"service_code\": \"water-supply\",".to_vec(),
            &[],
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.error_code(), "malformed_json");
    assert!(res.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("line 1"));
}

#[tokio::test]
async fn a_field_of_the_wrong_type_or_an_unknown_field_gets_422() {
    let app = TestApp::new().await;
    let res = app
        .post_json(
            "/api/v1/requests",
            &json!({"service_code": "water-supply", "lat": "north"}),
        )
        .await;
    assert_eq!(res.status, 422);
    let res = app
        .post_json(
            "/api/v1/requests",
            &json!({"service_code": "water-supply", "latitude": 27.5}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("latitude"));
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_415() {
    let app = TestApp::new().await;
    let res = app
        .post_raw("/api/v1/requests", "text/plain", b"hello".to_vec(), &[])
        .await;
    assert_eq!(res.status, 415);
    assert_eq!(res.error_code(), "unsupported_media_type");
}

#[tokio::test]
async fn a_10_mb_body_gets_413_in_the_error_envelope_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let huge = format!("{{\"description\": \"{}\"}}", "a".repeat(10 * 1024 * 1024));
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            huge.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(res.status, 413);
    assert_eq!(res.error_code(), "payload_too_large");
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_tehsil_chosen_without_a_point_is_accepted_for_its_district() {
    let app = TestApp::new().await;
    let body = json!({"service_code": "electricity", "description": "Transformer burnt near the bazaar", "tehsil": "PK21105"});
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["district"], "PK211");
    assert_eq!(res.json()["tehsil"], "PK21105");
    assert!(res.json()["lat"].is_null());
}

#[tokio::test]
async fn a_tehsil_of_another_district_is_rejected() {
    let app = TestApp::new().await;
    let body = json!({"service_code": "roads", "description": "Road washed away", "district": "Quetta", "tehsil": "PK21105"});
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["tehsil"]
        .as_str()
        .unwrap()
        .contains("not in district Quetta"));
}

#[tokio::test]
async fn a_district_that_is_not_served_yet_is_refused_by_name() {
    let app = TestApp::new().await;
    let body =
        json!({"service_code": "roads", "description": "Road washed away", "district": "Sukkur"});
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["district"]
        .as_str()
        .unwrap()
        .contains("Sukkur is not served yet"));
}

#[tokio::test]
async fn attribute_answers_are_checked_against_the_service_questions() {
    let app = TestApp::new().await;
    let svc = app.state.catalogue.service("water-supply").unwrap().clone();
    let list = svc
        .attributes
        .iter()
        .find(|a| !a.values.is_empty())
        .expect("a list question");
    let mut body = larkana_request();
    body["attributes"] = json!({ list.code.clone(): "not-a-choice" });
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 422);
    let field = format!("attribute[{}]", list.code);
    assert!(res.json()["error"]["fields"][&field]
        .as_str()
        .unwrap()
        .contains("is not one of"));
    body["attributes"] = json!({ list.code.clone(): list.values[0].key.clone() });
    let res = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["attributes"][&list.code], list.values[0].key);
}

#[tokio::test]
async fn services_are_listed_in_urdu_when_asked() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/services?lang=ur").await;
    assert_eq!(res.status, 200);
    let list = res.json();
    assert_eq!(list.as_array().unwrap().len(), 11);
    let name = list[0]["name"].as_str().unwrap();
    assert!(
        name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{name}"
    );
    assert_eq!(app.get("/api/v1/services?lang=xx").await.status, 400);
}

#[tokio::test]
async fn the_district_list_puts_the_four_served_districts_first_with_their_tehsils() {
    let app = TestApp::new().await;
    let list = app.get("/api/v1/districts").await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 64);
    let served: Vec<&str> = list
        .iter()
        .take(4)
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in ["PK226", "PK211", "PK713", "PK717"] {
        assert!(served.contains(&code));
    }
    let tehsils: usize = list
        .iter()
        .map(|d| d["tehsils"].as_array().unwrap().len())
        .sum();
    assert_eq!(tehsils, 20);
}

#[tokio::test]
async fn locate_answers_the_district_and_tehsil_of_moro() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/locate?lat=26.66&lon=68.0").await.json();
    assert_eq!(res["district"], "PK717");
    assert_eq!(res["tehsil"], "PK71704");
    assert_eq!(app.get("/api/v1/locate?lat=abc&lon=68").await.status, 400);
}
