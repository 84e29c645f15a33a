//! The coordinator's view of the district: what is overdue and what no operating department
//! has yet (the coordinator's desk), in the JSON queue and on the queue page.

use crate::common;

use chrono::Duration;
use common::pages::{get_with, set_cookie, sign_in};
use common::{TestApp, PASSWORD};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn the_coordinator_sees_unassigned_and_overdue_tickets_and_sends_one_on() {
    let app = TestApp::new().await;
    let water = app.create(common::larkana_request()).await;
    let odd = app
        .create(common::request_at(
            "other",
            27.56,
            68.21,
            "Stray dogs roaming in our lane at night, people are afraid",
            None,
        ))
        .await;
    app.worker_with(Arc::new(common::RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    let coord = app
        .signed_in("coordinator", "coord.larkana", Some("Larkana"), None)
        .await;
    let q = app
        .authed("GET", "/api/v1/staff/tickets", &coord, None)
        .await
        .json();
    assert_eq!(q["unassigned"], 1, "{q}");
    assert_eq!(q["overdue"], 0);
    let only = app
        .authed("GET", "/api/v1/staff/tickets?unassigned=true", &coord, None)
        .await
        .json();
    let refs: Vec<&str> = only["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [odd.reference.as_str()], "not {}", water.reference);
    let bad = app
        .authed(
            "GET",
            "/api/v1/staff/tickets?unassigned=maybe",
            &coord,
            None,
        )
        .await;
    assert_eq!(bad.status, 400);

    let sent = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{}/actions", odd.reference),
            &coord,
            Some(json!({"action": "refer", "to_department": "municipal-corporation-larkana", "reason": "Municipal animal control"})),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text());
    let q = app
        .authed("GET", "/api/v1/staff/tickets", &coord, None)
        .await
        .json();
    assert_eq!(q["unassigned"], 0);

    app.clock.advance(Duration::days(26));
    let res = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "coord.larkana", "password": PASSWORD}),
        )
        .await;
    let coord = res.json()["token"].as_str().unwrap().to_string();
    let q = app
        .authed("GET", "/api/v1/staff/tickets", &coord, None)
        .await
        .json();
    assert_eq!(q["overdue"], 2, "both are past due a month on: {q}");

    let signin = sign_in(&app, "coord.larkana", PASSWORD, "").await;
    let cookie = format!(
        "sahulat_session={}",
        set_cookie(&signin, "sahulat_session").unwrap()
    );
    let page = get_with(&app, "/staff", &cookie).await.text();
    assert!(page.contains("id=\"overdue-count\""), "{page}");
    assert!(page.contains("id=\"unassigned-count\""));
}
