//! The SQLite store's one writer connection, and the held transaction of a bulk writer.
//!
//! Every write takes the writer with `BEGIN IMMEDIATE`, so writers queue in-process instead of
//! spinning on `SQLITE_BUSY`. A bulk store (`sahulat simulate`, `SqliteStore::connect_bulk`)
//! can instead *hold* its writes: one transaction stays open on the writer, each store call
//! writes straight into it, and `commit_held` commits everything since the last commit at
//! once. Each commit writes every page it changed to the WAL, so one commit a simulated day
//! instead of one per store call writes a hot index page once instead of hundreds of times
//! (`BENCHMARKS.md`, "The simulator: a day per transaction").
//!
//! A held call opens no savepoint: inside a savepoint SQLite copies every page a call first
//! changes to a sub-journal, which with the statement journals (`OR FAIL`, `mod.rs`) was an
//! eighth of the simulator's samples (`BENCHMARKS.md`, "The simulator: no sub-journal").
//! So a held call cannot be undone on its own. A call that ends without committing (refused,
//! or failed) is harmless when it wrote nothing, which is how the store's refusals are
//! written (the guard is read or checked before anything is written); one that did write
//! *poisons* the held transaction: every later call and `commit_held` fail, and the writes
//! since the last commit are lost with the connection. Knowing whether a call wrote costs one
//! `SELECT total_changes()` as each held call begins.
//! The price of holding: a crash loses the writes since the last commit, and other processes
//! cannot write to the file until it comes.

use crate::db;
use sahulat_domain::error::{Error, Result};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Connection, Sqlite, Transaction};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

/// The writer pool (one connection) and whether it holds a transaction.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    /// One connection: writes are serialised here rather than by SQLite's lock.
    pub(crate) pool: SqlitePool,
    /// Only a bulk writer may hold (its pool never recycles its connection, and its store
    /// reads through it).
    may_hold: bool,
    held: Arc<AtomicBool>,
    /// `total_changes()` when a held call that ended without committing began (`NONE`
    /// when there is nothing to check): the next call compares it with the count now.
    unchecked: Arc<AtomicI64>,
    /// Set once a held call that wrote ended without committing.
    poisoned: Arc<AtomicBool>,
}

/// `Writer::unchecked` when no call is waiting to be checked.
const NONE: i64 = -1;

