//! postgres: the `fact_blocks` pass (`crate::blocks`, migration 0018), which repacks the
//! district-days that changed since the last pass; `block_reads` reads them.

use super::facts::fact_from_row;
use super::*;
use crate::blocks::encode;
use crate::evidence::FACT_COLUMNS;
use crate::FactBlocks;
use chrono::NaiveDate;
use sahulat_domain::evidence::Fact;

/// The advisory lock a pass holds, so two workers do not repack the same days side by side.
const PASS_LOCK: i64 = 0x5341_4846_4231; // "SAHFB1"

/// Why a pass stopped: a statement, or the data.
enum PassError {
    Sql(sqlx::Error),
    Data(Error),
}

impl From<sqlx::Error> for PassError {
    fn from(e: sqlx::Error) -> Self {
        PassError::Sql(e)
    }
}

/// One pass: repacks every district-day with a request changed since `clean_through` (or left
/// dirty by a deletion or a move) from one repeatable-read snapshot and moves `clean_through`
/// to that snapshot's xmin, all in one transaction (a failed pass leaves the last one's blocks
/// and state as they were). Another pass at the same time makes this one step aside.
pub(super) async fn refresh(pool: &PgPool) -> Result<FactBlocks> {
    match pass(pool).await {
        Ok(done) => Ok(done),
        // Another pass committed after this one's snapshot was taken: it did the work.
        Err(PassError::Sql(sqlx::Error::Database(e))) if e.code().as_deref() == Some("40001") => {
            Ok(FactBlocks::default())
        }
        Err(PassError::Sql(e)) => Err(db(e)),
        Err(PassError::Data(e)) => Err(e),
    }
}

async fn pass(pool: &PgPool) -> std::result::Result<FactBlocks, PassError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await?;
    let (locked, xmin): (bool, String) = sqlx::query_as(
        "SELECT pg_try_advisory_xact_lock($1), pg_snapshot_xmin(pg_current_snapshot())::text",
    )
    .bind(PASS_LOCK)
    .fetch_one(&mut *tx)
    .await?;
    if !locked {
        return Ok(FactBlocks::default());
    }
    // A state (or rows) carrying xids this server has not reached came from another server
    // (a restore): start again from nothing, and stamp such rows with this pass's xid.
    let since: String = sqlx::query_scalar(
        "SELECT clean_through::text FROM fact_block_state WHERE id = 1          AND clean_through <= pg_snapshot_xmax(pg_current_snapshot())",
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or_else(|| "0".into());
    sqlx::query(
        "UPDATE service_requests SET change_xid = change_xid          WHERE change_xid >= pg_snapshot_xmax(pg_current_snapshot())",
    )
    .execute(&mut *tx)
    .await?;
    let stale: Vec<(String, NaiveDate)> = sqlx::query_as(
        "SELECT district_code, (created_at AT TIME ZONE 'UTC')::date FROM service_requests \
         WHERE change_xid >= $1::xid8 UNION SELECT district_code, day FROM fact_block_dirty \
         ORDER BY 1, 2",
    )
    .bind(&since)
    .fetch_all(&mut *tx)
    .await?;
    let mut done = FactBlocks {
        ran: true,
        ..FactBlocks::default()
    };
    for (district, day) in stale {
        let facts = repack(&mut tx, &district, day).await?;
        done.days += 1;
        done.facts += facts;
    }
    sqlx::query("DELETE FROM fact_block_dirty")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO fact_block_state (id, clean_through, refreshed_at) VALUES (1, $1::xid8, now()) \
         ON CONFLICT (id) DO UPDATE SET clean_through = EXCLUDED.clean_through, refreshed_at = EXCLUDED.refreshed_at",
    )
    .bind(&xmin)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// Packs one district-day from the pass's snapshot; returns its number of facts.
async fn repack(
    tx: &mut Transaction<'static, Postgres>,
    district: &str,
    day: NaiveDate,
) -> std::result::Result<u64, PassError> {
    let (from, to) = utc_day(day);
    let rows = sqlx::query(&format!(
        "SELECT {FACT_COLUMNS} FROM service_requests WHERE district_code = $1 \
         AND created_at >= $2 AND created_at < $3 ORDER BY id"
    ))
    .bind(district)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    let facts = rows
        .iter()
        .map(fact_from_row)
        .collect::<Result<Vec<_>>>()
        .map_err(PassError::Data)?;
    let stars: Vec<(i64, i16)> = sqlx::query_as(
        "SELECT r.request_id, r.rating FROM ratings r JOIN service_requests s ON s.id = r.request_id \
         WHERE s.district_code = $1 AND s.created_at >= $2 AND s.created_at < $3 ORDER BY r.id",
    )
    .bind(district)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    let ratings = group_ratings(stars);
    let rated: Vec<Fact> = facts
        .iter()
        .filter(|f| ratings.contains_key(&f.id))
        .cloned()
        .collect();
    let payload = encode(&facts, &HashMap::new()).map_err(PassError::Data)?;
    let rated = encode(&rated, &ratings).map_err(PassError::Data)?;
    sqlx::query(
        "INSERT INTO fact_blocks (district_code, day, payload, rated) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (district_code, day) DO UPDATE SET \
         payload = EXCLUDED.payload, rated = EXCLUDED.rated",
    )
    .bind(district)
    .bind(day)
    .bind(payload)
    .bind(rated)
    .execute(&mut **tx)
    .await?;
    Ok(facts.len() as u64)
}

/// The UTC day's bounds.
pub(super) fn utc_day(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = day.and_time(chrono::NaiveTime::MIN).and_utc();
    (from, from + chrono::Duration::days(1))
}

/// Stars by request id, in the order read.
pub(super) fn group_ratings(rows: Vec<(i64, i16)>) -> HashMap<i64, Vec<u8>> {
    let mut out: HashMap<i64, Vec<u8>> = HashMap::new();
    for (id, stars) in rows {
        out.entry(id)
            .or_default()
            .push(u8::try_from(stars).unwrap_or(0));
    }
    out
}
