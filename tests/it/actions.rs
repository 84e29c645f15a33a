//! Innovative actions end to end: registered by a coordinator for their district only, listed
//! and read within each account's reach, and evaluated over a simulated history with a known
//! injected effect — through the API (JSON and CSV, small cells suppressed for evaluators) and
//! the CLI (`sahulat action create|list`, `sahulat report action`). Both backends.

use crate::common;

use common::TestApp;
use serde_json::{json, Value};
use std::process::Command;

/// Runs the `sahulat` binary against the test's database: (success, stdout, stderr).
pub(crate) fn sahulat(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.db_url)
        .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run sahulat");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn night_crew(district: &str) -> Value {
    json!({
        "title": "Night sewer-cleaning crew",
        "district": district,
        "tehsils": ["PK71303", "PK71304"],
        "start": "2026-07-15",
        "services": ["sewerage-drainage"],
        "budget_pkr": 2_400_000,
    })
}

#[tokio::test]
async fn a_coordinator_registers_actions_of_their_district_and_each_account_sees_its_reach() {
    let app = TestApp::new().await;
    let larkana = app
        .signed_in("coordinator", "coord.larkana", Some("PK713"), None)
        .await;
    let kech = app
        .signed_in("coordinator", "coord.kech", Some("PK211"), None)
        .await;
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let evaluator = app.signed_in("evaluator", "eval", None, None).await;

    let res = app
        .authed(
            "POST",
            "/api/v1/actions",
            &larkana,
            Some(night_crew("Larkana")),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.json()["district"], "PK713");
    assert_eq!(res.json()["created_by"], "coord.larkana");

    let res = app
        .authed(
            "POST",
            "/api/v1/actions",
            &kech,
            Some(night_crew("Larkana")),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let res = app
        .authed(
            "POST",
            "/api/v1/actions",
            &staff,
            Some(night_crew("Larkana")),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());

    let mut bad = night_crew("Larkana");
    bad["tehsils"] = json!(["PK22601"]);
    bad["start"] = json!("15/07/2026");
    let res = app
        .authed("POST", "/api/v1/actions", &larkana, Some(bad))
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let fields = &res.json()["error"]["fields"];
    assert!(
        fields["tehsils"].as_str().unwrap().contains("PK71303"),
        "{fields}"
    );
    assert!(
        fields["start"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{fields}"
    );

    let listed = |token: String| {
        let app = &app;
        async move {
            let res = app.authed("GET", "/api/v1/actions", &token, None).await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.json().as_array().unwrap().len()
        }
    };
    assert_eq!(listed(evaluator.clone()).await, 1);
    assert_eq!(listed(larkana.clone()).await, 1);
    assert_eq!(listed(kech.clone()).await, 0);
    let res = app
        .authed("GET", &format!("/api/v1/actions/{id}"), &kech, None)
        .await;
    assert_eq!(res.status, 404, "{}", res.text());
    let res = app
        .authed("GET", &format!("/api/v1/actions/{id}"), &evaluator, None)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["tehsils"], json!(["PK71303", "PK71304"]));
}

#[tokio::test]
async fn an_action_is_evaluated_on_every_key_figure_from_the_api_and_the_cli() {
    let app = TestApp::new().await;
    let (ok, _, err) = sahulat(
        &app,
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
    assert!(err.contains("true effect on the touched requests"), "{err}");
    let (ok, out, err) = sahulat(
        &app,
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
        ],
    );
    assert!(ok, "{err}");
    let id: i64 = out.trim().parse().expect(&out);
    let (ok, out, _) = sahulat(&app, &["action", "list", "--district", "PK713"]);
    assert!(
        ok && out.starts_with(&format!(
            "{id}\tPK713\t2026-06-22\t2026-07-12\tPK71303,PK71304\t"
        )),
        "{out}"
    );

    let evaluator = app.signed_in("evaluator", "eval", None, None).await;
    let res = app
        .authed(
            "GET",
            &format!("/api/v1/actions/{id}/evaluation?lang=ur"),
            &evaluator,
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let e = res.json();
    assert_eq!(e["treated"], json!(["PK71303", "PK71304"]));
    // The history ends on 2026-07-12: outcomes are read up to there, not up to today (a
    // request the simulation left open was not "unanswered for months").
    let as_of = e["as_of"].as_str().unwrap();
    assert!(("2026-07-12".."2026-07-14").contains(&as_of), "{as_of}");
    assert_eq!(e["comparison"].as_array().unwrap().len(), 18);
    let results = e["results"].as_array().unwrap();
    let kpis: Vec<&str> = results.iter().map(|r| r["kpi"].as_str().unwrap()).collect();
    assert_eq!(
        kpis,
        [
            "requests_per_10k",
            "mean_days_to_resolve",
            "median_days_to_resolve",
            "sla_compliance",
            "reopen_rate",
            "satisfied_share"
        ]
    );
    for r in results {
        for field in [
            "estimate",
            "ci_low",
            "ci_high",
            "n_treated",
            "n_comparison",
            "warnings",
            "reading",
            "series",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
        // Two action tehsils: the interval falls back to resampling requests, and says so.
        assert!(
            r["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "too_few_tehsils"),
            "{r}"
        );
        assert!(
            r["reading"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "Urdu: {r}"
        );
    }
    let csv = app
        .authed(
            "GET",
            &format!("/api/v1/actions/{id}/evaluation?format=csv"),
            &evaluator,
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.text().lines().count(), 7, "{}", csv.text());

    let (ok, out, err) = sahulat(
        &app,
        &[
            "report",
            "action",
            "--id",
            &id.to_string(),
            "--format",
            "json",
        ],
    );
    assert!(ok, "{err}");
    let cli: Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(cli["results"].as_array().unwrap().len(), 6);
    let (ok, _, err) = sahulat(
        &app,
        &["report", "action", "--id", "999", "--format", "json"],
    );
    assert!(!ok && err.contains("--id 999: no such action"), "{err}");
    let (ok, _, err) = sahulat(
        &app,
        &[
            "report",
            "action",
            "--id",
            &id.to_string(),
            "--format",
            "pdf",
        ],
    );
    assert!(!ok && err.contains("accepted: json, csv, html"), "{err}");
}

#[tokio::test]
async fn an_evaluator_sees_fewer_than_five_where_an_admin_sees_the_count() {
    let app = TestApp::new().await;
    // Three requests in the action's tehsil before and after its start: too few to show.
    for (i, day) in [3, 5, 29].iter().enumerate() {
        app.clock
            .set(common::t0() - chrono::Duration::days(30 - day));
        let phone = format!("0300{:07}", 4_000_000 + i);
        app.create(common::request_at(
            "sewerage-drainage",
            27.56,
            68.21,
            "Drain blocked in our street",
            Some(&phone),
        ))
        .await;
    }
    app.clock.set(common::t0());
    let admin = app.signed_in("admin", "root", None, None).await;
    let evaluator = app.signed_in("evaluator", "eval", None, None).await;
    let mut body = night_crew("PK713");
    body["start"] = json!((common::t0() - chrono::Duration::days(15))
        .date_naive()
        .to_string());
    let res = app
        .authed("POST", "/api/v1/actions", &admin, Some(body))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let n = |token: String| {
        let app = &app;
        async move {
            let res = app
                .authed(
                    "GET",
                    &format!("/api/v1/actions/{id}/evaluation"),
                    &token,
                    None,
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.json()["results"][0]["n_treated"].clone()
        }
    };
    assert_eq!(n(evaluator).await, json!("fewer than 5"));
    assert!(n(admin)
        .await
        .as_u64()
        .is_some_and(|v| (1..=3).contains(&v)));
}
