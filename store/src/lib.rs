//! Sahulat's storage. One `Store` trait made of use-case traits (intake, reads, tickets, jobs,
//! outbox, staff inbox, accounts, photos, feature phones, reference data), two implementations with the same file names
//! (`sqlite/` for a pilot office, `postgres/` to scale out), and one test suite for both.
//! Store methods are use cases that own their transactions, so "the request and its triage
//! job commit together or not at all" is a property of the method, not of the caller's
//! discipline. This crate also reads the reference data from `fixtures/`, migrates, and loads
//! that data into the database (`prepare`), for `serve`, `worker` and `migrate` alike.

mod accounts;
mod batches;
mod blocks;
mod evidence;
mod housekeeping;
mod inbox;
mod innovation;
mod intake;
mod jobs;
pub mod keyfile;
mod outbox;
mod phones;
mod photos;
mod postgres;
pub mod reference_data;
mod requests;
mod sql;
mod sqlite;
mod tickets;

pub use accounts::{Accounts, ApiKeyInfo, Session};
pub use batches::{Batches, Delivery, NearbyAsk, TriageWritten};
pub use evidence::{Evidence, FactQuery, OutcomesRead};
pub use housekeeping::{FactBlocks, Gauges, Housekeeping, Pruned};
pub use inbox::{Addressees, InboxItem, StaffInbox};
pub use innovation::Innovation;
pub use intake::{
    CreateOutcome, IdempotencyKey, Intake, NewRequests, NewVoice, Render, StoredResponse,
    VoiceOutcome, RECEIVED_NOTE,
};
pub use jobs::{Job, JobCount, JobFate, JobQueue, DEFAULT_MAX_ATTEMPTS};
pub use outbox::{Outbox, OutboxMessage};
pub use phones::{Phones, UssdSession, UssdUsage};
pub use photos::{NewPhoto, Photo, PhotoOutcome, Photos};
pub use postgres::PgStore;
pub use reference_data::{ReferenceCounts, ReferenceData};
pub use requests::{HistoryRow, Reporter, ReporterProof, RequestQuery, Requests, UpdateQuery};
pub use sqlite::SqliteStore;
pub use tickets::{RateOutcome, StoredRating, TicketFilter, TicketSort, Tickets};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::crypto::DataKey;
use sahulat_domain::error::{Error, Result};
use std::sync::Arc;

/// The storage contract shared by SQLite and PostgreSQL.
#[async_trait]
pub trait Store:
    Intake
    + Requests
    + Tickets
    + JobQueue
    + Outbox
    + Accounts
    + Photos
    + Phones
    + StaffInbox
    + ReferenceData
    + Evidence
    + Batches
    + Innovation
    + Housekeeping
    + Send
    + Sync
    + std::fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;
    /// Versions of the applied migrations.
    async fn applied_migrations(&self) -> Result<Vec<i64>>;
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;
    /// Writes a consistent copy of the whole database to `file` while the database stays in
    /// use (SQLite: `VACUUM INTO`, one read transaction). PostgreSQL refuses: `pg_dump` is its
    /// tool (`sahulat backup` runs it).
    async fn snapshot_to(&self, file: &std::path::Path) -> Result<()>;
    /// What an integrity check finds wrong (empty: nothing). SQLite: `PRAGMA
    /// integrity_check`; PostgreSQL: `amcheck`'s `bt_index_check` on every index of Sahulat's
    /// tables (an error when the extension is not installed).
    async fn integrity_problems(&self) -> Result<Vec<String>>;
    /// Requests stored, all statuses (a backup's manifest, the restore's check).
    async fn count_requests(&self) -> Result<i64>;
    /// From now on, holds every write in one transaction until `commit_held`: each call's
    /// own transaction becomes a savepoint inside it. Only a SQLite store from `connect_bulk`
    /// holds (`sahulat simulate`, a simulated day per commit); elsewhere this does nothing
    /// and every call commits on its own, as always.
    async fn hold_writes(&self) -> Result<()> {
        Ok(())
    }
    /// Commits the writes held since `hold_writes` or the last `commit_held`, and goes on
    /// holding. Writes held when the process ends without it are lost.
    async fn commit_held(&self) -> Result<()> {
        Ok(())
    }
    /// Rows whose foreign key names no row (at most 20, described; empty: none). A bulk
    /// SQLite store (`connect_bulk`) writes without checking foreign keys, so that its
    /// many-row statements need no statement journal (`BENCHMARKS.md`, "The simulator: no
    /// sub-journal"); `sahulat simulate` asks this once its history is written. Every other
    /// store has the database check each write, so there is nothing to find.
    async fn foreign_key_problems(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// The accepted `DATABASE_URL` schemes, for messages.
pub const ACCEPTED_SCHEMES: &str =
    "sqlite://PATH (e.g. sqlite://data/sahulat.db), postgres://… or postgresql://…";

/// Opens the store a `DATABASE_URL` names; `key` seals the reporters' contact details.
pub async fn connect(url: &str, key: Arc<DataKey>) -> Result<Arc<dyn Store>> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url, key).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PgStore::connect(url, key).await?)),
        _ => Err(Error::field(
            "DATABASE_URL",
            format!("unsupported scheme {scheme:?}; accepted: {ACCEPTED_SCHEMES}"),
        )),
    }
}

/// Opens the store for bulk writes that can be redone (`sahulat simulate`): on SQLite, commits
/// are not flushed one by one (see `SqliteStore::connect_bulk`); PostgreSQL as `connect`.
pub async fn connect_bulk(url: &str, key: Arc<DataKey>) -> Result<Arc<dyn Store>> {
    match url.split_once(':').map(|(s, _)| s) {
        Some("sqlite") => Ok(Arc::new(SqliteStore::connect_bulk(url, key).await?)),
        _ => connect(url, key).await,
    }
}

/// Migrates the database, checks that the data key opens the contact details already stored
/// (a lost key file must stop Sahulat, not start it with a new key) and writes the reference
/// data (idempotently): what `serve`, `worker` and `migrate` do before anything else.
pub async fn prepare(
    store: &dyn Store,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> anyhow::Result<ReferenceCounts> {
    use anyhow::Context;
    store.migrate().await.context("migrating the database")?;
    anyhow::ensure!(
        store
            .key_opens_stored_data()
            .await
            .context("checking the data key")?,
        "the data key does not open the personal data already in this database: the key file \
         (SAHULAT_KEY_FILE, default data/sahulat.key) or SAHULAT_DATA_KEY is not the key this \
         database was written with. Put back the key file saved with the database's backup \
         (replacing any new one); with another key every stored phone number, name and e-mail \
         would be unreadable"
    );
    store
        .sync_reference(catalogue, now)
        .await
        .context("writing reference data")
}

/// A database error as the domain's error: a pool that cannot give a connection is
/// `Unavailable` (503, retry later); anything else is internal (logged, never shown).
pub(crate) fn db(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            Error::Unavailable(format!("database: {e}"))
        }
        other => Error::Internal(anyhow::Error::new(other).context("database error")),
    }
}

/// A migration error as the domain's error.
pub(crate) fn migration(e: sqlx::migrate::MigrateError) -> Error {
    Error::Internal(anyhow::Error::new(e).context("migration failed"))
}
