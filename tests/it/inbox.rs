//! The staff inbox: what the worker addresses to a department and to a district's coordinator
//! desk (a new ticket, escalations, a citizen's reopen) is stored and shown, in the JSON API
//! and on the staff pages with an unread count in the header, and marked read per account.
//! Runs on SQLite and PostgreSQL.

use crate::common;

use chrono::Duration;
use common::pages::{csrf_in, get_with, post_form_with, set_cookie, sign_in};
use common::{request_at, RecordingNotifier, TestApp, PASSWORD};
use serde_json::Value;
use std::sync::Arc;

/// A street light reported in Larkana, triaged, then left unacknowledged past its deadline:
/// one escalation to the municipal corporation and to Larkana's coordinator desk.
async fn escalated(app: &TestApp) -> String {
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let r = app
        .create(request_at(
            "street-lights",
            27.56,
            68.21,
            "Street light out on our road",
            None,
        ))
        .await;
    w.run_until_idle().await.unwrap();
    let r = app.reload(r.id).await;
    app.clock.set(r.ack_due_at.unwrap() + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(r.id).await.escalation_level, 1);
    r.reference
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .authed("GET", &format!("/api/v1/staff/inbox{query}"), token, None)
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

#[tokio::test]
async fn an_escalation_reaches_the_departments_and_the_coordinators_inbox_and_is_marked_read() {
    let app = TestApp::new().await;
    let reference = escalated(&app).await;
    let mc = app
        .signed_in(
            "staff",
            "mc.larkana",
            None,
            Some("municipal-corporation-larkana"),
        )
        .await;
    let coord = app
        .signed_in("coordinator", "dc.larkana", Some("PK713"), None)
        .await;
    let other = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;

    let dept = inbox(&app, &mc, "").await;
    let texts: Vec<&str> = dept["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(dept["unread"], 2, "{dept}");
    assert!(
        texts.iter().any(|t| t.starts_with("Sahulat ESCALATION 1:")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("Sahulat NEW ")),
        "{texts:?}"
    );
    assert!(dept["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["reference"] == reference.as_str()));

    let desk = inbox(&app, &coord, "").await;
    let msgs = desk["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1, "{desk}");
    assert_eq!(msgs[0]["addressed_to"], "coordinator");
    assert!(msgs[0]["text"].as_str().unwrap().contains("ESCALATION 1"));

    assert_eq!(
        inbox(&app, &other, "").await["messages"],
        serde_json::json!([])
    );
    // Someone else's message cannot be marked read.
    let id = msgs[0]["id"].as_i64().unwrap();
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/inbox/{id}/read"),
            &other,
            None,
        )
        .await;
    assert_eq!(res.status, 404);
    // The coordinator reads theirs; the department's stay unread.
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/inbox/{id}/read"),
            &coord,
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(inbox(&app, &coord, "").await["unread"], 0);
    assert_eq!(
        inbox(&app, &coord, "?unread=true").await["messages"],
        serde_json::json!([])
    );
    assert_eq!(inbox(&app, &mc, "").await["unread"], 2);
    let res = app
        .authed("GET", "/api/v1/staff/inbox?unread=maybe", &mc, None)
        .await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("unread"));

    // Evaluators see aggregates only.
    let eval = app.signed_in("evaluator", "eval", None, None).await;
    let res = app.authed("GET", "/api/v1/staff/inbox", &eval, None).await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn the_inbox_page_shows_the_unread_count_in_the_header_and_marks_a_message_read() {
    let app = TestApp::new().await;
    let reference = escalated(&app).await;
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        "dc.larkana",
        "coordinator",
        Some("PK713"),
        None,
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let res = sign_in(&app, "dc.larkana", PASSWORD, "").await;
    let cookie = format!(
        "sahulat_session={}",
        set_cookie(&res, "sahulat_session").unwrap()
    );
    let queue = get_with(&app, "/staff", &cookie).await.text();
    assert!(queue.contains("id=\"unread\">(1)"), "the header counts it");
    let page = get_with(&app, "/staff/inbox?lang=ur", &cookie).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("dir=\"rtl\"") && html.contains("پیغامات"));
    assert!(html.contains("ESCALATION 1"));
    assert!(
        html.contains(&format!("/staff/tickets/{reference}")),
        "a link to the ticket"
    );
    let id = html
        .split("/staff/inbox/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let csrf = csrf_in(&html);
    let bad = post_form_with(
        &app,
        &format!("/staff/inbox/{id}/read"),
        &cookie,
        &[("csrf", "x")],
    )
    .await;
    assert_eq!(
        bad.status, 403,
        "a form without the session's token is refused"
    );
    let done = post_form_with(
        &app,
        &format!("/staff/inbox/{id}/read"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(done.status, 303);
    let after = get_with(&app, "/staff/inbox", &cookie).await.text();
    assert!(!after.contains("id=\"unread\""), "nothing unread");
    assert!(after.contains("ESCALATION 1"), "read messages stay listed");
    assert!(
        !after.contains(&format!("/staff/inbox/{id}/read")),
        "no button left"
    );
}
