//! An innovative action's evaluation in a real browser (headless Chromium through
//! `tests/browser/action_flow.py`): an evaluator signs in, follows the action from the
//! dashboard's list, reads the six results, the charts and the checks, then the same page in
//! Urdu. Screenshots land in `target/screenshots/action-*.png`.

use crate::action_pages::night_crew_history;
use crate::browser::browser_available;
use crate::common;
use crate::evaluate_pages::session;

use common::{TestApp, PASSWORD};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluator_opens_an_actions_evaluation_in_english_and_urdu_in_chromium() {
    if !browser_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install the browser (.ci/run does)"
        );
        eprintln!("skipped: chromium, chromedriver or python selenium missing (see .ci/run)");
        return;
    }
    let app = TestApp::new().await;
    night_crew_history(&app);
    // The account is made here; the browser signs in with it.
    let _ = session(&app, "evaluator", "eval", None).await;
    let addr = app.spawn_socket().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    let args = [
        root.join("tests/browser/action_flow.py")
            .to_string_lossy()
            .to_string(),
        format!("http://{addr}"),
        "eval".into(),
        PASSWORD.into(),
        shots.to_string_lossy().to_string(),
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
    for shot in ["action-en.png", "action-ur.png"] {
        assert!(shots.join(shot).exists(), "{shot} saved");
    }
}
