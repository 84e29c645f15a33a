//! Intake baseline for `scripts/load.sh`: the least a server can do to accept a service request
//! with Sahulat's durability, so Sahulat's intake throughput can be read against it.
//!
//! `POST /requests` parses the JSON body and inserts one row into `baseline_requests`, then
//! answers 201 with `{"id": …}`. No validation, no geo lookup, no contacts, updates, jobs or
//! read-back. Storage is configured exactly like Sahulat's stores:
//! - SQLite (`sqlite://PATH`): WAL, `synchronous=FULL`, foreign keys on, 10 s busy timeout, a
//!   single writer connection and `BEGIN IMMEDIATE` … `COMMIT` per insert;
//! - PostgreSQL (`postgres://…`): a pool of 16 and a plain transaction per insert (the server's
//!   default `synchronous_commit`).
//!
//! `GET /readyz` answers 200 once the database answers. Environment: `DATABASE_URL` (required)
//! and `BIND` (default `127.0.0.1:8090`). Run: `cargo run --release --example intake_baseline`.

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Value};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;
use tokio::net::TcpListener;

/// The one database the baseline writes to.
#[derive(Debug, Clone)]
enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Db {
    async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS baseline_requests (\
                 id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)",
            )
            .execute(&pool)
            .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS baseline_requests (\
                 id BIGSERIAL PRIMARY KEY, body JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
            )
            .execute(&pool)
            .await?;
            Ok(Db::Pg(pool))
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// Stores one request body in its own durable transaction and returns the new id.
    async fn insert(&self, body: &Value) -> sqlx::Result<i64> {
        let now = Utc::now();
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO baseline_requests (body, created_at) VALUES (?, ?) RETURNING id",
                )
                .bind(body.to_string())
                .bind(now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            }
            Db::Pg(pool) => {
                let mut tx = pool.begin().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO baseline_requests (body, created_at) VALUES ($1, $2) RETURNING id",
                )
                .bind(body)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            }
        }
    }

    async fn ping(&self) -> sqlx::Result<()> {
        match self {
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Db::Pg(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        }
    }
}

async fn create(State(db): State<Db>, Json(body): Json<Value>) -> Response {
    // The insert runs in its own task, as Sahulat's intake does: a client that hangs up
    // must not cancel a transaction halfway (sqlx would hand the connection back with the
    // transaction still open, and every later request on it would fail).
    let inserted = tokio::spawn(async move { db.insert(&body).await }).await;
    match inserted
        .unwrap_or_else(|e| Err(sqlx::Error::Protocol(format!("insert task failed: {e}"))))
    {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "insert failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": e.to_string() })),
            )
                .into_response()
        }
    }
}

async fn readyz(State(db): State<Db>) -> StatusCode {
    match db.ping().await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let url = std::env::var("DATABASE_URL")
        .context("set DATABASE_URL to sqlite://PATH or postgres://…")?;
    let bind: SocketAddr = std::env::var("BIND")
        .unwrap_or_else(|_| "127.0.0.1:8090".into())
        .parse()
        .context("BIND is not an address like 127.0.0.1:8090")?;
    let db = Db::connect(&url).await.context("opening the database")?;
    let backend = db.backend();
    let app = Router::new()
        .route("/requests", post(create))
        .route("/readyz", get(readyz))
        .with_state(db);
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        backend,
        "intake baseline listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
