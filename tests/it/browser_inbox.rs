//! The staff inbox in a real browser (headless Chromium through `tests/browser/inbox_flow.py`):
//! an escalation reaches the department's engineer and the district coordinator, each sees the
//! unread count in the header, opens the ticket from the inbox and marks the message read, in
//! English and Urdu. Screenshots land in `target/screenshots/inbox-*.png`.

use crate::browser::browser_available;
use crate::common;

use chrono::Duration;
use common::{request_at, RecordingNotifier, TestApp, PASSWORD};
use std::process::Command;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_department_and_the_coordinator_each_find_the_escalation_in_their_inbox_in_chromium() {
    if !browser_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install the browser (.ci/run does)"
        );
        eprintln!("skipped: chromium, chromedriver or python selenium missing (see .ci/run)");
        return;
    }
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
    app.clock.set(r.ack_due_at.unwrap() + Duration::minutes(1));
    w.schedule_escalation().await.unwrap();
    w.run_until_idle().await.unwrap();
    for (name, role, district, dept) in [
        (
            "mc.larkana",
            "staff",
            None,
            Some("municipal-corporation-larkana"),
        ),
        ("dc.larkana", "coordinator", Some("PK713"), None),
    ] {
        let new = sahulat_domain::accounts::NewUser::new(
            &app.state.catalogue,
            name,
            role,
            district,
            dept,
            PASSWORD,
        )
        .unwrap();
        app.store()
            .create_user(&new, app.clock_now())
            .await
            .unwrap();
    }
    let addr = app.spawn_socket().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    let args = [
        root.join("tests/browser/inbox_flow.py")
            .to_string_lossy()
            .to_string(),
        format!("http://{addr}"),
        PASSWORD.into(),
        r.reference.clone(),
        shots.to_string_lossy().to_string(),
        // The engineer has the new-ticket message and the escalation; the coordinator's desk
        // the escalation only.
        "mc.larkana:2".into(),
        "dc.larkana:1".into(),
    ];
    let out =
        tokio::task::spawn_blocking(move || Command::new("python3").args(&args).output().unwrap())
            .await
            .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("ok"),
        "browser flow failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shot in [
        "inbox-mc.larkana.png",
        "inbox-dc.larkana.png",
        "inbox-dc.larkana-ur.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} saved");
    }
}
