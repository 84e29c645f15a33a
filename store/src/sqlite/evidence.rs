//! sqlite: the facts behind the key figures and the ratings, for a window and a filter (read
//! in bulk through `bulk`), and open data.

use super::bulk::{opt_text, opt_time, sqlite_err, text, time};
use super::*;
use crate::evidence::{conditions, push_filter, FACT_COLUMNS, OPEN_COLUMNS, OUTCOME_COLUMNS};
use crate::{Evidence, FactQuery, OutcomesRead};
use sahulat_domain::evaluation::{Codes, Outcome};
use sahulat_domain::evidence::open_data::OpenRecord;
use sahulat_domain::evidence::Fact;

/// One `FACT_COLUMNS` row as a `Fact` (text read in place; seven columns are parsed, not copied).
fn fact_from_row(row: &rusqlite::Row<'_>) -> Result<Fact> {
    let int = |i: usize| row.get::<_, i64>(i).map_err(sqlite_err);
    let real = |i: usize| row.get::<_, Option<f64>>(i).map_err(sqlite_err);
    Ok(Fact {
        id: int(0)?,
        service: text(row, 1)?.to_owned(),
        province: text(row, 2)?.to_owned(),
        district: text(row, 3)?.to_owned(),
        tehsil: opt_text(row, 4)?.map(str::to_owned),
        lat: real(5)?,
        lon: real(6)?,
        channel: known("channel", text(row, 7)?, Channel::parse)?,
        priority: known("priority", text(row, 8)?, Priority::parse)?,
        status: known("status", text(row, 9)?, Status::parse)?,
        created_at: time(row, 10)?,
        responded_at: opt_time(row, 11)?,
        closed_at: opt_time(row, 12)?,
        sla_due_at: opt_time(row, 13)?,
        reporters: u32::try_from(int(14)?).unwrap_or(1),
        reopen_count: u32::try_from(int(15)?).unwrap_or(0),
    })
}

/// A code read from the database as its enum (an unknown one is the store's fault, not the
/// user's).
fn known<T>(column: &str, value: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(value)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown {column} {value:?} in database")))
}

/// Reads `OUTCOME_COLUMNS` rows as `Outcome`s; each tehsil code is allocated once per read.
fn read_outcomes(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[String],
    capacity: usize,
) -> Result<Vec<Outcome>> {
    let mut tehsils = Codes::default();
    step_all(conn, sql, params, capacity, |row| {
        let tehsil = opt_text(row, 1)?.map(|code| tehsils.get(code));
        Ok(Outcome {
            id: row.get(0).map_err(sqlite_err)?,
            tehsil,
            status: known("status", text(row, 2)?, Status::parse)?,
            created_at: time(row, 3)?,
            closed_at: opt_time(row, 4)?,
            sla_due_at: opt_time(row, 5)?,
            reopen_count: u32::try_from(row.get::<_, i64>(6).map_err(sqlite_err)?).unwrap_or(0),
        })
    })
}

/// ` AND …` for the filter's `conditions` (columns of `alias`), with its values appended to
/// `params` in placeholder order (`push_filter` for rusqlite).
fn filter(q: &FactQuery, alias: &str, params: &mut Vec<String>) -> String {
    let mut sql = String::new();
    for (column, values) in conditions(q) {
        let marks = vec!["?"; values.len()].join(", ");
        sql.push_str(&format!(" AND {alias}{column} IN ({marks})"));
        params.extend(values.into_iter().map(str::to_owned));
    }
    sql
}

