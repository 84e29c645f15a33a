//! postgres: fact blocks (`crate::blocks`, migration 0018): the `fact_blocks` pass that
//! repacks the district-days that changed, and the read of a window's facts and ratings from
//! the blocks plus the requests changed since the last pass, in one snapshot.

use super::facts::fact_from_row;
use super::*;
use crate::blocks::{decode, encode, walk, Admit};
use crate::evidence::FACT_COLUMNS;
use crate::{FactBlocks, FactQuery, OutcomesRead};
use chrono::NaiveDate;
use sahulat_domain::evaluation::{Codes, Outcome};
use sahulat_domain::evidence::Fact;
use std::collections::HashSet;

/// The condition on `service_requests s` of the requests of a window (`$1..$2`) changed since a
/// pass (`$3`), in every district: a change may have taken one out of the filter (a new
/// priority, another service), and its packed copy must not stand in for it.
const CHANGED_SINCE: &str =
    "s.created_at >= $1 AND s.created_at < $2 AND s.change_xid >= $3::text::xid8";

/// A window's facts and their ratings by request id.
type Read = (Vec<Fact>, HashMap<i64, Vec<u8>>);

/// The advisory lock a pass holds, so two workers do not repack the same days side by side.
const PASS_LOCK: i64 = 0x5341_4846_4231; // "SAHFB1"

/// One pass: repacks every district-day with a request changed since `clean_through` from one
/// repeatable-read snapshot and moves `clean_through` to that snapshot's xmin, all in one
/// transaction (a failed pass leaves the last one's blocks and state as they were).
pub(super) async fn refresh(pool: &PgPool) -> Result<FactBlocks> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let (locked, xmin): (bool, String) = sqlx::query_as(
        "SELECT pg_try_advisory_xact_lock($1), pg_snapshot_xmin(pg_current_snapshot())::text",
    )
    .bind(PASS_LOCK)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if !locked {
        return Ok(FactBlocks::default());
    }
    let since: String =
        sqlx::query_scalar("SELECT clean_through::text FROM fact_block_state WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .unwrap_or_else(|| "0".into());
    let stale: Vec<(String, NaiveDate)> = sqlx::query_as(
        "SELECT DISTINCT district_code, (created_at AT TIME ZONE 'UTC')::date FROM service_requests \
         WHERE change_xid >= $1::xid8 ORDER BY 1, 2",
    )
    .bind(&since)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut done = FactBlocks {
        ran: true,
        ..FactBlocks::default()
    };
    for (district, day) in stale {
        let (from, to) = utc_day(day);
        let rows = sqlx::query(&format!(
            "SELECT {FACT_COLUMNS} FROM service_requests WHERE district_code = $1 \
             AND created_at >= $2 AND created_at < $3 ORDER BY id"
        ))
        .bind(&district)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let facts = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
        let stars: Vec<(i64, i16)> = sqlx::query_as(
            "SELECT r.request_id, r.rating FROM ratings r JOIN service_requests s ON s.id = r.request_id \
             WHERE s.district_code = $1 AND s.created_at >= $2 AND s.created_at < $3 ORDER BY r.id",
        )
        .bind(&district)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let ratings = group_ratings(stars);
        let rated: Vec<Fact> = facts
            .iter()
            .filter(|f| ratings.contains_key(&f.id))
            .cloned()
            .collect();
        sqlx::query(
            "INSERT INTO fact_blocks (district_code, day, facts, payload, rated) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (district_code, day) DO UPDATE SET facts = EXCLUDED.facts, \
             payload = EXCLUDED.payload, rated = EXCLUDED.rated",
        )
        .bind(&district)
        .bind(day)
        .bind(i32::try_from(facts.len()).unwrap_or(i32::MAX))
        .bind(encode(&facts, &HashMap::new()))
        .bind(encode(&rated, &ratings))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        done.days += 1;
        done.facts += facts.len() as u64;
    }
    sqlx::query(
        "INSERT INTO fact_block_state (id, clean_through, refreshed_at) VALUES (1, $1::xid8, now()) \
         ON CONFLICT (id) DO UPDATE SET clean_through = EXCLUDED.clean_through, refreshed_at = EXCLUDED.refreshed_at",
    )
    .bind(&xmin)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(done)
}

/// The UTC day's bounds.
fn utc_day(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = day.and_time(chrono::NaiveTime::MIN).and_utc();
    (from, from + chrono::Duration::days(1))
}

/// Stars by request id, in the order read.
fn group_ratings(rows: Vec<(i64, i16)>) -> HashMap<i64, Vec<u8>> {
    let mut out: HashMap<i64, Vec<u8>> = HashMap::new();
    for (id, stars) in rows {
        out.entry(id)
            .or_default()
            .push(u8::try_from(stars).unwrap_or(0));
    }
    out
}

/// A block row's `payload` and `rated`, each only when asked for.
type Columns = (Option<Vec<u8>>, Option<Vec<u8>>);

/// What one snapshot holds for a window: its blocks (the columns asked for) and the requests
/// of the window changed since the last pass, with their ratings.
struct Fetched {
    payload: Vec<Vec<u8>>,
    rated: Vec<Vec<u8>>,
    fresh: Vec<Fact>,
    fresh_stars: HashMap<i64, Vec<u8>>,
}

