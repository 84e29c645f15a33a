//! What the OpenAPI-driven fuzz run (`scripts/fuzz-api.sh`, schemathesis with every check) found
//! in the handlers, kept: a malformed path parameter gets the error envelope naming it (axum's
//! own answer was plain text), a whole number written `5.0` is a whole number, and the document
//! states the constraints the API enforces (the reference's nine digits, the phone format, a
//! photo's body, what registering an action needs) and the statuses it answers (400 on a
//! malformed reference, 415 without a content type); a JSON body of the wrong shape is a 422
//! naming the field.

use crate::common::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_path_id_that_is_not_a_whole_number_is_a_400_envelope_naming_it() {
    let app = TestApp::new().await;
    let token = app.signed_in("admin", "root", None, None).await;
    for (method, uri) in [
        ("GET", "/api/v1/actions/abc"),
        ("GET", "/api/v1/actions/1.5/evaluation"),
        ("POST", "/api/v1/staff/inbox/x/read"),
    ] {
        let res = app.authed(method, uri, &token, None).await;
        assert_eq!(res.status, 400, "{method} {uri}: {}", res.text());
        assert!(
            res.header("content-type").starts_with("application/json"),
            "{method} {uri}: {}",
            res.header("content-type")
        );
        assert_eq!(res.error_code(), "bad_request", "{method} {uri}");
    }
    let res = app
        .authed(
            "POST",
            "/api/v1/staff/tickets/123456786/photos/nine/visibility",
            &token,
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text());
    assert_eq!(res.error_code(), "bad_request", "{}", res.text());
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_400_envelope_naming_it() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/requests/%FF%FE").await;
    assert_eq!(res.status, 400, "{}", res.text());
    assert_eq!(res.error_code(), "bad_request");
    assert!(
        res.json()["error"]["fields"]["reference"].is_string(),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn a_rating_written_as_5_point_0_is_a_whole_number() {
    let app = TestApp::new().await;
    // 5.0 passes the body; the unknown reference is what answers.
    let res = app
        .post_json(
            "/api/v1/requests/123456786/rating",
            &json!({"phone": "0300 1234567", "rating": 5.0}),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.text());
    let res = app
        .post_json(
            "/api/v1/requests/123456786/rating",
            &json!({"phone": "0300 1234567", "rating": 4.5}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
}

#[tokio::test]
async fn a_ussd_step_written_as_a_float_is_a_whole_number() {
    let app = TestApp::new().await;
    let res = app
        .post_json(
            "/ussd/generic",
            &json!({"session_id": "s-1", "phone": "+923001234567", "input": "", "step": 1.0}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .post_json(
            "/ussd/generic",
            &json!({"session_id": "s-2", "phone": "+923001234567", "step": -1}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
}

#[tokio::test]
async fn the_document_states_the_reference_phone_and_photo_constraints_and_the_statuses() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").await.json();
    let photos = &doc["paths"]["/api/v1/requests/{reference}/photos"]["post"];
    let params = photos["parameters"].as_array().expect("parameters");
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {params:?}"))
            .clone()
    };
    assert!(param("reference")["schema"]["pattern"]
        .as_str()
        .is_some_and(|p| p.contains("{9}")));
    assert!(param("X-Reporter-Phone")["schema"]["pattern"].is_string());
    assert_eq!(
        photos["requestBody"]["content"]["image/jpeg"]["schema"]["format"],
        "binary"
    );
    for status in ["400", "403", "404", "409", "413", "415", "422", "429"] {
        assert!(
            photos["responses"][status].is_object(),
            "photos answer {status}"
        );
    }
    for (path, method) in [
        ("/api/v1/requests", "post"),
        ("/api/v1/requests/{reference}/reopen", "post"),
        ("/api/v1/requests/{reference}/rating", "post"),
        ("/api/v1/requests/{reference}/voices", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/staff/tickets/{reference}/actions", "post"),
    ] {
        let op = &doc["paths"][path][method];
        for status in ["400", "413", "415", "422"] {
            assert!(
                op["responses"][status].is_object(),
                "{method} {path} answers {status}"
            );
        }
    }
    for path in [
        "/api/v1/requests/{reference}",
        "/api/v1/staff/tickets/{reference}",
    ] {
        assert!(
            doc["paths"][path]["get"]["responses"]["400"].is_object(),
            "GET {path} answers 400 on a malformed reference"
        );
    }
}

#[tokio::test]
async fn open311_has_its_own_document_listing_every_endpoint_and_its_errors() {
    let app = TestApp::new().await;
    let res = app.get("/open311/v2/openapi.json").await;
    assert_eq!(res.status, 200);
    let doc = res.json();
    for (path, method) in [
        ("/open311/v2/discovery.{format}", "get"),
        ("/open311/v2/services.{format}", "get"),
        ("/open311/v2/services/{service_code}.{format}", "get"),
        ("/open311/v2/requests.{format}", "get"),
        ("/open311/v2/requests.{format}", "post"),
        ("/open311/v2/requests/{service_request_id}.{format}", "get"),
        ("/open311/v2/tokens/{token}.{format}", "get"),
        ("/open311/v2/servicerequestupdates.{format}", "get"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} described");
        assert!(
            op["responses"]["404"].is_object(),
            "{method} {path}: an unknown format is a 404"
        );
    }
    let post = &doc["paths"]["/open311/v2/requests.{format}"]["post"];
    for status in ["201", "400", "403", "413", "415", "422", "429"] {
        assert!(
            post["responses"][status].is_object(),
            "POST requests answers {status}"
        );
    }
    assert!(post["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
}

#[tokio::test]
async fn a_method_an_open311_resource_does_not_take_is_a_405_naming_the_ones_it_does() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::new().await;
    for (method, uri, allow) in [
        ("POST", "/open311/v2/discovery.json", "GET, HEAD"),
        ("PUT", "/open311/v2/services.xml", "GET, HEAD"),
        ("DELETE", "/open311/v2/requests.json", "GET, HEAD, POST"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::empty())
            .unwrap();
        let res = app.send(req).await;
        assert_eq!(res.status, 405, "{method} {uri}");
        assert_eq!(res.header("allow"), allow, "{method} {uri}");
        if uri.ends_with(".json") {
            assert_eq!(res.json()[0]["code"], 405, "{method} {uri}: {}", res.text());
        } else {
            assert!(
                res.text().contains("<errors>"),
                "{method} {uri}: {}",
                res.text()
            );
        }
    }
}

#[tokio::test]
async fn the_document_states_what_registering_an_action_needs() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").await.json();
    let body = &doc["paths"]["/api/v1/actions"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    let schema = match body["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => body,
    };
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap_or_else(|| panic!("required in {schema}"))
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["district", "start", "tehsils", "title"]);
    let props = &schema["properties"];
    assert_eq!(props["tehsils"]["type"], "array", "{schema}");
    assert_eq!(props["tehsils"]["minItems"], 1, "{schema}");
    assert_eq!(props["services"]["type"], "array", "{schema}");
    assert!(props["start"]["pattern"].is_string(), "{schema}");
    assert!(props["title"]["pattern"].is_string(), "{schema}");
    assert_eq!(props["budget_pkr"]["minimum"], 0, "{schema}");
    assert!(props["description"]["pattern"].is_string(), "{schema}");
}

#[tokio::test]
async fn a_json_body_of_the_wrong_shape_is_a_422_naming_the_field() {
    let app = TestApp::new().await;
    let token = app.signed_in("admin", "root", None, None).await;
    let actions = "/api/v1/staff/tickets/123456786/actions";
    for (uri, body, field) in [
        // what the fuzz run sent: a list where the description's text goes
        (
            "/api/v1/actions",
            json!({"title": "Night crew", "description": [], "tehsils": ["PK72401"]}),
            "description",
        ),
        (
            "/api/v1/actions",
            json!({"title": "Night crew", "tehsils": ["PK72401", 5]}),
            "tehsils[1]",
        ),
        // a missing field and a field the body does not take are named too
        (actions, json!({"note": "done"}), "action"),
        (
            actions,
            json!({"action": "start", "colour": "red"}),
            "colour",
        ),
    ] {
        let res = app.authed("POST", uri, &token, Some(body)).await;
        assert_eq!(res.status, 422, "{uri}: {}", res.text());
        assert_eq!(res.error_code(), "validation_failed", "{uri}");
        assert!(
            res.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            res.text()
        );
    }
    // a whole budget written 289.0 is a whole number, as the document's `integer` says
    let res = app
        .authed(
            "POST",
            "/api/v1/actions",
            &token,
            Some(
                json!({"title": "Night crew", "district": "Larkana", "tehsils": ["PK71303"],
                        "start": "2026-06-01", "budget_pkr": 289.0}),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["budget_pkr"], 289, "{}", res.text());
}
