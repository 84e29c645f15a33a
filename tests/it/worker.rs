//! The worker end to end: triage of mixed requests across the four districts, duplicates,
//! category checks, routing fallbacks and SLA escalation over simulated days.

use crate::common;

use chrono::Duration;
use common::{request_at, RecordingNotifier, TestApp, PLACES, SERVICES};
use sahulat_domain::clock::Clock;
use sahulat_domain::routing;
use sahulat_domain::status::{Priority, Status};
use std::sync::Arc;

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
        staff
            .iter()
            .filter(|m| m.message.dedupe_key.starts_with("routed:"))
            .count(),
        1,
        "the department was told once of the new ticket: {staff:?}"
    );
    let staff: Vec<_> = staff
        .into_iter()
        .filter(|m| m.message.dedupe_key.starts_with("escalation:"))
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
async fn tickets_at_the_last_escalation_level_never_crowd_a_newer_late_ticket_out_of_the_sweep() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let old = triaged_street_light(&app, &w, 27.56, 68.21, "Street light out on our road").await;
    app.clock.set(
        old.sla_due_at.unwrap() + (old.sla_due_at.unwrap() - old.created_at) + Duration::days(1),
    );
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(app.reload(old.id).await.escalation_level, 3);
    let newer =
        triaged_street_light(&app, &w, 26.0, 63.05, "Street light out near the bazaar").await;
    app.clock
        .set(newer.ack_due_at.unwrap() + Duration::minutes(1));
    // A page of one: the old ticket at the last level is not in it.
    let page = app.store().overdue(app.clock.now(), 1).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![newer.id]
    );
}

#[tokio::test]
async fn a_ticket_waiting_at_its_level_never_crowds_a_newly_late_ticket_out_of_the_sweep() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let old = triaged_street_light(&app, &w, 27.56, 68.21, "Street light out on our road").await;
    let (due, span) = (
        old.sla_due_at.unwrap(),
        old.sla_due_at.unwrap() - old.created_at,
    );
    app.clock.set(due + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    assert_eq!(
        app.reload(old.id).await.escalation_level,
        2,
        "past its due time"
    );
    let newer =
        triaged_street_light(&app, &w, 26.0, 63.05, "Street light out near the bazaar").await;
    let now = newer.ack_due_at.unwrap() + Duration::minutes(1);
    assert!(
        now < due + span,
        "the old ticket is not due for level 3 yet"
    );
    app.clock.set(now);
    // A page of one: the old ticket waiting at level 2 is not in it, the newly late one is.
    let page = app.store().overdue(app.clock.now(), 1).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![newer.id]
    );
    // Once a further SLA period has passed, the old one is due again.
    app.clock.set(due + span + Duration::minutes(1));
    let page = app.store().overdue(app.clock.now(), 10).await.unwrap();
    assert!(page.iter().any(|r| r.id == old.id), "due for level 3");
}

#[tokio::test]
async fn a_sweep_writes_its_page_of_steps_at_once_and_skips_a_step_whose_ticket_moved_on() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let a = triaged_street_light(&app, &w, 27.56, 68.21, "Street light out on our road").await;
    let b = triaged_street_light(&app, &w, 26.0, 63.05, "Street light out near the bazaar").await;
    let now = a.ack_due_at.max(b.ack_due_at).unwrap() + Duration::minutes(1);
    let store = app.store();
    let steps: Vec<_> = store
        .overdue(now, 10)
        .await
        .unwrap()
        .iter()
        .filter_map(|r| sahulat_domain::escalation::decide(&app.state.catalogue, r, now))
        .collect();
    assert_eq!(steps.len(), 2, "both tickets are late: {steps:?}");
    // The first step is written alone first, so in the batch it is stale.
    assert!(store.escalate(&steps[0], now).await.unwrap());
    let written = store.escalate_many(&steps, now).await.unwrap();
    assert_eq!(written, vec![false, true]);
    for step in &steps {
        let r = app.reload(step.request_id).await;
        assert_eq!(r.escalation_level, 1, "each ticket escalated once");
        let history = store.history(r.id).await.unwrap();
        assert_eq!(
            history
                .iter()
                .filter(|h| h.entry.actor == "escalation")
                .count(),
            1,
            "one audit entry per step written"
        );
    }
    let told: Vec<_> = store
        .outbox(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.dedupe_key.starts_with("escalation:"))
        .map(|m| m.message.request_id)
        .collect();
    for step in &steps {
        assert_eq!(
            told.iter()
                .filter(|id| **id == Some(step.request_id))
                .count(),
            step.messages.len(),
            "each step's messages once: {told:?}"
        );
    }
}

/// A street-light report triaged by `w`, as stored afterwards (with its due times).
async fn triaged_street_light(
    app: &TestApp,
    w: &sahulat_worker::Worker,
    lat: f64,
    lon: f64,
    text: &str,
) -> sahulat_domain::request::ServiceRequest {
    let r = app
        .create(request_at("street-lights", lat, lon, text, None))
        .await;
    w.run_until_idle().await.unwrap();
    app.reload(r.id).await
}
