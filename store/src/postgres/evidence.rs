//! postgres: the facts behind the key figures and the ratings, for a window and a filter.

use super::*;
use crate::evidence::{push_filter, FACT_COLUMNS, OPEN_COLUMNS, OUTCOME_COLUMNS};
use crate::{Evidence, FactQuery, OutcomesRead};
use sahulat_domain::evaluation::Outcome;
use sahulat_domain::evidence::open_data::OpenRecord;
use sahulat_domain::evidence::Fact;

fn fact_from_row(row: &PgRow) -> Result<Fact> {
    Ok(Fact {
        id: row.try_get("id").map_err(db)?,
        service: row.try_get("service_code").map_err(db)?,
        province: row.try_get("province_code").map_err(db)?,
        district: row.try_get("district_code").map_err(db)?,
        tehsil: row.try_get("tehsil_code").map_err(db)?,
        lat: row.try_get("lat").map_err(db)?,
        lon: row.try_get("lon").map_err(db)?,
        channel: enum_col(row, "channel", Channel::parse)?,
        priority: enum_col(row, "priority", Priority::parse)?,
        status: enum_col(row, "status", Status::parse)?,
        created_at: row.try_get("created_at").map_err(db)?,
        responded_at: row.try_get("responded_at").map_err(db)?,
        closed_at: row.try_get("closed_at").map_err(db)?,
        sla_due_at: row.try_get("sla_due_at").map_err(db)?,
        reporters: u32::try_from(row.try_get::<i32, _>("reporters").map_err(db)?).unwrap_or(1),
        reopen_count: u32::try_from(row.try_get::<i32, _>("reopen_count").map_err(db)?)
            .unwrap_or(0),
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

#[async_trait]
impl Evidence for PgStore {
    async fn evidence_facts(&self, q: &FactQuery) -> Result<Vec<Fact>> {
        let (from, to) = (q.from, q.to);
        // Three index ranges rather than one OR: created in the window; older and still open;
        // older and closed after the window began.
        let mut b = QueryBuilder::<Postgres>::new(format!(
            "SELECT {FACT_COLUMNS} FROM service_requests WHERE created_at >= "
        ));
        b.push_bind(from).push(" AND created_at < ").push_bind(to);
        push_filter(&mut b, q, "");
        if !q.created_only {
            b.push(format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at IS NULL AND created_at < "
            ));
            b.push_bind(from);
            push_filter(&mut b, q, "");
            b.push(format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at >= "
            ));
            b.push_bind(from).push(" AND created_at < ").push_bind(from);
            push_filter(&mut b, q, "");
        }
        let rows = b.build().fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(fact_from_row).collect()
    }

    async fn evaluation_outcomes(&self, q: &FactQuery) -> Result<OutcomesRead> {
        let mut b = QueryBuilder::<Postgres>::new(format!(
            "SELECT {OUTCOME_COLUMNS} FROM service_requests WHERE created_at >= "
        ));
        b.push_bind(q.from)
            .push(" AND created_at < ")
            .push_bind(q.to);
        push_filter(&mut b, q, "");
        let (rows, ratings) = tokio::try_join!(
            async { b.build().fetch_all(&self.pool).await.map_err(db) },
            self.evidence_ratings(q)
        )?;
        let outcomes = rows
            .iter()
            .map(|row| {
                Ok(Outcome {
                    id: row.try_get("id").map_err(db)?,
                    tehsil: row
                        .try_get::<Option<String>, _>("tehsil_code")
                        .map_err(db)?
                        .map(Arc::from),
                    status: enum_col(row, "status", Status::parse)?,
                    created_at: row.try_get("created_at").map_err(db)?,
                    closed_at: row.try_get("closed_at").map_err(db)?,
                    sla_due_at: row.try_get("sla_due_at").map_err(db)?,
                    reopen_count: u32::try_from(row.try_get::<i32, _>("reopen_count").map_err(db)?)
                        .unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((outcomes, ratings))
    }

    async fn latest_activity(&self) -> Result<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT MAX(updated_at) FROM service_requests")
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn evidence_ratings(&self, q: &FactQuery) -> Result<HashMap<i64, Vec<u8>>> {
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
