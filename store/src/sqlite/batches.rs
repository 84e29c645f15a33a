//! sqlite: the worker's batches in a handful of statements each. On SQLite every statement is
//! a round trip to the connection's thread, which costs more than the statement itself
//! (BENCHMARKS.md, "Worker"), so a batch is read with one query per kind of thing and written
//! with multi-row statements in one transaction.

use super::outbox::record_many;
use super::packed::{requests_from_json, REQUESTS_JSON};
use super::sizes::{padded, push_ids, push_padded};
use super::*;
use crate::batches::{Batches, Delivery, NearbyAsk, TriageWritten};
use crate::sql::{applied_and_merged, nearby_answers};
use sahulat_domain::triage::Neighbour;

/// Ids per `IN (…)` list and searches per compound query (SQLite allows 500 terms).
const CHUNK: usize = 400;

#[async_trait]
impl Batches for SqliteStore {
    async fn requests_by_ids(&self, ids: &[i64]) -> Result<Vec<ServiceRequest>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            // One JSON value for the chunk's rows (`packed.rs`), in the order SQLite read them.
            let mut b = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {} FROM service_requests WHERE id IN (",
                *REQUESTS_JSON
            ));
            push_ids(&mut b.separated(", "), chunk, CHUNK);
            b.push(")");
            let text: Option<String> = b
                .build_query_scalar()
                .fetch_one(&self.reader)
                .await
                .map_err(db)?;
            out.extend(requests_from_json(text.as_deref())?);
        }
        Ok(out)
    }

    async fn reporters_many(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<Reporter>>> {
        let mut out: HashMap<i64, Vec<Reporter>> = ids.iter().map(|id| (*id, Vec::new())).collect();
        for chunk in ids.chunks(CHUNK / 4) {
            // `reporters`' query for many at once: each row tagged with the request it reports
            // on (`owner`: itself, or the original it was merged into), in `reporters`' order.
            let mut b = QueryBuilder::<Sqlite>::new("");
            let heads = [
                "SELECT r.id AS owner, r.id, r.reference, r.language, c.phone, NULL AS voice_id \
                   FROM service_requests r LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.id IN (",
                "SELECT r.duplicate_of AS owner, r.id, r.reference, r.language, c.phone, NULL AS voice_id \
                   FROM service_requests r LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.duplicate_of IN (",
                "SELECT r.id AS owner, r.id, r.reference, v.language, v.phone, v.id AS voice_id \
                   FROM request_voices v JOIN service_requests r ON r.id = v.request_id WHERE v.phone IS NOT NULL AND r.id IN (",
                "SELECT r.duplicate_of AS owner, r.id, r.reference, v.language, v.phone, v.id AS voice_id \
                   FROM request_voices v JOIN service_requests r ON r.id = v.request_id WHERE v.phone IS NOT NULL AND r.duplicate_of IN (",
            ];
            for (i, head) in heads.iter().enumerate() {
                if i > 0 {
                    b.push(" UNION ALL ");
                }
                b.push(*head);
                push_ids(&mut b.separated(", "), chunk, CHUNK / 4);
                b.push(")");
            }
            b.push(" ORDER BY 1, 2, 6");
            for r in b.build().fetch_all(&self.reader).await.map_err(db)? {
                let owner: i64 = r.try_get("owner").map_err(db)?;
                out.entry(owner)
                    .or_default()
                    .push(self.reporter_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn contacts(&self, ids: &[i64]) -> Result<HashMap<i64, Contact>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut b = QueryBuilder::<Sqlite>::new(
                "SELECT request_id, phone, name, email FROM request_contacts WHERE request_id IN (",
            );
            push_ids(&mut b.separated(", "), chunk, CHUNK);
            b.push(")");
            for r in b.build().fetch_all(&self.reader).await.map_err(db)? {
                let contact = open_contact(
                    &self.key,
                    r.try_get("phone").map_err(db)?,
                    r.try_get("name").map_err(db)?,
                    r.try_get("email").map_err(db)?,
                )?;
                out.insert(r.try_get("request_id").map_err(db)?, contact);
            }
        }
        Ok(out)
    }

    async fn nearby_open_many(&self, asks: &[NearbyAsk]) -> Result<Vec<Vec<Neighbour>>> {
        let found = super::nearby::nearby_many(&self.reader, asks).await?;
        Ok(nearby_answers(found, asks))
    }

    async fn apply_triage_batch(
        &self,
        outcomes: &[TriageOutcome],
        jobs: &[i64],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<TriageWritten> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let mut applied_ids = std::collections::HashSet::new();
        let mut first = std::collections::HashSet::new();
        let unique: Vec<&TriageOutcome> = outcomes
            .iter()
            .filter(|o| first.insert(o.request_id))
            .collect();
        for chunk in unique.chunks(CHUNK) {
            applied_ids.extend(triage_rows(&mut tx, chunk, &now_s).await?);
        }
        let (applied, merged) = applied_and_merged(outcomes, &applied_ids);
        if !merged.is_empty() {
            let merged: Vec<(i64, i64)> = merged.into_iter().collect();
            let mut b = QueryBuilder::<Sqlite>::new("WITH v(id, n) AS (");
            push_padded(&mut b, &merged, CHUNK, 2, |row, (id, n)| {
                row.push_bind(*id).push_bind(*n);
            });
            b.push(
                ") UPDATE OR FAIL service_requests SET reporters = reporters + v.n, updated_at = ",
            )
            .push_bind(now_s.clone())
            .push(" FROM v WHERE service_requests.id = v.id");
            b.build().execute(&mut *tx).await.map_err(db)?;
        }
        let histories: Vec<Vec<&HistoryEntry>> = outcomes
            .iter()
            .map(|o| o.history.iter().collect())
            .collect();
        let written: Vec<(i64, &[&HistoryEntry], &[NewMessage])> = outcomes
            .iter()
            .zip(&applied)
            .zip(&histories)
            .filter(|((_, a), _)| **a)
            .map(|((o, _), h)| (o.request_id, h.as_slice(), o.messages.as_slice()))
            .collect();
        record_many(&mut tx, &written, &now_s).await?;
        let mut done = std::collections::HashSet::new();
        for chunk in jobs.chunks(CHUNK) {
            let mut b = QueryBuilder::<Sqlite>::new(
                "UPDATE OR FAIL jobs SET state = 'done', lease_until = NULL, updated_at = ",
            );
            b.push_bind(now_s.clone())
                .push(" WHERE locked_by = ")
                .push_bind(worker)
                .push(" AND state = 'running' AND id IN (");
            push_ids(&mut b.separated(", "), chunk, CHUNK);
            b.push(") RETURNING id");
            for r in b.build().fetch_all(&mut *tx).await.map_err(db)? {
                done.insert(r.try_get::<i64, _>("id").map_err(db)?);
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(TriageWritten {
            applied,
            completed: jobs.iter().map(|job| done.contains(job)).collect(),
        })
    }

    async fn apply_actions(&self, actions: &[(ActionWrite, DateTime<Utc>)]) -> Result<Vec<bool>> {
        let mut tx = self.begin().await?;
        // A refused item writes nothing (its update matched no row), so the others stand.
        let timed: Vec<(&ActionWrite, String)> =
            actions.iter().map(|(w, at)| (w, ts(*at))).collect();
        let out = super::tickets::write_actions(&mut tx, &timed).await?;
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn rate_many(
        &self,
        ratings: &[(RatingWrite, DateTime<Utc>)],
    ) -> Result<Vec<RateOutcome>> {
        super::tickets::rate_many(self, ratings).await
    }

    async fn escalate_many(&self, steps: &[Escalation], now: DateTime<Utc>) -> Result<Vec<bool>> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let out = super::tickets::escalate_rows(&mut tx, steps, &now_s).await?;
        let written: Vec<(i64, Vec<&HistoryEntry>, &[NewMessage])> = steps
            .iter()
            .zip(&out)
            .filter(|(_, done)| **done)
            .map(|(e, _)| (e.request_id, vec![&e.history], e.messages.as_slice()))
            .collect();
        let items: Vec<(i64, &[&HistoryEntry], &[NewMessage])> = written
            .iter()
            .map(|(id, h, m)| (*id, h.as_slice(), *m))
            .collect();
        record_many(&mut tx, &items, &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn sent_counts(
        &self,
        recipients: &[String],
        since: DateTime<Utc>,
    ) -> Result<HashMap<String, i64>> {
        let mut out: HashMap<String, i64> = recipients.iter().map(|r| (r.clone(), 0)).collect();
        let unique: Vec<&String> = out.keys().collect();
        let mut counts = Vec::new();
        for chunk in unique.chunks(CHUNK) {
            // `+state`: without statistics SQLite took a long `IN` list as less selective than
            // `state = 'sent'` and scanned every message ever sent through `outbox_pending`,
            // a cost that grew with the history (19 ms a page at 60,000 requests); the unary
            // plus keeps it on `outbox_sent`, which holds the window's messages in time order
            // and checks their recipients in the index before any row is read.
            let mut b = QueryBuilder::<Sqlite>::new(
                "SELECT recipient, COUNT(*) AS n FROM outbox WHERE +state = 'sent' AND sent_at >= ",
            );
            b.push_bind(ts(since)).push(" AND recipient IN (");
            let mut sep = b.separated(", ");
            for r in padded(chunk, CHUNK) {
                sep.push_bind(r.map(|r| r.as_str()));
            }
            b.push(") GROUP BY recipient");
            for r in b.build().fetch_all(&self.reader).await.map_err(db)? {
                counts.push((
                    r.try_get::<String, _>("recipient").map_err(db)?,
                    r.try_get::<i64, _>("n").map_err(db)?,
                ));
            }
        }
        out.extend(counts);
        Ok(out)
    }

    async fn mark_messages(&self, deliveries: &[Delivery], now: DateTime<Utc>) -> Result<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        for chunk in deliveries.chunks(CHUNK) {
            let mut b = QueryBuilder::<Sqlite>::new("WITH v(id, state, error, sent_at) AS (");
            push_padded(&mut b, chunk, CHUNK, 4, |row, d| {
                let state = if d.sent {
                    "sent"
                } else if d.give_up {
                    "failed"
                } else {
                    "pending"
                };
                row.push_bind(d.id)
                    .push_bind(state)
                    .push_bind(d.error.clone())
                    .push_bind(d.sent.then(|| now_s.clone()));
            });
            b.push(
                ") UPDATE OR FAIL outbox SET state = v.state, attempts = attempts + 1, last_error = v.error, \
                 sent_at = v.sent_at FROM v WHERE outbox.id = v.id AND outbox.state = 'pending'",
            );
            b.build().execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}

/// Writes a chunk of triage outcomes (distinct requests), each only if its request is still
/// `submitted`; returns the ids written. A changed service (a request filed as `other`) is
/// written first, by itself. Then one `UPDATE` per shape: an open request that is no duplicate
/// leaves out `duplicate_of` and `closed_at`, which are NULL on every submitted request. Each
/// column named costs an update of every index on it, even with the same value (BENCHMARKS.md,
/// "The simulator: triage writes only what changes").
async fn triage_rows(tx: &mut WriteTx, chunk: &[&TriageOutcome], now_s: &str) -> Result<Vec<i64>> {
    let mut b = QueryBuilder::<Sqlite>::new("WITH v(id, service_code) AS (");
    push_padded(&mut b, chunk, CHUNK, 2, |row, o| {
        row.push_bind(o.request_id)
            .push_bind(o.service_code.clone());
    });
    b.push(
        ") UPDATE OR FAIL service_requests SET filed_service_code = service_requests.service_code, \
         service_code = v.service_code FROM v WHERE service_requests.id = v.id \
         AND service_requests.status = 'submitted' AND service_requests.service_code <> v.service_code",
    );
    b.build().execute(&mut **tx).await.map_err(db)?;
    let mut written = Vec::with_capacity(chunk.len());
    let (plain, other): (Vec<&TriageOutcome>, Vec<&TriageOutcome>) = chunk
        .iter()
        .partition(|o| o.status.is_open() && o.duplicate_of.is_none());
    for (rows, plain) in [(plain, true), (other, false)] {
        if rows.is_empty() {
            continue;
        }
        let mut b = QueryBuilder::<Sqlite>::new(
            "WITH v(id, status, priority, department_code, sla_due_at, ack_due_at, triage_flags, \
             duplicate_of, closed_at) AS (",
        );
        push_padded(&mut b, &rows, CHUNK, 9, |row, o| {
            row.push_bind(o.request_id)
                .push_bind(o.status.as_str())
                .push_bind(o.priority.as_str())
                .push_bind(o.department.clone())
                .push_bind(o.sla_due_at.map(ts))
                .push_bind(o.ack_due_at.map(ts))
                .push_bind(serde_json::to_string(&o.flags).unwrap_or_else(|_| "[]".into()))
                .push_bind(o.duplicate_of)
                .push_bind((!o.status.is_open()).then(|| now_s.to_string()));
        });
        b.push(
            ") UPDATE OR FAIL service_requests SET status = v.status, priority = v.priority, \
             department_code = v.department_code, sla_due_at = v.sla_due_at, \
             ack_due_at = v.ack_due_at, triage_flags = v.triage_flags, ",
        );
        if !plain {
            b.push("duplicate_of = v.duplicate_of, closed_at = v.closed_at, ");
        }
        b.push("updated_at = ").push_bind(now_s.to_string()).push(
            " FROM v WHERE service_requests.id = v.id AND service_requests.status = 'submitted' \
                 RETURNING service_requests.id",
        );
        for r in b.build().fetch_all(&mut **tx).await.map_err(db)? {
            written.push(r.try_get::<i64, _>("id").map_err(db)?);
        }
    }
    Ok(written)
}
