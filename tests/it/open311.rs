//! Open311 GeoReport v2: every endpoint in JSON and XML, the spec's error list, the 90-day and
//! 1000-result limits, API keys, and no personal data in any GET.

use crate::common;

use common::TestApp;

const LARKANA: [(&str, &str); 2] = [("lat", "27.56"), ("long", "68.21")];

async fn post_larkana(app: &TestApp, key: &str, format: &str) -> common::TestResponse {
    let mut form = vec![
        ("api_key", key),
        ("service_code", "sewerage-drainage"),
        ("description", "Gutter overflowing outside the girls school"),
        ("first_name", "Imran"),
        ("last_name", "Soomro"),
        ("phone", "0333-7654321"),
        ("email", "imran@example.pk"),
    ];
    form.extend(LARKANA);
    app.post_form(&format!("/open311/v2/requests.{format}"), &form)
        .await
}

#[tokio::test]
async fn a_request_posted_for_larkana_city_is_stored_with_its_district_and_tehsil() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let res = post_larkana(&app, &key, "json").await;
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    let id = body[0]["service_request_id"]
        .as_str()
        .expect("id is a string")
        .to_string();
    assert!(body[0]["token"].is_string());
    assert!(body[0]["service_notice"]
        .as_str()
        .unwrap()
        .contains("reference"));
    let stored = app
        .store()
        .request_by_reference(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.district, "PK713");
    assert_eq!(stored.tehsil.as_deref(), Some("PK71303"));
    assert_eq!(stored.channel.as_str(), "open311");
    let contact = app.store().contact(stored.id).await.unwrap().unwrap();
    assert_eq!(contact.phone.unwrap().e164(), "+923337654321");
    assert_eq!(contact.name.as_deref(), Some("Imran Soomro"));
}

#[tokio::test]
async fn the_same_post_in_xml_answers_xml_with_a_declaration() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let res = post_larkana(&app, &key, "xml").await;
    assert_eq!(res.status, 201);
    assert!(res
        .header("content-type")
        .starts_with("text/xml; charset=utf-8"));
    let text = res.text();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
        "{text}"
    );
    assert!(
        text.contains("<service_requests><request><account_id/>"),
        "{text}"
    );
    assert!(text.contains("<service_request_id>"));
}

#[tokio::test]
async fn gets_show_the_request_without_personal_data_in_json_and_xml() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let id = post_larkana(&app, &key, "json").await.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    for url in [
        format!("/open311/v2/requests/{id}.json"),
        format!("/open311/v2/requests/{id}.xml"),
        "/open311/v2/requests.json".to_string(),
        "/open311/v2/requests.xml?extensions=true".to_string(),
        format!("/open311/v2/requests.json?service_request_id={id}"),
    ] {
        let res = app.get(&url).await;
        assert_eq!(res.status, 200, "{url}");
        let text = res.text();
        assert!(text.contains(&id), "{url}: {text}");
        for secret in ["7654321", "Imran", "Soomro", "imran@example.pk"] {
            assert!(!text.contains(secret), "{url} leaks {secret}: {text}");
        }
    }
    let one = app
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["service_code"], "sewerage-drainage");
    assert_eq!(one[0]["lat"], 27.56);
    assert!(one[0]["requested_datetime"]
        .as_str()
        .unwrap()
        .ends_with("+05:00"));
    let ext = app
        .get("/open311/v2/requests.json?extensions=true")
        .await
        .json();
    assert_eq!(ext[0]["extended_attributes"]["detailed_status"], "OPEN");
    assert_eq!(ext[0]["extended_attributes"]["district_name"], "Larkana");
}

