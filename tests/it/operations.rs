//! Operations: health, readiness, metrics, OpenAPI and its docs page, request ids, the 404
//! envelope, reference-data sync, migrations in lockstep, and `DATABASE_URL` schemes.

use crate::common;

use common::{reference, t0, TestApp};
use sahulat_domain::catalogue::Catalogue;
use sahulat_store as store;
use std::collections::BTreeSet;

#[tokio::test]
async fn health_and_readiness_answer_and_name_the_backend() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["database"], app.store().backend());
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::new().await;
    let a = app.get("/healthz").await;
    let b = app.get("/healthz").await;
    assert!(!a.header("x-request-id").is_empty());
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    sahulat_api::prometheus();
    let app = TestApp::new().await;
    app.get("/api/v1/services").await;
    let text = app.get("/metrics").await.text();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("path=\"/api/v1/services\""), "{text}");
}

#[tokio::test]
async fn the_openapi_document_describes_the_native_api_and_the_docs_page_renders_it_locally() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/requests"]["post"].is_object());
    for path in [
        "/api/v1/requests/{reference}/reopen",
        "/api/v1/requests/{reference}/rating",
        "/api/v1/requests/{reference}/photos",
        "/api/v1/staff/tickets/{reference}/actions",
        "/api/v1/staff/tickets/{reference}/photos",
        "/api/v1/staff/tickets/{reference}/photos/{id}/visibility",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    let page = app.get("/docs").await;
    assert!(page.header("content-type").starts_with("text/html"));
    let html = page.text();
    assert!(
        html.contains("/api/v1/requests") && !html.contains("https://"),
        "no external assets"
    );
}

#[tokio::test]
async fn an_unknown_path_gets_the_error_envelope() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/nothing-here").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.error_code(), "not_found");
}

#[tokio::test]
async fn reference_data_sync_is_idempotent_and_follows_changed_fixtures() {
    let app = TestApp::new().await;
    let (cat, _) = reference();
    let store = app.store();
    let first = store.sync_reference(&cat, t0()).await.unwrap();
    let second = store.sync_reference(&cat, t0()).await.unwrap();
    assert_eq!(first, second, "nothing duplicated");
    assert_eq!(
        (first.districts, first.tehsils, first.services),
        (64, 20, 11)
    );
    assert_eq!(first.provinces, 2);
    // An edited fixture: one service renamed, one department dropped.
    let mut services = cat.services.clone();
    services[0].names.en = "Water supply (renamed)".into();
    let dropped = cat.departments.last().unwrap().code.clone();
    let departments: Vec<_> = cat
        .departments
        .iter()
        .filter(|d| d.code != dropped)
        .cloned()
        .collect();
    let routing: Vec<_> = cat
        .routing
        .iter()
        .filter(|r| r.department != dropped)
        .cloned()
        .collect();
    let edited = Catalogue::new(
        cat.provinces.clone(),
        cat.districts.clone(),
        cat.tehsils.clone(),
        services,
        departments,
        routing.clone(),
    )
    .unwrap();
    let after = store.sync_reference(&edited, t0()).await.unwrap();
    assert_eq!(after.departments, first.departments - 1);
    assert_eq!(after.routing_rules, routing.len());
    let definition = definition_of(&app.db_url, &cat.services[0].code).await;
    assert!(
        definition.contains("Water supply (renamed)"),
        "{definition}"
    );
}

async fn definition_of(url: &str, code: &str) -> String {
    use sqlx::Connection;
    let sql = "SELECT CAST(definition AS TEXT) FROM services WHERE code = ";
    if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&format!("{sql}?"))
            .bind(code)
            .fetch_one(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&format!("{sql}$1"))
            .bind(code)
            .fetch_one(&mut c)
            .await
            .unwrap()
    }
}

fn versions(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect()
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_have_the_same_versions_and_all_are_applied() {
    let sqlite = versions("migrations/sqlite");
    let postgres = versions("migrations/postgres");
    assert_eq!(
        sqlite, postgres,
        "migrations are added in pairs with the same file names"
    );
    let app = TestApp::new().await;
    let applied = app.store().applied_migrations().await.unwrap();
    let expected: Vec<i64> = sqlite
        .iter()
        .map(|n| n.split('_').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(applied, expected);
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused_naming_the_accepted_ones() {
    let err = store::connect(
        "mysql://localhost/sahulat",
        std::sync::Arc::new(sahulat_domain::crypto::DataKey::from_bytes([0; 32])),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("\"mysql\"") && err.contains("sqlite://") && err.contains("postgres://"),
        "{err}"
    );
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let app = TestApp::new().await;
    app.store().migrate().await.unwrap();
    assert_eq!(app.get("/readyz").await.status, 200);
}