/// Steps `sql` with `params` and maps every row with `map` (into a vector of `capacity`).
fn step_all<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[String],
    capacity: usize,
    mut map: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(sqlite_err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(sqlite_err)?;
    let mut out = Vec::with_capacity(capacity);
    while let Some(row) = rows.next().map_err(sqlite_err)? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// Runs `sql` with `params` on a bulk reader and maps every row with `map`.
async fn read_all<T: Send + 'static>(
    store: &SqliteStore,
    sql: String,
    params: Vec<String>,
    map: fn(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    store
        .bulk
        .read(move |conn| step_all(conn, &sql, &params, 0, map))
        .await
}

fn open_from_row(row: &SqliteRow) -> Result<OpenRecord> {
    let withheld: bool = row.try_get("description_withheld").map_err(db)?;
    let n = |c: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i64, _>(c).map_err(db)?).unwrap_or(0))
    };
    Ok(OpenRecord {
        reference: row.try_get("reference").map_err(db)?,
        service: row.try_get("service_code").map_err(db)?,
        sdg_targets: String::new(),
        district: row.try_get("district_code").map_err(db)?,
        tehsil: row.try_get("tehsil_code").map_err(db)?,
        channel: row.try_get("channel").map_err(db)?,
        priority: row.try_get("priority").map_err(db)?,
        status: row.try_get("status").map_err(db)?,
        lat: row.try_get("lat").map_err(db)?,
        lon: row.try_get("lon").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(db)?)?,
        responded_at: opt_ts(row.try_get("responded_at").map_err(db)?)?,
        closed_at: opt_ts(row.try_get("closed_at").map_err(db)?)?,
        sla_due_at: opt_ts(row.try_get("sla_due_at").map_err(db)?)?,
        duplicate_of: row.try_get("duplicate_reference").map_err(db)?,
        reporters: n("reporters")?,
        reopen_count: n("reopen_count")?,
        ratings: n("ratings")?,
        rating_mean: row.try_get("rating_mean").map_err(db)?,
    }
    .published(!withheld))
}