#[tokio::test]
async fn a_wrong_or_missing_api_key_is_a_403_in_the_error_list() {
    let app = TestApp::new().await;
    let _ = app.api_key().await;
    let res = post_larkana(&app, "shl_wrong", "json").await;
    assert_eq!(res.status, 403);
    assert_eq!(res.json()[0]["code"], 403);
    assert!(res.json()[0]["description"]
        .as_str()
        .unwrap()
        .contains("api_key"));
    let res = app
        .post_form(
            "/open311/v2/requests.xml",
            &[
                ("service_code", "roads"),
                ("lat", "27.56"),
                ("long", "68.21"),
            ],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(
        res.text()
            .contains("<errors><error><code>403</code><description>api_key is required"),
        "{}",
        res.text()
    );
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_point_in_karachi_is_a_400_naming_the_district_in_xml() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let res = app
        .post_form(
            "/open311/v2/requests.xml",
            &[
                ("api_key", &key),
                ("service_code", "roads"),
                ("lat", "24.86"),
                ("long", "67.01"),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    let text = res.text();
    assert!(
        text.contains("<code>400</code>") && text.contains("South Karachi"),
        "{text}"
    );
}

#[tokio::test]
async fn a_malformed_coordinate_and_a_json_body_get_clear_answers() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let res = app
        .post_form(
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "roads"),
                ("lat", "north"),
                ("long", "68.2"),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.json()[0]["description"]
        .as_str()
        .unwrap()
        .starts_with("lat:"));
    let res = app
        .post_raw(
            "/open311/v2/requests.json",
            "application/json",
            b"{}".to_vec(),
            &[],
        )
        .await;
    assert_eq!(res.status, 415);
    assert_eq!(res.json()[0]["code"], 415);
}

#[tokio::test]
async fn attribute_answers_in_the_form_are_stored() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let svc = app.state.catalogue.service("water-supply").unwrap().clone();
    let q = svc
        .attributes
        .iter()
        .find(|a| !a.values.is_empty())
        .unwrap();
    let field = format!("attribute[{}]", q.code);
    let mut form = vec![
        ("api_key", key.as_str()),
        ("service_code", "water-supply"),
        ("description", "No water"),
    ];
    form.extend(LARKANA);
    form.push((field.as_str(), "bogus"));
    let res = app.post_form("/open311/v2/requests.json", &form).await;
    assert_eq!(res.status, 400);
    assert!(res.json()[0]["description"]
        .as_str()
        .unwrap()
        .contains(&field));
    form.pop();
    form.push((field.as_str(), q.values[0].key.as_str()));
    let res = app.post_form("/open311/v2/requests.json", &form).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = app
        .store()
        .request_by_reference(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attributes[&q.code], q.values[0].key.as_str());
}

#[tokio::test]
async fn an_empty_status_parameter_is_treated_as_absent_and_a_bad_one_is_a_400() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    post_larkana(&app, &key, "json").await;
    let all = app
        .get("/open311/v2/requests.json?status=&service_code=&start_date=")
        .await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(all.json().as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/open311/v2/requests.json?status=open")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/open311/v2/requests.json?status=closed")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let bad = app.get("/open311/v2/requests.json?status=pending").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()[0]["description"]
        .as_str()
        .unwrap()
        .contains("open or closed"));
}

#[tokio::test]
async fn date_windows_default_to_90_days_and_wider_ones_are_refused() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    post_larkana(&app, &key, "json").await;
    app.clock.advance(chrono::Duration::days(91));
    assert_eq!(
        app.get("/open311/v2/requests.json")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0,
        "older than 90 days"
    );
    let old = app.get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00%2B05:00&end_date=2026-12-01T00:00:00%2B05:00").await;
    assert_eq!(old.json().as_array().unwrap().len(), 1);
    let wide = app.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z").await;
    assert_eq!(wide.status, 400);
    assert!(wide.text().contains("90 days"));
    let bad = app
        .get("/open311/v2/requests.xml?start_date=yesterday")
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("start_date"));
}

#[tokio::test]
async fn the_service_list_and_definitions_use_strings_for_codes_in_both_formats() {
    let app = TestApp::new().await;
    let list = app.get("/open311/v2/services.json").await.json();
    assert_eq!(list.as_array().unwrap().len(), 11);
    assert!(list[0]["service_code"].is_string());
    assert!(list[0]["keywords"].is_string());
    let xml = app.get("/open311/v2/services.xml").await;
    assert!(xml.text().contains("<services><service>"));
    let def = app
        .get("/open311/v2/services/water-supply.json")
        .await
        .json();
    assert_eq!(def["service_code"], "water-supply");
    assert!(!def["attributes"].as_array().unwrap().is_empty());
    let def_xml = app
        .get("/open311/v2/services/water-supply.xml")
        .await
        .text();
    assert!(
        def_xml.contains("<service_definition>") && def_xml.contains("<attributes><attribute>")
    );
    let missing = app.get("/open311/v2/services/potholes.xml").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<errors><error><code>404</code>"));
}

