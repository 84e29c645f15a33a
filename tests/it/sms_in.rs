//! SMS replies from citizens through Africa's Talking's inbound callback and the generic
//! adapter: each command in English and Roman Urdu (and Urdu script), answered only to the
//! reporter's number, help for anything else, each message handled once, replies through the
//! outbox. Runs on SQLite and PostgreSQL.

use crate::common;

use chrono::Duration;
use common::TestApp;
use sahulat_api::Settings;
use sahulat_domain::status::Status;
use serde_json::{json, Value};

const REPORTER: &str = "+923001234567"; // 0300 1234567 in larkana_request

/// Posts an inbound SMS; returns the callback's answer.
async fn sms(app: &TestApp, id: &str, from: &str, text: &str) -> Value {
    let res = app
        .post_form(
            "/sms/africastalking",
            &[
                ("from", from),
                ("to", "7245"),
                ("text", text),
                ("date", "2026-11-26 14:00:00"),
                ("id", id),
                ("linkId", &format!("link-{id}")),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// The reply queued for message `id`.
async fn reply(app: &TestApp, id: &str) -> (String, String, String) {
    let key = format!("sms-reply:africastalking:{id}");
    let m = app
        .store()
        .outbox(None, 500)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message.dedupe_key == key)
        .unwrap_or_else(|| panic!("no reply to {id}"));
    (m.message.recipient, m.message.language, m.message.body)
}

#[tokio::test]
async fn status_is_answered_in_english_and_roman_urdu_to_the_reporter_only() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    let h = sms(&app, "m1", REPORTER, &format!("STATUS {reference}")).await;
    assert_eq!(
        (h["command"].as_str(), h["replied"].as_bool()),
        (Some("status"), Some(true))
    );
    let (to, lang, body) = reply(&app, "m1").await;
    assert_eq!((to.as_str(), lang.as_str()), (REPORTER, "en"));
    assert!(body.contains(": open.") && body.contains("Due "), "{body}");
    assert!(
        sahulat_domain::messages::sms_segments(&body).count == 1,
        "{body}"
    );

    sms(&app, "m2", "0300-1234567", &format!("halat {reference}")).await;
    let (_, lang, body) = reply(&app, "m2").await;
    assert_eq!(lang, "ur-Latn");
    assert!(body.contains("khuli") && body.is_ascii(), "{body}");

    // A bare reference asks for the status too; Eastern Arabic digits are read.
    let urdu_digits: String = reference
        .chars()
        .map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap()).unwrap())
        .collect();
    sms(&app, "m3", REPORTER, &format!("حالت {urdu_digits}")).await;
    let (_, lang, body) = reply(&app, "m3").await;
    assert_eq!(lang, "ur", "{body}");

    // Someone else's number learns nothing about the report.
    sms(&app, "m4", "+923339876543", &format!("STATUS {reference}")).await;
    let (to, _, body) = reply(&app, "m4").await;
    assert_eq!(to, "+923339876543");
    assert!(body.contains("this number did not make report"), "{body}");
    assert!(!body.contains("open"), "{body}");
}

#[tokio::test]
async fn reopen_by_sms_in_english_reopens_the_ticket_and_a_missing_reason_is_asked_for() {
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    sms(&app, "r0", REPORTER, &format!("REOPEN {reference}")).await;
    assert!(reply(&app, "r0")
        .await
        .2
        .contains("add what is still wrong"));
    let h = sms(
        &app,
        "r1",
        REPORTER,
        &format!("REOPEN {reference} still no water in our lane"),
    )
    .await;
    assert_eq!(h["replied"], false, "the reopen's own SMS answers: {h}");
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Open);
    let history = app.store().history(r.id).await.unwrap();
    assert!(history.iter().any(|h| h
        .entry
        .description
        .contains("still no water in our lane (by SMS)")));
    let outbox = app.store().outbox(None, 100).await.unwrap();
    assert!(
        outbox.iter().any(|m| m.message.dedupe_key.starts_with("reopen:") && m.message.recipient == REPORTER),
        "the reporter is told it is open again"
    );
    assert!(
        outbox
            .iter()
            .any(|m| m.message.dedupe_key.starts_with("staff-reopen:")
                && m.message.recipient == "phed-larkana"),
        "the department's inbox has it"
    );
    // Reopening an open ticket again is refused politely.
    sms(&app, "r2", REPORTER, &format!("REOPEN {reference} again")).await;
    assert!(reply(&app, "r2").await.2.contains("still being worked on"));
}

#[tokio::test]
async fn reopen_by_sms_in_roman_urdu_reopens_the_ticket() {
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    sms(
        &app,
        "d1",
        REPORTER,
        &format!("Dobara {reference} pani abhi tak nahin aaya"),
    )
    .await;
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Open);
}

