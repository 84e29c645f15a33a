//! The citizen pages in a real browser: headless Chromium driven by
//! `tests/browser/citizen_flow.py` (Selenium) against a real socket, with JavaScript off and on,
//! in English and Urdu, a worker running beside it; axe-core (npm package `axe-core`, found at
//! `AXE_CORE` or `target/npm/node_modules/axe-core/axe.min.js`, which `.ci/run` installs)
//! checks every citizen page in three languages. Screenshots land in `target/screenshots/`.

use crate::browser::browser_available;
use crate::common::{request_at, RecordingNotifier, TestApp};
use crate::web::jpeg_taken_at;
use sahulat_domain::status::{Channel, Status};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

fn axe_core() -> Option<PathBuf> {
    let p = std::env::var("AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/npm/node_modules/axe-core/axe.min.js")
        });
    p.exists().then_some(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_reports_tracks_reopens_and_rates_in_headless_chromium_with_and_without_javascript(
) {
    let axe = axe_core();
    if !browser_available() || axe.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install chromium, chromium-driver, selenium and axe-core (.ci/run does)"
        );
        eprintln!("skipped: chromium, chromedriver, selenium or axe-core missing (see .ci/run)");
        return;
    }
    // A tap on a 320-pixel district map is good to a few hundred metres: widen "nearby".
    let settings = sahulat_api::Settings {
        duplicate_radius_m: 1500.0,
        ..Default::default()
    };
    let app = TestApp::with_settings(settings).await;
    let near = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water in Sachal Colony since Friday",
            Some("0300 1111111"),
        ))
        .await;
    let admin = app.signed_in("admin", "admin.test", None, None).await;
    let mut worker = app.worker_with(Arc::new(RecordingNotifier::default()), "browser");
    worker.config.poll = std::time::Duration::from_millis(50);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(async move { worker.run(stopped).await });
    let photo = app.media.path().join("taken-in-larkana.jpg");
    std::fs::write(&photo, jpeg_taken_at(27.5612, 68.2087)).unwrap();
    let addr = app.spawn_socket().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    let args = [
        root.join("tests/browser/citizen_flow.py")
            .to_string_lossy()
            .to_string(),
        format!("http://{addr}"),
        shots.to_string_lossy().to_string(),
        photo.to_string_lossy().to_string(),
        axe.unwrap().to_string_lossy().to_string(),
        admin,
        near.reference.clone(),
        "27.56".into(),
        "68.21".into(),
    ];
    let out =
        tokio::task::spawn_blocking(move || Command::new("python3").args(&args).output().unwrap())
            .await
            .unwrap();
    let _ = stop.send(true);
    let _ = running.await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && stdout.trim_end().ends_with("ok"),
        "browser flow failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let axe_line = stdout
        .lines()
        .find(|l| l.starts_with("axe-core: 12 pages"))
        .unwrap_or_else(|| panic!("axe-core checked the 12 pages: {stdout}"));
    eprintln!("{axe_line}");
    let created = |kind: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("created {kind} ")))
            .unwrap_or_else(|| panic!("no {kind} report in {stdout}"))
            .to_string()
    };
    let load = |r: String| {
        let app = &app;
        async move { app.store().request_by_reference(&r).await.unwrap().unwrap() }
    };
    let tehsil = load(created("tehsil")).await;
    assert_eq!(tehsil.channel, Channel::Web);
    assert_eq!(
        (tehsil.tehsil.as_deref(), tehsil.lat),
        (Some("PK71303"), None)
    );
    assert_eq!(
        tehsil.status,
        Status::Resolved,
        "resolved, reopened, resolved"
    );
    let ratings = app.store().ratings(tehsil.id).await.unwrap();
    assert_eq!(ratings.len(), 1);
    assert_eq!(ratings[0].rating, 4);
    let tapped = load(created("map")).await;
    assert_eq!(tapped.district, "PK713");
    assert!(tapped.lat.is_some());
    let photographed = load(created("photo")).await;
    assert_eq!(photographed.language.code(), "ur");
    assert!(
        (photographed.lat.unwrap() - 27.5612).abs() < 1e-4,
        "the photo's place"
    );
    assert_eq!(app.store().photos(photographed.id).await.unwrap().len(), 1);
    assert_eq!(app.reload(near.id).await.reporters, 2, "the voice counted");
    for page in [
        "report-en-nojs",
        "done-en-nojs",
        "map-en-nojs",
        "report-ur",
        "done-ur",
        "track-en",
        "track-ur",
        "list-sd",
        "report-sd",
        "track-sd",
    ] {
        assert!(
            shots.join(format!("citizen-{page}.png")).exists(),
            "{page} screenshot"
        );
    }
}
