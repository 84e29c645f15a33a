//! The evidence dashboard in a real browser (headless Chromium through
//! `tests/browser/evaluate_flow.py`): an evaluator signs in, lands on the dashboard, reads the
//! figures, the chart and the SDG view, picks Larkana for its needs and hotspot map, in English
//! and Urdu. Screenshots land in `target/screenshots/evaluate-*.png`.

use crate::browser::browser_available;
use crate::common;
use crate::evaluate_pages::history;

use common::{TestApp, PASSWORD};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluator_reads_the_dashboard_and_the_plan_with_its_hotspot_map_in_chromium() {
    if !browser_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install the browser (.ci/run does)"
        );
        eprintln!("skipped: chromium, chromedriver or python selenium missing (see .ci/run)");
        return;
    }
    let app = TestApp::new().await;
    history(&app).await;
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        "eval",
        "evaluator",
        None,
        None,
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let addr = app.spawn_socket().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    let args = [
        root.join("tests/browser/evaluate_flow.py")
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
    for shot in [
        "evaluate-all-en.png",
        "evaluate-larkana-en.png",
        "evaluate-larkana-ur.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} saved");
    }
}