#[tokio::test]
async fn rate_by_sms_in_english_and_roman_urdu_stores_the_rating_once() {
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    sms(&app, "t0", REPORTER, &format!("RATE {reference}")).await;
    assert!(reply(&app, "t0").await.2.contains("add your rating 1-5"));
    sms(
        &app,
        "t1",
        REPORTER,
        &format!("RATE {reference} 4 good work"),
    )
    .await;
    let (_, lang, body) = reply(&app, "t1").await;
    assert_eq!(lang, "en");
    assert!(body.contains("thank you for your rating"), "{body}");
    sms(&app, "t2", REPORTER, &format!("rai {reference} 5")).await;
    let (_, lang, body) = reply(&app, "t2").await;
    assert_eq!(lang, "ur-Latn");
    assert!(
        body.contains("rai de chuke"),
        "already rated, in Roman Urdu: {body}"
    );
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let ratings = app.store().ratings(r.id).await.unwrap();
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0].rating, 4);

    // A poor rating in Roman Urdu on another report reopens it.
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    sms(&app, "t3", REPORTER, &format!("RAI {reference} 1")).await;
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Open);
}

#[tokio::test]
async fn anything_else_gets_help_in_the_senders_language_and_a_typo_is_named() {
    let app = TestApp::new().await;
    let reference = app.triaged_larkana_water().await;
    sms(&app, "h1", "+923001112223", "hello, who is this?").await;
    let (_, lang, body) = reply(&app, "h1").await;
    assert_eq!(lang, "en");
    assert!(
        body.contains("STATUS") && body.contains("REOPEN") && body.contains("RATE"),
        "{body}"
    );
    sms(&app, "h2", "+923001112223", "halat").await;
    let (_, lang, body) = reply(&app, "h2").await;
    assert_eq!(lang, "ur-Latn");
    assert!(
        body.contains("HALAT") && body.contains("DOBARA") && body.contains("RAI"),
        "{body}"
    );
    sms(&app, "h3", "+923001112223", "شکریہ آپ کا").await;
    let (_, lang, _) = reply(&app, "h3").await;
    assert_eq!(lang, "ur");
    let mut typo = reference.clone().into_bytes();
    typo[8] = if typo[8] == b'9' { b'0' } else { typo[8] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    sms(&app, "h4", REPORTER, &format!("STATUS {typo}")).await;
    let body = reply(&app, "h4").await.2;
    assert!(
        body.contains(&typo) && body.contains("typing mistake"),
        "{body}"
    );
}

#[tokio::test]
async fn each_message_is_handled_once_and_long_or_mixed_messages_are_safe() {
    let app = TestApp::new().await;
    let reference = app.resolved_larkana_water().await;
    let long = format!(
        "REOPEN {reference} {}",
        "the drain overflows again ".repeat(40)
    );
    assert!(long.chars().count() > 1000);
    sms(&app, "x1", REPORTER, &long).await;
    let again = sms(&app, "x1", REPORTER, &long).await;
    assert_eq!(again["duplicate"], true);
    let r = app
        .store()
        .request_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    let reopens = app
        .store()
        .history(r.id)
        .await
        .unwrap()
        .iter()
        .filter(|h| h.entry.description.contains("reopened by the citizen"))
        .count();
    assert_eq!(reopens, 1, "a gateway's retry does nothing twice");

    // The generic adapter, with the same message twice and no id: handled once.
    for _ in 0..2 {
        let res = app
            .post_json(
                "/sms/generic",
                &json!({"from": "+923004445555", "text": "hi"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    let helps = app
        .store()
        .outbox(None, 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.message.recipient == "+923004445555")
        .count();
    assert_eq!(helps, 1);

    // A message that comes back with only its linkId: recognised by it.
    for _ in 0..2 {
        let res = app
            .post_form(
                "/sms/africastalking",
                &[
                    ("from", "+923006667777"),
                    ("text", "help"),
                    ("linkId", "link-replayed"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);
    }
    let replies = app
        .store()
        .outbox(None, 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.message.recipient == "+923006667777")
        .count();
    assert_eq!(replies, 1, "a replayed linkId is answered once");

    // Mixed scripts in one message.
    app.clock.advance(Duration::minutes(1));
    sms(&app, "x2", REPORTER, &format!("status {reference} شکریہ")).await;
    let (_, lang, body) = reply(&app, "x2").await;
    assert_eq!(lang, "ur", "{body}");
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_and_nothing_is_stored() {
    let app = TestApp::with_settings(Settings {
        gateway_key: Some("k3y-for-the-gateway-0001".into()),
        ..Default::default()
    })
    .await;
    for url in ["/sms/africastalking", "/sms/africastalking?key=nope"] {
        let res = app
            .post_form(url, &[("from", REPORTER), ("text", "hi"), ("id", "k1")])
            .await;
        assert_eq!(res.status, 403, "{}", res.text());
    }
    assert!(app.store().outbox(None, 10).await.unwrap().is_empty());
    let ok = app
        .post_form(
            "/sms/africastalking?key=k3y-for-the-gateway-0001",
            &[("from", REPORTER), ("text", "hi"), ("id", "k1")],
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(app.store().outbox(None, 10).await.unwrap().len(), 1);
}
