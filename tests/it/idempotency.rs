//! Idempotency-Key: retries return the first answer, a reused key with another body is a 422,
//! and a burst of concurrent duplicates produces exactly one request.

use crate::common;

use common::{larkana_request, TestApp};
use std::sync::Arc;

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_answer_and_stores_nothing_new() {
    let app = TestApp::new().await;
    let body = larkana_request().to_string().into_bytes();
    let first = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            body.clone(),
            &[("idempotency-key", "k-1")],
        )
        .await;
    assert_eq!(first.status, 201);
    let again = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            body,
            &[("idempotency-key", "k-1")],
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json(), first.json());
    assert_eq!(app.request_count().await, 1);
}

#[tokio::test]
async fn the_same_key_with_a_different_body_is_a_422() {
    let app = TestApp::new().await;
    let first = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            larkana_request().to_string().into_bytes(),
            &[("idempotency-key", "k-2")],
        )
        .await;
    assert_eq!(first.status, 201);
    let mut other = larkana_request();
    other["description"] = serde_json::json!("A different complaint entirely");
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            other.to_string().into_bytes(),
            &[("idempotency-key", "k-2")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.error_code(), "idempotency_key_reused");
    assert_eq!(app.request_count().await, 1);
}

#[tokio::test]
async fn a_rejected_request_does_not_use_up_its_key() {
    let app = TestApp::new().await;
    let mut bad = larkana_request();
    bad["lat"] = serde_json::json!(91);
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            bad.to_string().into_bytes(),
            &[("idempotency-key", "k-3")],
        )
        .await;
    assert_eq!(res.status, 422);
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            larkana_request().to_string().into_bytes(),
            &[("idempotency-key", "k-3")],
        )
        .await;
    assert_eq!(res.status, 201);
}

#[tokio::test]
async fn an_empty_or_overlong_key_is_rejected_naming_the_header() {
    let app = TestApp::new().await;
    let long = "x".repeat(300);
    let res = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            larkana_request().to_string().into_bytes(),
            &[("idempotency-key", &long)],
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.json()["error"]["fields"]["Idempotency-Key"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_replayed_50_times_concurrently_produces_exactly_one_request() {
    let app = Arc::new(TestApp::new().await);
    let body = larkana_request().to_string().into_bytes();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let app = app.clone();
            let body = body.clone();
            tokio::spawn(async move {
                app.post_raw(
                    "/api/v1/requests",
                    "application/json",
                    body,
                    &[("idempotency-key", "burst-1")],
                )
                .await
            })
        })
        .collect();
    let mut references = std::collections::BTreeSet::new();
    for t in tasks {
        let res = t.await.unwrap();
        assert_eq!(res.status, 201, "{}", res.text());
        references.insert(res.json()["reference"].as_str().unwrap().to_string());
    }
    assert_eq!(references.len(), 1, "every answer names the same request");
    assert_eq!(app.request_count().await, 1);
    assert_eq!(
        app.store().jobs("queued", 100).await.unwrap().len(),
        1,
        "one triage job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_request_in_a_burst_does_not_undo_the_others_committed_with_it() {
    // Thirty reports from one phone number in a moment: over the default abuse limit, which is
    // not what this test is about (tests/it/abuse.rs is).
    let settings = sahulat_api::Settings {
        abuse: sahulat_api::abuse::AbuseLimits {
            per_phone: None,
            ..Default::default()
        },
        ..Default::default()
    };
    let app = Arc::new(TestApp::with_settings(settings).await);
    let first = app
        .post_raw(
            "/api/v1/requests",
            "application/json",
            larkana_request().to_string().into_bytes(),
            &[("idempotency-key", "taken")],
        )
        .await;
    assert_eq!(first.status, 201);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut body = larkana_request();
                body["description"] =
                    serde_json::json!(format!("Complaint number {i} about the water supply"));
                let key = if i % 4 == 0 {
                    "taken".to_string()
                } else {
                    format!("fresh-{i}")
                };
                app.post_raw(
                    "/api/v1/requests",
                    "application/json",
                    body.to_string().into_bytes(),
                    &[("idempotency-key", &key)],
                )
                .await
                .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| s.as_u16() == 422).count(),
        10,
        "reused key with another body"
    );
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 201).count(), 30);
    assert_eq!(app.request_count().await, 31);
}
