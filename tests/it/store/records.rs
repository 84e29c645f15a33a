//! Requests and tickets: one transaction per use case, writes conditional on the state the
//! decision saw, Idempotency-Keys, unique message keys, the exact radius of a nearby search.

use super::{key, new_request, stored, triage_of};
use crate::common::TestApp;
use chrono::Duration;
use sahulat_domain::effects::{HistoryEntry, NewMessage};
use sahulat_domain::ids::RandomIds;
use sahulat_domain::lifecycle::ActionWrite;
use sahulat_domain::status::Status;
use sahulat_store::CreateOutcome;

#[tokio::test]
async fn a_new_request_is_stored_with_its_history_contact_and_triage_job_together() {
    let app = TestApp::new().await;
    let r = stored(&app, &new_request("water-supply", 0.0), 1).await;
    assert_eq!(r.status, Status::Submitted);
    assert_eq!(app.store().history(r.id).await.unwrap().len(), 1);
    let phone = app.store().contact(r.id).await.unwrap().unwrap().phone;
    assert_eq!(phone.unwrap().e164(), "+923001234567");
    let jobs = app.store().jobs("queued", 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "triage");
    assert_eq!(jobs[0].payload, serde_json::json!({ "request_id": r.id }));
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = TestApp::new().await;
    let new = new_request("water-supply", 0.0);
    let ids = RandomIds::seeded(2);
    let now = app.clock_now();
    let first = app
        .store()
        .create_request(&new, &ids, Some(&key("k1", "hash-a")), super::render(), now)
        .await
        .unwrap();
    let again = app
        .store()
        .create_request(&new, &ids, Some(&key("k1", "hash-a")), super::render(), now)
        .await
        .unwrap();
    assert!(matches!(first, CreateOutcome::Created(..)));
    assert!(matches!(again, CreateOutcome::Replayed(_)));
    assert_eq!(first.response(), again.response());
    let other = app
        .store()
        .create_request(&new, &ids, Some(&key("k1", "hash-b")), super::render(), now)
        .await;
    assert!(matches!(
        other,
        Err(sahulat_domain::Error::IdempotencyMismatch)
    ));
    assert_eq!(app.request_count().await, 1);
}

