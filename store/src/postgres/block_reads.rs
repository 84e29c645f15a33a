//! postgres: a window's facts, ratings and outcomes read from the fact blocks (`blocks`, the
//! pass) plus, in the same snapshot, the requests changed since the last pass and the rows of
//! days a deletion or a move left dirty.

use super::blocks::group_ratings;
use super::facts::fact_from_row;
use super::*;
use crate::blocks::{decode, walk, Admit};
use crate::evidence::FACT_COLUMNS;
use crate::{FactQuery, OutcomesRead};
use sahulat_domain::evaluation::{Codes, Outcome};
use sahulat_domain::evidence::Fact;
use std::collections::HashSet;

/// A block row's `payload` and `rated`, each only when asked for.
type Columns = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The condition on `service_requests s` of the requests of a window (`$1..$2`) changed since a
/// pass (`$3`), in every district: a change may have taken one out of the filter (a new
/// priority, another service), and its packed copy must not stand in for it.
const CHANGED_SINCE: &str =
    "s.created_at >= $1 AND s.created_at < $2 AND s.change_xid >= $3::text::xid8";

/// A window's facts and their ratings by request id.
type Read = (Vec<Fact>, HashMap<i64, Vec<u8>>);

/// What one snapshot holds for a window: its blocks (the columns asked for) and the requests
/// of the window changed since the last pass, with their ratings.
struct Fetched {
    payload: Vec<Vec<u8>>,
    rated: Vec<Vec<u8>>,
    fresh: Vec<Fact>,
    fresh_stars: HashMap<i64, Vec<u8>>,
}

impl Fetched {
    /// The ids whose packed copies the changed rows replace.
    fn changed(&self) -> HashSet<i64> {
        self.fresh.iter().map(|f| f.id).collect()
    }
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
    // A state from another server (a restore; see the migration) is not trusted.
    let Some(since): Option<String> = sqlx::query_scalar(
        "SELECT clean_through::text FROM fact_block_state WHERE id = 1 \
         AND clean_through <= pg_snapshot_xmax(pg_current_snapshot())",
    )
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
        "SELECT {}, {} FROM fact_blocks b WHERE district_code = ANY($1) AND day >= $2 AND day <= $3 \
         AND NOT EXISTS (SELECT 1 FROM fact_block_dirty d \
         WHERE d.district_code = b.district_code AND d.day = b.day)",
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
    let mut fresh = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
    // Every request of a day a deletion or a move left dirty (its block is not read).
    let dirty: Vec<(String, chrono::NaiveDate)> =
        sqlx::query_as("SELECT district_code, day FROM fact_block_dirty")
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
    for (district, day) in dirty {
        let (a, b) = super::blocks::utc_day(day);
        let rows = sqlx::query(&format!(
            "SELECT {FACT_COLUMNS} FROM service_requests WHERE district_code = $1 \
             AND created_at >= $2 AND created_at < $3"
        ))
        .bind(&district)
        .bind(a.max(q.from))
        .bind(b.min(q.to))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let seen: HashSet<i64> = fresh.iter().map(|f| f.id).collect();
        for row in &rows {
            let f = fact_from_row(row)?;
            if !seen.contains(&f.id) {
                fresh.push(f);
            }
        }
    }
    let ids: Vec<i64> = fresh.iter().map(|f| f.id).collect();
    let stars: Vec<(i64, i16)> = sqlx::query_as(
        "SELECT request_id, rating FROM ratings WHERE request_id = ANY($1) ORDER BY id",
    )
    .bind(&ids)
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
        fresh,
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

/// With `with_facts`, the facts of the requests created in `q`'s window that pass its filter;
/// else their ratings (and no fact). From the blocks and the requests changed since the last
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
        let skip = got.changed();
        let mut facts = Vec::new();
        let mut ratings = HashMap::new();
        for block in if with_facts { &got.payload } else { &got.rated } {
            let into = if with_facts { Some(&mut facts) } else { None };
            decode(block, &admit, &skip, into, &mut ratings)?;
        }
        let kept = keep_fresh(got.fresh, got.fresh_stars, &admit, &mut ratings);
        if with_facts {
            facts.extend(kept);
            // A fact read has no stars in its blocks: it gives no rating rather than some.
            ratings.clear();
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
        let skip = got.changed();
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
