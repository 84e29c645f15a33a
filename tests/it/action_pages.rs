//! An innovative action's evaluation as people read it: listed on `/evaluate`, its page
//! `/evaluate/actions/{id}` (estimates, intervals, the n behind them, the chart of both groups
//! around the start, the checks, the readings) in English and right-to-left Urdu, its CSV for
//! page users, out-of-reach and not-yet-run actions, and the printable
//! `sahulat report action --format html`. Nothing personal on any of them. Both backends.

use crate::actions::sahulat;
use crate::common;
use crate::evaluate_pages::session;

use common::pages::get_with;
use common::TestApp;

/// Six weeks of simulated Larkana-and-more history with a known effect, and the night crew
/// registered from the CLI: its id.
pub(crate) fn night_crew_history(app: &TestApp) -> i64 {
    let (ok, _, err) = sahulat(
        app,
        &[
            "simulate",
            "--days",
            "42",
            "--requests-per-day",
            "50",
            "--seed",
            "9",
            "--from",
            "2026-06-01",
            "--effect",
            "PK71303+PK71304:2026-06-22:days_to_resolve:-3",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = sahulat(
        app,
        &[
            "action",
            "create",
            "--title",
            "Night sewer-cleaning crew",
            "--district",
            "Larkana",
            "--tehsils",
            "PK71303,PK71304",
            "--start",
            "2026-06-22",
            "--end",
            "2026-07-12",
            "--budget-pkr",
            "2400000",
        ],
    );
    assert!(ok, "{err}");
    out.trim().parse().expect(&out)
}

/// No phone number, no name, no street-level description on a page or export. The sign-out
/// form's CSRF token is random hex and may hold a run of ten digits by chance, so its value is
/// blanked before the scan (it is the reader's own session secret, not anyone's data).
fn nothing_personal(page: &str) {
    let scanned = without_csrf_value(page);
    let phone = regex_lite_phone(&scanned);
    assert!(
        phone.is_none(),
        "a phone number {phone:?} on an evaluator's page: {scanned}"
    );
    for secret in ["House", "Mohalla", "street near"] {
        assert!(!page.contains(secret), "{secret:?} on an evaluator's page");
    }
}

/// The page with every `name="csrf" value="…"` value emptied.
fn without_csrf_value(page: &str) -> String {
    const FIELD: &str = "name=\"csrf\" value=\"";
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(i) = rest.find(FIELD) {
        out.push_str(&rest[..i + FIELD.len()]);
        rest = &rest[i + FIELD.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        assert!(
            rest[..end].chars().all(|c| c.is_ascii_hexdigit()),
            "the CSRF token is hex: {}",
            &rest[..end]
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The first run of 10 or more digits (a Pakistani mobile number is 11; `92…` 12), if any.
fn regex_lite_phone(page: &str) -> Option<String> {
    let mut run = String::new();
    for c in page.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            if run.len() >= 10 {
                return Some(run);
            }
            run.clear();
        }
    }
    None
}

#[tokio::test]
async fn an_evaluator_reads_an_actions_evaluation_on_its_page_in_english_and_urdu_and_downloads_it()
{
    let app = TestApp::new().await;
    let id = night_crew_history(&app);
    let cookie = session(&app, "evaluator", "eval", None).await;

    let dash = get_with(&app, "/evaluate?lang=en", &cookie).await.text();
    assert!(
        dash.contains(&format!(
            "href=\"/evaluate/actions/{id}?lang=en\">Night sewer-cleaning crew</a>"
        )),
        "the dashboard lists the action: {dash}"
    );

    let res = get_with(&app, &format!("/evaluate/actions/{id}?lang=en"), &cookie).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let page = res.text();
    for kpi in [
        "requests_per_10k",
        "mean_days_to_resolve",
        "median_days_to_resolve",
        "sla_compliance",
        "reopen_rate",
        "satisfied_share",
    ] {
        assert!(page.contains(&format!("id=\"row-{kpi}\"")), "{kpi} row");
        assert!(
            page.contains(&format!("<section class=\"kpi\" id=\"{kpi}\">")),
            "{kpi} section"
        );
    }
    assert_eq!(page.matches("<svg class=\"chart series\"").count(), 6);
    assert!(page.contains("<polyline class=\"treated\"") && page.contains("class=\"start\""));
    assert!(
        page.contains("Pre-trend check:") && page.contains("Placebo:"),
        "both checks"
    );
    // Two action tehsils: the fallback interval and its warning are on the page.
    assert!(
        page.contains("requests resampled within each tehsil"),
        "{page}"
    );
    assert!(
        page.contains("Only 2 action and"),
        "the too-few-tehsils warning"
    );
    assert!(page.contains("<bdi>2026-06-22</bdi>") && page.contains("<td>Larkana</td>"));
    assert!(!page.contains("<script"), "no script on the page");
    nothing_personal(&page);

    let urdu = get_with(&app, &format!("/evaluate/actions/{id}?lang=ur"), &cookie)
        .await
        .text();
    assert!(urdu.contains("dir=\"rtl\""), "Urdu is right to left");
    assert!(
        urdu.contains("حل ہونے کا اوسط وقت") && urdu.contains("تقابلی تحصیلیں"),
        "{urdu}"
    );
    let sindhi = get_with(&app, &format!("/evaluate/actions/{id}?lang=sd"), &cookie)
        .await
        .text();
    assert!(sindhi.contains("dir=\"rtl\"") && sindhi.contains("ڀيٽ واريون تحصيلون"));

    let csv = get_with(
        &app,
        &format!("/evaluate/actions/{id}/evaluation.csv?lang=en"),
        &cookie,
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv
        .text()
        .starts_with("kpi,estimate,ci_low,ci_high,n_treated,n_comparison"));
    assert_eq!(csv.text().lines().count(), 7);
    nothing_personal(&csv.text());

    // Windows out of range: the page says so and shows the default windows.
    let odd = get_with(
        &app,
        &format!("/evaluate/actions/{id}?lang=en&baseline_days=3"),
        &cookie,
    )
    .await;
    assert_eq!(odd.status, 200);
    assert!(odd.text().contains("Windows must be 7 to 730 days long"));
    let shorter = get_with(
        &app,
        &format!("/evaluate/actions/{id}?lang=en&baseline_days=14"),
        &cookie,
    )
    .await
    .text();
    assert!(
        shorter.contains("Baseline: <bdi>2026-06-08 to 2026-06-21</bdi>"),
        "{shorter}"
    );
}

#[tokio::test]
async fn an_action_out_of_reach_is_not_found_and_one_not_yet_run_says_when_to_come_back() {
    let app = TestApp::new().await;
    let id = night_crew_history(&app);
    let kech = session(&app, "coordinator", "coord.kech", Some("PK211")).await;
    let res = get_with(&app, &format!("/evaluate/actions/{id}?lang=en"), &kech).await;
    assert_eq!(res.status, 404);
    assert!(res.text().contains("No such action in your reach."));
    assert!(!res.text().contains("Night sewer-cleaning crew"));
    let csv = get_with(
        &app,
        &format!("/evaluate/actions/{id}/evaluation.csv"),
        &kech,
    )
    .await;
    assert_eq!(csv.status, 404);
    let dash = get_with(&app, "/evaluate?lang=en&district=PK211", &kech)
        .await
        .text();
    assert!(dash.contains("No innovative action is registered in your reach yet."));
    let anonymous = app.get(&format!("/evaluate/actions/{id}")).await;
    assert_ne!(anonymous.status, 200, "signed-out visitors see nothing");

    let start = (app.clock_now() + chrono::Duration::days(3))
        .date_naive()
        .to_string();
    let (ok, out, err) = sahulat(
        &app,
        &[
            "action",
            "create",
            "--title",
            "WhatsApp tanker roster",
            "--district",
            "Kech",
            "--tehsils",
            "PK21101",
            "--start",
            &start,
        ],
    );
    assert!(ok, "{err}");
    let desk: i64 = out.trim().parse().expect(&out);
    let eval = session(&app, "evaluator", "eval", None).await;
    let page = get_with(&app, &format!("/evaluate/actions/{desk}?lang=en"), &eval).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains(&format!("starts on {start}")),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn the_printable_action_report_is_one_self_contained_page_in_each_language() {
    let app = TestApp::new().await;
    let id = night_crew_history(&app);
    for (lang, dir, word) in [
        ("en", "ltr", "Comparison tehsils"),
        ("ur", "rtl", "تقابلی تحصیلیں"),
        ("sd", "rtl", "ڀيٽ واريون تحصيلون"),
    ] {
        let (ok, html, err) = sahulat(
            &app,
            &[
                "report",
                "action",
                "--id",
                &id.to_string(),
                "--format",
                "html",
                "--lang",
                lang,
            ],
        );
        assert!(ok, "{err}");
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")));
        assert!(html.contains("@media print") && html.contains(word));
        assert_eq!(html.matches("<section class=\"kpi\"").count(), 6);
        assert_eq!(html.matches("<svg class=\"chart series\"").count(), 6);
        for outside in ["<script", "src=\"http", "href=\"http", "<link"] {
            assert!(
                !html.contains(outside),
                "{outside}: the report fetches nothing"
            );
        }
        assert!(html.contains("id=\"results\""));
        nothing_personal(&html);
    }
}
