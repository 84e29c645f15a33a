//! The daily retention job and the operator's figures in `/metrics`: finished jobs, SMS to
//! citizens and other short-lived records older than the retention period go, the staff inbox
//! and the requests stay, and photo files no row points at are swept once a day old. `/metrics`
//! counts the queue, the outbox, the requests and open escalations from the database, and
//! passes `promtool check metrics` when promtool is installed. Both backends.

use crate::common;

use common::{RecordingNotifier, TestApp};
use std::sync::Arc;

fn count(g: &sahulat_store::Gauges, kind: &str, state: &str) -> i64 {
    g.outbox
        .iter()
        .filter(|(k, s, _)| k == kind && s == state)
        .map(|(_, _, n)| n)
        .sum()
}

fn jobs(g: &sahulat_store::Gauges, kind: &str, state: &str) -> i64 {
    g.jobs
        .iter()
        .filter(|j| j.kind == kind && j.state == state)
        .map(|j| j.count)
        .sum()
}

#[tokio::test]
async fn retention_prunes_old_jobs_and_citizen_sms_keeps_the_staff_inbox_and_sweeps_old_orphan_photos(
) {
    let app = TestApp::new().await;
    app.resolved_larkana_water().await;
    let mut w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    w.config.media_dir = app.media.path().to_path_buf();
    w.run_until_idle().await.unwrap();
    let before = app.store().gauges().await.unwrap();
    assert!(jobs(&before, "triage", "done") >= 1, "{before:?}");
    let citizen_sent = count(&before, "citizen", "sent");
    let staff = count(&before, "department", "pending") + count(&before, "department", "sent");
    assert!(citizen_sent >= 2, "acknowledged and resolved: {before:?}");
    assert!(staff >= 1, "the department was told: {before:?}");

    let dir = app.media.path().join("ff");
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("ff00000000000000000000000000dead.jpg");
    let new = dir.join("ff00000000000000000000000000beef.jpg");
    for f in [&old, &new] {
        std::fs::write(f, b"not a row's file").unwrap();
    }
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();

    // Within the retention period nothing goes.
    w.schedule_retention().await.unwrap();
    w.run_until_idle().await.unwrap();
    let same = app.store().gauges().await.unwrap();
    assert_eq!(count(&same, "citizen", "sent"), citizen_sent);
    assert!(!old.exists(), "an orphan file a day old is swept");
    assert!(new.exists(), "a file just written is never swept");

    app.clock.advance(chrono::Duration::days(91));
    w.schedule_retention().await.unwrap();
    w.run_until_idle().await.unwrap();
    let after = app.store().gauges().await.unwrap();
    assert_eq!(count(&after, "citizen", "sent"), 0, "{after:?}");
    assert_eq!(
        count(&after, "department", "pending") + count(&after, "department", "sent"),
        staff,
        "the staff inbox stays"
    );
    assert_eq!(jobs(&after, "triage", "done"), 0, "{after:?}");
    assert_eq!(
        app.store().count_requests().await.unwrap(),
        1,
        "requests stay"
    );
}

#[tokio::test]
async fn metrics_count_the_queue_the_outbox_the_requests_and_escalations_from_the_database() {
    sahulat_api::prometheus();
    let app = TestApp::new().await;
    app.triaged_larkana_water().await;
    let text = app.get("/metrics").await.text();
    for line in [
        "sahulat_jobs{kind=\"triage\",state=\"done\"} 1",
        "sahulat_requests_stored{channel=\"api\",district=\"PK713\"} 1",
        "sahulat_database_up 1",
        "# TYPE sahulat_outbox_messages gauge",
        "sahulat_outbox_messages{recipient_kind=\"citizen\",state=\"sent\"} 1",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    let promtool = std::process::Command::new("promtool")
        .arg("--version")
        .output();
    if promtool.is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install promtool (Debian prometheus; .ci/run does)"
        );
        eprintln!("skipped the promtool check: promtool is not installed");
        return;
    }
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
