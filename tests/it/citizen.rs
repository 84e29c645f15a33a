//! The citizen's own actions on a closed report: reopen within the window, rate 1–5 (a poor
//! rating reopens), proof by the phone number the report was made with, and the department
//! getting the ticket back with a fresh due time. Runs on SQLite and PostgreSQL.

use crate::common;

use chrono::Duration;
use common::TestApp;
use serde_json::{json, Value};
use std::sync::Arc;

const PHONE: &str = "+92 300 1234567"; // the same number as "0300 1234567" in larkana_request

async fn resolved(app: &TestApp) -> String {
    app.resolved_larkana_water().await
}

/// A fresh token for phed.larkana (sessions end after a working day; tests move the clock).
async fn fresh_token(app: &TestApp) -> String {
    let res = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "phed.larkana", "password": common::PASSWORD}),
        )
        .await;
    res.json()["token"].as_str().unwrap().to_string()
}

async fn staff_view(app: &TestApp, reference: &str) -> Value {
    let staff = fresh_token(app).await;
    app.authed(
        "GET",
        &format!("/api/v1/staff/tickets/{reference}"),
        &staff,
        None,
    )
    .await
    .json()
}

#[tokio::test]
async fn the_reporter_reopens_within_the_window_and_the_department_gets_it_back_with_a_fresh_due_time(
) {
    let app = TestApp::new().await;
    let reference = resolved(&app).await;
    app.clock.advance(Duration::days(3));
    let res = app
        .post_json(
            &format!("/api/v1/requests/{reference}/reopen"),
            &json!({"phone": PHONE, "reason": "Still no water in our street"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["status"], "open");
    let due: chrono::DateTime<chrono::Utc> = body["sla_due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > app.clock_now(), "a fresh due time, not the old one");

    let queue = app
        .authed(
            "GET",
            "/api/v1/staff/tickets?status=open",
            &fresh_token(&app).await,
            None,
        )
        .await
        .json();
    assert!(queue["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["reference"] == reference.as_str() && t["overdue"] == false));
    let detail = staff_view(&app, &reference).await;
    assert!(detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["public"] == false
            && h["description"]
                .as_str()
                .unwrap()
                .contains("Still no water")));
    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .text();
    assert!(
        !public.contains("Still no water"),
        "the citizen's words stay with staff"
    );
    assert!(public.contains("Reopened"));

    let n = Arc::new(common::RecordingNotifier::default());
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let sent = n.sent.lock().unwrap().clone();
    assert!(
        sent.iter()
            .any(|(to, body)| to == "+923001234567" && body.contains("ٻيهر")),
        "told in Sindhi that it is open again: {sent:?}"
    );

    let again = app
        .post_json(
            &format!("/api/v1/requests/{reference}/reopen"),
            &json!({"phone": PHONE, "reason": "Still no water"}),
        )
        .await;
    assert_eq!(again.status, 409, "already open: {}", again.text());
    assert_eq!(again.error_code(), "illegal_transition");
}

#[tokio::test]
async fn a_wrong_phone_is_refused_and_five_wrong_numbers_pause_the_report_for_fifteen_minutes() {
    let app = TestApp::new().await;
    let reference = resolved(&app).await;
    let url = format!("/api/v1/requests/{reference}/reopen");
    for i in 0..5 {
        let res = app
            .post_json(
                &url,
                &json!({"phone": format!("0301 765432{i}"), "reason": "not fixed"}),
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
        assert_eq!(res.error_code(), "not_the_reporter");
    }
    let paused = app
        .post_json(&url, &json!({"phone": PHONE, "reason": "not fixed"}))
        .await;
    assert_eq!(paused.status, 429, "{}", paused.text());
    let bad = app
        .post_json(&url, &json!({"phone": "call me", "reason": "not fixed"}))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["phone"].is_string());
    app.clock.advance(Duration::minutes(16));
    let ok = app
        .post_json(&url, &json!({"phone": PHONE, "reason": "not fixed"}))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn after_the_configured_window_a_reopen_is_refused_and_a_poor_rating_is_kept_without_reopening(
) {
    let app = TestApp::with_settings(sahulat_api::Settings {
        reopen_days: 3,
        ..Default::default()
    })
    .await;
    let reference = resolved(&app).await;
    app.clock.advance(Duration::days(4));
    let late = app
        .post_json(
            &format!("/api/v1/requests/{reference}/reopen"),
            &json!({"phone": PHONE, "reason": "It broke again"}),
        )
        .await;
    assert_eq!(late.status, 422, "{}", late.text());
    assert_eq!(late.error_code(), "reopen_window_passed");
    assert!(late.text().contains("3 days"));

    let rated = app
        .post_json(
            &format!("/api/v1/requests/{reference}/rating"),
            &json!({"phone": PHONE, "rating": 1}),
        )
        .await;
    assert_eq!(rated.status, 201, "{}", rated.text());
    assert_eq!(rated.json()["reopened"], false);
    assert_eq!(rated.json()["request"]["status"], "resolved");
    let detail = staff_view(&app, &reference).await;
    assert_eq!(detail["ratings"][0]["rating"], 1);
}

#[tokio::test]
async fn a_poor_rating_reopens_and_each_closing_can_be_rated_once() {
    let app = TestApp::new().await;
    let reference = resolved(&app).await;
    let rate = |rating: i64, comment: &'static str| {
        let (app, url) = (&app, format!("/api/v1/requests/{reference}/rating"));
        async move {
            app.post_json(
                &url,
                &json!({"phone": "03001234567", "rating": rating, "comment": comment}),
            )
            .await
        }
    };
    for bad in [0, 6] {
        let res = rate(bad, "").await;
        assert_eq!(res.status, 422);
        assert!(res.json()["error"]["fields"]["rating"].is_string());
    }
    let poor = rate(2, "They came but the pipe still leaks").await;
    assert_eq!(poor.status, 201, "{}", poor.text());
    assert_eq!(poor.json()["reopened"], true);
    assert_eq!(poor.json()["request"]["status"], "open");
    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .text();
    assert!(!public.contains("pipe still leaks"));
    let detail = staff_view(&app, &reference).await;
    assert_eq!(detail["ratings"][0]["rating"], 2);
    assert_eq!(detail["ratings"][0]["reopened"], true);
    assert_eq!(
        detail["ratings"][0]["comment"],
        "They came but the pipe still leaks"
    );

    let while_open = rate(5, "").await;
    assert_eq!(while_open.status, 409);
    assert_eq!(while_open.error_code(), "not_closed");

    app.clock.advance(Duration::hours(20));
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &fresh_token(&app).await,
            Some(json!({"action": "resolve", "note": "Pipe joint replaced"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let good = rate(5, "Thank you").await;
    assert_eq!(good.status, 201, "{}", good.text());
    assert_eq!(good.json()["reopened"], false);
    let twice = rate(1, "").await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.error_code(), "already_rated");
    let detail = staff_view(&app, &reference).await;
    assert_eq!(detail["ratings"].as_array().unwrap().len(), 2);
    assert_eq!(detail["ticket"]["status"], "resolved");
}

#[tokio::test]
async fn a_report_without_a_phone_cannot_be_reopened_by_anyone() {
    let app = TestApp::new().await;
    let mut body = common::larkana_request();
    body.as_object_mut().unwrap().remove("phone");
    let r = app.create(body).await;
    let res = app
        .post_json(
            &format!("/api/v1/requests/{}/reopen", r.reference),
            &json!({"phone": PHONE, "reason": "not fixed"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.error_code(), "no_phone_on_record");
}

async fn resolve_again(app: &TestApp, reference: &str) {
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &fresh_token(app).await,
            Some(json!({"action": "resolve", "note": "Pipe joint replaced"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn a_ticket_reopened_and_resolved_again_is_announced_again_and_escalates_again() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    app.signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let w = app.worker_with(Arc::new(common::RecordingNotifier::default()), "w");
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let staff_messages = || async {
        app.store()
            .outbox(None, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.message.recipient_kind != "citizen")
            .count()
    };
    // Missed acknowledgement: level 1, staff told.
    app.clock.set(r.ack_due_at.unwrap() + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(r.id).await.escalation_level, 1);
    let told_once = staff_messages().await;
    assert!(told_once > 0);

    resolve_again(&app, &reference).await;
    w.run_until_idle().await.unwrap();
    app.clock.advance(Duration::days(1));
    let res = app
        .post_json(
            &format!("/api/v1/requests/{reference}/reopen"),
            &json!({"phone": PHONE, "reason": "Still no water here"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let reopened = app.reload(r.id).await;
    assert_eq!(reopened.escalation_level, 0);

    // The fresh SLA is missed too: staff are told again.
    app.clock
        .set(reopened.ack_due_at.unwrap() + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(r.id).await.escalation_level, 1);
    assert!(
        staff_messages().await > told_once,
        "the second escalation reached staff"
    );
    // A full SLA period past the new due time is level 3, counted from the reopen, not from
    // the first report.
    let due = reopened.sla_due_at.unwrap();
    let period = due
        - reopened
            .sla_started_at
            .expect("a reopen starts a new SLA period");
    app.clock.set(due + period + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(r.id).await.escalation_level, 3);

    resolve_again(&app, &reference).await;
    w.run_until_idle().await.unwrap();
    let resolved = app
        .store()
        .outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.dedupe_key.starts_with("resolved:"))
        .count();
    assert_eq!(resolved, 2, "the citizen is told of each resolution");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_wrong_numbers_at_once_get_no_more_tries_than_five_in_a_row() {
    let app = Arc::new(TestApp::new().await);
    let reference = resolved(&app).await;
    let mut tries = Vec::new();
    for i in 0..60 {
        let (app, reference) = (app.clone(), reference.clone());
        tries.push(tokio::spawn(async move {
            app.post_json(
                &format!("/api/v1/requests/{reference}/reopen"),
                &json!({"phone": format!("0301 {:07}", 1_000_000 + i), "reason": "not fixed"}),
            )
            .await
            .status
            .as_u16()
        }));
    }
    let mut compared = 0;
    for t in tries {
        if t.await.unwrap() == 403 {
            compared += 1;
        }
    }
    assert_eq!(compared, 5, "only five numbers were compared");
}

#[tokio::test]
async fn the_reporter_of_a_duplicate_and_of_the_original_each_rate_the_same_closing() {
    let app = TestApp::new().await;
    let original = app.triaged_larkana_water().await;
    let mut second = common::larkana_request();
    second["phone"] = json!("0333 7654321");
    let dup = app.create(second).await;
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    app.worker_with(Arc::new(common::RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    let dup_now = app.reload(dup.id).await;
    if dup_now.status != sahulat_domain::status::Status::Duplicate {
        let res = app
            .authed(
                "POST",
                &format!("/api/v1/staff/tickets/{}/actions", dup.reference),
                &staff,
                Some(json!({"action": "mark_duplicate", "of": original})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    resolve_again(&app, &original).await;
    let by_original = app
        .post_json(
            &format!("/api/v1/requests/{original}/rating"),
            &json!({"phone": PHONE, "rating": 5}),
        )
        .await;
    assert_eq!(by_original.status, 201, "{}", by_original.text());
    let by_duplicate = app
        .post_json(
            &format!("/api/v1/requests/{}/rating", dup.reference),
            &json!({"phone": "0333 7654321", "rating": 4}),
        )
        .await;
    assert_eq!(by_duplicate.status, 201, "{}", by_duplicate.text());
    let detail = staff_view(&app, &original).await;
    assert_eq!(detail["ratings"].as_array().unwrap().len(), 2);
}
