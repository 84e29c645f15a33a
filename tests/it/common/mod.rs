//! Test harness: a fresh database per test (a SQLite temp file, or a new PostgreSQL database
//! when `TEST_DATABASE_URL` is set), the real router, a manual clock and seeded ids. Requests
//! go through the router in-process; `spawn_socket` serves it on a real port when needed.
#![allow(dead_code)]

pub mod pages;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use sahulat_api::{AppContext, AppState, Settings};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::clock::ManualClock;
use sahulat_domain::geo::GeoIndex;
use sahulat_domain::ids::RandomIds;
use sahulat_store::reference_data::{self, Reference};
use sahulat_store::{self as store, Store};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// The data key every test (and every child process it starts) uses.
pub const TEST_DATA_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Reference data, loaded once per test binary.
pub fn reference_data() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| reference_data::load(&fixtures()).expect("fixtures load"))
}

/// The catalogue and the boundaries.
pub fn reference() -> (Arc<Catalogue>, Arc<GeoIndex>) {
    let r = reference_data();
    (r.catalogue.clone(), r.geo.clone())
}

/// 2026-11-26 09:00 UTC (14:00 in Pakistan).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database_url() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::Connection;
            let name = format!("sahulat_t_{}", rand_suffix());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}", dir.path().join("sahulat.db").display());
            (url, Some(dir))
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

