//! postgres: the worker's batches. A batch is read with one query per kind of thing (ids as
//! an array, the duplicate searches as one `UNION ALL`) and written in one transaction, so a
//! batch of triage outcomes costs one commit (one WAL flush) instead of one per request, and
//! several workers can share the database: each claims its own jobs (`FOR UPDATE SKIP
//! LOCKED`) and every write is conditional on the state its decision saw.

use super::outbox::record_many;
use super::tickets::write_action;
use super::*;
use crate::batches::{Batches, Delivery, NearbyAsk, TriageWritten};
use crate::sql::{applied_and_merged, nearby_answers, unknown_status, NEIGHBOUR_COLUMNS};
use sahulat_domain::triage::Neighbour;

/// Searches per compound query (seven parameters each, far below PostgreSQL's 65,535).
const CHUNK: usize = 400;

#[async_trait]
impl Batches for PgStore {
    async fn requests_by_ids(&self, ids: &[i64]) -> Result<Vec<ServiceRequest>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE id = ANY($1)"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn reporters_many(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<Reporter>>> {
        let mut out: HashMap<i64, Vec<Reporter>> = ids.iter().map(|id| (*id, Vec::new())).collect();
        if ids.is_empty() {
            return Ok(out);
        }
        // `reporters`' query for many at once: each row tagged with the request it reports on
        // (`owner`: itself, or the original it was merged into), in `reporters`' order.
        let rows = sqlx::query(
            "SELECT r.id AS owner, r.id, r.reference, r.language, c.phone, NULL::bigint AS voice_id \
             FROM service_requests r LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.id = ANY($1) \
             UNION ALL SELECT r.duplicate_of, r.id, r.reference, r.language, c.phone, NULL::bigint \
             FROM service_requests r LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.duplicate_of = ANY($1) \
             UNION ALL SELECT r.id, r.id, r.reference, v.language, v.phone, v.id \
             FROM request_voices v JOIN service_requests r ON r.id = v.request_id \
             WHERE v.phone IS NOT NULL AND r.id = ANY($1) \
             UNION ALL SELECT r.duplicate_of, r.id, r.reference, v.language, v.phone, v.id \
             FROM request_voices v JOIN service_requests r ON r.id = v.request_id \
             WHERE v.phone IS NOT NULL AND r.duplicate_of = ANY($1) \
             ORDER BY 1, 2, 6",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        for r in &rows {
            let owner: i64 = r.try_get("owner").map_err(db)?;
            out.entry(owner)
                .or_default()
                .push(self.reporter_from_row(r)?);
        }
        Ok(out)
    }

    async fn contacts(&self, ids: &[i64]) -> Result<HashMap<i64, Contact>> {
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let rows = sqlx::query(
            "SELECT request_id, phone, name, email FROM request_contacts WHERE request_id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        for r in rows {
            let contact = open_contact(
                &self.key,
                r.try_get("phone").map_err(db)?,
                r.try_get("name").map_err(db)?,
                r.try_get("email").map_err(db)?,
            )?;
            out.insert(r.try_get("request_id").map_err(db)?, contact);
        }
        Ok(out)
    }

    async fn nearby_open_many(&self, asks: &[NearbyAsk]) -> Result<Vec<Vec<Neighbour>>> {
        let mut found: Vec<Vec<Neighbour>> = vec![Vec::new(); asks.len()];
        for (c, chunk) in asks.chunks(CHUNK).enumerate() {
            let mut b = QueryBuilder::<Postgres>::new("");
            for (i, a) in chunk.iter().enumerate() {
                if i > 0 {
                    b.push(" UNION ALL ");
                }
                let (lat0, lat1, lon0, lon1) = bbox(a.lat, a.lon, a.radius_m);
                b.push(format!(
                    "(SELECT {}::bigint AS ask, {NEIGHBOUR_COLUMNS} FROM service_requests WHERE lat BETWEEN ",
                    c * CHUNK + i
                ))
                .push_bind(lat0)
                .push(" AND ")
                .push_bind(lat1)
                .push(" AND lon BETWEEN ")
                .push_bind(lon0)
                .push(" AND ")
                .push_bind(lon1)
                .push(" AND service_code = ")
                .push_bind(a.service.as_str())
                .push(" AND created_at >= ")
                .push_bind(a.since)
                .push(" AND id <> ")
                .push_bind(a.exclude)
                .push(format!(" AND status IN ({}))", open_statuses_sql()));
            }
            for r in b.build().fetch_all(&self.pool).await.map_err(db)? {
                let ask: i64 = r.try_get(0).map_err(db)?;
                if let Some(list) = found.get_mut(ask as usize) {
                    list.push(neighbour_from_row(&r)?);
                }
            }
        }
        Ok(nearby_answers(found, asks))
    }

