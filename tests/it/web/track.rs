//! The track page: references as typed, the status in plain words and the history in the
//! citizen's language, and the reporter's reopen, rating and photo through its forms.

use super::{jpeg_taken_at, post, visit_with};
use crate::common::{larkana_request, RecordingNotifier, TestApp};
use sahulat_domain::status::Status;
use serde_json::json;
use std::sync::Arc;

/// A Larkana water report, triaged and resolved by the PHED.
async fn resolved(app: &TestApp) -> String {
    let reference = app.triaged_larkana_water().await;
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "resolve", "note": "Valve replaced, supply restored"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    reference
}

#[tokio::test]
async fn a_reference_with_a_typing_mistake_is_caught_and_said_so_in_the_citizens_language() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let mut wrong: Vec<char> = reference.chars().collect();
    wrong[2] = if wrong[2] == '1' { '2' } else { '1' };
    let wrong: String = wrong.into_iter().collect();
    let res = app.get(&format!("/track?ref={wrong}&lang=ur")).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("ٹائپ کی غلطی"), "{}", res.text());
    let spaced = sahulat_domain::reference::grouped(&reference).replace(' ', "+");
    let res = app.get(&format!("/track?ref={spaced}")).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        format!("/track/{reference}?lang=en")
    );
    let unknown = sahulat_domain::reference::Reference::from_body(11_111_111);
    assert_eq!(app.get(&format!("/track/{unknown}")).await.status, 404);
}

#[tokio::test]
async fn the_status_department_and_history_read_in_urdu_and_sindhi_from_the_catalogues() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let ur = app.get(&format!("/track/{reference}?lang=ur")).await;
    assert_eq!(ur.status, 200);
    let html = ur.text();
    assert!(
        html.contains("شکایت موصول ہوئی"),
        "received, in Urdu: {html}"
    );
    assert!(
        html.contains("کو بھیجی گئی"),
        "sent to the department, in Urdu"
    );
    assert!(!html.contains("Sent to "), "no stored English sentence");
    let sd = app.get(&format!("/track/{reference}?lang=sd")).await.text();
    assert!(sd.contains("ڏانهن موڪلي وئي"), "{sd}");
    // The same through the API and Open311, with ?lang=.
    let api = app
        .get(&format!("/api/v1/requests/{reference}?lang=ur"))
        .await
        .json();
    let texts: Vec<&str> = api["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["description"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("شکایت موصول ہوئی")),
        "{texts:?}"
    );
    let en = app
        .get(&format!("/api/v1/requests/{reference}?lang=en"))
        .await
        .json();
    assert_eq!(en["updates"][0]["description"], "Request received");
    assert_eq!(
        app.get(&format!("/api/v1/requests/{reference}?lang=fr"))
            .await
            .status,
        400
    );
    let o311 = app
        .get(&format!(
            "/open311/v2/servicerequestupdates.json?service_request_id={reference}&lang=sd"
        ))
        .await
        .json();
    assert!(
        o311.as_array()
            .unwrap()
            .iter()
            .any(|u| u["description"].as_str().unwrap().contains("ملي")),
        "{o311}"
    );
}

#[tokio::test]
async fn the_reporter_reopens_and_rates_from_the_track_page_proved_by_their_number() {
    let app = TestApp::new().await;
    let reference = resolved(&app).await;
    let page = visit_with(&app, &format!("/track/{reference}"), "").await;
    assert!(page.html.contains("Reopen the report"));
    let url = format!("/track/{reference}/reopen");
    let wrong = post(
        &app,
        &url,
        &page.cookies,
        &[
            ("form_token", &page.token),
            ("phone", "0300 9999999"),
            ("reason", "Still dry"),
        ],
        None,
    )
    .await;
    assert_eq!(wrong.status, 403);
    assert!(wrong
        .text()
        .contains("not the number the report was made with"));
    let ok = post(
        &app,
        &url,
        &page.cookies,
        &[
            ("form_token", &page.token),
            ("phone", "0300 1234567"),
            ("reason", "Still dry at night"),
        ],
        None,
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Open);
    // Resolved again, then rated poorly: reopened by the rating.
    let staff = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "phed.larkana", "password": crate::common::PASSWORD}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    app.authed(
        "POST",
        &format!("/api/v1/staff/tickets/{reference}/actions"),
        &staff,
        Some(json!({"action": "resolve", "note": "Pipe joint fixed"})),
    )
    .await;
    let page = visit_with(&app, &format!("/track/{reference}?lang=ur"), &page.cookies).await;
    let rated = post(
        &app,
        &format!("/track/{reference}/rating?lang=ur"),
        &page.cookies,
        &[
            ("form_token", &page.token),
            ("phone", "03001234567"),
            ("rating", "2"),
            ("comment", "Leaks again"),
        ],
        None,
    )
    .await;
    assert_eq!(rated.status, 303, "{}", rated.text());
    assert!(rated.header("location").contains("done=rated-reopened"));
    let after = app.get(rated.header("location")).await.text();
    assert!(
        after.contains("آپ کی رائے سے شکایت دوبارہ کھل گئی"),
        "{after}"
    );
    let again = post(
        &app,
        &format!("/track/{reference}/rating"),
        &page.cookies,
        &[
            ("form_token", &page.token),
            ("phone", "03001234567"),
            ("rating", "5"),
        ],
        None,
    )
    .await;
    assert_eq!(again.status, 409, "open again: nothing to rate");
}

