//! Staff accounts and the ticket lifecycle through the JSON API: sign-in and lockout, scoped
//! queues, actions with audit and citizen notification, referral, and the authorization
//! matrix (every role × every ticket endpoint × a ticket of their own and of someone else).

use crate::common;

use chrono::Duration;
use common::{TestApp, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn wrong_credentials_get_one_answer_and_five_failures_lock_the_account_for_15_minutes() {
    let app = TestApp::new().await;
    app.signed_in("admin", "root", None, None).await;
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/auth/token",
                &json!({"username": "root", "password": password}),
            )
            .await
        }
    };
    let unknown = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "nobody", "password": "whatever123"}),
        )
        .await;
    let wrong = attempt("wrong password!").await;
    assert_eq!((unknown.status.as_u16(), wrong.status.as_u16()), (401, 401));
    assert_eq!(
        unknown.json()["error"]["message"],
        wrong.json()["error"]["message"],
        "no username enumeration"
    );
    for _ in 0..4 {
        attempt("wrong password!").await;
    }
    let locked = attempt(PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.text());
    assert_eq!(locked.error_code(), "account_locked");
    app.clock.advance(Duration::minutes(16));
    assert_eq!(attempt(PASSWORD).await.status, 201);
}

#[tokio::test]
async fn a_token_works_until_sign_out_and_a_password_change_ends_every_session() {
    let app = TestApp::new().await;
    let token = app
        .signed_in("coordinator", "coord.larkana", Some("Larkana"), None)
        .await;
    let me = app.authed("GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.json()["district"], "PK713");
    assert_eq!(
        app.authed("DELETE", "/api/v1/auth/token", &token, None)
            .await
            .status,
        204
    );
    assert_eq!(
        app.authed("GET", "/api/v1/me", &token, None).await.status,
        401
    );

    let res = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "coord.larkana", "password": PASSWORD}),
        )
        .await;
    let t2 = res.json()["token"].as_str().unwrap().to_string();
    let short = app
        .authed(
            "POST",
            "/api/v1/auth/password",
            &t2,
            Some(json!({"current_password": PASSWORD, "new_password": "short"})),
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.json()["error"]["fields"]["new_password"]
        .as_str()
        .unwrap()
        .contains("at least 10"));
    let ok = app
        .authed(
            "POST",
            "/api/v1/auth/password",
            &t2,
            Some(json!({"current_password": PASSWORD, "new_password": "a much better passphrase"})),
        )
        .await;
    assert_eq!(ok.status, 204);
    assert_eq!(
        app.authed("GET", "/api/v1/me", &t2, None).await.status,
        401,
        "old sessions end"
    );
    assert_eq!(app.get("/api/v1/me").await.status, 401);
}

#[tokio::test]
async fn staff_see_only_their_department_acknowledge_and_resolve_and_the_citizen_sees_it() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let electricity = app
        .create(common::request_at(
            "electricity",
            27.56,
            68.21,
            "Transformer burnt near the bazaar",
            None,
        ))
        .await;
    app.worker_with(
        std::sync::Arc::new(common::RecordingNotifier::default()),
        "w",
    )
    .run_until_idle()
    .await
    .unwrap();
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let queue = app
        .authed("GET", "/api/v1/staff/tickets", &staff, None)
        .await
        .json();
    let refs: Vec<&str> = queue["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        vec![reference.as_str()],
        "only PHED's ticket, not SEPCO's {}",
        electricity.reference
    );
    assert_eq!(queue["counts"]["open"], 1);

    let detail = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &staff,
            None,
        )
        .await
        .json();
    assert_eq!(
        detail["contact"]["phone"], "+923001234567",
        "the handling staff may call back"
    );

    let ack = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "acknowledge"})),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.text());
    let no_note = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "resolve"})),
        )
        .await;
    assert_eq!(no_note.status, 422);
    assert!(no_note.json()["error"]["fields"]["note"].is_string());
    let done = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "resolve", "note": "Valve replaced, supply restored"})),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    let history = done.json()["history"].as_array().unwrap().clone();
    assert!(history.iter().any(|h| h["actor"] == "phed.larkana"
        && h["description"]
            .as_str()
            .unwrap()
            .contains("acknowledged → resolved")));
    let again = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "acknowledge"})),
        )
        .await;
    assert_eq!(again.status, 409, "a state conflict, not invalid input");
    assert_eq!(again.error_code(), "illegal_transition");

    let public = app
        .get(&format!("/api/v1/requests/{reference}"))
        .await
        .json();
    assert_eq!(public["status"], "resolved");
    assert!(public["updates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["description"]
            .as_str()
            .unwrap()
            .contains("Valve replaced")));
    let o311 = app
        .get(&format!("/open311/v2/requests/{reference}.json"))
        .await
        .json();
    assert_eq!(o311[0]["status"], "closed");
    let updates = app
        .get("/open311/v2/servicerequestupdates.json")
        .await
        .json();
    assert!(updates
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["service_request_id"] == reference.as_str() && u["status"] == "FIXED"));

    let n = std::sync::Arc::new(common::RecordingNotifier::default());
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let sent = n.sent.lock().unwrap().clone();
    assert!(
        sent.iter().any(|(to, _)| to == "+923001234567"),
        "the citizen is told: {sent:?}"
    );
}

