//! The worker end to end: triage of mixed requests across the four districts, duplicates,
//! category checks, routing fallbacks, SLA escalation over simulated days, idempotent
//! handlers, and SMS delivery through a real HTTP gateway that fails and times out.

use crate::common;

use chrono::Duration;
use common::{request_at, RecordingNotifier, TestApp};
use sahulat_domain::routing;
use sahulat_domain::status::{Priority, Status};
use sahulat_worker::NotifyError;
use std::sync::Arc;

/// Points in the four pilot districts, far enough apart (> 1 km) not to be duplicates.
const PLACES: [(f64, f64); 10] = [
    (30.18, 66.99), // Quetta city
    (30.21, 67.02), // Quetta city, north
    (26.0, 63.05),  // Turbat
    (26.12, 62.37), // Tump
    (27.56, 68.21), // Larkana city
    (27.8, 68.29),  // Ratodero
    (27.26, 68.07), // Dokri
    (26.84, 68.12), // Naushahro Feroze
    (26.66, 68.0),  // Moro
    (27.06, 68.21), // Kandiaro
];
const SERVICES: [&str; 5] = [
    "water-supply",
    "sewerage-drainage",
    "solid-waste",
    "electricity",
    "roads",
];

#[tokio::test]
async fn fifty_mixed_requests_are_all_triaged_routed_and_confirmed_once() {
    let app = TestApp::new().await;
    let notifier = Arc::new(RecordingNotifier::default());
    let mut ids = Vec::new();
    for i in 0..50 {
        let (lat, lon) = PLACES[i % PLACES.len()];
        let service = SERVICES[(i / PLACES.len()) % SERVICES.len()];
        // Every 10th request repeats the previous one a few metres away: a duplicate.
        let (lat, lon, service) = if i % 10 == 9 {
            (
                PLACES[(i - 1) % 10].0 + 0.0002,
                PLACES[(i - 1) % 10].1,
                SERVICES[((i - 1) / 10) % 5],
            )
        } else {
            (lat, lon, service)
        };
        let phone = format!("0300{:07}", 1_000_000 + i);
        let r = app
            .create(request_at(
                service,
                lat,
                lon,
                "Problem reported by a resident for some days",
                Some(&phone),
            ))
            .await;
        ids.push(r.id);
        app.clock.advance(Duration::minutes(3));
    }
    let ran = app
        .worker_with(notifier.clone(), "w1")
        .run_until_idle()
        .await
        .unwrap();
    assert!(ran >= 50);
    let cat = app.state.catalogue.clone();
    let mut duplicates = 0;
    for id in &ids {
        let r = app.reload(*id).await;
        let history = app.store().history(r.id).await.unwrap();
        assert!(
            history.len() >= 3,
            "history of {}: {history:?}",
            r.reference
        );
        match r.status {
            Status::Open => {
                let expected =
                    routing::route(&cat, &r.district, r.tehsil.as_deref(), &r.service_code);
                assert_eq!(r.department, expected.department, "{}", r.reference);
                assert!(r.department.is_some());
                assert!(r.sla_due_at.unwrap() > r.created_at);
                assert!(r.ack_due_at.unwrap() <= r.sla_due_at.unwrap());
            }
            Status::Duplicate => {
                duplicates += 1;
                let original = app.reload(r.duplicate_of.unwrap()).await;
                assert_eq!(original.status, Status::Open);
                assert_eq!(original.reporters, 2);
                assert_eq!(r.department, original.department);
            }
            other => panic!("{} is {other}", r.reference),
        }
    }
    assert_eq!(duplicates, 5);
    let outbox = app.store().outbox(None, 1000).await.unwrap();
    let confirmations: Vec<_> = outbox
        .iter()
        .filter(|m| m.message.recipient_kind == "citizen")
        .collect();
    assert_eq!(confirmations.len(), 50, "one confirmation per reporter");
    assert!(confirmations.iter().all(|m| m.state == "sent"));
    assert_eq!(notifier.sent.lock().unwrap().len(), 50);
    let recipients: std::collections::BTreeSet<_> = confirmations
        .iter()
        .map(|m| m.message.recipient.clone())
        .collect();
    assert_eq!(recipients.len(), 50);
}