#[tokio::test]
async fn five_wrong_numbers_pause_the_report_and_a_report_without_a_number_says_so() {
    let app = TestApp::new().await;
    let reference = resolved(&app).await;
    let page = visit_with(&app, &format!("/track/{reference}"), "").await;
    let url = format!("/track/{reference}/reopen");
    for i in 0..5 {
        let phone = format!("0300 555000{i}");
        let res = post(
            &app,
            &url,
            &page.cookies,
            &[
                ("form_token", &page.token),
                ("phone", &phone),
                ("reason", "Still dry"),
            ],
            None,
        )
        .await;
        assert_eq!(res.status, 403);
    }
    let res = post(
        &app,
        &url,
        &page.cookies,
        &[
            ("form_token", &page.token),
            ("phone", "0300 1234567"),
            ("reason", "Still dry"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 429);
    assert!(
        res.text().contains("try again in 15 minutes"),
        "{}",
        res.text()
    );
    let mut body = larkana_request();
    body.as_object_mut().unwrap().remove("phone");
    let anon = app.create(body).await;
    let page = visit_with(&app, &format!("/track/{}", anon.reference), "").await;
    let res = post(
        &app,
        &format!("/track/{}/photo", anon.reference),
        &page.cookies,
        &[("form_token", &page.token), ("phone", "0300 1234567")],
        Some(&jpeg_taken_at(27.56, 68.21)),
    )
    .await;
    assert_eq!(res.status, 403);
    assert!(
        res.text().contains("made without a mobile number"),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn a_reporter_adds_a_photo_from_the_track_page_and_someone_who_added_their_voice_may_rate() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let page = visit_with(&app, &format!("/track/{reference}"), "").await;
    let res = post(
        &app,
        &format!("/track/{reference}/photo"),
        &page.cookies,
        &[("form_token", &page.token), ("phone", "0300 1234567")],
        Some(&jpeg_taken_at(27.56, 68.21)),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let shown = app.get(res.header("location")).await.text();
    assert!(
        shown.contains("Photo added.") && shown.contains("<img src=\"&#x2f;media&#x2f;"),
        "{shown}"
    );
    let voice = app
        .post_json(
            &format!("/api/v1/requests/{reference}/voices"),
            &json!({"phone": "0333 4444444", "language": "ur"}),
        )
        .await;
    assert_eq!(voice.status, 201, "{}", voice.text());
    assert_eq!(voice.json()["reporters"], 2);
    let repeat = app
        .post_json(
            &format!("/api/v1/requests/{reference}/voices"),
            &json!({"phone": "+92 333 4444444"}),
        )
        .await;
    assert_eq!(
        (repeat.status.as_u16(), repeat.json()["added"].clone()),
        (200, json!(false))
    );
    let own = app
        .post_json(
            &format!("/api/v1/requests/{reference}/voices"),
            &json!({"phone": "0300 1234567"}),
        )
        .await;
    assert_eq!(
        own.json()["added"],
        false,
        "the reporter is already counted"
    );
    let bad = app
        .post_json(
            &format!("/api/v1/requests/{reference}/voices"),
            &json!({"phone": "12"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["phone"].is_string());
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let n = Arc::new(RecordingNotifier::default());
    app.authed(
        "POST",
        &format!("/api/v1/staff/tickets/{reference}/actions"),
        &staff,
        Some(json!({"action": "acknowledge"})),
    )
    .await;
    app.authed(
        "POST",
        &format!("/api/v1/staff/tickets/{reference}/actions"),
        &staff,
        Some(json!({"action": "resolve", "note": "Fixed the valve"})),
    )
    .await;
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let sent = n.sent.lock().unwrap().clone();
    let to_voice: Vec<&(String, String)> = sent
        .iter()
        .filter(|(to, _)| to == "+923334444444")
        .collect();
    assert_eq!(
        to_voice.len(),
        2,
        "acknowledged and resolved, to the voice too: {sent:?}"
    );
    assert!(
        to_voice
            .iter()
            .all(|(_, text)| text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))),
        "in Urdu"
    );
    let rated = app
        .post_json(
            &format!("/api/v1/requests/{reference}/rating"),
            &json!({"phone": "0333 4444444", "rating": 4}),
        )
        .await;
    assert_eq!(rated.status, 201, "{}", rated.text());
    let reporter = app
        .post_json(
            &format!("/api/v1/requests/{reference}/rating"),
            &json!({"phone": "0300 1234567", "rating": 5}),
        )
        .await;
    assert_eq!(reporter.status, 201, "each rates once: {}", reporter.text());
    let twice = app
        .post_json(
            &format!("/api/v1/requests/{reference}/rating"),
            &json!({"phone": "0333 4444444", "rating": 1}),
        )
        .await;
    assert_eq!(twice.status, 409);
    let closed = app
        .post_json(&format!("/api/v1/requests/{reference}/voices"), &json!({}))
        .await;
    assert_eq!(closed.status, 409);
    assert_eq!(closed.error_code(), "not_open");
}