#[tokio::test]
async fn discovery_lists_both_formats() {
    let app = TestApp::new().await;
    let d = app.get("/open311/v2/discovery.json").await.json();
    assert_eq!(d["endpoints"][0]["formats"][1], "text/xml");
    let x = app.get("/open311/v2/discovery.xml").await.text();
    assert!(
        x.contains("<formats><format>application/json</format><format>text/xml</format></formats>"),
        "{x}"
    );
}

#[tokio::test]
async fn behind_a_tls_proxy_discovery_names_the_public_https_address() {
    let app = TestApp::new().await;
    let d = app.get("/open311/v2/discovery.json").await.json();
    assert!(
        d["endpoints"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://"),
        "without SAHULAT_PUBLIC_URL: the Host used, over http: {d}"
    );
    let settings = sahulat_api::Settings {
        public_url: Some("https://sahulat.example.pk".into()),
        ..Default::default()
    };
    let app = TestApp::with_settings(settings).await;
    let d = app.get("/open311/v2/discovery.json").await.json();
    assert_eq!(
        d["endpoints"][0]["url"],
        "https://sahulat.example.pk/open311/v2"
    );
}

#[tokio::test]
async fn a_token_leads_to_its_request_id() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let created = post_larkana(&app, &key, "json").await.json();
    let token = created[0]["token"].as_str().unwrap();
    let res = app
        .get(&format!("/open311/v2/tokens/{token}.json"))
        .await
        .json();
    assert_eq!(
        res[0]["service_request_id"],
        created[0]["service_request_id"]
    );
    assert_eq!(app.get("/open311/v2/tokens/nope.xml").await.status, 404);
}

#[tokio::test]
async fn service_request_updates_list_the_public_history_with_extended_statuses() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let id = post_larkana(&app, &key, "json").await.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let ups = app
        .get("/open311/v2/servicerequestupdates.json")
        .await
        .json();
    assert_eq!(ups[0]["service_request_id"], id.as_str());
    assert_eq!(ups[0]["status"], "OPEN");
    assert!(ups[0]["update_id"].is_string());
    let xml = app
        .get("/open311/v2/servicerequestupdates.xml")
        .await
        .text();
    assert!(
        xml.contains("<service_request_updates><request_update>"),
        "{xml}"
    );
}

#[tokio::test]
async fn an_unknown_resource_or_missing_format_is_a_404() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/open311/v2/requests").await.status, 404);
    assert_eq!(app.get("/open311/v2/bogus.json").await.status, 404);
    let res = app.get("/open311/v2/requests/123.json").await;
    assert_eq!(
        res.status, 404,
        "not a nine-digit reference: no such request"
    );
    assert!(res.text().contains("service_request_id"), "{}", res.text());
}

#[tokio::test]
async fn an_open311_post_honours_the_idempotency_key() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let mut form = vec![
        ("api_key", key.as_str()),
        ("service_code", "roads"),
        ("description", "Bridge washed out"),
    ];
    form.extend(LARKANA);
    let body = serde_urlencoded::to_string(&form).unwrap().into_bytes();
    let ct = "application/x-www-form-urlencoded";
    let a = app
        .post_raw(
            "/open311/v2/requests.json",
            ct,
            body.clone(),
            &[("idempotency-key", "o-1")],
        )
        .await;
    let b = app
        .post_raw(
            "/open311/v2/requests.xml",
            ct,
            body,
            &[("idempotency-key", "o-1")],
        )
        .await;
    assert_eq!(b.header("idempotent-replayed"), "true");
    assert!(b
        .text()
        .contains(a.json()[0]["service_request_id"].as_str().unwrap()));
    assert_eq!(app.request_count().await, 1);
}
