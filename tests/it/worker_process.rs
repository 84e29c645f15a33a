//! Real `sahulat worker` processes against the test database: one killed with SIGKILL while
//! holding a lease loses nothing (another process re-claims the job when the lease expires),
//! and SIGTERM lets a worker finish the job in hand before it exits.

use crate::common;

use common::{request_at, TestApp};
use sahulat_domain::status::Status;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn_worker(app: &TestApp, triage_delay_ms: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .arg("worker")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.db_url)
        .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
        .env("SAHULAT_JOB_LEASE_SECS", "2")
        .env("SAHULAT_POLL_MS", "50")
        .env("SAHULAT_TEST_TRIAGE_DELAY_MS", triage_delay_ms.to_string())
        .env("RUST_LOG", "warn")
        .env_remove("SAHULAT_SMS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sahulat worker")
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_worker_killed_with_sigkill_mid_job_loses_nothing() {
    let app = TestApp::new().await;
    let r = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water for two days in Sachal colony",
            Some("03001231234"),
        ))
        .await;
    let mut slow = spawn_worker(&app, 60_000);
    wait_for("the first worker to hold the triage job", || async {
        app.store()
            .jobs("running", 10)
            .await
            .unwrap()
            .iter()
            .any(|j| j.kind == "triage")
    })
    .await;
    slow.kill().unwrap(); // SIGKILL
    slow.wait().unwrap();
    assert_eq!(
        app.reload(r.id).await.status,
        Status::Submitted,
        "nothing written by the killed worker"
    );

    let mut fresh = spawn_worker(&app, 0);
    wait_for(
        "the second worker to triage the request after the lease expired",
        || async { app.reload(r.id).await.status == Status::Open },
    )
    .await;
    wait_for("the confirmation SMS to be delivered", || async {
        app.store()
            .outbox(Some("sent"), 10)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.message.recipient_kind == "citizen")
            .count()
            == 1
    })
    .await;
    fresh.kill().unwrap();
    fresh.wait().unwrap();
    let history = app.store().history(r.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|h| h.entry.description.starts_with("priority"))
            .count(),
        1,
        "triaged exactly once"
    );
    let triage = app
        .store()
        .jobs("done", 10)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.kind == "triage")
        .unwrap();
    assert_eq!(
        triage.attempts, 2,
        "claimed by the killed worker, then re-claimed"
    );
}

#[tokio::test]
async fn sigterm_lets_a_worker_finish_the_job_in_hand() {
    let app = TestApp::new().await;
    let r = app
        .create(request_at(
            "roads",
            26.84,
            68.12,
            "Road broken near the bazaar",
            None,
        ))
        .await;
    let mut w = spawn_worker(&app, 1_500);
    wait_for("the worker to hold the triage job", || async {
        app.store()
            .jobs("running", 10)
            .await
            .unwrap()
            .iter()
            .any(|j| j.kind == "triage")
    })
    .await;
    let status = Command::new("kill")
        .args(["-TERM", &w.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = w.wait().unwrap();
    assert!(exit.success(), "clean exit: {exit:?}");
    assert_eq!(
        app.reload(r.id).await.status,
        Status::Open,
        "the job in hand was finished"
    );
}

#[tokio::test]
async fn the_jobs_command_shows_queue_depth_and_retries_a_failed_job() {
    let app = TestApp::new().await;
    app.create(request_at(
        "roads",
        26.84,
        68.12,
        "Road broken near the bazaar",
        None,
    ))
    .await;
    let now = app.clock_now();
    let id = app
        .store()
        .enqueue("bogus", &serde_json::json!({}), now, false, now)
        .await
        .unwrap()
        .unwrap();
    let w = app.worker_with(
        std::sync::Arc::new(common::RecordingNotifier::default()),
        "w",
    );
    for _ in 0..12 {
        w.run_until_idle().await.unwrap();
        app.clock.advance(chrono::Duration::hours(2));
    }
    let run = |args: &[&str]| {
        let (ok, stdout, _) = app.cli(args);
        (ok, stdout)
    };
    let (ok, text) = run(&["jobs"]);
    assert!(ok, "{text}");
    assert!(text.contains("triage") && text.contains("done"), "{text}");
    assert!(
        text.contains("failed jobs") && text.contains("unknown job kind"),
        "{text}"
    );
    let (ok, text) = run(&["jobs", "retry", &id.to_string()]);
    assert!(ok && text.contains("queued again"), "{text}");
    let (ok, _) = run(&["jobs", "retry", &id.to_string()]);
    assert!(!ok, "only a failed job can be retried");
}

#[tokio::test]
async fn a_worker_batch_outside_1_to_512_stops_the_worker_with_the_variable_named() {
    let app = TestApp::new().await;
    for (value, why) in [
        ("0", "between 1 and 512"),
        ("513", "between 1 and 512"),
        ("lots", "not a valid number"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sahulat"))
            .arg("worker")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", &app.db_url)
            .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
            .env("SAHULAT_WORKER_BATCH", value)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run sahulat worker");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{value}: the worker started");
        assert!(
            stderr.contains("SAHULAT_WORKER_BATCH") && stderr.contains(why),
            "{value}: {stderr}"
        );
    }
}
