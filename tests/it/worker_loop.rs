//! The worker loop (`Worker::run`, what `sahulat worker` and `serve` run) under a burst: its
//! claims of triage jobs are pipelined (one decided while the one before is written, the next
//! claimed ahead), every report is triaged exactly once, and a stop in the middle leaves no job
//! claimed: the batch already decided is written, a claim taken ahead is handed back.

use crate::common;

use common::{request_at, RecordingNotifier, TestApp, PLACES, SERVICES};
use sahulat_domain::status::Status;
use sahulat_store::RequestQuery;
use std::sync::Arc;
use std::time::Duration;

async fn submitted(app: &TestApp) -> usize {
    app.store()
        .list_requests(&RequestQuery {
            statuses: vec![Status::Submitted],
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_burst_is_triaged_once_each_and_a_stop_mid_burst_leaves_no_job_claimed() {
    let app = TestApp::new().await;
    let mut made = Vec::new();
    for i in 0..400 {
        let (lat, lon) = PLACES[i % PLACES.len()];
        let phone = format!("0303{:07}", 4_000_000 + i);
        made.push(
            app.create(request_at(
                SERVICES[(i / PLACES.len()) % SERVICES.len()],
                lat + 0.00003 * (i / PLACES.len()) as f64,
                lon,
                "Problem in our street for some days",
                Some(&phone),
            ))
            .await,
        );
    }
    let mut first = app.worker_with(Arc::new(RecordingNotifier::default()), "first");
    first.config.batch = 64;
    first.config.poll = Duration::from_millis(20);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(async move { first.run(stopped).await });
    let waited = std::time::Instant::now();
    while submitted(&app).await == made.len() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "nothing was triaged"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert!(
        app.store().jobs("running", 1000).await.unwrap().is_empty(),
        "a stopped worker holds no claim"
    );
    let left = submitted(&app).await;
    // A second worker takes what the first handed back or never claimed.
    let second = app.worker_with(Arc::new(RecordingNotifier::default()), "second");
    second.run_until_idle().await.unwrap();
    assert_eq!(submitted(&app).await, 0, "{left} were left by the first");
    for r in &made {
        let triaged = app
            .store()
            .history(r.id)
            .await
            .unwrap()
            .iter()
            .filter(|h| h.entry.description.starts_with("priority "))
            .count();
        assert_eq!(triaged, 1, "request {} was triaged {triaged} times", r.id);
    }
    assert!(app.store().jobs("failed", 10).await.unwrap().is_empty());
}