impl Writer {
    pub(crate) fn new(pool: SqlitePool, may_hold: bool) -> Self {
        Self {
            pool,
            may_hold,
            held: Arc::new(AtomicBool::new(false)),
            unchecked: Arc::new(AtomicI64::new(NONE)),
            poisoned: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A write transaction: `BEGIN IMMEDIATE`, or the held transaction itself.
    pub(crate) async fn begin(&self) -> Result<WriteTx> {
        if !self.held.load(Ordering::Acquire) {
            let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
            return Ok(WriteTx::Own(tx));
        }
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let changes = self.check(&mut conn).await?;
        Ok(WriteTx::Held(Held {
            conn: Some(conn),
            changes,
            unchecked: self.unchecked.clone(),
        }))
    }

    /// Fails if the held transaction is poisoned, after checking the held call that last
    /// ended without committing; returns `total_changes()` now.
    async fn check(&self, conn: &mut SqliteConnection) -> Result<i64> {
        let now: i64 = sqlx::query_scalar("SELECT total_changes()")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        let before = self.unchecked.swap(NONE, Ordering::AcqRel);
        if before != NONE && before != now {
            self.poisoned.store(true, Ordering::Release);
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(Error::Internal(anyhow::anyhow!(
                "a store call failed after writing inside the held transaction (bulk writes, \
                 `sahulat simulate`): its writes cannot be undone alone, so the writes since \
                 the last commit are abandoned"
            )));
        }
        Ok(now)
    }

    /// Opens the held transaction (nothing if one is held already, or if this is not a bulk
    /// writer: real use commits every call). Only a bulk writer's connection is never closed
    /// behind our back (no lifetime, no idle timeout), and closing it would roll the held
    /// writes back.
    pub(crate) async fn hold(&self) -> Result<()> {
        if !self.may_hold || self.held.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        // Not committed or rolled back by the guard: the transaction must outlive this call.
        // sqlx keeps counting it on the connection (depth 1), which is what turns the later
        // `begin`s into savepoints; `commit_held` ends and reopens it with plain SQL.
        std::mem::forget(tx);
        self.held.store(true, Ordering::Release);
        Ok(())
    }

    /// Commits the held transaction and opens the next one (nothing if none is held).
    pub(crate) async fn commit_held(&self) -> Result<()> {
        if !self.held.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await.map_err(db)?;
        self.check(&mut conn).await?;
        sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// A store call's write transaction: its own (`BEGIN IMMEDIATE`), or a call inside the held
/// transaction (no savepoint; see the module's header). Both are used as a connection.
#[derive(Debug)]
pub(crate) enum WriteTx {
    Own(Transaction<'static, Sqlite>),
    Held(Held),
}

/// A held call: the writer's connection, and `total_changes()` when the call began.
#[derive(Debug)]
pub(crate) struct Held {
    conn: Option<PoolConnection<Sqlite>>,
    changes: i64,
    unchecked: Arc<AtomicI64>,
}

impl WriteTx {
    /// Commits the call (held: it stays in the held transaction).
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        match self {
            WriteTx::Own(tx) => tx.commit().await,
            WriteTx::Held(mut h) => {
                h.conn = None;
                Ok(())
            }
        }
    }

    /// Ends the call without its writes (held: poisons the held transaction if it wrote,
    /// found by the next call).
    pub(crate) async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        match self {
            WriteTx::Own(tx) => tx.rollback().await,
            // Dropped here: `Held`'s `drop` leaves the check to the next call.
            WriteTx::Held(_) => Ok(()),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.conn.take().is_some() {
            // Ended without committing: the next call checks whether it wrote.
            self.unchecked.store(self.changes, Ordering::Release);
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::Held(h) => h.conn.as_ref().expect("a held call's connection"),
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::Held(h) => h.conn.as_mut().expect("a held call's connection"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Writer;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    async fn held_writer(dir: &tempfile::TempDir) -> Writer {
        let opts = SqliteConnectOptions::new()
            .filename(dir.path().join("held.db"))
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .expect("open");
        sqlx::query("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(&pool)
            .await
            .expect("table");
        let writer = Writer::new(pool, true);
        writer.hold().await.expect("hold");
        writer
    }

    async fn insert(writer: &Writer, n: i64, commit: bool) -> sahulat_domain::error::Result<()> {
        let mut tx = writer.begin().await?;
        sqlx::query("INSERT INTO t (n) VALUES (?)")
            .bind(n)
            .execute(&mut *tx)
            .await
            .expect("insert");
        if commit {
            tx.commit().await.expect("commit");
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_held_call_that_ends_without_writing_leaves_the_held_writes_usable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = held_writer(&dir).await;
        insert(&writer, 1, true).await.expect("first call");
        // A refusal: the call reads, finds nothing to do and ends without committing.
        let tx = writer.begin().await.expect("begin");
        tx.rollback().await.expect("rollback");
        insert(&writer, 2, true)
            .await
            .expect("a call after the refusal");
        writer.commit_held().await.expect("commit");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&writer.pool)
            .await
            .expect("count");
        assert_eq!(n, 2);
    }

    #[tokio::test]
    async fn a_held_call_that_wrote_and_ended_without_committing_stops_every_later_call() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = held_writer(&dir).await;
        insert(&writer, 1, true).await.expect("first call");
        // Wrote, then failed: without a savepoint its row cannot be taken back alone.
        insert(&writer, 2, false)
            .await
            .expect("the failing call itself");
        let next = insert(&writer, 3, true).await;
        let err = next.expect_err("a call after a failed write must not go on");
        assert!(err.to_string().contains("cannot be undone alone"), "{err}");
        assert!(
            writer.commit_held().await.is_err(),
            "the day must not commit"
        );
        // Nothing of the held transaction reached the file.
        writer.pool.close().await;
        let opts = SqliteConnectOptions::new().filename(dir.path().join("held.db"));
        let other = SqlitePoolOptions::new()
            .connect_with(opts)
            .await
            .expect("reopen");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&other)
            .await
            .expect("count");
        assert_eq!(n, 0);
    }
}
