//! The evaluator's dashboard `/evaluate`: key figures, the monthly chart with its table and
//! CSV, the SDG view, and for one district the ranked needs and the hotspot map; in English and
//! right-to-left Urdu; small cells suppressed for evaluators; nothing personal on the page;
//! another district refused to a coordinator. Runs on SQLite and PostgreSQL.

use crate::common;

use common::pages::{get_with, sign_in};
use common::{request_at, RecordingNotifier, TestApp, PASSWORD};
use std::sync::Arc;

/// Eight drain reports around one corner of Larkana city and one in Quetta, triaged.
pub async fn history(app: &TestApp) {
    for i in 0..8 {
        let d = f64::from(i) * 0.0002;
        app.create(request_at(
            "sewerage-drainage",
            27.5612 + d,
            68.2113 - d,
            &format!("Sewage on the road at house {i}"),
            Some("0300 5550001"),
        ))
        .await;
    }
    app.create(request_at(
        "roads",
        30.18,
        66.99,
        "Pothole near the chowk",
        None,
    ))
    .await;
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::hours(2));
}

/// A page session for a new account of `role`.
pub(crate) async fn session(
    app: &TestApp,
    role: &str,
    name: &str,
    district: Option<&str>,
) -> String {
    let new = sahulat_domain::accounts::NewUser::new(
        &app.state.catalogue,
        name,
        role,
        district,
        None,
        PASSWORD,
    )
    .unwrap();
    app.store()
        .create_user(&new, app.clock_now())
        .await
        .unwrap();
    let res = sign_in(app, name, PASSWORD, "").await;
    assert_eq!(res.status, 303, "{}", res.text());
    let cookie = common::pages::set_cookie(&res, "sahulat_session").unwrap();
    if role == "evaluator" {
        assert_eq!(
            res.header("location"),
            "/evaluate",
            "an evaluator starts on the dashboard"
        );
    }
    format!("sahulat_session={cookie}")
}

#[tokio::test]
async fn an_evaluator_sees_figures_chart_sdg_view_needs_and_hotspots_in_english_and_urdu() {
    let app = TestApp::new().await;
    history(&app).await;
    let cookie = session(&app, "evaluator", "eval", None).await;
    let all = get_with(&app, "/evaluate?lang=en", &cookie).await;
    assert_eq!(all.status, 200, "{}", all.text());
    let html = all.text();
    assert!(
        html.contains("id=\"tiles\"") && html.contains("<svg class=\"chart\""),
        "{html}"
    );
    assert!(html.contains("id=\"sdg\"") && html.contains("6.2") && html.contains("6.2.1"));
    assert!(
        html.contains("Choose one district"),
        "no plan without one district"
    );
    // Quetta's single report is a small cell, Larkana's eight are not.
    let larkana = get_with(&app, "/evaluate?lang=en&district=PK713", &cookie).await;
    assert_eq!(larkana.status, 200);
    let html = larkana.text();
    assert!(
        html.contains("id=\"needs\"") && html.contains("Sewer or drain blocked"),
        "{html}"
    );
    assert!(
        html.contains("id=\"hotspot-map\"") && html.contains("<circle"),
        "{html}"
    );
    let quetta = get_with(&app, "/evaluate?lang=en&district=PK226", &cookie)
        .await
        .text();
    assert!(quetta.contains("fewer than 5"), "{quetta}");
    for page in [&html, &quetta] {
        for secret in ["5550001", "Sewage on the road", "Pothole", "27.5612"] {
            assert!(!page.contains(secret), "{secret} on the dashboard");
        }
    }
    let urdu = get_with(&app, "/evaluate?lang=ur&district=PK713", &cookie)
        .await
        .text();
    assert!(urdu.contains("dir=\"rtl\"") && urdu.contains("مقامی منصوبوں کے لیے شواہد"));
    let csv = get_with(
        &app,
        "/evaluate/summary.csv?district=PK713&by=month",
        &cookie,
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.text().starts_with("month,population,per_10k,received"),
        "{}",
        csv.text()
    );
}

#[tokio::test]
async fn a_coordinator_sees_exact_figures_of_their_district_and_not_another() {
    let app = TestApp::new().await;
    history(&app).await;
    let cookie = session(&app, "coordinator", "dc.quetta", Some("PK226")).await;
    let own = get_with(&app, "/evaluate", &cookie).await.text();
    assert!(!own.contains("fewer than"), "coordinators see exact counts");
    let other = get_with(&app, "/evaluate?district=PK713", &cookie).await;
    assert_eq!(other.status, 403);
    let anonymous = app.get("/evaluate").await;
    assert!(
        matches!(anonymous.status.as_u16(), 303 | 401),
        "{}",
        anonymous.status
    );
}

#[tokio::test]
async fn the_sdg_view_shows_the_change_against_the_window_before() {
    let app = TestApp::new().await;
    for i in 0..4 {
        app.create(request_at(
            "sewerage-drainage",
            27.56 + f64::from(i) * 0.01,
            68.21,
            "Drain blocked",
            None,
        ))
        .await;
    }
    app.clock.advance(chrono::Duration::days(91));
    history(&app).await;
    let cookie = session(&app, "coordinator", "dc.larkana", Some("PK713")).await;
    let html = get_with(&app, "/evaluate?lang=en", &cookie).await.text();
    let sdg = &html[html.find("id=\"sdg\"").unwrap()..];
    let row = &sdg[sdg.find("<bdi>6.2</bdi>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    // Eight drain reports now against four in the 90 days before: +100 %.
    assert!(
        row.contains("<bdi>8</bdi>") && row.contains("<bdi>100%</bdi>"),
        "{row}"
    );
}