#[tokio::test]
async fn a_referral_moves_the_ticket_to_the_receiving_departments_queue_and_keeps_the_chain() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let phed = app
        .signed_in("staff", "phed", None, Some("phed-larkana"))
        .await;
    let mc = app
        .signed_in(
            "staff",
            "mc.larkana",
            None,
            Some("municipal-corporation-larkana"),
        )
        .await;
    let refer = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &phed,
            Some(json!({"action": "refer", "to_department": "municipal-corporation-larkana", "reason": "city network is the corporation's"})),
        )
        .await;
    assert_eq!(refer.status, 200, "{}", refer.text());
    assert_eq!(
        app.authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &phed,
            None
        )
        .await
        .status,
        404,
        "no longer PHED's"
    );
    let mc_view = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &mc,
            None,
        )
        .await
        .json();
    assert_eq!(mc_view["ticket"]["status"], "referred");
    assert!(mc_view["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["description"]
            .as_str()
            .unwrap()
            .contains("referred from phed-larkana to municipal-corporation-larkana")));
    let bad = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &mc,
            Some(json!({"action": "refer", "to_department": "wasa-quetta", "reason": "elsewhere"})),
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn guessing_another_tickets_reference_reveals_nothing() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let sepco = app
        .signed_in("staff", "sepco", None, Some("sepco-larkana"))
        .await;
    let a = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{reference}"),
            &sepco,
            None,
        )
        .await;
    let unknown = sahulat_domain::reference::Reference::from_body(11_111_111);
    let b = app
        .authed(
            "GET",
            &format!("/api/v1/staff/tickets/{}", unknown.as_str()),
            &sepco,
            None,
        )
        .await;
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (404, 404));
    assert_eq!(a.error_code(), b.error_code());
    assert!(!a.text().contains("1234567"));
}

