//! sqlite: the facts behind the key figures and the ratings, for a window and a filter.

use super::*;
use crate::evidence::{push_filter, FACT_COLUMNS, OPEN_COLUMNS};
use crate::{Evidence, FactQuery};
use sahulat_domain::evidence::open_data::OpenRecord;
use sahulat_domain::evidence::Fact;
use std::borrow::Cow;

/// `FACT_COLUMNS` as a JSON array. Text is borrowed from the JSON where it has no escapes (codes
/// and timestamps never do), which spares seven allocations a row.
#[derive(serde::Deserialize)]
struct FactRow<'a>(
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<f64>,
    Option<f64>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    i64,
    i64,
);

fn fact_from_row(t: FactRow<'_>) -> Result<Fact> {
    let bad =
        |col: &str, v: &str| Error::Internal(anyhow::anyhow!("unknown {col} {v:?} in database"));
    let when = |v: Option<Cow<'_, str>>| v.as_deref().map(parse_ts).transpose();
    Ok(Fact {
        id: t.0,
        service: t.1.into_owned(),
        province: t.2.into_owned(),
        district: t.3.into_owned(),
        tehsil: t.4.map(Cow::into_owned),
        lat: t.5,
        lon: t.6,
        channel: Channel::parse(&t.7).ok_or_else(|| bad("channel", &t.7))?,
        priority: Priority::parse(&t.8).ok_or_else(|| bad("priority", &t.8))?,
        status: Status::parse(&t.9).ok_or_else(|| bad("status", &t.9))?,
        created_at: parse_ts(&t.10)?,
        responded_at: when(t.11)?,
        closed_at: when(t.12)?,
        sla_due_at: when(t.13)?,
        reporters: u32::try_from(t.14).unwrap_or(1),
        reopen_count: u32::try_from(t.15).unwrap_or(0),
    })
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
        // Three index ranges rather than one OR: created in the window; older and still open;
        // older and closed after the window began.
        // One JSON text instead of one row per request: sqlx hands SQLite rows over one at a
        // time between threads, which cost ~10 µs a row; parsing the array costs ~1 µs.
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT json_group_array(json_array({FACT_COLUMNS})) FROM (\
             SELECT {FACT_COLUMNS} FROM service_requests WHERE created_at >= "
        ));
        b.push_bind(from.clone())
            .push(" AND created_at < ")
            .push_bind(to);
        push_filter(&mut b, q, "");
        if !q.created_only {
            b.push(format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests INDEXED BY service_requests_district_closed \
                 WHERE closed_at IS NULL AND created_at < "
            ));
            b.push_bind(from.clone());
            push_filter(&mut b, q, "");
            b.push(format!(
                " UNION ALL SELECT {FACT_COLUMNS} FROM service_requests WHERE closed_at >= "
            ));
            b.push_bind(from.clone())
                .push(" AND created_at < ")
                .push_bind(from);
            push_filter(&mut b, q, "");
        }
        b.push(")");
        let text: String = b
            .build_query_scalar()
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        let rows: Vec<FactRow<'_>> = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(anyhow::anyhow!("evidence facts: {e}")))?;
        rows.into_iter().map(fact_from_row).collect()
    }

    async fn latest_activity(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> = sqlx::query_scalar("SELECT MAX(updated_at) FROM service_requests")
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        t.as_deref().map(parse_ts).transpose()
    }

    async fn evidence_ratings(&self, q: &FactQuery) -> Result<HashMap<i64, Vec<u8>>> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT json_group_array(json_array(r.request_id, r.rating)) FROM ratings r \
             JOIN service_requests s ON s.id = r.request_id WHERE s.created_at >= ",
        );
        b.push_bind(ts(q.from))
            .push(" AND s.created_at < ")
            .push_bind(ts(q.to));
        push_filter(&mut b, q, "s.");
        let text: String = b
            .build_query_scalar()
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        let rows: Vec<(i64, i64)> = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(anyhow::anyhow!("evidence ratings: {e}")))?;
        let mut out: HashMap<i64, Vec<u8>> = HashMap::new();
        for (id, stars) in rows {
            out.entry(id)
                .or_default()
                .push(u8::try_from(stars).unwrap_or(0));
        }
        Ok(out)
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