/// One application under test.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db_url: String,
    /// Where this app writes photos.
    pub media: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    /// A PostgreSQL test database is dropped when its test ends (hundreds of them filled the
    /// disk once); a SQLite one goes with its temp folder.
    fn drop(&mut self) {
        let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let Some((_, name)) = self.db_url.rsplit_once('/') else {
            return;
        };
        if admin.is_empty() || !name.starts_with("sahulat_t_") {
            return;
        }
        let name = name.to_string();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A response, fully read.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// The envelope's `error.code`.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_settings(Default::default()).await
    }

    /// An application with its own reopen window / office hours.
    pub async fn with_settings(mut settings: Settings) -> TestApp {
        let media = tempfile::tempdir().expect("media dir");
        settings.media_dir = media.path().to_path_buf();
        let (db_url, dir) = fresh_database_url().await;
        let key = sahulat_domain::crypto::DataKey::from_hex(TEST_DATA_KEY).unwrap();
        let store: Arc<dyn Store> = store::connect(&db_url, Arc::new(key))
            .await
            .expect("connect store");
        let reference = reference_data();
        let clock = Arc::new(ManualClock::new(t0()));
        store::prepare(store.as_ref(), &reference.catalogue, t0())
            .await
            .expect("prepare");
        let state = AppContext::new(
            store,
            reference,
            clock.clone(),
            Arc::new(RandomIds::seeded(7)),
            settings,
        );
        TestApp {
            router: sahulat_api::router(state.clone()),
            state,
            clock,
            db_url,
            media,
            _dir: dir,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> TestResponse {
        self.post_raw(uri, "application/json", body.to_string().into_bytes(), &[])
            .await
    }

    pub async fn post_raw(
        &self,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn post_form(&self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        self.post_raw(
            uri,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[],
        )
        .await
    }

    /// Creates an Open311 API key the way `sahulat apikey create` does.
    pub async fn api_key(&self) -> String {
        let (key, prefix) = sahulat_api::new_api_key([9u8; 20]);
        self.store()
            .create_api_key(
                "test client",
                &sahulat_api::hash_api_key(&key),
                &prefix,
                self.clock_now(),
            )
            .await
            .unwrap();
        key
    }

    /// Runs the `sahulat` binary with `args` against this app's database and data key, as an
    /// operator would: (success, standard output, standard error).
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sahulat"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", &self.db_url)
            .env("SAHULAT_DATA_KEY", TEST_DATA_KEY)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run sahulat");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use sahulat_domain::clock::Clock;
        self.clock.now()
    }

    /// How many requests are stored (any status, all time).
    pub async fn request_count(&self) -> usize {
        self.store()
            .list_requests(&store::RequestQuery {
                limit: 100_000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    }

    /// Serves the router on 127.0.0.1 with a real socket; returns the address.
    pub async fn spawn_socket(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = self.router.clone();
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        addr
    }
}

/// A valid water-supply request in Larkana city.
pub fn larkana_request() -> Value {
    serde_json::json!({
        "service_code": "water-supply",
        "description": "No water in Sachal Colony for three days",
        "lat": 27.56, "lon": 68.21,
        "phone": "0300 1234567",
        "name": "Ayesha Bhutto",
        "language": "sd"
    })
}

/// A notifier that remembers what it sent (and can be told to fail).
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    pub sent: std::sync::Mutex<Vec<(String, String)>>,
    pub fail_next: std::sync::Mutex<Vec<sahulat_worker::NotifyError>>,
}

#[async_trait::async_trait]
impl sahulat_worker::Notifier for RecordingNotifier {
    async fn send(
        &self,
        to: &str,
        text: &str,
        _id: &str,
    ) -> Result<(), sahulat_worker::NotifyError> {
        if let Some(e) = self.fail_next.lock().unwrap().pop() {
            return Err(e);
        }
        self.sent
            .lock()
            .unwrap()
            .push((to.to_string(), text.to_string()));
        Ok(())
    }
}

/// The triage lexicon, loaded once.
pub fn lexicon() -> Arc<sahulat_domain::triage::Lexicon> {
    reference_data().lexicon.clone()
}

impl TestApp {
    /// A worker on this app's store and clock, with a recording notifier.
    pub fn worker_with(
        &self,
        notifier: Arc<dyn sahulat_worker::Notifier>,
        name: &str,
    ) -> sahulat_worker::Worker {
        sahulat_worker::Worker::new(
            self.state.store.clone(),
            reference_data(),
            self.clock.clone(),
            notifier,
            sahulat_worker::WorkerConfig::default(),
            name.to_string(),
        )
    }

    /// Posts a request and returns its stored row.
    pub async fn create(&self, body: Value) -> sahulat_domain::request::ServiceRequest {
        let res = self.post_json("/api/v1/requests", &body).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let reference = res.json()["reference"].as_str().unwrap().to_string();
        self.store()
            .request_by_reference(&reference)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn reload(&self, id: i64) -> sahulat_domain::request::ServiceRequest {
        self.store().request_by_id(id).await.unwrap().unwrap()
    }
}

/// A request body at a point.
pub fn request_at(
    service: &str,
    lat: f64,
    lon: f64,
    description: &str,
    phone: Option<&str>,
) -> Value {
    let mut v = serde_json::json!({"service_code": service, "lat": lat, "lon": lon, "description": description, "language": "en"});
    if let Some(p) = phone {
        v["phone"] = serde_json::json!(p);
    }
    v
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Creates an account and signs it in; returns the bearer token.
    pub async fn signed_in(
        &self,
        role: &str,
        username: &str,
        district: Option<&str>,
        department: Option<&str>,
    ) -> String {
        let new = sahulat_domain::accounts::NewUser::new(
            &self.state.catalogue,
            username,
            role,
            district,
            department,
            PASSWORD,
        )
        .unwrap();
        self.store()
            .create_user(&new, self.clock_now())
            .await
            .unwrap();
        let res = self
            .post_json(
                "/api/v1/auth/token",
                &serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        res.json()["token"].as_str().unwrap().to_string()
    }

    /// A request with a bearer token.
    pub async fn authed(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// A request in Larkana city (reported with 0300 1234567), triaged and resolved by the
    /// PHED's `phed.larkana`; returns its reference.
    pub async fn resolved_larkana_water(&self) -> String {
        let reference = self.triaged_larkana_water().await;
        let staff = self
            .signed_in("staff", "phed.larkana", None, Some("phed-larkana"))
            .await;
        let res = self
            .authed(
                "POST",
                &format!("/api/v1/staff/tickets/{reference}/actions"),
                &staff,
                Some(serde_json::json!({"action": "resolve", "note": "Valve replaced"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        reference
    }

    /// Posts a request in Larkana city and triages it; returns its reference.
    pub async fn triaged_larkana_water(&self) -> String {
        let r = self.create(larkana_request()).await;
        self.worker_with(Arc::new(RecordingNotifier::default()), "w")
            .run_until_idle()
            .await
            .unwrap();
        r.reference
    }
}

/// Points in the four pilot districts, far enough apart (> 1 km) not to be duplicates.
pub const PLACES: [(f64, f64); 10] = [
    (30.18, 66.99), // Quetta city
    (30.21, 67.02), // Quetta city, north
    (26.0, 63.05),  // Turbat
    (26.12, 62.37), // Tump
    (27.56, 68.21), // Larkana city
    (27.8, 68.29),  // Ratodero
    (27.26, 68.07), // Dokri
    (26.84, 68.12), // Naushahro Feroze
    (26.66, 68.0),  // Moro
    (27.06, 68.21), // Kandiaro
];
pub const SERVICES: [&str; 5] = [
    "water-supply",
    "sewerage-drainage",
    "solid-waste",
    "electricity",
    "roads",
];
