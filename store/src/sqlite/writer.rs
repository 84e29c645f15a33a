//! The SQLite store's one writer connection, and the held transaction of a bulk writer.
//!
//! Every write takes the writer with `BEGIN IMMEDIATE`, so writers queue in-process instead of
//! spinning on `SQLITE_BUSY`. A bulk store (`sahulat simulate`, `SqliteStore::connect_bulk`)
//! can instead *hold* its writes: one transaction stays open on the writer, each store call's
//! transaction becomes a savepoint inside it (a refused or failed call still undoes only its own
//! writes), and `commit_held` commits everything since the last commit at once. Each commit
//! writes every page it changed to the WAL, so one commit a simulated day instead of one per
//! store call writes a hot index page once instead of hundreds of times (`BENCHMARKS.md`, "The
//! simulator: a day per transaction"). The price: a crash loses the writes since the last
//! commit, and other processes cannot write to the file until it comes.

use crate::db;
use sahulat_domain::error::Result;
use sqlx::sqlite::SqlitePool;
use sqlx::{Connection, Sqlite, Transaction};
use std::sync::atomic::{AtomicBool, Ordering};
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
}

impl Writer {
    pub(crate) fn new(pool: SqlitePool, may_hold: bool) -> Self {
        Self {
            pool,
            may_hold,
            held: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A write transaction: `BEGIN IMMEDIATE`, or a savepoint inside the held transaction.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Sqlite>> {
        if self.held.load(Ordering::Acquire) {
            // sqlx counts the held transaction on the connection, so a plain `begin` is a
            // `SAVEPOINT`, its commit a `RELEASE` and its rollback a `ROLLBACK TO`.
            self.pool.begin().await.map_err(db)
        } else {
            self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
        }
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