#[tokio::test]
async fn triage_is_written_once_and_a_second_outcome_for_the_same_request_changes_nothing() {
    let app = TestApp::new().await;
    let r = stored(&app, &new_request("water-supply", 0.0), 3).await;
    let now = app.clock_now();
    assert!(app
        .store()
        .apply_triage(&triage_of(r.id, "Sent to PHED"), now)
        .await
        .unwrap());
    assert!(!app
        .store()
        .apply_triage(&triage_of(r.id, "Sent again"), now)
        .await
        .unwrap());
    let history = app.store().history(r.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(app.store().outbox(None, 10).await.unwrap().len(), 1);
    let r = app.reload(r.id).await;
    assert_eq!(r.department.as_deref(), Some("phed-larkana"));
}

#[tokio::test]
async fn an_action_is_written_only_if_the_ticket_is_still_in_the_status_the_actor_saw() {
    let app = TestApp::new().await;
    let r = stored(&app, &new_request("water-supply", 0.0), 4).await;
    let now = app.clock_now();
    app.store()
        .apply_triage(&triage_of(r.id, "Sent to PHED"), now)
        .await
        .unwrap();
    let ack = |from: Status| ActionWrite {
        request_id: r.id,
        from,
        to: Status::Acknowledged,
        department: None,
        duplicate_of: None,
        history: vec![HistoryEntry::internal(
            Status::Acknowledged,
            "phed",
            "acknowledged",
        )],
        messages: vec![],
        notify_resolved: false,
        restart_sla: None,
        closed_at: None,
    };
    assert!(!app
        .store()
        .apply_action(&ack(Status::Submitted), now)
        .await
        .unwrap());
    assert!(app
        .store()
        .apply_action(&ack(Status::Open), now)
        .await
        .unwrap());
    assert!(!app
        .store()
        .apply_action(&ack(Status::Open), now)
        .await
        .unwrap());
    let r = app.reload(r.id).await;
    assert_eq!(r.status, Status::Acknowledged);
    assert_eq!(r.acknowledged_at, Some(now));
}

#[tokio::test]
async fn a_message_key_is_queued_once_however_often_it_is_sent() {
    let app = TestApp::new().await;
    let m = NewMessage {
        request_id: None,
        recipient_kind: "department".into(),
        recipient: "phed-larkana".into(),
        language: "en".into(),
        body: "overdue".into(),
        dedupe_key: "escalation:test:1".into(),
    };
    let now = app.clock_now();
    for _ in 0..3 {
        app.store()
            .queue_messages(std::slice::from_ref(&m), now)
            .await
            .unwrap();
    }
    let pending = app.store().pending_messages(0, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    app.store()
        .mark_message(pending[0].id, true, None, false, now)
        .await
        .unwrap();
    assert_eq!(
        app.store()
            .sent_since("phed-larkana", now - Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    assert!(app
        .store()
        .pending_messages(0, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_nearby_search_keeps_exactly_the_open_requests_within_the_radius() {
    let app = TestApp::new().await;
    let centre = stored(&app, &new_request("water-supply", 0.0), 5).await;
    let near = stored(&app, &new_request("water-supply", 240.0), 6).await;
    let _far = stored(&app, &new_request("water-supply", 260.0), 7).await;
    let _other = stored(&app, &new_request("roads", 10.0), 8).await;
    let since = app.clock_now() - Duration::days(1);
    let found = app
        .store()
        .nearby_open(
            "water-supply",
            centre.lat.unwrap(),
            centre.lon.unwrap(),
            250.0,
            since,
            centre.id,
        )
        .await
        .unwrap();
    let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![near.id]);
}

#[tokio::test]
async fn a_taken_username_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    let (cat, _) = crate::common::reference();
    let new = sahulat_domain::accounts::NewUser::new(
        &cat,
        "phed.larkana",
        "staff",
        None,
        Some("phed-larkana"),
        crate::common::PASSWORD,
    )
    .unwrap();
    let now = app.clock_now();
    app.store().create_user(&new, now).await.unwrap();
    match app.store().create_user(&new, now).await {
        Err(sahulat_domain::Error::Validation(f)) => assert!(f.contains_key("username")),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_sms_limit_counts_only_each_phones_own_messages_sent_within_the_window() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    let message = |recipient: &str, n: u32| NewMessage {
        request_id: None,
        recipient_kind: "citizen".into(),
        recipient: recipient.into(),
        language: "en".into(),
        body: "Your reference is 123456789".into(),
        dedupe_key: format!("limit-test:{recipient}:{n}"),
    };
    // (recipient, minutes before now it was sent; None: still pending)
    let plan = [
        ("+923001110001", Some(120)),
        ("+923001110001", Some(30)),
        ("+923001110001", Some(0)),
        ("+923001110002", Some(10)),
        ("+923001110003", None),
    ];
    let all: Vec<NewMessage> = (0u32..)
        .zip(plan)
        .map(|(n, (to, _))| message(to, n))
        .collect();
    app.store().queue_messages(&all, now).await.unwrap();
    let pending = app.store().pending_messages(0, 10).await.unwrap();
    assert_eq!(pending.len(), plan.len());
    for (m, (_, ago)) in pending.iter().zip(plan) {
        if let Some(minutes) = ago {
            let at = now - Duration::minutes(minutes);
            app.store()
                .mark_message(m.id, true, None, false, at)
                .await
                .unwrap();
        }
    }
    let asked: Vec<String> = [
        "+923001110001",
        "+923001110002",
        "+923001110003",
        "+923001110004",
    ]
    .map(String::from)
    .to_vec();
    let counts = app
        .store()
        .sent_counts(&asked, now - Duration::hours(1))
        .await
        .unwrap();
    let count = |to: &str| counts.get(to).copied();
    assert_eq!(
        count("+923001110001"),
        Some(2),
        "the one two hours ago is outside"
    );
    assert_eq!(count("+923001110002"), Some(1));
    assert_eq!(
        count("+923001110003"),
        Some(0),
        "a pending message is not sent"
    );
    assert_eq!(count("+923001110004"), Some(0), "a phone never sent to");
    assert_eq!(
        app.store()
            .sent_since("+923001110001", now - Duration::hours(1))
            .await
            .unwrap(),
        2
    );
}
