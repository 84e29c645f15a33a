//! Evidence in the API: `GET /api/v1/summaries` counts what the lifecycle wrote (first
//! response, closing, reopen, ratings), evaluators see every pilot district with small cells
//! suppressed and nothing personal, coordinators their own district exactly, and bad
//! parameters are refused naming the field. Runs on SQLite and PostgreSQL.

use crate::common;

use chrono::Duration;
use common::{request_at, RecordingNotifier, TestApp, PLACES};
use serde_json::{json, Value};
use std::sync::Arc;

/// Six water reports in Larkana (one resolved the next day, then reopened by its reporter)
/// and one in Quetta, triaged.
async fn history(app: &TestApp) -> String {
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let mut larkana = Vec::new();
    for (i, (lat, lon)) in PLACES[4..7].iter().enumerate() {
        for j in 0..2 {
            let r = app
                .create(request_at(
                    "water-supply",
                    lat + f64::from(j as u8) * 0.02,
                    *lon,
                    &format!("No water in lane {i}{j}"),
                    Some("0300 7654321"),
                ))
                .await;
            larkana.push(r.reference);
        }
    }
    app.create(request_at(
        "roads",
        PLACES[0].0,
        PLACES[0].1,
        "Pothole",
        None,
    ))
    .await;
    w.run_until_idle().await.unwrap();
    app.clock.advance(Duration::hours(30));
    let staff = app
        .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
        .await;
    let first = larkana[0].clone();
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{first}/actions"),
            &staff,
            Some(json!({"action": "resolve", "note": "Valve replaced"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    app.clock.advance(Duration::hours(2));
    let res = app
        .post_json(
            &format!("/api/v1/requests/{first}/reopen"),
            &json!({"phone": "0300 7654321", "reason": "Still no water"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    first
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .authed("GET", &format!("/api/v1/summaries{query}"), token, None)
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

fn row<'a>(body: &'a Value, key: &str, value: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row {key}={value} in {body}"))
}

#[tokio::test]
async fn an_evaluator_sees_every_pilot_district_with_small_cells_suppressed() {
    let app = TestApp::new().await;
    history(&app).await;
    let eval = app.signed_in("evaluator", "eval", None, None).await;
    let body = summary(&app, &eval, "?by=district").await;
    assert_eq!(body["min_cell"], 5);
    let larkana = row(&body, "district", "PK713");
    assert_eq!(larkana["received"], 6);
    assert_eq!(larkana["population"], 1_784_453);
    let rate = larkana["per_10k"].as_f64().unwrap();
    assert!((rate - 6.0 * 10_000.0 / 1_784_453.0).abs() < 1e-9, "{rate}");
    let quetta = row(&body, "district", "PK226");
    assert_eq!(quetta["received"], "fewer than 5");
    assert_eq!(quetta["per_10k"], "fewer than 5");
    assert_eq!(quetta["backlog_at_end"], "fewer than 5");
    // One reopen among the one request closed: a share built on one request, suppressed.
    assert_eq!(larkana["reopen_rate"], "fewer than 5");
    let text = serde_json::to_string(&body).unwrap();
    for secret in ["7654321", "No water in lane", "Pothole", "27.5", "68.2"] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
}

#[tokio::test]
async fn a_coordinator_sees_exact_figures_of_their_district_and_no_other() {
    let app = TestApp::new().await;
    let reopened = history(&app).await;
    let coord = app
        .signed_in("coordinator", "dc.larkana", Some("PK713"), None)
        .await;
    let body = summary(&app, &coord, "?by=district").await;
    assert_eq!(body["min_cell"], Value::Null);
    assert_eq!(body["rows"].as_array().unwrap().len(), 1, "{body}");
    let larkana = row(&body, "district", "PK713");
    assert_eq!(larkana["received"], 6);
    assert_eq!(
        larkana["reopen_rate"], 1.0,
        "the one closed request was reopened"
    );
    // The department responded (resolved) 30 hours after the report: the first response
    // stays recorded though the reopen cleared the acknowledgement.
    assert_eq!(larkana["acknowledge_n"], 6);
    assert_eq!(larkana["acknowledge_censored"], 5);
    assert_eq!(
        larkana["resolve_censored"], 6,
        "reopened: open again, so censored"
    );
    assert_eq!(larkana["backlog_at_end"], 6);
    assert_eq!(larkana["share_open"], 1.0);
    let res = app
        .authed("GET", "/api/v1/summaries?district=Quetta", &coord, None)
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert!(res.text().contains("PK713"), "{}", res.text());
    let stored = app
        .store()
        .request_by_reference(&reopened)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status.as_str(), "open");
}

#[tokio::test]
async fn the_csv_has_a_header_and_the_same_counts_as_the_json() {
    let app = TestApp::new().await;
    history(&app).await;
    let admin = app.signed_in("admin", "root", None, None).await;
    let json = summary(&app, &admin, "?by=district,service").await;
    let res = app
        .authed(
            "GET",
            "/api/v1/summaries?by=district,service&format=csv",
            &admin,
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").starts_with("text/csv"));
    let text = res.text();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "district");
    assert_eq!(&headers[1], "service");
    let received = headers.iter().position(|h| h == "received").unwrap();
    let mut total_csv = 0;
    for rec in reader.records() {
        total_csv += rec.unwrap()[received].parse::<u64>().unwrap();
    }
    let total_json: u64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["received"].as_u64().unwrap())
        .sum();
    assert_eq!((total_csv, total_json), (7, 7));
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_field_and_strangers_are_not_let_in() {
    let app = TestApp::new().await;
    let eval = app.signed_in("evaluator", "eval", None, None).await;
    for (query, field, accepted) in [
        ("?by=colour", "by", "quarter"),
        ("?district=Karachi", "district", "PK713"),
        ("?from=last-monday", "from", "YYYY-MM-DD"),
        ("?from=2026-02-01&to=2026-01-01", "from", "on or before"),
        ("?sdg=99.9", "sdg", "6.1"),
        ("?format=xlsx", "format", "csv"),
    ] {
        let res = app
            .authed("GET", &format!("/api/v1/summaries{query}"), &eval, None)
            .await;
        assert_eq!(res.status, 400, "{query}: {}", res.text());
        let err = res.json();
        let said = err["error"]["fields"][field]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(said.contains(accepted), "{query}: {err}");
    }
    let res = app.get("/api/v1/summaries").await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn the_plan_input_ranks_needs_and_finds_the_hotspot_with_rounded_centroid_only() {
    let app = TestApp::new().await;
    // Seven drain reports within about 150 m of one corner of Larkana city, one far away.
    for i in 0..7 {
        let d = f64::from(i) * 0.0002;
        app.create(request_at(
            "sewerage-drainage",
            27.5612 + d,
            68.2113 - d,
            &format!("Drain overflowing, house {i}"),
            Some("0300 1112223"),
        ))
        .await;
    }
    app.create(request_at("roads", 27.8, 68.29, "Broken road", None))
        .await;
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    app.clock.advance(Duration::hours(1));
    let eval = app.signed_in("evaluator", "eval", None, None).await;
    let res = app
        .authed(
            "GET",
            "/api/v1/plan?district=Larkana&radius_m=200",
            &eval,
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["district"], "PK713");
    let needs = body["needs"].as_array().unwrap();
    assert_eq!(needs.len(), 1, "{body}");
    assert_eq!(needs[0]["rank"], 1);
    assert_eq!(needs[0]["tehsil"], "PK71303");
    assert_eq!(needs[0]["service"], "sewerage-drainage");
    assert_eq!(needs[0]["received"], 7);
    assert_eq!(needs[0]["sdg_targets"], json!(["6.2", "6.3"]));
    assert_eq!(
        body["suppressed_groups"], 1,
        "the one road report is not listed"
    );
    let spots = body["hotspots"].as_array().unwrap();
    assert_eq!(spots.len(), 1, "{body}");
    assert_eq!(spots[0]["count"], 7);
    assert_eq!(spots[0]["tehsil"], "PK71303");
    let lat = spots[0]["lat"].as_f64().unwrap();
    assert_eq!(lat, (lat * 1000.0).round() / 1000.0, "rounded to ~100 m");
    assert!((lat - 27.562).abs() < 0.002, "{lat}");
    let text = res.text();
    for secret in ["1112223", "Drain overflowing", "27.5612"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let quetta = app
        .signed_in("coordinator", "dc.quetta", Some("PK226"), None)
        .await;
    let res = app
        .authed("GET", "/api/v1/plan?district=PK713", &quetta, None)
        .await;
    assert_eq!(res.status, 403);
    let res = app.authed("GET", "/api/v1/plan", &eval, None).await;
    assert_eq!(res.status, 400);
    assert!(res.json()["error"]["fields"]["district"].is_string());
}
