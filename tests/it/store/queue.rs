//! The job queue: leases, claims that never overlap, retries with a limit, failing for good.

use crate::common::{RecordingNotifier, TestApp};
use chrono::Duration;
use sahulat_store::JobFate;
use std::sync::Arc;

#[tokio::test]
async fn a_job_the_worker_cannot_read_fails_at_once_and_can_be_retried_by_an_admin() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let now = app.clock_now();
    let id = app
        .store()
        .enqueue("no-such-kind", &serde_json::json!({}), now, false, now)
        .await
        .unwrap()
        .unwrap();
    w.run_until_idle().await.unwrap();
    let failed = app.store().jobs("failed", 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, id);
    assert_eq!(failed[0].attempts, 1, "not retried: it would never run");
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

#[tokio::test]
async fn a_second_notify_waits_while_one_runs_so_two_workers_never_send_the_same_sms_twice() {
    let app = TestApp::new().await;
    let store = app.store();
    let now = app.clock_now();
    let lease = Duration::seconds(60);
    let nothing = serde_json::json!({});
    let notify = |at| store.enqueue("notify", &nothing, at, true, at);
    notify(now)
        .await
        .unwrap()
        .expect("the first notify is queued");
    let a = store.claim("a", 10, lease, now).await.unwrap();
    assert_eq!(a.len(), 1, "worker a runs the first notify");
    // New messages queue a second notify while the first runs; triage work arrives too.
    notify(now)
        .await
        .unwrap()
        .expect("a second notify is queued");
    let triage = store
        .enqueue(
            "triage",
            &serde_json::json!({"request_id": 1}),
            now,
            false,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let b = store.claim("b", 10, lease, now).await.unwrap();
    let kinds: Vec<&str> = b.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["triage"],
        "b takes the triage job, not the second notify"
    );
    assert!(store.complete(a[0].id, "a", now).await.unwrap());
    let b = store.claim("b", 10, lease, now).await.unwrap();
    let kinds: Vec<&str> = b.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["notify"],
        "the second notify runs once the first is done"
    );
    // A notify whose worker died (lease expired) holds nobody back: c takes it over with the
    // expired triage job and the notify queued meanwhile.
    let third = notify(now)
        .await
        .unwrap()
        .expect("a third notify is queued");
    let later = now + Duration::seconds(61);
    let c = store.claim("c", 10, lease, later).await.unwrap();
    let ids: Vec<i64> = c.iter().map(|j| j.id).collect();
    assert_eq!(ids, [b[0].id, triage, third], "{c:?}");
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
async fn a_triage_job_without_its_request_id_fails_at_once_naming_what_is_missing() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let now = app.clock_now();
    app.store()
        .enqueue("triage", &serde_json::json!({"id": 3}), now, false, now)
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    let failed = app.store().jobs("failed", 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 1);
    let e = failed[0].last_error.clone().unwrap();
    assert!(e.contains("request_id"), "{e}");
}

#[tokio::test]
async fn a_failure_is_retried_until_the_tries_run_out_then_kept_as_failed() {
    let app = TestApp::new().await;
    let mut now = app.clock_now();
    app.store()
        .enqueue("notify", &serde_json::json!({}), now, false, now)
        .await
        .unwrap();
    let mut fates = Vec::new();
    for _ in 0..20 {
        let jobs = app
            .store()
            .claim("w", 1, Duration::seconds(60), now)
            .await
            .unwrap();
        let Some(job) = jobs.first() else { break };
        let retry = now + Duration::seconds(5);
        fates.push(
            app.store()
                .fail(job.id, "w", "gateway down", Some(retry), now)
                .await
                .unwrap(),
        );
        now = retry + Duration::seconds(1);
    }
    assert_eq!(fates.len(), sahulat_store::DEFAULT_MAX_ATTEMPTS as usize);
    assert!(fates[..fates.len() - 1]
        .iter()
        .all(|f| *f == JobFate::Retrying));
    assert_eq!(fates.last(), Some(&JobFate::Failed));
    let failed = app.store().jobs("failed", 10).await.unwrap();
    assert_eq!(failed[0].last_error.as_deref(), Some("gateway down"));
}

#[tokio::test]
async fn a_failure_without_a_retry_time_fails_for_good_and_a_stranger_cannot_fail_a_held_job() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    app.store()
        .enqueue("escalate", &serde_json::json!({}), now, false, now)
        .await
        .unwrap();
    let job = app
        .store()
        .claim("a", 1, Duration::seconds(60), now)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        app.store()
            .fail(job.id, "b", "not mine", None, now)
            .await
            .unwrap(),
        JobFate::LeaseLost
    );
    assert_eq!(
        app.store()
            .fail(job.id, "a", "cannot be read", None, now)
            .await
            .unwrap(),
        JobFate::Failed
    );
    assert!(app
        .store()
        .claim("a", 1, Duration::seconds(60), now + Duration::hours(2))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_unique_job_is_queued_once_while_one_waits() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    let first = app
        .store()
        .enqueue("escalate", &serde_json::json!({}), now, true, now)
        .await
        .unwrap();
    let second = app
        .store()
        .enqueue("escalate", &serde_json::json!({}), now, true, now)
        .await
        .unwrap();
    assert!(first.is_some() && second.is_none());
    let counts = app.store().job_counts().await.unwrap();
    let queued: i64 = counts
        .iter()
        .filter(|c| c.kind == "escalate" && c.state == "queued")
        .map(|c| c.count)
        .sum();
    assert_eq!(queued, 1);
}
