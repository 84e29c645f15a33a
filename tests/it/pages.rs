//! The staff pages in-process: languages and direction, CSRF on every form, no session
//! fixation, brute-force lockout through the form, IDOR, and a whole acknowledge → resolve
//! round through forms that the citizen's views then reflect.

use crate::common;

use common::pages::{csrf_in, get_with, post_form_with, set_cookie, sign_in, staff_session};
use common::{TestApp, PASSWORD};

#[tokio::test]
async fn pages_in_urdu_and_sindhi_are_right_to_left_and_english_is_not() {
    let app = TestApp::new().await;
    for (lang, dir, word) in [
        ("ur", "rtl", "سائن ان"),
        ("sd", "rtl", "سائن ان"),
        ("en", "ltr", "Sign in"),
    ] {
        let page = app.get(&format!("/staff/signin?lang={lang}")).await;
        let html = page.text();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{lang}"
        );
        assert!(html.contains(word), "{lang}");
        assert!(page
            .header("content-security-policy")
            .contains("default-src 'none'"));
    }
}

#[tokio::test]
async fn the_queue_redirects_to_sign_in_without_a_session() {
    let app = TestApp::new().await;
    let res = app.get("/staff").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), "/staff/signin");
}

#[tokio::test]
async fn a_sign_in_or_action_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let session = staff_session(&app, "phed", "phed-larkana").await;
    let forged = post_form_with(
        &app,
        "/staff/signin",
        "",
        &[("csrf", "x"), ("username", "phed"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(forged.status, 403);
    let res = post_form_with(
        &app,
        &format!("/staff/tickets/{reference}/action"),
        &session,
        &[("action", "acknowledge"), ("csrf", "forged")],
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        app.store()
            .request_by_reference(&reference)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "open"
    );
}

#[tokio::test]
async fn signing_in_never_reuses_a_session_that_existed_before() {
    let app = TestApp::new().await;
    let planted = staff_session(&app, "attacker", "sepco-larkana").await; // a session the attacker knows
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        "victim",
        "staff",
        None,
        Some("phed-larkana"),
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let res = sign_in(&app, "victim", PASSWORD, &format!("; {planted}")).await;
    assert_eq!(res.status, 303);
    let fresh = format!(
        "sahulat_session={}",
        set_cookie(&res, "sahulat_session").unwrap()
    );
    assert_ne!(fresh, planted);
    assert_eq!(
        get_with(&app, "/staff", &planted).await.status,
        303,
        "the planted session is gone"
    );
    assert_eq!(get_with(&app, "/staff", &fresh).await.status, 200);
}

#[tokio::test]
async fn repeated_wrong_passwords_in_the_form_lock_the_account() {
    let app = TestApp::new().await;
    staff_session(&app, "phed", "phed-larkana").await;
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "phed", "wrong password", "").await.status,
            401
        );
    }
    let locked = sign_in(&app, "phed", PASSWORD, "").await;
    assert_eq!(locked.status, 429);
    assert!(locked.text().contains("15"));
}

#[tokio::test]
async fn a_ticket_page_of_another_department_is_not_found() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let sepco = staff_session(&app, "sepco", "sepco-larkana").await;
    let res = get_with(&app, &format!("/staff/tickets/{reference}"), &sepco).await;
    assert_eq!(res.status, 404);
    assert!(!res.text().contains("1234567"));
}

#[tokio::test]
async fn staff_acknowledge_and_resolve_through_the_forms_and_the_citizen_sees_it() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let session = staff_session(&app, "phed", "phed-larkana").await;
    let queue = get_with(&app, "/staff?lang=sd", &session).await;
    assert_eq!(queue.status, 200);
    assert!(queue
        .text()
        .contains(&format!("/staff/tickets/{reference}")));
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &session).await;
    let html = page.text();
    assert!(
        html.contains("tel:+923001234567"),
        "the handling staff can call back"
    );
    assert!(html.contains("<svg"), "a small map");
    let csrf = csrf_in(&html);
    let url = format!("/staff/tickets/{reference}/action");
    let ack = post_form_with(
        &app,
        &url,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "acknowledge"),
            ("seen_status", "open"),
        ],
    )
    .await;
    assert_eq!(ack.status, 303, "{}", ack.text());
    let stale = post_form_with(
        &app,
        &url,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "start"),
            ("seen_status", "open"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "the page was out of date");
    let no_note = post_form_with(
        &app,
        &url,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "resolve"),
            ("seen_status", "acknowledged"),
        ],
    )
    .await;
    assert_eq!(no_note.status, 422);
    assert!(no_note.text().contains("note is required"));
    let done = post_form_with(
        &app,
        &url,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "resolve"),
            ("text", "Valve replaced"),
            ("seen_status", "acknowledged"),
        ],
    )
    .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        app.get(&format!("/api/v1/requests/{reference}"))
            .await
            .json()["status"],
        "resolved"
    );
    assert_eq!(
        app.get(&format!("/open311/v2/requests/{reference}.json"))
            .await
            .json()[0]["status"],
        "closed"
    );
}

