//! Notifications end to end: idempotent handlers, SMS delivery that fails and is retried,
//! the per-phone hourly limit, telling every reporter of a resolved problem, and the length
//! of the confirmations in each language.

use crate::common;

use chrono::Duration;
use common::{request_at, RecordingNotifier, TestApp, PLACES, SERVICES};
use sahulat_worker::NotifyError;
use std::sync::Arc;

#[tokio::test]
async fn the_same_triage_job_delivered_twice_sends_one_sms_and_writes_one_history() {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let w = app.worker_with(n.clone(), "w");
    let r = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water since morning",
            Some("03005555555"),
        ))
        .await;
    let now = app.clock_now();
    app.store()
        .enqueue(
            "triage",
            &serde_json::json!({"request_id": r.id}),
            now,
            false,
            now,
        )
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    let history_len = app.store().history(r.id).await.unwrap().len();
    app.store()
        .enqueue(
            "triage",
            &serde_json::json!({"request_id": r.id}),
            now,
            false,
            now,
        )
        .await
        .unwrap();
    app.store()
        .enqueue("notify", &serde_json::json!({}), now, false, now)
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.store().history(r.id).await.unwrap().len(), history_len);
    assert_eq!(n.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_transient_sms_failure_is_retried_with_backoff_and_a_permanent_one_is_kept_as_failed() {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    n.fail_next
        .lock()
        .unwrap()
        .push(NotifyError::Transient("gateway answered 500".into()));
    let w = app.worker_with(n.clone(), "w");
    app.create(request_at(
        "water-supply",
        27.56,
        68.21,
        "No water since morning",
        Some("03006666666"),
    ))
    .await;
    w.run_until_idle().await.unwrap();
    assert_eq!(n.sent.lock().unwrap().len(), 0);
    let pending = app.store().outbox(Some("pending"), 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].last_error.as_deref().unwrap().contains("500"));
    app.clock.advance(Duration::minutes(5));
    w.run_until_idle().await.unwrap();
    assert_eq!(n.sent.lock().unwrap().len(), 1, "sent on the retry");

    n.fail_next.lock().unwrap().push(NotifyError::Permanent(
        "gateway refused the message: 400".into(),
    ));
    app.create(request_at(
        "roads",
        26.84,
        68.12,
        "Road broken near bazaar",
        Some("03007777777"),
    ))
    .await;
    w.run_until_idle().await.unwrap();
    let failed = app.store().outbox(Some("failed"), 10).await.unwrap();
    assert_eq!(failed.len(), 1);
}

#[tokio::test]
async fn one_phone_gets_at_most_five_sms_an_hour_and_the_rest_wait() {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let w = app.worker_with(n.clone(), "w");
    for &(lat, lon) in &PLACES[..7] {
        app.create(request_at(
            "roads",
            lat,
            lon,
            "Road broken, potholes everywhere",
            Some("03008888888"),
        ))
        .await;
    }
    w.run_until_idle().await.unwrap();
    assert_eq!(n.sent.lock().unwrap().len(), 5);
    assert_eq!(
        app.store().outbox(Some("pending"), 10).await.unwrap().len(),
        2
    );
    app.clock.advance(Duration::minutes(61));
    w.run_until_idle().await.unwrap();
    assert_eq!(n.sent.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn when_a_problem_is_resolved_every_reporter_including_duplicates_is_told_once_in_their_language(
) {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let w = app.worker_with(n.clone(), "w");
    let first = app
        .create(request_at(
            "solid-waste",
            27.56,
            68.21,
            "Garbage heap near the school gate",
            Some("03001110001"),
        ))
        .await;
    let mut sindhi = request_at(
        "solid-waste",
        27.5601,
        68.21,
        "ڪچرو ڪيترن ڏينهن کان نه کنيو ويو",
        Some("03001110002"),
    );
    sindhi["language"] = serde_json::json!("sd");
    let second = app.create(sindhi).await;
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(second.id).await.duplicate_of, Some(first.id));
    let before = n.sent.lock().unwrap().len();
    let department = app.reload(first.id).await.department.unwrap();
    let staff = app
        .signed_in("staff", "waste.larkana", None, Some(&department))
        .await;
    let done = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{}/actions", first.reference),
            &staff,
            Some(serde_json::json!({"action": "resolve", "note": "Heap lifted"})),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    w.run_until_idle().await.unwrap();
    // The same job delivered again.
    let now = app.clock_now();
    app.store()
        .enqueue(
            "resolved",
            &serde_json::json!({"request_id": first.id}),
            now,
            false,
            now,
        )
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    let sent = n.sent.lock().unwrap()[before..].to_vec();
    assert_eq!(
        sent.len(),
        2,
        "one message per reporter, even when the job runs twice: {sent:?}"
    );
    assert!(sent
        .iter()
        .any(|(to, text)| to == "+923001110001" && text.contains("resolved")));
    assert!(sent
        .iter()
        .any(|(to, text)| to == "+923001110002" && text.contains("حل")));
}

#[tokio::test]
async fn confirmations_carry_the_reference_and_fit_one_sms_in_english_and_two_in_urdu_or_sindhi() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let mut refs = Vec::new();
    for (i, lang) in ["en", "ur", "sd"].iter().enumerate() {
        for (j, service) in SERVICES.iter().enumerate() {
            let (lat, lon) = PLACES[(i * 3 + j) % PLACES.len()];
            let mut body = request_at(
                service,
                lat + 0.01 * i as f64,
                lon,
                "Problem reported by a resident",
                Some(&format!("0301{:07}", i * 10 + j)),
            );
            body["language"] = serde_json::json!(lang);
            refs.push((app.create(body).await.reference, *lang));
        }
    }
    w.run_until_idle().await.unwrap();
    let outbox = app.store().outbox(None, 100).await.unwrap();
    let confirmations: Vec<_> = outbox
        .iter()
        .filter(|m| m.message.recipient_kind == "citizen")
        .collect();
    assert_eq!(confirmations.len(), refs.len());
    for m in confirmations {
        let seg = sahulat_domain::messages::sms_segments(&m.message.body);
        let reference = refs
            .iter()
            .find(|(r, _)| {
                m.message.body.contains(
                    &sahulat_domain::reference::Reference::parse(r)
                        .unwrap()
                        .grouped(),
                )
            })
            .expect("reference in the text");
        let max = if reference.1 == "en" { 1 } else { 2 };
        assert!(
            seg.count <= max,
            "{} ({:?}): {}",
            m.message.body,
            seg,
            reference.1
        );
        assert_eq!(seg.gsm7, reference.1 == "en");
    }
}
