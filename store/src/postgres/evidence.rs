//! postgres: the facts behind the key figures and the ratings, for a window and a filter.

use super::facts::{fact_from_row, known};
use super::*;
use crate::evidence::{push_filter, FACT_COLUMNS, OPEN_COLUMNS, OUTCOME_COLUMNS};
use crate::{Evidence, FactQuery, OutcomesRead};
use sahulat_domain::evaluation::{Codes, Outcome};
use sahulat_domain::evidence::open_data::OpenRecord;
use sahulat_domain::evidence::Fact;

/// `columns` of the requests created in `from..to` that pass the filter.
fn created_between<'a>(
    columns: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    q: &'a FactQuery,
) -> QueryBuilder<'a, Postgres> {
    let mut b = QueryBuilder::<Postgres>::new(format!(
        "SELECT {columns} FROM service_requests WHERE created_at >= "
    ));
    b.push_bind(from).push(" AND created_at < ").push_bind(to);
    push_filter(&mut b, q, "");
    b
}

/// Runs a `FACT_COLUMNS` query.
async fn facts_of(pool: &PgPool, mut b: QueryBuilder<'_, Postgres>) -> Result<Vec<Fact>> {
    let rows = b.build().fetch_all(pool).await.map_err(db)?;
    rows.iter().map(fact_from_row).collect()
}

/// An `OUTCOME_COLUMNS` row, by position.
fn outcome_from_row(row: &PgRow, tehsils: &mut Codes) -> Result<Outcome> {
    Ok(Outcome {
        id: row.try_get(0).map_err(db)?,
        tehsil: row
            .try_get::<Option<&str>, _>(1)
            .map_err(db)?
            .map(|code| tehsils.get(code)),
        status: known(row, 2, "status", Status::parse)?,
        created_at: row.try_get(3).map_err(db)?,
        closed_at: row.try_get(4).map_err(db)?,
        sla_due_at: row.try_get(5).map_err(db)?,
        reopen_count: u32::try_from(row.try_get::<i32, _>(6).map_err(db)?).unwrap_or(0),
    })
}

fn open_from_row(row: &PgRow) -> Result<OpenRecord> {
    let withheld: bool = row.try_get("description_withheld").map_err(db)?;
    let n = |c: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i32, _>(c).map_err(db)?).unwrap_or(0))
    };
    let ratings: i64 = row.try_get("ratings").map_err(db)?;
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
        created_at: row.try_get("created_at").map_err(db)?,
        responded_at: row.try_get("responded_at").map_err(db)?,
        closed_at: row.try_get("closed_at").map_err(db)?,
        sla_due_at: row.try_get("sla_due_at").map_err(db)?,
        duplicate_of: row.try_get("duplicate_reference").map_err(db)?,
        reporters: n("reporters")?,
        reopen_count: n("reopen_count")?,
        ratings: u32::try_from(ratings).unwrap_or(0),
        rating_mean: row.try_get("rating_mean").map_err(db)?,
    }
    .published(!withheld))
}

impl PgStore {
    /// The facts of the requests created in the window: from the fact blocks once a pass has
    /// run, else row by row, each half of the window on its own connection (a request's half
    /// never changes, so none is read twice or missed).
    async fn created_facts(&self, q: &FactQuery) -> Result<Vec<Fact>> {
        if let Some((facts, _)) = super::block_reads::created_in_window(&self.pool, q, true).await?
        {
            return Ok(facts);
        }
        let mid = q.from + (q.to - q.from) / 2;
        let (mut first, second) = tokio::try_join!(
            facts_of(&self.pool, created_between(FACT_COLUMNS, q.from, mid, q)),
            facts_of(&self.pool, created_between(FACT_COLUMNS, mid, q.to, q)),
        )?;
        first.extend(second);
        Ok(first)
    }
}

#[async_trait]
impl Evidence for PgStore {
    async fn evidence_facts(&self, q: &FactQuery) -> Result<Vec<Fact>> {
        let from = q.from;
        // Index ranges rather than one OR, run at once on separate connections: the requests
        // created in the window (`created_facts`), and in one statement (one snapshot: a
        // closing moves a request from one part to the other) those created earlier and still
        // open, or closed after the window began.
        let older = async {
            if q.created_only {
                return Ok(Vec::new());
            }
            let mut b = QueryBuilder::<Postgres>::new(format!(
                "SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at IS NULL AND created_at < "
            ));
            b.push_bind(from);
            push_filter(&mut b, q, "");
            b.push(format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at >= "
            ));
            b.push_bind(from).push(" AND created_at < ").push_bind(from);
            push_filter(&mut b, q, "");
            facts_of(&self.pool, b).await
        };
        let (mut facts, older) = tokio::try_join!(self.created_facts(q), older)?;
        facts.extend(older);
        Ok(facts)
    }

    async fn evaluation_outcomes(&self, q: &FactQuery) -> Result<OutcomesRead> {
        if let Some(read) = super::block_reads::outcomes_in_window(&self.pool, q).await? {
            return Ok(read);
        }
        // The window's two halves at once on two connections, with the ratings on a third (a
        // request's half never changes, so none is read twice or missed).
        let half = |a: DateTime<Utc>, b: DateTime<Utc>| async move {
            let rows = created_between(OUTCOME_COLUMNS, a, b, q)
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            let mut tehsils = Codes::default();
            rows.iter()
                .map(|row| outcome_from_row(row, &mut tehsils))
                .collect::<Result<Vec<_>>>()
        };
        let mid = q.from + (q.to - q.from) / 2;
        let (mut outcomes, second, ratings) =
            tokio::try_join!(half(q.from, mid), half(mid, q.to), self.evidence_ratings(q))?;
        outcomes.extend(second);
        Ok((outcomes, ratings))
    }

    async fn latest_activity(&self) -> Result<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT MAX(updated_at) FROM service_requests")
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn evidence_ratings(&self, q: &FactQuery) -> Result<HashMap<i64, Vec<u8>>> {
        if let Some((_, ratings)) =
            super::block_reads::created_in_window(&self.pool, q, false).await?
        {
            return Ok(ratings);
        }
        let mut b = QueryBuilder::<Postgres>::new(
            "SELECT r.request_id, r.rating FROM ratings r JOIN service_requests s ON s.id = r.request_id \
             WHERE s.created_at >= ",
        );
        b.push_bind(q.from)
            .push(" AND s.created_at < ")
            .push_bind(q.to);
        push_filter(&mut b, q, "s.");
        let rows = b.build().fetch_all(&self.pool).await.map_err(db)?;
        let mut out: HashMap<i64, Vec<u8>> = HashMap::new();
        for r in rows {
            let stars: i16 = r.try_get("rating").map_err(db)?;
            out.entry(r.try_get("request_id").map_err(db)?)
                .or_default()
                .push(u8::try_from(stars).unwrap_or(0));
        }
        Ok(out)
    }

    async fn open_data(&self, q: &FactQuery, limit: u32) -> Result<Vec<OpenRecord>> {
        let mut b = QueryBuilder::<Postgres>::new(format!(
            "SELECT {OPEN_COLUMNS} FROM service_requests s LEFT JOIN service_requests d ON d.id = s.duplicate_of \
             WHERE s.created_at >= "
        ));
        b.push_bind(q.from)
            .push(" AND s.created_at < ")
            .push_bind(q.to);
        push_filter(&mut b, q, "s.");
        b.push(" ORDER BY s.created_at, s.id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = b.build().fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(open_from_row).collect()
    }
}