#[tokio::test]
async fn a_public_comment_reaches_open311_updates_and_an_internal_one_does_not() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let session = staff_session(&app, "phed", "phed-larkana").await;
    let csrf = csrf_in(
        &get_with(&app, &format!("/staff/tickets/{reference}"), &session)
            .await
            .text(),
    );
    let url = format!("/staff/tickets/{reference}/comment");
    let public = post_form_with(
        &app,
        &url,
        &session,
        &[
            ("csrf", &csrf),
            ("text", "Team visits tomorrow morning"),
            ("public", "true"),
        ],
    )
    .await;
    assert_eq!(public.status, 303);
    let internal = post_form_with(
        &app,
        &url,
        &session,
        &[("csrf", &csrf), ("text", "Valve key is with the chowkidar")],
    )
    .await;
    assert_eq!(internal.status, 303);
    let updates = app
        .get("/open311/v2/servicerequestupdates.json")
        .await
        .text();
    assert!(updates.contains("Team visits tomorrow morning"));
    assert!(
        !updates.contains("chowkidar"),
        "internal comments stay internal"
    );
    let page = get_with(&app, &format!("/staff/tickets/{reference}"), &session)
        .await
        .text();
    assert!(page.contains("chowkidar"), "staff see internal comments");
}

#[tokio::test]
async fn changing_the_password_in_the_page_signs_everyone_out() {
    let app = TestApp::new().await;
    let session = staff_session(&app, "phed", "phed-larkana").await;
    let csrf = csrf_in(&get_with(&app, "/staff/password", &session).await.text());
    let wrong = post_form_with(
        &app,
        "/staff/password",
        &session,
        &[
            ("csrf", &csrf),
            ("current", "not it at all"),
            ("new", "another long passphrase"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 401);
    let ok = post_form_with(
        &app,
        "/staff/password",
        &session,
        &[
            ("csrf", &csrf),
            ("current", PASSWORD),
            ("new", "another long passphrase"),
        ],
    )
    .await;
    assert_eq!(ok.status, 303);
    assert_eq!(
        get_with(&app, "/staff", &session).await.status,
        303,
        "the old session ended"
    );
    assert_eq!(
        sign_in(&app, "phed", "another long passphrase", "")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn admins_create_and_disable_accounts_in_the_pages_and_nobody_else_can() {
    let app = TestApp::new().await;
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        "root",
        "admin",
        None,
        None,
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let res = sign_in(&app, "root", PASSWORD, "").await;
    let admin = format!(
        "sahulat_session={}",
        set_cookie(&res, "sahulat_session").unwrap()
    );
    let csrf = csrf_in(&get_with(&app, "/staff/users", &admin).await.text());
    let bad = post_form_with(
        &app,
        "/staff/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "x"),
            ("role", "staff"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("department"), "names what is missing");
    let ok = post_form_with(
        &app,
        "/staff/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "dho.kech"),
            ("role", "staff"),
            ("department", "dho-kech"),
            ("district", ""),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let signed = sign_in(&app, "dho.kech", "a long passphrase", "").await;
    assert_eq!(signed.status, 303);
    let staff_cookie = format!(
        "sahulat_session={}",
        set_cookie(&signed, "sahulat_session").unwrap()
    );
    assert_eq!(
        get_with(&app, "/staff/users", &staff_cookie).await.status,
        403,
        "staff do not manage accounts"
    );
    let off = post_form_with(
        &app,
        "/staff/users/dho.kech/active",
        &admin,
        &[("csrf", &csrf), ("active", "false")],
    )
    .await;
    assert_eq!(off.status, 303);
    assert_eq!(
        get_with(&app, "/staff", &staff_cookie).await.status,
        303,
        "a disabled account's session ends"
    );
    assert_eq!(
        sign_in(&app, "dho.kech", "a long passphrase", "")
            .await
            .status,
        401
    );
}
