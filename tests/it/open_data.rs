//! Request-level open data: the GeoJSON parses with the `geojson` crate and every point is
//! rounded and inside its district; the CSV has a header and recomputes the summary's count;
//! no phone number, name, withheld description or unrounded point in either. Runs on SQLite and
//! PostgreSQL.

use crate::common;

use chrono::Duration;
use common::{reference, RecordingNotifier, TestApp, PLACES};
use serde_json::json;
use std::sync::Arc;

const PHONE: &str = "0300 9876543";
const NAME: &str = "Zarina Baloch";

/// One report at each of the ten places (points with six decimals), one resolved and rated 5,
/// one rejected, one with its description hidden.
async fn reports(app: &TestApp) -> Vec<String> {
    let mut refs = Vec::new();
    for (i, (lat, lon)) in PLACES.iter().enumerate() {
        let body = json!({
            "service_code": "solid-waste",
            "description": format!("Garbage heap number {i} near the school"),
            "lat": lat + 0.001234, "lon": lon + 0.004321,
            "phone": PHONE, "name": NAME, "language": "en"
        });
        refs.push(app.create(body).await.reference);
    }
    app.worker_with(Arc::new(RecordingNotifier::default()), "w")
        .run_until_idle()
        .await
        .unwrap();
    app.clock.advance(Duration::hours(5));
    let admin = app.signed_in("admin", "root", None, None).await;
    let act = |r: &str, body: serde_json::Value| {
        let uri = format!("/api/v1/staff/tickets/{r}/actions");
        let (app, admin) = (app, admin.clone());
        async move {
            let res = app.authed("POST", &uri, &admin, Some(body)).await;
            assert_eq!(res.status, 200, "{}", res.text());
        }
    };
    act(&refs[4], json!({"action": "resolve", "note": "Cleared"})).await;
    act(
        &refs[5],
        json!({"action": "reject", "reason": "abusive words"}),
    )
    .await;
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{}/description/visibility", refs[6]),
            &admin,
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .post_json(
            &format!("/api/v1/requests/{}/rating", refs[4]),
            &json!({"phone": PHONE, "rating": 5}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    refs
}

fn assert_nothing_personal(text: &str) {
    for secret in [
        "9876543",
        "923009876543",
        NAME,
        "Zarina",
        "abusive",
        "number 5 ",
        "number 6 ",
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the export");
    }
    for (lat, lon) in PLACES {
        for unrounded in [
            format!("{:.6}", lat + 0.001234),
            format!("{:.6}", lon + 0.004321),
        ] {
            assert!(
                !text.contains(&unrounded),
                "unrounded {unrounded} in the export"
            );
        }
    }
}

#[tokio::test]
async fn the_geojson_parses_and_every_point_is_rounded_and_inside_its_district() {
    let app = TestApp::new().await;
    let refs = reports(&app).await;
    let res = app.get("/api/v1/open-data/requests?format=geojson").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res
        .header("content-type")
        .starts_with("application/geo+json"));
    assert!(res.header("x-data-licence").contains("CC BY 4.0"));
    let text = res.text();
    assert_nothing_personal(&text);
    let gj: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("not a FeatureCollection")
    };
    assert_eq!(fc.features.len(), refs.len());
    assert!(fc.foreign_members.unwrap()["licence"]
        .as_str()
        .unwrap()
        .contains("ODbL"));
    let (_, geo) = reference();
    for f in &fc.features {
        let Some(geojson::Value::Point(p)) = f.geometry.as_ref().map(|g| &g.value) else {
            panic!("not a point")
        };
        let (lon, lat) = (p[0], p[1]);
        for c in [lat, lon] {
            assert_eq!(
                c,
                (c * 1000.0).round() / 1000.0,
                "{c} not rounded to 3 decimals"
            );
        }
        let props = f.properties.as_ref().unwrap();
        let placed = geo.locate(lat, lon).expect("inside a district");
        assert_eq!(placed.district, props["district"].as_str().unwrap());
        let reference = props["reference"].as_str().unwrap();
        let description = &props["description"];
        if reference == refs[5] || reference == refs[6] {
            assert!(description.is_null(), "rejected or hidden: {description}");
        } else {
            assert!(description.as_str().unwrap().starts_with("Garbage heap"));
        }
        if reference == refs[4] {
            assert_eq!(props["status"], "resolved");
            assert_eq!(props["ratings"], 1);
            assert_eq!(props["rating_mean"], 5.0);
            assert!(props["responded_at"].is_string() && props["closed_at"].is_string());
        }
        assert_eq!(props["sdg_targets"], "11.6");
    }
}

#[tokio::test]
async fn the_csv_has_a_header_and_recomputes_the_summarys_count() {
    let app = TestApp::new().await;
    reports(&app).await;
    let res = app
        .get("/api/v1/open-data/requests?format=csv&district=Larkana,Quetta")
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let text = res.text();
    assert_nothing_personal(&text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    for column in [
        "reference",
        "service",
        "sdg_targets",
        "district",
        "tehsil",
        "channel",
        "priority",
        "created_at",
        "responded_at",
        "closed_at",
        "status",
        "duplicate_of",
        "reopen_count",
        "rating_mean",
    ] {
        assert!(headers.iter().any(|h| h == column), "no {column} column");
    }
    let rows = reader.records().count();
    let eval = app.signed_in("evaluator", "eval", None, None).await;
    let summary = app
        .authed(
            "GET",
            "/api/v1/summaries?district=Larkana,Quetta",
            &eval,
            None,
        )
        .await
        .json();
    assert_eq!(summary["rows"][0]["received"], rows as u64, "{summary}");
    assert_eq!(rows, 5, "Quetta's two and Larkana's three");
    let res = app.get("/api/v1/open-data/requests?format=xml").await;
    assert_eq!(res.status, 400);
    assert!(res.json()["error"]["fields"]["format"]
        .as_str()
        .unwrap()
        .contains("geojson"));
}
