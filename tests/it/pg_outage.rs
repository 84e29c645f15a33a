//! PostgreSQL goes away under load and comes back: every request answers 503 `unavailable`
//! (or `/readyz` 503 `not_ready`) with `Retry-After` within the pool's 2 s acquire timeout, not
//! after 10 s, and once the database is reachable again Sahulat serves by itself, without a
//! restart. The outage is a TCP proxy between Sahulat and the test cluster that the test cuts
//! (every connection dropped, new ones refused) and restores, so the shared cluster keeps
//! serving the other tests. PostgreSQL runs only (SQLite has no server to lose).

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::{larkana_request, TestApp, TestResponse};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// A TCP forwarder that can be cut and restored on the same port.
struct Proxy {
    addr: SocketAddr,
    target: String,
    tasks: Option<JoinSet<()>>,
}

impl Proxy {
    async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut p = Proxy {
            addr,
            target: target.to_string(),
            tasks: None,
        };
        p.serve(listener);
        p
    }

    fn serve(&mut self, listener: TcpListener) {
        let mut tasks = JoinSet::new();
        let target = self.target.clone();
        let conns = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
        tasks.spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let target = target.clone();
                conns.lock().await.spawn(async move {
                    if let Ok(mut out) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Every connection dropped, the port closed.
    async fn cut(&mut self) {
        if let Some(mut t) = self.tasks.take() {
            t.shutdown().await;
        }
    }

    /// Listening again on the same port.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

async fn send(router: &axum::Router, req: Request<Body>) -> TestResponse {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

fn post() -> Request<Body> {
    Request::post("/api/v1/requests")
        .header("content-type", "application/json")
        .body(Body::from(larkana_request().to_string()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgresql_gone_requests_get_503_with_retry_after_fast_and_service_resumes_by_itself()
{
    let app = TestApp::new().await;
    if !app.db_url.starts_with("postgres") {
        eprintln!("skipped: PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    // postgres://user:pass@HOST:PORT/db → the same through the proxy.
    let (head, rest) = app.db_url.split_once('@').unwrap();
    let (hostport, db) = rest.split_once('/').unwrap();
    let mut proxy = Proxy::start(hostport).await;
    let url = format!("{head}@{}/{db}", proxy.addr);
    let key = sahulat_domain::crypto::DataKey::from_hex(common::TEST_DATA_KEY).unwrap();
    let store = sahulat_store::connect(&url, Arc::new(key)).await.unwrap();
    let state = sahulat_api::AppContext::new(
        store.clone(),
        common::reference_data(),
        app.clock.clone(),
        Arc::new(sahulat_domain::ids::RandomIds::seeded(11)),
        sahulat_api::Settings::default(),
    );
    let router = sahulat_api::router(state);
    let (api_key, prefix) = sahulat_api::new_api_key([7; 20]);
    store
        .create_api_key(
            "outage test",
            &sahulat_api::hash_api_key(&api_key),
            &prefix,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(send(&router, post()).await.status, 201);
    }

    proxy.cut().await;
    for _ in 0..3 {
        let started = Instant::now();
        let res = send(&router, post()).await;
        let took = started.elapsed();
        assert_eq!(res.status, 503, "{}", res.text());
        assert_eq!(res.error_code(), "unavailable");
        assert!(
            res.header("retry-after").parse::<u64>().is_ok(),
            "Retry-After"
        );
        assert!(
            took < Duration::from_secs(5),
            "answered after {took:?}, not 10 s"
        );
        let ready = send(
            &router,
            Request::get("/readyz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(ready.status, 503, "{}", ready.text());
    }
    // Open311 clients get the same 503 and Retry-After, in Open311's error format.
    let started = Instant::now();
    let res = send(
        &router,
        Request::post("/open311/v2/requests.json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "api_key={api_key}&service_code=roads&lat=27.56&long=68.21&description=Road+broken"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status, 503, "{}", res.text());
    assert!(
        res.header("retry-after").parse::<u64>().is_ok(),
        "Retry-After"
    );
    assert_eq!(res.json()[0]["code"], 503);
    assert!(started.elapsed() < Duration::from_secs(5));
    // Forty at once: requests queued behind others for the batch writers wait no longer.
    let mut burst = JoinSet::new();
    for _ in 0..40 {
        let router = router.clone();
        burst.spawn(async move {
            let started = Instant::now();
            let res = send(&router, post()).await;
            (res.status.as_u16(), started.elapsed())
        });
    }
    while let Some(answer) = burst.join_next().await {
        let (status, took) = answer.unwrap();
        assert_eq!(status, 503);
        assert!(
            took < Duration::from_secs(5),
            "a request in a burst answered after {took:?}"
        );
    }

    proxy.restore().await;
    let mut statuses = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = send(&router, post()).await.status.as_u16();
        statuses.push(s);
        if s == 201 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(statuses.last(), Some(&201), "service resumed: {statuses:?}");
    let ready = send(
        &router,
        Request::get("/readyz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(ready.status, 200);
    assert_eq!(
        app.request_count().await,
        6,
        "the five before and the one after"
    );
}
