//! SQLite implementation of `Store`: WAL journal, `synchronous=FULL` (an acknowledged request
//! survives a power cut), foreign keys on, one writer connection taking `BEGIN IMMEDIATE` so
//! writers queue in-process instead of spinning on SQLITE_BUSY, and a pool of readers.
//!
//! The writes that use cases make many rows at a time (`actions`, `batches`, `intake`,
//! `jobs`, `outbox`, `tickets`) say `OR FAIL`: a statement that may write several rows and
//! abort midway (`OR ABORT`, SQLite's default) copies every page it changes to a statement
//! journal first, so that it can undo itself alone. No store call goes on after a failed
//! statement (each error ends its call, whose transaction is rolled back whole), so that undo
//! is never used. Without it, and without the held calls' savepoints (`writer.rs`), the
//! simulator ran about a sixth faster (`BENCHMARKS.md`, "The simulator: no sub-journal").

mod accounts;
mod actions;
mod batches;
mod bulk;
mod evidence;
mod housekeeping;
mod inbox;
mod innovation;
mod intake;
mod jobs;
mod nearby;
mod outbox;
mod packed;
mod phones;
mod photos;
mod reference_data;
mod requests;
mod sizes;
mod time;
pub(crate) use time::ts;
use time::{opt_str_ts, opt_ts, parse_fixed_ts, parse_ts};
mod tickets;
mod writer;
use writer::WriteTx;

use crate::requests::open_contact;
use crate::sql::*;
use crate::tickets::order_by;
use crate::{db, migration};
use crate::{
    Accounts, CreateOutcome, HistoryRow, IdempotencyKey, Intake, Job, JobCount, JobFate, JobQueue,
    NewPhoto, NewVoice, Outbox, OutboxMessage, Photo, PhotoOutcome, Photos, RateOutcome,
    ReferenceCounts, ReferenceData, Render, Reporter, ReporterProof, RequestQuery, Requests,
    Session, Store, StoredRating, StoredResponse, TicketFilter, Tickets, UpdateQuery, VoiceOutcome,
    DEFAULT_MAX_ATTEMPTS, RECEIVED_NOTE,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use outbox::record;
use sahulat_domain::accounts::{NewUser, Role, User};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::citizen::RatingWrite;
use sahulat_domain::crypto::DataKey;
use sahulat_domain::effects::{HistoryEntry, Message, NewMessage};
use sahulat_domain::error::{Error, Result};
use sahulat_domain::escalation::Escalation;
use sahulat_domain::geo::bbox;
use sahulat_domain::ids::IdSource;
use sahulat_domain::jobs::Task;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{ActionWrite, Reclassify, Scope};
use sahulat_domain::phone::Phone;
use sahulat_domain::photo::PhotoKind;
use sahulat_domain::request::{Contact, NewServiceRequest, RequestUpdate, ServiceRequest};
use sahulat_domain::status::{Channel, Priority, Status};
use sahulat_domain::triage::TriageOutcome;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: writer::Writer,
    reader: SqlitePool,
    intake: tokio::sync::mpsc::Sender<crate::intake::IntakeCmd>,
    key: Arc<DataKey>,
    bulk: Arc<bulk::BulkReader>,
}

pub(super) fn enum_col<T>(row: &SqliteRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: &str = row.try_get(col).map_err(db)?;
    parse(s).ok_or_else(|| unknown(col, s))
}

/// A stored value of a column that no longer names anything Sahulat knows.
pub(super) fn unknown(col: &str, value: &str) -> Error {
    Error::Internal(anyhow::anyhow!("unknown {col} {value:?} in database"))
}

pub(super) fn request_from_row(row: &SqliteRow) -> Result<ServiceRequest> {
    // Text that is parsed is read in place, not copied into a `String` first.
    let text = |col: &str| row.try_get::<&str, _>(col).map_err(db);
    let time = |col: &str| opt_str_ts(row.try_get(col).map_err(db)?);
    Ok(ServiceRequest {
        id: row.try_get("id").map_err(db)?,
        reference: row.try_get("reference").map_err(db)?,
        token: row.try_get("token").map_err(db)?,
        service_code: row.try_get("service_code").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        lat: row.try_get("lat").map_err(db)?,
        lon: row.try_get("lon").map_err(db)?,
        address: row.try_get("address").map_err(db)?,
        province: row.try_get("province_code").map_err(db)?,
        district: row.try_get("district_code").map_err(db)?,
        tehsil: row.try_get("tehsil_code").map_err(db)?,
        channel: enum_col(row, "channel", Channel::parse)?,
        language: enum_col(row, "language", Lang::parse)?,
        status: enum_col(row, "status", Status::parse)?,
        priority: enum_col(row, "priority", Priority::parse)?,
        department: row.try_get("department_code").map_err(db)?,
        sla_due_at: time("sla_due_at")?,
        duplicate_of: row.try_get("duplicate_of").map_err(db)?,
        attributes: serde_json::from_str(text("attributes")?).unwrap_or_default(),
        media_url: row.try_get("media_url").map_err(db)?,
        created_at: parse_ts(text("created_at")?)?,
        updated_at: parse_ts(text("updated_at")?)?,
        closed_at: time("closed_at")?,
        sla_started_at: time("sla_started_at")?,
        reporters: row.try_get::<i64, _>("reporters").map_err(db)? as i32,
        escalation_level: row.try_get::<i64, _>("escalation_level").map_err(db)? as i32,
        ack_due_at: time("ack_due_at")?,
        acknowledged_at: time("acknowledged_at")?,
        triage_flags: serde_json::from_str(text("triage_flags")?).unwrap_or_default(),
        filed_service_code: row.try_get("filed_service_code").map_err(db)?,
        description_hidden: row
            .try_get::<Option<&str>, _>("description_hidden_at")
            .map_err(db)?
            .is_some(),
    })
}

