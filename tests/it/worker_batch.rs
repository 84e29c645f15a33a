//! Triage in batches decides exactly what the same jobs decide one at a time: the same
//! statuses, duplicates, priorities, departments, flags, history and messages — including a
//! report whose original is triaged earlier in the same batch, or in the batch before, which
//! is still being written while this one is decided (the worker's pipeline).

use crate::common;

use chrono::Duration;
use common::{reference_data, request_at, RecordingNotifier, TestApp, PLACES, SERVICES};
use sahulat_domain::clock::Clock;
use sahulat_domain::status::Status;
use sahulat_worker::{Worker, WorkerConfig};
use std::sync::Arc;

/// What triage made of each report, with references replaced by the report's position.
async fn triaged(batch: u32) -> (Vec<String>, usize) {
    let app = TestApp::new().await;
    let mut made = Vec::new();
    for i in 0..40 {
        let (lat, lon) = PLACES[i % PLACES.len()];
        // Every fourth report repeats an earlier one a few metres away, and the words of a
        // few make the category or the priority change.
        let (lat, service) = if i % 4 == 3 {
            (
                lat + 0.0002,
                SERVICES[((i - 3) / PLACES.len()) % SERVICES.len()],
            )
        } else {
            (lat, SERVICES[(i / PLACES.len()) % SERVICES.len()])
        };
        let text = if i % 7 == 0 {
            "Live wire fallen near the school gate, children at risk"
        } else {
            "Problem reported by a resident for some days"
        };
        let phone = format!("0301{:07}", 2_000_000 + i);
        made.push(
            app.create(request_at(service, lat, lon, text, Some(&phone)))
                .await,
        );
        app.clock.advance(Duration::minutes(2));
    }
    // Six reports of one blocked drain on one spot: the first is the original, the others its
    // duplicates, so none of them counts as an open report nearby for the next (with batches of
    // 2 or 3 the previous batch's duplicates are not yet written when the next is decided).
    for i in 0..6 {
        let phone = format!("0301{:07}", 2_100_000 + i);
        made.push(
            app.create(request_at(
                "sewerage-drainage",
                26.0 + 0.00001 * i as f64,
                63.05,
                "Gutter overflowing in our street",
                Some(&phone),
            ))
            .await,
        );
        app.clock.advance(Duration::minutes(1));
    }
    let worker = Worker::new(
        app.state.store.clone(),
        reference_data(),
        app.clock.clone(),
        Arc::new(RecordingNotifier::default()),
        WorkerConfig {
            batch,
            ..WorkerConfig::default()
        },
        "w".into(),
    );
    let ran = worker.run_until_idle().await.unwrap();
    let refs: Vec<String> = made.iter().map(|r| r.reference.clone()).collect();
    let plain = |s: String| {
        refs.iter().enumerate().fold(s, |s, (i, r)| {
            s.replace(r.as_str(), &format!("#{i}")).replace(
                &format!("{} {} {}", &r[..3], &r[3..6], &r[6..]),
                &format!("#{i}"),
            )
        })
    };
    let mut seen = Vec::new();
    for r in &made {
        let t = app.reload(r.id).await;
        let history: Vec<String> = app
            .store()
            .history(r.id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| format!("{}:{}", h.entry.status, h.entry.description))
            .collect();
        seen.push(plain(format!(
            "{} {} dup={:?} {} {:?} reporters={} flags={:?} history={history:?}",
            t.service_code,
            t.status,
            t.duplicate_of.map(|d| d - made[0].id),
            t.priority,
            t.department,
            t.reporters,
            t.triage_flags,
        )));
    }
    let mut outbox: Vec<String> = app
        .store()
        .outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            plain(format!(
                "{} {} {} {}",
                m.message.recipient_kind, m.message.recipient, m.state, m.message.body
            ))
        })
        .collect();
    outbox.sort();
    seen.extend(outbox);
    assert!(app.store().jobs("running", 10).await.unwrap().is_empty());
    assert!(app.store().jobs("failed", 10).await.unwrap().is_empty());
    (seen, ran)
}

#[tokio::test]
async fn a_batch_of_triage_jobs_decides_what_the_jobs_decide_one_at_a_time() {
    let (one_by_one, _) = triaged(1).await;
    assert!(
        one_by_one
            .iter()
            .any(|s| s.contains(&Status::Duplicate.to_string())),
        "the reports include duplicates: {one_by_one:#?}"
    );
    // 64: one batch. 2 and 3: many, pipelined, with originals (three reports earlier) in the
    // batch before, decided but not yet written when the next one is decided.
    for size in [64, 3, 2] {
        let (batched, _) = triaged(size).await;
        assert_eq!(one_by_one.len(), batched.len());
        for (a, b) in one_by_one.iter().zip(&batched) {
            assert_eq!(a, b, "batches of {size}");
        }
    }
}

#[tokio::test]
async fn a_batch_of_resolved_jobs_tells_every_reporter_once_and_a_repeat_tells_no_one_again() {
    let app = TestApp::new().await;
    let notifier = Arc::new(RecordingNotifier::default());
    let worker = app.worker_with(notifier.clone(), "w");
    // Two water requests in Larkana (one with a duplicate from a neighbour), one in Turbat.
    let mut made = Vec::new();
    for (i, (lat, lon)) in [(27.56, 68.21), (27.5602, 68.21), (26.0, 63.05)]
        .into_iter()
        .enumerate()
    {
        let phone = format!("0302{:07}", 3_000_000 + i);
        made.push(
            app.create(request_at(
                "water-supply",
                lat,
                lon,
                "No water in our street",
                Some(&phone),
            ))
            .await,
        );
    }
    worker.run_until_idle().await.unwrap();
    assert_eq!(app.reload(made[1].id).await.status, Status::Duplicate);
    let staff = |dept: &'static str, name: &'static str| {
        let app = &app;
        async move { app.signed_in("staff", name, None, Some(dept)).await }
    };
    let larkana = staff("phed-larkana", "phed.larkana").await;
    let kech = staff("phed-kech", "phed.kech").await;
    for (r, token) in [(&made[0], &larkana), (&made[2], &kech)] {
        let res = app
            .authed(
                "POST",
                &format!("/api/v1/staff/tickets/{}/actions", r.reference),
                token,
                Some(serde_json::json!({"action": "resolve", "note": "Valve replaced"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    worker.run_until_idle().await.unwrap();
    let told = resolved(&app).await;
    assert_eq!(
        told.len(),
        3,
        "both Larkana reporters and the Turbat one: {told:?}"
    );
    assert!(told.iter().all(|(_, state)| state == "sent"), "{told:?}");
    // The same two jobs again (a retry after a lost lease): nothing new is queued.
    for r in [&made[0], &made[2]] {
        let task = sahulat_domain::jobs::Task::Resolved { request_id: r.id };
        app.store()
            .enqueue(
                task.kind(),
                &task.payload(),
                app.clock.now(),
                false,
                app.clock.now(),
            )
            .await
            .unwrap();
    }
    worker.run_until_idle().await.unwrap();
    assert_eq!(resolved(&app).await.len(), 3);
    assert!(app.store().jobs("failed", 10).await.unwrap().is_empty());
}

async fn resolved(app: &TestApp) -> Vec<(String, String)> {
    app.store()
        .outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.dedupe_key.starts_with("resolved:"))
        .map(|m| (m.message.recipient, m.state))
        .collect()
}
