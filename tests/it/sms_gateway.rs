//! The HTTP SMS adapter against a real (local) gateway that answers 500, times out, refuses,
//! and finally accepts — through the worker's outbox, so retries and idempotency are real.

use crate::common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use chrono::Duration;
use common::{request_at, TestApp};
use sahulat_worker::{HttpSmsNotifier, Notifier, NotifyError};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Gateway {
    /// Status codes to answer, in order; then 200.
    script: Mutex<Vec<u16>>,
    /// Bodies received with 200.
    accepted: Mutex<Vec<String>>,
}

async fn sms(
    State(g): State<Arc<Gateway>>,
    headers: axum::http::HeaderMap,
    body: String,
) -> StatusCode {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer secret") {
        return StatusCode::UNAUTHORIZED;
    }
    let next = { g.script.lock().unwrap().pop() };
    match next {
        Some(0) => {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            StatusCode::OK
        }
        Some(code) => StatusCode::from_u16(code).unwrap(),
        None => {
            g.accepted.lock().unwrap().push(body);
            StatusCode::OK
        }
    }
}

async fn gateway() -> (Arc<Gateway>, String) {
    let g = Arc::new(Gateway::default());
    let app = Router::new().route("/sms", post(sms)).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (g, url)
}

fn notifier(url: &str, auth: &str) -> HttpSmsNotifier {
    HttpSmsNotifier::new(
        url.to_string(),
        Some(auth.to_string()),
        None,
        None,
        std::time::Duration::from_secs(1),
    )
    .unwrap()
}

#[tokio::test]
async fn the_adapter_classifies_500_timeouts_and_refusals() {
    let (g, url) = gateway().await;
    let n = notifier(&url, "Bearer secret");
    g.script.lock().unwrap().extend([0, 500]); // popped from the end: 500 first, then a timeout
    assert!(
        matches!(n.send("+923001234567", "hi", "x").await, Err(NotifyError::Transient(e)) if e.contains("500"))
    );
    assert!(
        matches!(n.send("+923001234567", "hi", "x").await, Err(NotifyError::Transient(e)) if e.contains("timed out"))
    );
    assert_eq!(n.send("+923001234567", "hi", "x").await, Ok(()));
    let wrong = notifier(&url, "Bearer wrong");
    assert!(matches!(
        wrong.send("+923001234567", "hi", "x").await,
        Err(NotifyError::Permanent(_))
    ));
    let body: serde_json::Value = serde_json::from_str(&g.accepted.lock().unwrap()[0]).unwrap();
    assert_eq!(body["to"], "+923001234567");
}

#[tokio::test]
async fn the_worker_keeps_retrying_a_failing_gateway_and_sends_the_confirmation_exactly_once() {
    let app = TestApp::new().await;
    let (g, url) = gateway().await;
    g.script.lock().unwrap().extend([500, 0, 503]); // 503, then a timeout, then 500, then OK
    let w = app.worker_with(Arc::new(notifier(&url, "Bearer secret")), "w");
    app.create(request_at(
        "water-supply",
        27.56,
        68.21,
        "Pani nahi aa raha, line toot gayi hai",
        Some("0300 7654321"),
    ))
    .await;
    for _ in 0..6 {
        w.run_until_idle().await.unwrap();
        app.clock.advance(Duration::minutes(10));
    }
    let accepted = g.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert!(accepted[0].contains("+923007654321"));
    let sent: Vec<_> = app
        .store()
        .outbox(Some("sent"), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.recipient_kind == "citizen")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attempts, 4);
}