/// A history entry's message, as stored (JSON text).
pub(super) fn message_col(row: &SqliteRow) -> Result<Option<Message>> {
    let text: Option<String> = row.try_get("message").map_err(db)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Prepared statements the writer keeps: about twenty kinds of multi-row statement in up to
/// eleven sizes each, and the single-row ones (sqlx's default is 100).
const WRITER_STATEMENTS: usize = 512;

impl SqliteStore {
    /// Opens (creating the file and its directory if needed) the database at `url`.
    pub async fn connect(url: &str, key: Arc<DataKey>) -> Result<Self> {
        Self::connect_with(url, key, SqliteSynchronous::Full).await
    }

    /// For bulk writes that can be redone (`sahulat simulate`): commits are not flushed to
    /// disk one by one (WAL with `synchronous=NORMAL`: a crash of the process loses nothing
    /// committed, a power cut may lose the last transactions), and `Store::hold_writes` can
    /// hold them in one transaction. Its reads go through the writer, so that they see what
    /// the held transaction wrote.
    pub async fn connect_bulk(url: &str, key: Arc<DataKey>) -> Result<Self> {
        Self::connect_with(url, key, SqliteSynchronous::Normal).await
    }

    async fn connect_with(url: &str, key: Arc<DataKey>, sync: SqliteSynchronous) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::field("DATABASE_URL", format!("not a valid SQLite URL: {e}")))?;
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::Internal(anyhow::anyhow!(
                        "cannot create database directory {}: {e}",
                        dir.display()
                    ))
                })?;
            }
        }
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        // A bulk writer (the simulator) keeps its transactions' pages in memory: a 256 MB page
        // cache instead of spilling to the WAL mid-transaction, and a WAL checkpointed every
        // 256 MB instead of 4 MB, so a hot index page is written back once per checkpoint
        // rather than once per 4 MB (BENCHMARKS.md, "The simulator"). It does not check
        // foreign keys as it writes (a many-row statement that checks them needs a statement
        // journal, see the header); `Store::foreign_key_problems` checks them afterwards.
        // What sub-journal is left stays SQLite's (memory up to 64 KB, then a file): an
        // in-memory journal is walked from its start each time a statement ends, which made a
        // call of many statements quadratic (BENCHMARKS.md, "The simulator: a day per
        // transaction").
        let bulk = sync == SqliteSynchronous::Normal;
        let writer_opts = if bulk {
            opts.clone()
                .foreign_keys(false)
                .pragma("cache_size", "-262144")
                .pragma("wal_autocheckpoint", "65536")
                // A batch's rows (up to a few hundred tickets or messages) are handed over
                // without the connection thread waiting for the caller to take each 50.
                .row_buffer_size(1024)
        } else {
            opts.clone()
        };
        // Room for every size of every multi-row statement the writer runs (`sizes.rs`): a
        // statement found in the cache is not parsed again.
        let writer_opts = writer_opts.statement_cache_capacity(WRITER_STATEMENTS);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(30))
            // A connection to a local file cannot go stale: a ping before each use only costs
            // two thread hand-offs (a third of the worker's time, BENCHMARKS.md).
            .test_before_acquire(false)
            // A held transaction lives on this connection: it must never be recycled.
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_with(writer_opts)
            .await
            .map_err(db)?;
        let writer = writer::Writer::new(writer, bulk);
        let path = opts.get_filename().to_path_buf();
        // A bulk store reads through its writer, so that it sees what a held transaction wrote.
        let reader = if bulk {
            writer.pool.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .test_before_acquire(false)
                // Readers take large ranges (summaries) from the OS page cache without a copy per
                // page, with a 64 MB page cache each; the writer keeps SQLite's defaults (on it the
                // same settings cost intake throughput, BENCHMARKS.md).
                .connect_with(
                    opts.read_only(true)
                        .pragma("mmap_size", "268435456")
                        .pragma("cache_size", "-65536"),
                )
                .await
                .map_err(db)?
        };
        let intake = intake::spawn(writer.clone(), key.clone());
        let bulk = bulk::BulkReader::new(path);
        Ok(Self {
            writer,
            reader,
            intake,
            key,
            bulk,
        })
    }

    pub(super) async fn begin(&self) -> Result<writer::WriteTx> {
        self.writer.begin().await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.writer.pool).await.map_err(migration)?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.reader)
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| r.try_get("version").map_err(db))
            .collect()
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn snapshot_to(&self, file: &std::path::Path) -> Result<()> {
        let path = file
            .to_str()
            .ok_or_else(|| Error::field("to", format!("{} is not a UTF-8 path", file.display())))?;
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn integrity_problems(&self) -> Result<Vec<String>> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    async fn hold_writes(&self) -> Result<()> {
        self.writer.hold().await
    }

    async fn commit_held(&self) -> Result<()> {
        self.writer.commit_held().await
    }

    async fn foreign_key_problems(&self) -> Result<Vec<String>> {
        // Through the writer: a bulk store's reader is its writer, and this sees its writes.
        let rows =
            sqlx::query("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check LIMIT 20")
                .fetch_all(&self.writer.pool)
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| {
                let table: String = r.try_get(0).map_err(db)?;
                let row: Option<i64> = r.try_get(1).map_err(db)?;
                let parent: String = r.try_get(2).map_err(db)?;
                Ok(format!(
                    "{table} row {} names no row of {parent}",
                    row.map_or_else(|| "?".to_string(), |n| n.to_string())
                ))
            })
            .collect()
    }

    async fn count_requests(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM service_requests")
            .fetch_one(&self.reader)
            .await
            .map_err(db)
    }
}
