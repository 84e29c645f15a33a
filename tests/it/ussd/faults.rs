//! Keys, bad input, lost steps and per-number limits.

use super::{report, Caller, AT};
use crate::common::TestApp;
use chrono::Duration;
use sahulat_api::Settings;
use serde_json::json;

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_and_nothing_is_stored() {
    let app = TestApp::with_settings(Settings {
        gateway_key: Some("k3y-for-the-gateway-0001".into()),
        ..Default::default()
    })
    .await;
    for url in [
        AT.to_string(),
        format!("{AT}?key=wrong"),
        format!("{AT}?key=k3y-for-the-gateway-0002"),
    ] {
        let res = app
            .post_form(
                &url,
                &[
                    ("sessionId", "s"),
                    ("phoneNumber", "03001234567"),
                    ("text", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{url}");
        assert!(res.text().contains("key"), "{}", res.text());
    }
    let res = app
        .post_json(
            "/ussd/generic",
            &json!({"session_id": "s", "phone": "03001234567"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(app
        .store()
        .ussd_session("africastalking", "s")
        .await
        .unwrap()
        .is_none());
    assert!(app
        .store()
        .ussd_session("generic", "s")
        .await
        .unwrap()
        .is_none());
    let c = Caller::dial_at(
        &app,
        &format!("{AT}?key=k3y-for-the-gateway-0001"),
        "keyed",
        "03001234567",
    )
    .await;
    assert!(c.screen.contains("1. English"));
}

#[tokio::test]
async fn bad_input_gets_a_screen_not_an_error_and_stores_nothing_wrong() {
    let app = TestApp::new().await;
    // Letters and numbers out of range: the same screen again, with a note.
    let mut c = Caller::dial(&app, "bad", "03001234567").await;
    c.send("abc").await;
    assert!(c.screen.starts_with("Invalid choice."), "{}", c.screen);
    c.send("1").await;
    c.send("9").await;
    assert!(c.screen.starts_with("Invalid choice."), "{}", c.screen);
    // A path 500 steps long, or 10 KB: ended politely.
    let mut long = Caller::dial(&app, "long", "03001234567").await;
    long.inputs = vec!["0".to_string(); 500];
    long.post().await;
    assert!(
        long.ended && long.screen.contains("too long"),
        "{}",
        long.screen
    );
    let mut big = Caller::dial(&app, "big", "03001234567").await;
    big.inputs = vec!["1".into(), "1".into(), "x".repeat(10_000)];
    big.post().await;
    assert!(
        big.ended && big.screen.contains("too long"),
        "{}",
        big.screen
    );
    // A session this server has not seen, arriving mid-path: the path is taken afresh.
    let mut mid = Caller::dial(&app, "seen-elsewhere", "03001234567").await;
    mid.session = "never-seen".into();
    mid.inputs = vec!["1".into(), "2".into()];
    mid.post().await;
    assert!(mid.screen.contains("9-digit reference"), "{}", mid.screen);
    // A step lost on the way (a gateway timeout): the next path adds two inputs at once.
    let mut lost = Caller::dial(&app, "lost", "03001234567").await;
    lost.inputs = vec!["1".into(), "2".into()];
    lost.post().await;
    assert!(lost.screen.contains("9-digit reference"), "{}", lost.screen);
    // No number, or one Sahulat cannot text: told so, nothing stored.
    for phone in ["", "+441234567890", "abc"] {
        let c = Caller::dial(&app, "nophone", phone).await;
        assert!(
            c.ended && c.screen.contains("Pakistani mobile"),
            "{phone:?}: {}",
            c.screen
        );
    }
    assert!(app
        .store()
        .ussd_session("africastalking", "nophone")
        .await
        .unwrap()
        .is_none());
    // Odd but valid spellings of a number work.
    let c = Caller::dial(&app, "odd", "0092-300-1234567").await;
    assert!(!c.ended, "{}", c.screen);
    // No session id: refused naming the field.
    let res = app
        .post_form(AT, &[("phoneNumber", "03001234567"), ("text", "")])
        .await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("sessionId"), "{}", res.text());
    assert_eq!(app.request_count().await, 0);
}

#[tokio::test]
async fn a_number_over_its_limits_gets_a_polite_screen() {
    let app = TestApp::with_settings(Settings {
        ussd_sessions_per_hour: 3,
        ussd_requests_per_day: 1,
        ..Default::default()
    })
    .await;
    let mut c = Caller::dial(&app, "one", "03002223333").await;
    report(&mut c, "1", "Kech", "Other problem", "0").await;
    let mut second = Caller::dial(&app, "two", "03002223333").await;
    second.send("1").await;
    second.send("1").await;
    assert!(
        second.ended && second.screen.contains("sent 1 reports today"),
        "{}",
        second.screen
    );
    // Tracking still works for the same number within its sessions.
    let _third = Caller::dial(&app, "three", "03002223333").await;
    let fourth = Caller::dial(&app, "four", "03002223333").await;
    assert!(
        fourth.ended && fourth.screen.contains("Too many sessions"),
        "{}",
        fourth.screen
    );
    app.clock.advance(Duration::minutes(61));
    let fifth = Caller::dial(&app, "five", "03002223333").await;
    assert!(!fifth.ended, "{}", fifth.screen);
    assert_eq!(app.request_count().await, 1);
}