#[async_trait]
impl Evidence for SqliteStore {
    async fn evidence_facts(&self, q: &FactQuery) -> Result<Vec<Fact>> {
        let (from, to) = (ts(q.from), ts(q.to));
        // Index ranges rather than one OR, read at once on separate connections: the requests
        // created in each half of the window (a request's half never changes, so none is read
        // twice or missed), and in one statement (one snapshot, since a closing moves a request
        // from one to the other) those created earlier and still open, or closed after the
        // window began.
        let mid = ts(q.from + (q.to - q.from) / 2);
        let created = |a: &str, b: &str| {
            let mut params = vec![a.to_owned(), b.to_owned()];
            let mut sql = format!(
                "SELECT {FACT_COLUMNS} FROM service_requests WHERE created_at >= ? AND created_at < ?"
            );
            sql.push_str(&filter(q, "", &mut params));
            read_all(self, sql, params, fact_from_row)
        };
        let older = async {
            if q.created_only {
                return Ok(Vec::new());
            }
            let mut params = vec![from.clone()];
            let mut sql = format!(
                "SELECT {FACT_COLUMNS} FROM service_requests INDEXED BY service_requests_district_closed \
                 WHERE closed_at IS NULL AND created_at < ?"
            );
            sql.push_str(&filter(q, "", &mut params));
            sql.push_str(&format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at >= ? AND created_at < ?"
            ));
            params.extend([from.clone(), from.clone()]);
            sql.push_str(&filter(q, "", &mut params));
            read_all(self, sql, params, fact_from_row).await
        };
        let (mut facts, second, older) =
            tokio::try_join!(created(&from, &mid), created(&mid, &to), older)?;
        facts.extend(second);
        facts.extend(older);
        Ok(facts)
    }

    async fn evaluation_outcomes(&self, q: &FactQuery) -> Result<OutcomesRead> {
        let (from, to) = (ts(q.from), ts(q.to));
        let mut params = vec![from.clone(), to.clone()];
        let clause = filter(q, "", &mut params);
        // An evaluation's windows are often most of the history: then reading the table in
        // row order beats an index range that visits each row by a separate lookup (measured
        // 0.7 against 1.4 µs a row, BENCHMARKS.md), and the two halves of the table are read
        // at once on two connections. Which plan is chosen changes no result, not even the
        // order (the halves are joined in row order).
        let whole = q.services.is_empty() && q.tehsil.is_none();
        let rows = self
            .bulk
            .read(move |conn| {
                if !(whole && covers_most(conn, &from, &to)?) {
                    return Ok(None);
                }
                conn.query_row("SELECT MIN(id), MAX(id) FROM service_requests", [], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                })
                .map(Some)
                .map_err(sqlite_err)
            })
            .await?;
        let select = |plan: &str| {
            format!(
                "SELECT {OUTCOME_COLUMNS} FROM service_requests{plan} \
                 WHERE created_at >= ? AND created_at < ?{clause}"
            )
        };
        // Each part's ratings are read on its own connection right after its requests (the
        // halves' id ranges do not overlap, so neither are their ratings).
        let with_ratings = |conn: &rusqlite::Connection, sql: &str, params: &[String], rows| {
            let outcomes = read_outcomes(conn, sql, params, rows)?;
            let ratings = ratings_of(conn, outcomes.iter().map(|o| o.id).collect())?;
            Ok((outcomes, ratings))
        };
        match rows {
            None => {
                let sql = select("");
                self.bulk
                    .read(move |conn| with_ratings(conn, &sql, &params, 0))
                    .await
            }
            Some((lo, hi)) => {
                let sql = select(" NOT INDEXED");
                let mid = lo + (hi - lo) / 2;
                // Integers of our own, in the text: a bound text value would not make a rowid range.
                let half = |a: i64, b: i64| {
                    let sql = format!("{sql} AND id BETWEEN {a} AND {b}");
                    let params = params.clone();
                    let rows = usize::try_from(b - a + 1).unwrap_or(0);
                    self.bulk
                        .read(move |conn| with_ratings(conn, &sql, &params, rows))
                };
                let ((mut outcomes, mut ratings), (more, more_ratings)) =
                    tokio::try_join!(half(lo, mid), half(mid + 1, hi))?;
                outcomes.extend(more);
                ratings.extend(more_ratings);
                Ok((outcomes, ratings))
            }
        }
    }

    async fn latest_activity(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> = sqlx::query_scalar("SELECT MAX(updated_at) FROM service_requests")
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        t.as_deref().map(parse_ts).transpose()
    }

    async fn evidence_ratings(&self, q: &FactQuery) -> Result<HashMap<i64, Vec<u8>>> {
        // The window's request ids (an index range, often without a table read), then the
        // ratings over their id range, matched in memory (see `ratings_of`).
        let mut params = vec![ts(q.from), ts(q.to)];
        let mut sql = String::from(
            "SELECT id FROM service_requests WHERE created_at >= ? AND created_at < ?",
        );
        sql.push_str(&filter(q, "", &mut params));
        self.bulk
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(&sql).map_err(sqlite_err)?;
                let ids = stmt
                    .query_map(rusqlite::params_from_iter(params.iter()), |row| row.get(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
                    .map_err(sqlite_err)?;
                ratings_of(conn, ids)
            })
            .await
    }

    async fn open_data(&self, q: &FactQuery, limit: u32) -> Result<Vec<OpenRecord>> {
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {OPEN_COLUMNS} FROM service_requests s LEFT JOIN service_requests d ON d.id = s.duplicate_of \
             WHERE s.created_at >= "
        ));
        b.push_bind(ts(q.from))
            .push(" AND s.created_at < ")
            .push_bind(ts(q.to));
        push_filter(&mut b, q, "s.");
        b.push(" ORDER BY s.created_at, s.id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = b.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(open_from_row).collect()
    }
}

/// Whether `from..to` spans at least a quarter of the time between the first and the last
/// request (two index probes): then a scan of the whole table reads little it does not need.
fn covers_most(conn: &rusqlite::Connection, from: &str, to: &str) -> Result<bool> {
    let edge = |sql: &str| -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> = conn
            .query_row(sql, [], |row| row.get(0))
            .map_err(sqlite_err)?;
        t.as_deref().map(parse_ts).transpose()
    };
    let first = edge("SELECT MIN(created_at) FROM service_requests")?;
    let last = edge("SELECT MAX(created_at) FROM service_requests")?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(false);
    };
    let (from, to) = (parse_ts(from)?.max(first), parse_ts(to)?.min(last));
    let span = (last - first).num_seconds().max(1);
    Ok((to - from).num_seconds() * 4 >= span)
}

