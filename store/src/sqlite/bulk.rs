//! Bulk reads on SQLite: the evidence facts and ratings of a window, tens of thousands to a
//! million rows, read through `rusqlite` on a blocking thread. sqlx hands SQLite rows from its
//! connection thread to the async side one at a time (about 11 µs a row here), and asking
//! SQLite for one JSON text of the rows instead costs about 2 µs a row of JSON building in
//! SQLite plus the parse (`BENCHMARKS.md`). Stepping the statement where it runs and reading
//! each column in place costs well under 1 µs a row. Connections are read-only, opened lazily
//! and kept for the next read (an in-memory database is opened by sqlx's shared-cache name);
//! the writer and every other read stay on sqlx.

use super::{parse_fixed_ts, parse_ts};
use rusqlite::{Connection, OpenFlags};
use sahulat_domain::error::{Error, Result};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Read-only connections to one database file, shared by the store's clones.
#[derive(Debug)]
pub(super) struct BulkReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// The file name sqlx gives an in-memory database (`sqlite::memory:`): a shared-cache memory
/// database that every connection of the process opening that name sees.
const SQLX_MEMORY: &str = "file:sqlx-in-memory-";

/// The memory map of a bulk connection: 64 GB, the `SQLITE_MAX_MMAP_SIZE` that
/// `.cargo/config.toml` builds SQLite with (its default ceiling is 2 GB). SQLite keeps only the
/// low 31 bits of a map size on a 32-bit machine, so there it stays at 2 GB.
const MMAP_BYTES: i64 = if cfg!(target_pointer_width = "64") {
    0x10_0000_0000
} else {
    0x7fff_0000
};

/// Set once a bulk connection was granted a smaller map (warned about once).
static SMALL_MAP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Idle connections kept (as many as sqlx's reader pool).
const KEEP: usize = 4;

impl BulkReader {
    pub(super) fn new(path: PathBuf) -> Arc<BulkReader> {
        Arc::new(BulkReader {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if self.path.to_string_lossy().starts_with(SQLX_MEMORY) {
            flags |= OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_MEMORY
                | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
        }
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // Large ranges straight from the OS page cache, the whole file (a million requests make
        // a 5 GB file; pages past the map would be copied by a read call each), and a 64 MB
        // page cache.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let granted = map_file(&conn)?;
        let small = granted.is_some_and(|g| g < MMAP_BYTES);
        if small && !SMALL_MAP.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(
                granted,
                wanted = MMAP_BYTES,
                "this build's SQLite maps less of the file than Sahulat asks (was LIBSQLITE3_FLAGS \
                 set in the environment when it was built? it overrides .cargo/config.toml): \
                 large evidence reads will be slower"
            );
        }
        conn.pragma_update(None, "cache_size", -65_536i64)?;
        Ok(conn)
    }

    /// Runs `read` on a blocking thread with a connection of the pool.
    pub(super) async fn read<T, F>(self: &Arc<Self>, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = me.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
            let conn = match taken {
                Some(c) => c,
                None => me.open().map_err(sqlite_err)?,
            };
            let out = read(&conn);
            if let Ok(mut idle) = me.idle.lock() {
                if idle.len() < KEEP {
                    idle.push(conn);
                }
            }
            out
        })
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("bulk read stopped: {e}")))?
    }
}

/// Asks for a map of `MMAP_BYTES` and returns what SQLite granted (no row for an in-memory
/// database: nothing to map).
fn map_file(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    rusqlite::OptionalExtension::optional(conn.query_row(
        &format!("PRAGMA mmap_size = {MMAP_BYTES}"),
        [],
        |r| r.get(0),
    ))
}

/// A rusqlite error as the store's error (busy or locked: unavailable, like sqlx's).
pub(super) fn sqlite_err(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            Error::Unavailable("the database is busy".into())
        }
        _ => Error::Internal(anyhow::Error::new(e).context("database error")),
    }
}

/// Column `i` as text borrowed from the row.
pub(super) fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str> {
    row.get_ref(i)
        .and_then(|v| v.as_str().map_err(Into::into))
        .map_err(sqlite_err)
}

/// Column `i` as text borrowed from the row, or `None` when NULL.
pub(super) fn opt_text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>> {
    row.get_ref(i)
        .and_then(|v| v.as_str_or_null().map_err(Into::into))
        .map_err(sqlite_err)
}

/// Column `i` as a timestamp written by `ts`, or `None` when NULL (the fixed layout is read
/// from the bytes; anything else is checked as text and parsed as RFC 3339).
pub(super) fn opt_time(
    row: &rusqlite::Row<'_>,
    i: usize,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let bytes = row
        .get_ref(i)
        .and_then(|v| v.as_bytes_or_null().map_err(Into::into))
        .map_err(sqlite_err)?;
    match bytes.map(|b| (b, parse_fixed_ts(b))) {
        None => Ok(None),
        Some((_, Some(t))) => Ok(Some(t)),
        Some(_) => opt_text(row, i)?.map(parse_ts).transpose(),
    }
}

/// Column `i` as a timestamp written by `ts`.
pub(super) fn time(row: &rusqlite::Row<'_>, i: usize) -> Result<chrono::DateTime<chrono::Utc>> {
    opt_time(row, i)?.ok_or_else(|| Error::Internal(anyhow::anyhow!("column {i} is NULL")))
}

#[cfg(test)]
mod tests {
    use super::{map_file, MMAP_BYTES};

    /// The SQLite this crate links must be built with `.cargo/config.toml`'s map ceiling: with
    /// SQLite's default one (2 GB) the bulk readers of a million-request file copy most pages
    /// with a read call each instead (BENCHMARKS.md). SQLite answers the map size it grants.
    #[test]
    fn the_linked_sqlite_grants_a_memory_map_past_two_gigabytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = rusqlite::Connection::open(dir.path().join("map.db")).expect("open");
        let granted = map_file(&conn).expect("pragma").expect("a file is mapped");
        assert_eq!(
            granted, MMAP_BYTES,
            "SQLITE_MAX_MMAP_SIZE of the linked SQLite"
        );
        if cfg!(target_pointer_width = "64") {
            assert!(granted > 1 << 31);
        }
    }
}