#[tokio::test]
async fn a_report_a_few_metres_from_an_open_one_becomes_its_duplicate_and_a_farther_one_is_only_linked(
) {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let first = app
        .create(request_at(
            "sewerage-drainage",
            27.56,
            68.21,
            "Gutter overflowing in our street",
            Some("03001111111"),
        ))
        .await;
    let near = app
        .create(request_at(
            "sewerage-drainage",
            27.5603,
            68.21,
            "Drain blocked and overflowing",
            Some("03002222222"),
        ))
        .await;
    let farther = app
        .create(request_at(
            "sewerage-drainage",
            27.5618,
            68.21,
            "Sewage standing near the mosque",
            None,
        ))
        .await;
    app.worker_with(n.clone(), "w")
        .run_until_idle()
        .await
        .unwrap();
    let near = app.reload(near.id).await;
    assert_eq!(near.status, Status::Duplicate);
    assert_eq!(near.duplicate_of, Some(first.id));
    assert_eq!(app.reload(first.id).await.reporters, 2);
    let farther = app.reload(farther.id).await;
    assert_eq!(
        farther.status,
        Status::Open,
        "about 200 m away: linked for review, not closed"
    );
    assert!(farther
        .triage_flags
        .iter()
        .any(|f| f == &format!("possible_duplicate:{}", first.reference)));
    let texts: Vec<String> = n.sent.lock().unwrap().iter().map(|m| m.1.clone()).collect();
    assert!(
        texts.iter().any(|t| t.contains("already reported as")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_request_filed_as_other_gets_the_category_its_text_makes_clear_and_a_mismatch_is_flagged()
{
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let other = app
        .create(request_at(
            "other",
            27.56,
            68.21,
            "Transformer burnt, no bijli for two days, load shedding all night",
            None,
        ))
        .await;
    let wrong = app
        .create(request_at(
            "roads",
            26.84,
            68.12,
            "Garbage not collected for a week, kachra everywhere, dustbin overflowing",
            None,
        ))
        .await;
    app.worker_with(n, "w").run_until_idle().await.unwrap();
    let other = app.reload(other.id).await;
    assert_eq!(other.service_code, "electricity");
    assert_eq!(other.filed_service_code.as_deref(), Some("other"));
    let wrong = app.reload(wrong.id).await;
    assert_eq!(wrong.service_code, "roads", "never silently moved");
    assert!(
        wrong
            .triage_flags
            .iter()
            .any(|f| f == "category_mismatch:solid-waste"),
        "{:?}",
        wrong.triage_flags
    );
}

#[tokio::test]
async fn hazards_and_facilities_raise_the_priority_with_the_reason_recorded() {
    let app = TestApp::new().await;
    let n = Arc::new(RecordingNotifier::default());
    let wire = app
        .create(request_at(
            "electricity",
            30.18,
            66.99,
            "Live wire hanging over the street after the storm, children play here",
            None,
        ))
        .await;
    let school = app
        .create(request_at(
            "school-facilities",
            27.56,
            68.21,
            "Roof of the classroom leaking badly",
            None,
        ))
        .await;
    app.worker_with(n, "w").run_until_idle().await.unwrap();
    let wire = app.reload(wire.id).await;
    assert_eq!(wire.priority, Priority::Urgent);
    let h = app.store().history(wire.id).await.unwrap();
    assert!(
        h.iter()
            .any(|e| e.entry.description.contains("priority urgent")
                && e.entry.description.contains("hazard")),
        "{h:?}"
    );
    assert!(app.reload(school.id).await.priority >= Priority::High);
}

#[tokio::test]
async fn a_service_without_a_routing_row_goes_to_the_coordinators_desk() {
    let app = TestApp::new().await;
    let cat = &app.state.catalogue;
    let routing: Vec<_> = cat
        .routing
        .iter()
        .filter(|r| !(r.district == "PK717" && r.service == "roads"))
        .cloned()
        .collect();
    let trimmed = sahulat_domain::catalogue::Catalogue::new(
        cat.provinces.clone(),
        cat.districts.clone(),
        cat.tehsils.clone(),
        cat.services.clone(),
        cat.departments.clone(),
        routing,
    )
    .unwrap();
    let mut w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    w.catalogue = Arc::new(trimmed);
    let r = app
        .create(request_at(
            "roads",
            26.84,
            68.12,
            "Road washed away by rain water",
            None,
        ))
        .await;
    w.run_until_idle().await.unwrap();
    let r = app.reload(r.id).await;
    assert_eq!(r.status, Status::Open);
    let coordinator = cat
        .departments
        .iter()
        .find(|d| d.district == "PK717" && d.coordinator)
        .unwrap();
    assert_eq!(r.department.as_deref(), Some(coordinator.code.as_str()));
    assert!(r.triage_flags.contains(&"unrouted".to_string()));
}

#[tokio::test]
async fn a_tehsil_chosen_on_a_feature_phone_is_routed_without_a_point() {
    let app = TestApp::new().await;
    let body = serde_json::json!({"service_code": "water-supply", "description": "Pani nahi aa raha 3 din se", "tehsil": "PK22601"});
    let r = app.create(body).await;
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    let r = app.reload(r.id).await;
    assert_eq!(r.status, Status::Open);
    let expected = routing::route(
        &app.state.catalogue,
        "PK226",
        Some("PK22601"),
        "water-supply",
    );
    assert_eq!(r.department, expected.department);
}

#[tokio::test]
async fn overdue_tickets_escalate_once_per_missed_deadline_over_simulated_days() {
    let app = TestApp::new().await;
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
    let (ack, due) = (r.ack_due_at.unwrap(), r.sla_due_at.unwrap());
    let p0 = r.priority;
    let sweep = || async {
        w.schedule_escalation().await.unwrap();
        w.run_until_idle().await.unwrap();
    };
    sweep().await;
    assert_eq!(
        app.reload(r.id).await.escalation_level,
        0,
        "nothing is late yet"
    );
    app.clock.set(ack + Duration::minutes(1));
    sweep().await;
    sweep().await; // a second sweep at the same time changes nothing
    let r1 = app.reload(r.id).await;
    assert_eq!(r1.escalation_level, 1);
    assert!(r1.priority > p0);
    app.clock.set(due + Duration::hours(1));
    sweep().await;
    let r2 = app.reload(r.id).await;
    assert_eq!(r2.escalation_level, 2);
    app.clock
        .set(due + (due - r.created_at) + Duration::days(1));
    sweep().await;
    sweep().await;
    assert_eq!(app.reload(r.id).await.escalation_level, 3);
    let staff: Vec<_> = app
        .store()
        .outbox(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.recipient_kind != "citizen")
        .collect();
    assert_eq!(
        staff.len(),
        6,
        "department and coordinator, once per level: {staff:?}"
    );
    let history = app.store().history(r.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|h| h.entry.actor == "escalation")
            .count(),
        3
    );
}

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
async fn a_failing_job_is_retried_then_kept_as_failed_and_can_be_retried_by_an_admin() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let now = app.clock_now();
    let id = app
        .store()
        .enqueue("no-such-kind", &serde_json::json!({}), now, false, now)
        .await
        .unwrap()
        .unwrap();
    for _ in 0..20 {
        w.run_until_idle().await.unwrap();
        app.clock.advance(Duration::hours(2));
    }
    let failed = app.store().jobs("failed", 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, id);
    assert!(failed[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("unknown job kind"));
    assert!(app.store().retry_failed(id, app.clock_now()).await.unwrap());
    assert_eq!(
        app.store()
            .jobs("queued", 10)
            .await
            .unwrap()
            .iter()
            .filter(|j| j.id == id)
            .count(),
        1
    );
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_a_live_one_is_not() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    app.store()
        .enqueue(
            "triage",
            &serde_json::json!({"request_id": 0}),
            now,
            false,
            now,
        )
        .await
        .unwrap();
    let a = app
        .store()
        .claim("a", 10, Duration::seconds(60), now)
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    assert!(app
        .store()
        .claim("b", 10, Duration::seconds(60), now + Duration::seconds(30))
        .await
        .unwrap()
        .is_empty());
    let b = app
        .store()
        .claim("b", 10, Duration::seconds(60), now + Duration::seconds(61))
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert!(
        !app.store()
            .complete(a[0].id, "a", now + Duration::seconds(62))
            .await
            .unwrap(),
        "a lost its lease"
    );
    assert!(app
        .store()
        .complete(b[0].id, "b", now + Duration::seconds(62))
        .await
        .unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_never_hand_one_job_to_two_workers() {
    let app = Arc::new(TestApp::new().await);
    let now = app.clock_now();
    for i in 0..200 {
        app.store()
            .enqueue(
                "triage",
                &serde_json::json!({"request_id": i}),
                now,
                false,
                now,
            )
            .await
            .unwrap();
    }
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let jobs = app
                        .store()
                        .claim(&format!("w{w}"), 3, Duration::seconds(60), now)
                        .await
                        .unwrap();
                    if jobs.is_empty() {
                        break mine;
                    }
                    mine.extend(jobs.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: std::collections::BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200);
    assert_eq!(distinct.len(), 200, "no job claimed twice");
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
    for m in app.store().outbox(None, 100).await.unwrap() {
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