/// The ratings of the requests `ids`, read on the caller's connection. The ratings table is
/// read over the ids' range and matched in memory: joining each rating to its request, or each
/// request to its ratings, costs a B-tree lookup in the large table per row (0.5 s for the
/// 530,000 requests of one test window, BENCHMARKS.md).
fn ratings_of(conn: &rusqlite::Connection, ids: Vec<i64>) -> Result<HashMap<i64, Vec<u8>>> {
    let mut out: HashMap<i64, Vec<u8>> = HashMap::new();
    let set = IdSet::new(ids);
    let Some((lo, hi)) = set.range() else {
        return Ok(out);
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT request_id, rating FROM ratings NOT INDEXED WHERE request_id BETWEEN ? AND ?",
        )
        .map_err(sqlite_err)?;
    let mut rows = stmt.query([lo, hi]).map_err(sqlite_err)?;
    while let Some(row) = rows.next().map_err(sqlite_err)? {
        let id: i64 = row.get(0).map_err(sqlite_err)?;
        if set.contains(id) {
            let stars: i64 = row.get(1).map_err(sqlite_err)?;
            out.entry(id)
                .or_default()
                .push(u8::try_from(stars).unwrap_or(0));
        }
    }
    Ok(out)
}

/// A set of request ids for matching rows against. A window's ids are nearly contiguous, so
/// one bit per id of their range answers without a search; a sparse set is searched.
struct IdSet {
    ids: Vec<i64>,
    bits: Option<Vec<u64>>,
}

impl IdSet {
    fn new(mut ids: Vec<i64>) -> IdSet {
        ids.sort_unstable();
        let bits = match (ids.first(), ids.last()) {
            (Some(&lo), Some(&hi)) => {
                let span = u64::try_from(hi - lo).unwrap_or(u64::MAX).saturating_add(1);
                (span <= (ids.len() as u64).saturating_mul(64)).then(|| {
                    let mut bits = vec![0u64; span.div_ceil(64) as usize];
                    for &id in &ids {
                        let k = (id - lo) as usize;
                        bits[k / 64] |= 1 << (k % 64);
                    }
                    bits
                })
            }
            _ => None,
        };
        IdSet { ids, bits }
    }

    /// The smallest and largest id.
    fn range(&self) -> Option<(i64, i64)> {
        Some((*self.ids.first()?, *self.ids.last()?))
    }

    fn contains(&self, id: i64) -> bool {
        let Some((lo, hi)) = self.range() else {
            return false;
        };
        match &self.bits {
            _ if id < lo || id > hi => false,
            Some(bits) => {
                let k = (id - lo) as usize;
                bits[k / 64] & (1 << (k % 64)) != 0
            }
            None => self.ids.binary_search(&id).is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdSet;
    use std::collections::HashSet;

    #[test]
    fn an_id_set_answers_like_a_hash_set_whether_dense_or_sparse() {
        let dense: Vec<i64> = (1000..3000).filter(|i| i % 3 != 0).collect();
        let sparse: Vec<i64> = (0..50).map(|i| i * 1_000 + 7).collect();
        let mixed: Vec<i64> = dense.iter().chain(&sparse).copied().rev().collect();
        for ids in [dense, sparse, mixed, vec![42], Vec::new()] {
            let set = IdSet::new(ids.clone());
            let reference: HashSet<i64> = ids.iter().copied().collect();
            for id in -5..60_000 {
                assert_eq!(set.contains(id), reference.contains(&id), "{id}");
            }
        }
        assert!(IdSet::new((0..64).collect()).bits.is_some());
        assert!(IdSet::new(vec![0, 1_000_000]).bits.is_none());
    }
}
