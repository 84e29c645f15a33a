//! Acting on triage's flags: the queue filtered by flag, the flags on the ticket page, and the
//! coordinator's corrections — recategorise (routed, prioritised and given a due time again by
//! the same rules, audited, the new department told in its inbox) and reprioritise (with a
//! reason). Staff may do neither. Runs on SQLite and PostgreSQL.

use crate::common;

use common::pages::{csrf_in, get_with, post_form_with, set_cookie, sign_in};
use common::{request_at, RecordingNotifier, TestApp, PASSWORD};
use sahulat_domain::routing;
use serde_json::json;
use std::sync::Arc;

/// A heap of garbage filed as "no water supply" in Larkana: triage flags the mismatch.
async fn misfiled(app: &TestApp) -> String {
    let r = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "Garbage heap not collected for two weeks, kachra and waste everywhere in the street",
            Some("03001234567"),
        ))
        .await;
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    let r = app.reload(r.id).await;
    assert!(
        r.triage_flags
            .iter()
            .any(|f| f == "category_mismatch:solid-waste"),
        "{:?}",
        r.triage_flags
    );
    r.reference
}

#[tokio::test]
async fn a_coordinator_recategorises_a_flagged_ticket_and_it_is_routed_again() {
    let app = TestApp::new().await;
    let reference = misfiled(&app).await;
    let coord = app
        .signed_in("coordinator", "dc.larkana", Some("PK713"), None)
        .await;
    let flagged = app
        .authed(
            "GET",
            "/api/v1/staff/tickets?flag=category_mismatch",
            &coord,
            None,
        )
        .await
        .json();
    let refs: Vec<&str> = flagged["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, vec![reference.as_str()]);
    let bad = app
        .authed("GET", "/api/v1/staff/tickets?flag=odd", &coord, None)
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("flag"), "{}", bad.text());

    // The department that has it may not change its service.
    let before = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let dept = before.department.clone().unwrap();
    let staff = app
        .signed_in("staff", "first.dept", None, Some(&dept))
        .await;
    let url = format!("/api/v1/staff/tickets/{reference}/actions");
    let res = app
        .authed("POST", &url, &staff, Some(json!({"action": "recategorise", "service_code": "solid-waste", "reason": "garbage"})))
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let res = app
        .authed(
            "POST",
            &url,
            &coord,
            Some(json!({"action": "recategorise", "service_code": "solid-waste"})),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.json()["error"]["fields"]["reason"].is_string(),
        "{}",
        res.text()
    );

    let res = app
        .authed("POST", &url, &coord, Some(json!({"action": "recategorise", "service_code": "solid-waste", "reason": "it is garbage, not water"})))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let after = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let cat = &app.state.catalogue;
    let route = routing::route(cat, &after.district, after.tehsil.as_deref(), "solid-waste");
    assert_eq!(after.service_code, "solid-waste");
    assert_eq!(after.department, route.department);
    assert_ne!(
        after.department.as_deref(),
        Some(dept.as_str()),
        "another department"
    );
    assert_eq!(after.status.as_str(), "open");
    assert!(after
        .triage_flags
        .iter()
        .all(|f| !f.starts_with("category_mismatch")));
    assert!(after.sla_due_at.unwrap() > app.clock_now());
    assert_eq!(after.escalation_level, 0);
    let history = app.store().history(after.id).await.unwrap();
    assert!(history.iter().any(|h| h.entry.actor == "dc.larkana"
        && h.entry
            .description
            .starts_with("recategorised water-supply → solid-waste: it is garbage, not water")));
    // The new department hears of it in its inbox; the old one no longer sees it.
    let new_dept = after.department.clone().unwrap();
    let newcomer = app
        .signed_in("staff", "new.dept", None, Some(&new_dept))
        .await;
    let inbox = app
        .authed("GET", "/api/v1/staff/inbox", &newcomer, None)
        .await
        .json();
    assert!(
        inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"]
                .as_str()
                .unwrap()
                .contains("service changed by the coordinator")),
        "{inbox}"
    );
    let gone = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &staff,
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    let flagged = app
        .authed(
            "GET",
            "/api/v1/staff/tickets?flag=category_mismatch",
            &coord,
            None,
        )
        .await
        .json();
    assert_eq!(flagged["tickets"], json!([]));

    // Reprioritise, with a reason; the same priority again is refused naming the field.
    let res = app
        .authed("POST", &url, &coord, Some(json!({"action": "reprioritise", "priority": "urgent", "reason": "blocking the hospital road"})))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(app.reload(after.id).await.priority.as_str(), "urgent");
    let res = app
        .authed(
            "POST",
            &url,
            &coord,
            Some(json!({"action": "reprioritise", "priority": "urgent", "reason": "again"})),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["priority"].is_string());
}

#[tokio::test]
async fn the_ticket_page_shows_the_flags_and_the_coordinators_correction_forms_work() {
    let app = TestApp::new().await;
    let reference = misfiled(&app).await;
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
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &cookie)
        .await
        .text();
    assert!(
        page.contains("The words suggest another service: <bdi>Garbage not collected</bdi>"),
        "the flag in words"
    );
    assert!(page.contains("id=\"recategorise\"") && page.contains("id=\"reprioritise\""));
    let queue = get_with(&app, "/staff?flag=category_mismatch", &cookie)
        .await
        .text();
    assert!(
        queue.contains(&reference),
        "the queue filtered by flag lists it"
    );
    let done = post_form_with(
        &app,
        &format!("/staff/tickets/{reference}/action"),
        &cookie,
        &[
            ("csrf", &csrf_in(&page)),
            ("seen_status", "open"),
            ("action", "recategorise"),
            ("service_code", "solid-waste"),
            ("text", "garbage, not water"),
        ],
    )
    .await;
    assert!(
        done.status.is_redirection() || done.status == 200,
        "{}",
        done.text()
    );
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.service_code, "solid-waste");
}