/// Reads `q`'s window in one repeatable-read snapshot: the blocks' `payload` (every fact)
/// and/or `rated` (the rated facts with their stars), and the changed requests; `None` before
/// the first pass.
async fn fetch(
    pool: &PgPool,
    q: &FactQuery,
    payload: bool,
    rated: bool,
) -> Result<Option<Fetched>> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    // A plan for these values, every time: from its sixth run PostgreSQL's generic plan for the
    // changed rows guessed a window's worth and scanned them (410 ms instead of under 1 ms).
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let Some(since): Option<String> =
        sqlx::query_scalar("SELECT clean_through::text FROM fact_block_state WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
    else {
        return Ok(None);
    };
    let first = q.from.date_naive();
    let last = (q.to - chrono::Duration::microseconds(1)).date_naive();
    let pick = |wanted: bool, column: &str| {
        if wanted {
            column.to_string()
        } else {
            "NULL::bytea".to_string()
        }
    };
    let blocks: Vec<Columns> = sqlx::query_as(&format!(
        "SELECT {}, {} FROM fact_blocks WHERE district_code = ANY($1) AND day >= $2 AND day <= $3",
        pick(payload, "payload"),
        pick(rated, "rated")
    ))
    .bind(&q.districts)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let rows = sqlx::query(&format!(
        "SELECT {FACT_COLUMNS} FROM service_requests s WHERE {CHANGED_SINCE}"
    ))
    .bind(q.from)
    .bind(q.to)
    .bind(&since)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let stars: Vec<(i64, i16)> = sqlx::query_as(&format!(
        "SELECT r.request_id, r.rating FROM service_requests s JOIN ratings r ON r.request_id = s.id \
         WHERE {CHANGED_SINCE} ORDER BY r.id"
    ))
    .bind(q.from)
    .bind(q.to)
    .bind(&since)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    let (mut p, mut r) = (Vec::new(), Vec::new());
    for (a, b) in blocks {
        p.extend(a);
        r.extend(b);
    }
    Ok(Some(Fetched {
        payload: p,
        rated: r,
        fresh: rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?,
        fresh_stars: group_ratings(stars),
    }))
}

/// The changed requests `admit` keeps (they replace their packed copies, which the blocks'
/// walk skipped), their stars moved into `ratings`.
fn keep_fresh(
    fresh: Vec<Fact>,
    mut stars: HashMap<i64, Vec<u8>>,
    admit: &Admit<'_>,
    ratings: &mut HashMap<i64, Vec<u8>>,
) -> Vec<Fact> {
    let kept: Vec<Fact> = fresh.into_iter().filter(|f| admit.admits(f)).collect();
    for f in &kept {
        if let Some(s) = stars.remove(&f.id) {
            ratings.insert(f.id, s);
        }
    }
    kept
}

/// Runs `f` off the async threads: a quarter's facts are 50–100 ms of unpacking, a million
/// outcomes more, and a summary reads its facts and its ratings at once.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("unpacking fact blocks: {e}")))?
}

/// The facts of the requests created in `q`'s window that pass its filter (none unless
/// `with_facts`), and their ratings, from the blocks and the requests changed since the last
/// pass; `None` before the first pass.
pub(super) async fn created_in_window(
    pool: &PgPool,
    q: &FactQuery,
    with_facts: bool,
) -> Result<Option<Read>> {
    let Some(got) = fetch(pool, q, with_facts, !with_facts).await? else {
        return Ok(None);
    };
    let q = q.clone();
    off_thread(move || {
        let admit = Admit::of(&q);
        let skip: HashSet<i64> = got.fresh.iter().map(|f| f.id).collect();
        let mut facts = Vec::new();
        let mut ratings = HashMap::new();
        for block in if with_facts { &got.payload } else { &got.rated } {
            let into = if with_facts { Some(&mut facts) } else { None };
            decode(block, &admit, &skip, into, &mut ratings)?;
        }
        let kept = keep_fresh(got.fresh, got.fresh_stars, &admit, &mut ratings);
        if with_facts {
            facts.extend(kept);
        }
        Ok(Some((facts, ratings)))
    })
    .await
}

/// An evaluation's read (`Evidence::evaluation_outcomes`) from the blocks and the requests
/// changed since the last pass; `None` before the first pass.
pub(super) async fn outcomes_in_window(
    pool: &PgPool,
    q: &FactQuery,
) -> Result<Option<OutcomesRead>> {
    let Some(got) = fetch(pool, q, true, true).await? else {
        return Ok(None);
    };
    let q = q.clone();
    off_thread(move || {
        let admit = Admit::of(&q);
        let skip: HashSet<i64> = got.fresh.iter().map(|f| f.id).collect();
        let mut tehsils = Codes::default();
        let mut outcomes = Vec::new();
        for block in &got.payload {
            walk(block, &admit, &skip, |p| {
                outcomes.push(Outcome {
                    id: p.id,
                    tehsil: p.tehsil.map(|t| tehsils.get(t)),
                    status: p.status,
                    created_at: p.created_at,
                    closed_at: p.closed_at,
                    sla_due_at: p.sla_due_at,
                    reopen_count: p.reopen_count,
                });
            })?;
        }
        let mut ratings = HashMap::new();
        for block in &got.rated {
            decode(block, &admit, &skip, None, &mut ratings)?;
        }
        let fresh = got.fresh;
        for f in keep_fresh(fresh, got.fresh_stars, &admit, &mut ratings) {
            let mut o = Outcome::from(&f);
            o.tehsil = f.tehsil.as_deref().map(|t| tehsils.get(t));
            outcomes.push(o);
        }
        Ok(Some((outcomes, ratings)))
    })
    .await
}
