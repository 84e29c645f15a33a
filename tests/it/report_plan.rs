//! `sahulat report plan --format html`: one self-contained printable document (no script,
//! nothing fetched) with a district's key figures, monthly chart and table, SDG view, ranked
//! needs, hotspot map and the sources and licences of its census figures and boundaries; in
//! Urdu and Sindhi right-to-left with every report text translated; several districts each on
//! their own printed page; small cells read "fewer than 5", never their count; a bad `--lang`
//! or `--district` is refused naming the flag and what it accepts. Real fixtures, real
//! database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`), the real binary.

use crate::common;

use common::{request_at, RecordingNotifier, TestApp, PLACES};
use sahulat_domain::i18n::{has_own, ids, text};
use sahulat_domain::lang::Lang;
use std::process::Command;
use std::sync::Arc;

/// `days` of simulated history from 2026-07-01, `per_day` requests a day in the four
/// districts, through the real intake and lifecycle.
fn simulate(app: &TestApp, days: &str, per_day: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .args(["simulate", "--days", days, "--requests-per-day", per_day])
        .args(["--seed", "11", "--from", "2026-07-01"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.db_url)
        .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run sahulat simulate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sahulat report plan` with `args`: (succeeded, stdout, stderr).
fn report(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .args(["report", "plan"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.db_url)
        .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
        .env("RUST_LOG", "warn")
        .env_remove("SAHULAT_MIN_CELL")
        .output()
        .expect("run sahulat report");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The report of 2026-07-01 to 07 as HTML for `district` with `extra` flags.
fn july_html(app: &TestApp, district: &str, extra: &[&str]) -> String {
    let mut args = vec!["--district", district];
    args.extend([
        "--from",
        "2026-07-01",
        "--to",
        "2026-07-07",
        "--format",
        "html",
    ]);
    args.extend(extra);
    let (ok, html, err) = report(app, &args);
    assert!(ok, "{err}");
    html
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the report"));
    let rest = &html[i..];
    &rest[..rest.find(end).map_or(rest.len(), |j| j + end.len())]
}

fn assert_self_contained(html: &str) {
    for banned in ["<script", " src=", "<link", "url(", "@import", "<iframe"] {
        assert!(!html.contains(banned), "the report has {banned}");
    }
}

#[tokio::test]
async fn a_district_report_is_one_printable_document_with_figures_chart_needs_map_and_sources() {
    let app = TestApp::new().await;
    simulate(&app, "7", "100");
    let html = july_html(&app, "Larkana", &[]);
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(
        html.contains("Larkana district (Sindh)"),
        "title names district and province"
    );
    assert!(
        html.contains("2026-07-01") && html.contains("2026-07-07"),
        "the window"
    );
    assert!(html.contains("@page") && html.contains("@media print"));
    assert_self_contained(&html);
    assert_eq!(html.matches("<section class=\"district\"").count(), 1);
    // Key figures, with the censoring statement and the census behind the rate.
    for id in [
        "received",
        "backlog",
        "days-resolve",
        "sla",
        "satisfied",
        "per-10k",
    ] {
        assert!(
            html.contains(&format!("id=\"kf-PK713-{id}\"")),
            "key figure {id}"
        );
    }
    let median = between(&html, "id=\"kf-PK713-days-resolve\"", "</tr>");
    assert!(
        median.contains("Kaplan") && median.contains("censored"),
        "{median}"
    );
    let rate = between(&html, "id=\"kf-PK713-per-10k\"", "</tr>");
    assert!(
        rate.contains("1,784,453") && rate.contains("census 2023"),
        "{rate}"
    );
    // Requests by month: the chart and its table.
    assert!(html.contains("<svg class=\"chart\""));
    assert!(between(&html, "<table class=\"months\">", "</table>").contains("2026-07"));
    assert!(html.contains("<table class=\"sdg\">") && html.contains("6.1.1"));
    // The ranked needs are the CLI's JSON needs, row for row.
    let (ok, json, err) = report(
        &app,
        &[
            "--district",
            "Larkana",
            "--from",
            "2026-07-01",
            "--to",
            "2026-07-07",
        ],
    );
    assert!(ok, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let needs = between(&html, "<table class=\"needs\">", "</table>");
    assert_eq!(
        needs.matches("<tr>").count() - 1,
        plan["needs"].as_array().unwrap().len(),
        "{needs}"
    );
    assert!(!plan["needs"].as_array().unwrap().is_empty());
    let first_tehsil = plan["needs"][0]["tehsil"].as_str().unwrap();
    let (cat, _) = common::reference();
    assert!(needs.contains(&cat.tehsil(first_tehsil).unwrap().names.en));
    // The hotspot map: Larkana's four tehsils drawn from the boundaries.
    let map = between(&html, "<div class=\"map\">", "</svg>");
    assert!(map.contains("aria-label=\"Larkana\""), "{map}");
    assert_eq!(map.matches("<path").count(), 4, "{map}");
    // Sources and licences.
    let sources = &html[html.find("Sources and licences").expect("sources section")..];
    assert!(sources.contains("Census population"));
    assert!(
        sources.contains("PBS Census-2023 Table 1"),
        "the census source is quoted"
    );
    assert!(sources.contains("geoBoundaries") && sources.contains("ODbL 1.0"));
    assert!(sources.contains("CC BY 3.0 IGO") && sources.contains("SOURCE.md"));
    assert!(sources.contains("CC BY 4.0"), "the open-data licence");
}

#[tokio::test]
async fn quetta_names_the_tehsils_whose_census_figures_are_not_comparable() {
    let app = TestApp::new().await;
    let html = july_html(&app, "PK226", &[]);
    let note = between(&html, "<p class=\"not-comparable\">", "</p>");
    assert!(
        note.contains("Quetta City") && note.contains("Quetta Saddar"),
        "{note}"
    );
    assert!(!note.contains("Panjpai"), "{note}");
    assert!(
        html.contains("BOUNDARY MISMATCH"),
        "the census source says why"
    );
    assert!(
        html.contains("No request was received in this period."),
        "an empty window says so"
    );
}

#[tokio::test]
async fn urdu_and_sindhi_reports_are_right_to_left_and_every_report_text_is_translated() {
    let added: Vec<String> = ids(Lang::En)
        .into_iter()
        .filter(|id| id.starts_with("rp-"))
        .collect();
    assert!(added.len() > 30, "{added:?}");
    for id in &added {
        for lang in [Lang::Ur, Lang::Sd] {
            assert!(has_own(lang, id), "{id} has no {lang:?} text");
            assert_ne!(
                text(lang, id, &[]),
                text(Lang::En, id, &[]),
                "{id} in {lang:?}"
            );
        }
    }
    let app = TestApp::new().await;
    simulate(&app, "3", "40");
    let (cat, _) = common::reference();
    let larkana = cat.district("PK713").unwrap();
    for lang in [Lang::Ur, Lang::Sd] {
        let html = july_html(&app, "Larkana", &["--lang", lang.code()]);
        assert!(
            html.contains(&format!("<html lang=\"{}\" dir=\"rtl\">", lang.code())),
            "{lang:?}"
        );
        assert_self_contained(&html);
        assert!(
            html.contains(larkana.names.get(lang)),
            "{lang:?} district name"
        );
        for id in [
            "rp-sources",
            "rp-census",
            "rp-how",
            "ev-key-figures",
            "ev-plan",
        ] {
            assert!(html.contains(&text(lang, id, &[])), "{id} in {lang:?}");
        }
        for english in [
            "Sources and licences",
            "How it is counted",
            "Key figures",
            "fewer than",
        ] {
            assert!(
                !html.contains(english),
                "{english:?} left in English ({lang:?})"
            );
        }
    }
}

#[tokio::test]
async fn several_districts_print_each_on_its_own_page() {
    let app = TestApp::new().await;
    simulate(&app, "3", "40");
    let html = july_html(&app, "Larkana,PK211", &[]);
    assert_eq!(html.matches("<section class=\"district\"").count(), 2);
    let (larkana, kech) = (
        html.find("id=\"district-PK713\"").unwrap(),
        html.find("id=\"district-PK211\"").unwrap(),
    );
    assert!(larkana < kech, "in the order given");
    assert!(html.contains("section.district+section.district{break-before:page"));
    assert!(html.contains("Kech district (Balochistan)"));
    assert_eq!(html.matches("<h2 class=\"sources\">").count(), 2);
    let repeated = july_html(&app, "Larkana", &["--district", "Kech"]);
    assert_eq!(repeated.matches("<section class=\"district\"").count(), 2);
    let all = july_html(&app, "all", &[]);
    assert_eq!(all.matches("<section class=\"district\"").count(), 4);
    let (ok, _, err) = report(
        &app,
        &[
            "--district",
            "Larkana,Kech",
            "--from",
            "2026-07-01",
            "--to",
            "2026-07-07",
        ],
    );
    assert!(!ok, "JSON is one district");
    assert!(err.contains("--district") && err.contains("html"), "{err}");
}

#[tokio::test]
async fn a_figure_on_fewer_than_five_requests_reads_fewer_than_five_never_its_count() {
    let app = TestApp::new().await;
    for (service, (lat, lon)) in [
        ("water-supply", PLACES[2]),
        ("roads", PLACES[3]),
        ("electricity", (PLACES[2].0 + 0.03, PLACES[2].1)),
    ] {
        app.create(request_at(service, lat, lon, "Reported in Kech", None))
            .await;
    }
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    let window = [
        "--district",
        "Kech",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "html",
    ];
    let (ok, html, err) = report(&app, &window);
    assert!(ok, "{err}");
    let received = between(&html, "id=\"kf-PK211-received\"", "</tr>");
    assert!(received.contains("<bdi>fewer than 5</bdi>"), "{received}");
    let months = between(&html, "<table class=\"months\">", "</table>");
    assert!(months.contains("fewer than 5"), "{months}");
    assert!(
        !html.contains("<bdi>3</bdi>"),
        "the count of 3 shows nowhere"
    );
    assert!(
        html.contains("3 tehsil and service groups of fewer than 5 requests are left out"),
        "the needs say what was left out"
    );
    // With exact figures (a threshold of 1) the same report shows the three requests.
    let mut exact = window.to_vec();
    exact.extend(["--min-cell", "1"]);
    let (ok, html, err) = report(&app, &exact);
    assert!(ok, "{err}");
    let received = between(&html, "id=\"kf-PK211-received\"", "</tr>");
    assert!(received.contains("<bdi>3</bdi>"), "{received}");
}

#[tokio::test]
async fn an_unknown_language_or_district_is_refused_naming_the_flag_and_what_is_accepted() {
    let app = TestApp::new().await;
    let window = [
        "--from",
        "2026-07-01",
        "--to",
        "2026-07-07",
        "--format",
        "html",
    ];
    let mut args = vec!["--district", "Larkana", "--lang", "fr"];
    args.extend(window);
    let (ok, out, err) = report(&app, &args);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("--lang") && err.contains("\"fr\"") && err.contains("en, ur, sd"),
        "{err}"
    );
    let mut args = vec!["--district", "Larkana,Mastung"];
    args.extend(window);
    let (ok, out, err) = report(&app, &args);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("--district") && err.contains("\"Mastung\""),
        "{err}"
    );
    assert!(
        err.contains("PK713 (Larkana)") && err.contains("PK211 (Kech)") && err.contains("all"),
        "{err}"
    );
}
