//! The staff pages in a real browser: headless Chromium (Debian `chromium` + `chromium-driver`)
//! driven by `tests/browser/staff_flow.py` (Selenium) against a real socket. A staff member
//! signs in, sees only their department's tickets, acknowledges one and resolves it with a note;
//! the citizen's status page and the Open311 GET then show it, and a staff member of another
//! department gets 404 for it. Screenshots land in `target/screenshots/`. `.ci/run` installs the
//! browser; on a machine without it the test says so and fails under CI, skips otherwise.

use crate::common;

use common::{request_at, RecordingNotifier, TestApp, PASSWORD};
use std::process::Command;
use std::sync::Arc;

pub(crate) fn browser_available() -> bool {
    std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists()
        && Command::new("python3")
            .args(["-c", "import selenium"])
            .status()
            .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_resolves_a_ticket_in_headless_chromium_and_the_citizen_sees_it() {
    if !browser_available() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install chromium, chromium-driver and selenium (.ci/run does)"
        );
        eprintln!("skipped: chromium, chromedriver or python selenium missing (see .ci/run)");
        return;
    }
    let app = TestApp::new().await;
    let ours = app.triaged_larkana_water().await;
    let theirs = app
        .create(request_at(
            "electricity",
            27.56,
            68.21,
            "Transformer burnt near the bazaar",
            None,
        ))
        .await;
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    for (name, dept) in [
        ("phed.larkana", "phed-larkana"),
        ("sepco.larkana", "sepco-larkana"),
    ] {
        let new = sahulat_domain::accounts::NewUser::new(
            &app.state.catalogue,
            name,
            "staff",
            None,
            Some(dept),
            PASSWORD,
        )
        .unwrap();
        app.store()
            .create_user(&new, app.clock_now())
            .await
            .unwrap();
    }
    let addr = app.spawn_socket().await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/staff_flow.py");
    let base = format!("http://{addr}");
    let photo = app.media.path().join("upload-drain.jpg");
    let img = image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 180) as u8, 90])
    });
    img.save(&photo).unwrap();
    let args = [
        script.to_string_lossy().to_string(),
        base,
        "phed.larkana".into(),
        PASSWORD.into(),
        ours.clone(),
        theirs.reference.clone(),
        shots.to_string_lossy().to_string(),
        photo.to_string_lossy().to_string(),
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
        "queue.png",
        "ticket.png",
        "ticket-resolved.png",
        "queue-ur.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} saved");
    }
    let public = app.get(&format!("/api/v1/requests/{ours}")).await.json();
    assert_eq!(public["status"], "resolved");
    assert_eq!(public["photos"][0]["kind"], "staff", "{public}");
    assert!(
        public["updates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["status"] == "in_progress"
                && u["description"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))),
        "the template reached the Sindhi-speaking citizen in Sindhi: {public}"
    );
    let xml = app
        .get(&format!("/open311/v2/requests/{ours}.xml"))
        .await
        .text();
    assert!(xml.contains("<status>closed</status>"), "{xml}");
    let sepco = app
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"username": "sepco.larkana", "password": PASSWORD}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.authed(
            "GET",
            &format!("/api/v1/staff/tickets/{ours}"),
            &sepco,
            None
        )
        .await
        .status,
        404
    );
}