    async fn apply_triage_batch(
        &self,
        outcomes: &[TriageOutcome],
        jobs: &[i64],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<TriageWritten> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A request asked twice in one batch is written once: the first outcome wins (the
        // second would find it no longer `submitted` anyway).
        let mut first = std::collections::HashSet::new();
        let unique: Vec<&TriageOutcome> = outcomes
            .iter()
            .filter(|o| first.insert(o.request_id))
            .collect();
        // Lock every row the batch will change in id order first: two workers whose batches
        // touch each other's requests (one's new request is the other's original) then wait
        // for each other instead of deadlocking (PostgreSQL detects that only after
        // `deadlock_timeout`, 1 s, and aborts one batch).
        let mut touched: Vec<i64> = unique
            .iter()
            .flat_map(|o| std::iter::once(o.request_id).chain(o.duplicate_of))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        if !touched.is_empty() {
            sqlx::query(
                "SELECT id FROM service_requests WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            )
            .bind(&touched)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let written: std::collections::HashSet<i64> = if unique.is_empty() {
            Default::default()
        } else {
            sqlx::query_scalar(
                "UPDATE service_requests AS r SET filed_service_code = CASE WHEN r.service_code <> v.service_code \
                 THEN r.service_code ELSE r.filed_service_code END, service_code = v.service_code, status = v.status, \
                 priority = v.priority, department_code = v.department_code, sla_due_at = v.sla_due_at, \
                 ack_due_at = v.ack_due_at, duplicate_of = v.duplicate_of, triage_flags = v.flags, updated_at = $11, \
                 closed_at = CASE WHEN v.closes THEN $11 ELSE NULL END \
                 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], \
                 $7::timestamptz[], $8::bigint[], $9::jsonb[], $10::bool[]) \
                 AS v(id, service_code, status, priority, department_code, sla_due_at, ack_due_at, duplicate_of, flags, closes) \
                 WHERE r.id = v.id AND r.status = 'submitted' RETURNING r.id",
            )
            .bind(unique.iter().map(|o| o.request_id).collect::<Vec<i64>>())
            .bind(unique.iter().map(|o| o.service_code.as_str()).collect::<Vec<&str>>())
            .bind(unique.iter().map(|o| o.status.as_str()).collect::<Vec<&str>>())
            .bind(unique.iter().map(|o| o.priority.as_str()).collect::<Vec<&str>>())
            .bind(unique.iter().map(|o| o.department.as_deref()).collect::<Vec<Option<&str>>>())
            .bind(unique.iter().map(|o| o.sla_due_at).collect::<Vec<Option<DateTime<Utc>>>>())
            .bind(unique.iter().map(|o| o.ack_due_at).collect::<Vec<Option<DateTime<Utc>>>>())
            .bind(unique.iter().map(|o| o.duplicate_of).collect::<Vec<Option<i64>>>())
            .bind(unique.iter().map(|o| serde_json::json!(o.flags)).collect::<Vec<serde_json::Value>>())
            .bind(unique.iter().map(|o| !o.status.is_open()).collect::<Vec<bool>>())
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .into_iter()
            .collect()
        };
        let (applied, merged) = applied_and_merged(outcomes, &written);
        if !merged.is_empty() {
            let (ids, counts): (Vec<i64>, Vec<i64>) = merged.into_iter().unzip();
            sqlx::query(
                "UPDATE service_requests AS r SET reporters = r.reporters + v.n, updated_at = $3 \
                 FROM UNNEST($1::bigint[], $2::bigint[]) AS v(id, n) WHERE r.id = v.id",
            )
            .bind(&ids)
            .bind(&counts)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let items: Vec<(i64, &[HistoryEntry], &[NewMessage])> = outcomes
            .iter()
            .zip(&applied)
            .filter(|(_, a)| **a)
            .map(|(o, _)| (o.request_id, o.history.as_slice(), o.messages.as_slice()))
            .collect();
        record_many(&mut tx, &items, now).await?;
        let done: std::collections::HashSet<i64> = if jobs.is_empty() {
            Default::default()
        } else {
            sqlx::query_scalar(
                "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $1 \
                 WHERE id = ANY($2) AND locked_by = $3 AND state = 'running' RETURNING id",
            )
            .bind(now)
            .bind(jobs)
            .bind(worker)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .into_iter()
            .collect()
        };
        tx.commit().await.map_err(db)?;
        Ok(TriageWritten {
            applied,
            completed: jobs.iter().map(|job| done.contains(job)).collect(),
        })
    }

    async fn apply_actions(&self, actions: &[(ActionWrite, DateTime<Utc>)]) -> Result<Vec<bool>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut out = Vec::with_capacity(actions.len());
        for (w, at) in actions {
            // A refused item writes nothing (its update matched no row), so the others stand.
            out.push(write_action(&mut tx, w, *at).await?);
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn escalate_many(&self, steps: &[Escalation], now: DateTime<Utc>) -> Result<Vec<bool>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut out = Vec::with_capacity(steps.len());
        for e in steps {
            out.push(super::tickets::escalate_row(&mut tx, e, now).await?);
        }
        let items: Vec<(i64, &[HistoryEntry], &[NewMessage])> = steps
            .iter()
            .zip(&out)
            .filter(|(_, done)| **done)
            .map(|(e, _)| {
                (
                    e.request_id,
                    std::slice::from_ref(&e.history),
                    e.messages.as_slice(),
                )
            })
            .collect();
        record_many(&mut tx, &items, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn sent_counts(
        &self,
        recipients: &[String],
        since: DateTime<Utc>,
    ) -> Result<HashMap<String, i64>> {
        let mut out: HashMap<String, i64> = recipients.iter().map(|r| (r.clone(), 0)).collect();
        if recipients.is_empty() {
            return Ok(out);
        }
        let unique: Vec<&str> = out.keys().map(String::as_str).collect();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT recipient, COUNT(*) FROM outbox WHERE state = 'sent' AND sent_at >= $1 \
             AND recipient = ANY($2) GROUP BY recipient",
        )
        .bind(since)
        .bind(&unique)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        out.extend(rows);
        Ok(out)
    }

    async fn mark_messages(&self, deliveries: &[Delivery], now: DateTime<Utc>) -> Result<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
        let states: Vec<&str> = deliveries
            .iter()
            .map(|d| {
                if d.sent {
                    "sent"
                } else if d.give_up {
                    "failed"
                } else {
                    "pending"
                }
            })
            .collect();
        let errors: Vec<Option<String>> = deliveries.iter().map(|d| d.error.clone()).collect();
        let sent_at: Vec<Option<DateTime<Utc>>> =
            deliveries.iter().map(|d| d.sent.then_some(now)).collect();
        sqlx::query(
            "UPDATE outbox SET state = v.state, attempts = attempts + 1, last_error = v.error, \
             sent_at = v.sent_at FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) \
             AS v(id, state, error, sent_at) WHERE outbox.id = v.id AND outbox.state = 'pending'",
        )
        .bind(&ids)
        .bind(&states)
        .bind(&errors)
        .bind(&sent_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}

/// A `Neighbour` from a row of `ask, NEIGHBOUR_COLUMNS` (read by position: thousands a batch).
fn neighbour_from_row(r: &PgRow) -> Result<Neighbour> {
    let status: &str = r.try_get(4).map_err(db)?;
    Ok(Neighbour {
        id: r.try_get(1).map_err(db)?,
        reference: r.try_get(2).map_err(db)?,
        service_code: r.try_get(3).map_err(db)?,
        status: Status::parse(status).ok_or_else(|| unknown_status(status))?,
        lat: r.try_get(5).map_err(db)?,
        lon: r.try_get(6).map_err(db)?,
        department: r.try_get(7).map_err(db)?,
        created_at: r.try_get(8).map_err(db)?,
    })
}
