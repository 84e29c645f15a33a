//! What the public sees: the list and its map anonymised, a rejected request gone from every
//! public view, a hidden description hidden everywhere, text escaped, bidi overrides dropped,
//! and Open311 v2.1 media through the photo pipeline.

use super::{jpeg_taken_at, multipart};
use crate::common::{request_at, TestApp};
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

const SECRET_TEXT: &str = "Khalid Mehmood of house 12 is dumping waste";
const SPAM: &str = "BUY CHEAP PHONES call now best prices";

/// Every public view of `reference`, as text.
async fn public_views(app: &TestApp, reference: &str, key: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for uri in [
        format!("/api/v1/requests/{reference}"),
        format!("/open311/v2/requests/{reference}.json"),
        format!("/open311/v2/requests/{reference}.xml"),
        "/open311/v2/requests.json".to_string(),
        "/open311/v2/requests.xml?extensions=true".to_string(),
        format!("/track/{reference}"),
        format!("/track/{reference}?lang=ur"),
        "/requests".to_string(),
        "/requests?district=PK713".to_string(),
        "/requests/map/PK713.svg".to_string(),
        "/report/nearby?service=water-supply&lat=27.56&lon=68.21".to_string(),
        format!("/open311/v2/servicerequestupdates.json?service_request_id={reference}"),
    ] {
        let res = app.get(&uri).await;
        out.push((uri, res.text()));
    }
    let _ = key;
    out
}

#[tokio::test]
async fn a_request_rejected_as_spam_leaves_every_public_view_with_neither_its_text_nor_its_place() {
    let app = TestApp::new().await;
    let spam = app
        .create(request_at(
            "water-supply",
            27.56123,
            68.21456,
            SPAM,
            Some("0300 1234567"),
        ))
        .await;
    let coordinator = app
        .signed_in("coordinator", "coord.larkana", Some("PK713"), None)
        .await;
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{}/actions", spam.reference),
            &coordinator,
            Some(json!({"action": "reject", "reason": "advertisement"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    for (uri, text) in public_views(&app, &spam.reference, "spam").await {
        assert!(!text.contains("BUY CHEAP"), "{uri} shows the spam: {text}");
        assert!(
            !text.contains("27.561") && !text.contains("68.214"),
            "{uri} shows the place: {text}"
        );
    }
    let track = app.get(&format!("/track/{}", spam.reference)).await.text();
    assert!(track.contains("closed by a coordinator"));
}

#[tokio::test]
async fn a_coordinator_hides_a_description_naming_a_person_and_the_public_no_longer_sees_it() {
    let app = TestApp::new().await;
    let r = app
        .create(request_at(
            "solid-waste",
            27.5602,
            68.2102,
            SECRET_TEXT,
            None,
        ))
        .await;
    let staff = app
        .signed_in("staff", "ssb.larkana", None, Some("sswmb-larkana"))
        .await;
    let coordinator = app
        .signed_in("coordinator", "coord.larkana", Some("PK713"), None)
        .await;
    let url = format!(
        "/api/v1/staff/tickets/{}/description/visibility",
        r.reference
    );
    let forbidden = app
        .authed("POST", &url, &staff, Some(json!({"hidden": true})))
        .await;
    assert!(
        matches!(forbidden.status.as_u16(), 403 | 404),
        "{}",
        forbidden.text()
    );
    let hidden = app
        .authed("POST", &url, &coordinator, Some(json!({"hidden": true})))
        .await;
    assert_eq!(hidden.status, 200, "{}", hidden.text());
    for (uri, text) in public_views(&app, &r.reference, "hidden").await {
        assert!(
            !text.contains("Khalid Mehmood"),
            "{uri} shows the name: {text}"
        );
    }
    let list = app.get("/requests?district=PK713").await.text();
    assert!(
        list.contains(&sahulat_domain::reference::grouped(&r.reference)),
        "the request stays listed"
    );
    let staff_view = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{}", r.reference),
            &coordinator,
            None,
        )
        .await
        .json();
    assert_eq!(
        staff_view["ticket"]["description"],
        json!(null),
        "the public part of the staff view follows the public rules"
    );
    let history = staff_view["history"].to_string();
    assert!(
        history.contains("description hidden from the public"),
        "audited: {history}"
    );
    let shown = app
        .authed("POST", &url, &coordinator, Some(json!({"hidden": false})))
        .await;
    assert_eq!(shown.status, 200);
    assert!(app
        .get(&format!("/api/v1/requests/{}", r.reference))
        .await
        .text()
        .contains("Khalid Mehmood"));
}

#[tokio::test]
async fn the_public_list_rounds_places_shows_no_contact_and_escapes_what_citizens_wrote() {
    let app = TestApp::new().await;
    let r = app
        .create(request_at(
            "roads",
            27.561234,
            68.214567,
            "Road broken <script>alert(1)</script> near the \u{202E}bazaar",
            Some("0300 7777777"),
        ))
        .await;
    assert!(
        !r.description.contains('\u{202E}'),
        "bidi override dropped when stored"
    );
    let list = app.get("/requests?district=PK713&lang=sd").await;
    assert_eq!(list.status, 200);
    let html = list.text();
    assert!(
        html.contains("27.561, 68.215"),
        "rounded to about 100 m: {html}"
    );
    assert!(!html.contains("27.5612") && !html.contains("7777777"));
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>alert"),
        "escaped"
    );
    assert!(html.contains("<html lang=\"sd\" dir=\"rtl\">"));
    let svg = app.get("/requests/map/PK713.svg").await;
    assert_eq!(svg.status, 200);
    assert!(svg.text().contains("<circle"), "a dot per request");
    let track = app.get(&format!("/track/{}", r.reference)).await.text();
    assert!(track.contains("&lt;script&gt;") && !track.contains("<script>alert"));
    assert!(app
        .get("/requests?district=XX&service=nope&status=bogus&page=-3")
        .await
        .status
        .is_success());
}

#[tokio::test]
async fn open311_takes_a_v2_1_multipart_post_with_a_media_file_and_refuses_a_broken_one() {
    let app = TestApp::new().await;
    let key = app.api_key().await;
    let fields = [
        ("api_key", key.as_str()),
        ("service_code", "sewerage-drainage"),
        ("lat", "27.56"),
        ("long", "68.21"),
        ("description", "Manhole open on the main road"),
    ];
    let (ct, body) = multipart(&fields, Some(("media", &jpeg_taken_at(27.56, 68.21))));
    let res = app
        .send(
            Request::post("/open311/v2/requests.json")
                .header("content-type", ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let reference = res.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.store().photos(r.id).await.unwrap().len(), 1);
    let mut broken = jpeg_taken_at(27.56, 68.21);
    broken.truncate(300);
    let (ct, body) = multipart(&fields, Some(("media", &broken)));
    let res = app
        .send(
            Request::post("/open311/v2/requests.json")
                .header("content-type", ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text());
    assert!(res.text().contains("picture"), "{}", res.text());
    assert_eq!(
        app.request_count().await,
        1,
        "the broken one stored nothing"
    );
}