/// Every role × every ticket endpoint × a ticket of their own and of someone else.
#[tokio::test]
async fn the_authorization_matrix_holds_for_every_role_and_endpoint() {
    let app = TestApp::new().await;
    let own = app.triaged_larkana_water().await; // PHED Larkana, district PK713
    let other = app
        .create(common::request_at(
            "water-supply",
            30.18,
            66.99,
            "No water in Satellite Town",
            Some("03009990000"),
        ))
        .await;
    app.worker_with(
        std::sync::Arc::new(common::RecordingNotifier::default()),
        "w",
    )
    .run_until_idle()
    .await
    .unwrap();
    let other = other.reference; // Quetta
    let tokens = [
        ("admin", app.signed_in("admin", "admin", None, None).await),
        (
            "coordinator",
            app.signed_in("coordinator", "coord", Some("PK713"), None)
                .await,
        ),
        (
            "staff",
            app.signed_in("staff", "phed", None, Some("phed-larkana"))
                .await,
        ),
        (
            "other_staff",
            app.signed_in("staff", "sepco", None, Some("sepco-larkana"))
                .await,
        ),
        (
            "evaluator",
            app.signed_in("evaluator", "eval", None, None).await,
        ),
    ];
    // (role, ticket) -> expected status for GET ticket, POST comment; contact visible?
    let expect = |role: &str, mine: bool| -> (u16, u16, bool) {
        match (role, mine) {
            ("admin", _) => (200, 201, true),
            ("coordinator", true) => (200, 201, false),
            ("staff", true) => (200, 201, true),
            ("evaluator", _) => (403, 403, false),
            _ => (404, 404, false),
        }
    };
    // A photo on each ticket, for the visibility endpoint.
    let mut photo_ids = std::collections::HashMap::new();
    for (i, ticket) in [&own, &other].into_iter().enumerate() {
        let res = upload(&app, ticket, &tokens[0].1, 200 + i as u8).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let detail = app
            .authed(
                "GET",
                &format!("/api/v1/staff/tickets/{ticket}"),
                &tokens[0].1,
                None,
            )
            .await
            .json();
        photo_ids.insert(ticket.clone(), detail["photos"][0]["id"].as_i64().unwrap());
    }
    let mut shade = 0u8;
    for (role, token) in &tokens {
        for (ticket, mine) in [(&own, true), (&other, false)] {
            let (get_code, comment_code, contact) = expect(role, mine);
            shade += 1;
            let photo = upload(&app, ticket, token, shade).await;
            let photo_code = match get_code {
                200 => 201,
                other => other,
            };
            assert_eq!(
                photo.status.as_u16(),
                photo_code,
                "{role} photo {ticket}: {}",
                photo.text()
            );
            let vis = app
                .authed(
                    "POST",
                    &format!(
                        "/api/v1/staff/tickets/{ticket}/photos/{}/visibility",
                        photo_ids[ticket]
                    ),
                    token,
                    Some(json!({"hidden": false})),
                )
                .await;
            let vis_code = match get_code {
                200 => 204,
                other => other,
            };
            assert_eq!(vis.status.as_u16(), vis_code, "{role} visibility {ticket}");
            let get = app
                .authed(
                    "GET",
                    &format!("/api/v1/staff/tickets/{ticket}"),
                    token,
                    None,
                )
                .await;
            assert_eq!(
                get.status.as_u16(),
                get_code,
                "{role} GET {ticket}: {}",
                get.text()
            );
            if get_code == 200 {
                assert_eq!(
                    !get.json()["contact"].is_null(),
                    contact,
                    "{role} contact on {ticket}"
                );
            } else {
                assert!(!get.text().contains("+92"), "{role} sees no phone");
            }
            let c = app
                .authed(
                    "POST",
                    &format!("/api/v1/staff/tickets/{ticket}/comments"),
                    token,
                    Some(json!({"text": "Checked the site"})),
                )
                .await;
            assert_eq!(
                c.status.as_u16(),
                comment_code,
                "{role} comment {ticket}: {}",
                c.text()
            );
            let queue = app
                .authed("GET", "/api/v1/staff/tickets", token, None)
                .await;
            if *role == "evaluator" {
                assert_eq!(queue.status, 403);
            } else {
                let listed = queue.json()["tickets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["reference"] == ticket.as_str());
                assert_eq!(listed, get_code == 200, "{role} queue lists {ticket}");
            }
        }
    }
    // Actions: reject is the coordinator's; staff may not; the other department may not touch it.
    let reject = json!({"action": "reject", "reason": "advertisement for a shop"});
    let staff_reject = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{own}/actions"),
            &tokens[2].1,
            Some(reject.clone()),
        )
        .await;
    assert_eq!(staff_reject.status, 403);
    let other_ack = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{own}/actions"),
            &tokens[3].1,
            Some(json!({"action": "acknowledge"})),
        )
        .await;
    assert_eq!(other_ack.status, 404);
    let coord_reject = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{own}/actions"),
            &tokens[1].1,
            Some(reject),
        )
        .await;
    assert_eq!(coord_reject.status, 200, "{}", coord_reject.text());
    assert_eq!(
        app.authed("GET", "/api/v1/staff/tickets", "not-a-token", None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn more_than_twenty_sign_in_attempts_from_one_client_in_five_minutes_are_slowed_down() {
    let app = TestApp::new().await;
    app.signed_in("admin", "root", None, None).await; // one attempt
    for i in 0..19 {
        let res = app
            .post_json(
                "/api/v1/auth/token",
                &json!({"username": format!("user{i}"), "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(res.status, 401);
    }
    let limited = app
        .post_json(
            "/api/v1/auth/token",
            &json!({"username": "root", "password": PASSWORD}),
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error_code(), "rate_limited");
    app.clock.advance(Duration::minutes(6));
    assert_eq!(
        app.post_json(
            "/api/v1/auth/token",
            &json!({"username": "root", "password": PASSWORD})
        )
        .await
        .status,
        201
    );
}

/// A small PNG (its colour makes each one different), posted to the staff photo endpoint.
async fn upload(app: &TestApp, ticket: &str, token: &str, shade: u8) -> common::TestResponse {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb([shade, 90, 120]));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    app.send(
        axum::http::Request::post(format!("/api/v1/staff/tickets/{ticket}/photos"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "image/png")
            .body(axum::body::Body::from(png.into_inner()))
            .unwrap(),
    )
    .await
}
