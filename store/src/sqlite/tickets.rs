//! SQLite ticket queues and lifecycle actions.

use super::outbox::{record_timed, Recorded};
use super::sizes::{padded, push_padded, push_padded_insert};
use super::*;
use sahulat_domain::sla::MAX_ESCALATION;

// Migration 0019's partial indexes name the last level (3) in their predicates; `overdue`'s
// query must repeat it exactly for SQLite to use them.
const _: () = assert!(
    MAX_ESCALATION == 3,
    "migration 0019 assumes MAX_ESCALATION = 3"
);

fn push_scope(b: &mut QueryBuilder<'_, Sqlite>, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::District(d) => {
            b.push(" AND district_code = ").push_bind(d.clone());
        }
        // A department belongs to exactly one district, so its code alone scopes the
        // query (and lets the (department_code, status) index answer the counts alone).
        Scope::Department { department, .. } => {
            b.push(" AND department_code = ")
                .push_bind(department.clone());
        }
        Scope::Nothing => {
            b.push(" AND 1 = 0");
        }
    }
}

/// The filter's conditions (everything but order and paging).
fn push_filter(b: &mut QueryBuilder<'_, Sqlite>, f: &TicketFilter) {
    if !f.statuses.is_empty() {
        b.push(" AND status IN (");
        let mut sep = b.separated(", ");
        for s in &f.statuses {
            sep.push_bind(s.as_str());
        }
        b.push(")");
    }
    if let Some(p) = f.priority {
        b.push(" AND priority = ").push_bind(p.as_str());
    }
    if let Some(s) = &f.service {
        b.push(" AND service_code = ").push_bind(s.clone());
    }
    if let Some(t) = &f.tehsil {
        b.push(" AND tehsil_code = ").push_bind(t.clone());
    }
    if let Some(at) = f.overdue_at {
        b.push(" AND sla_due_at < ").push_bind(ts(at));
        b.push(" AND status IN ('open', 'acknowledged', 'in_progress', 'referred')");
    }
    if let Some(flag) = &f.flag {
        b.push(" AND triage_flags LIKE ")
            .push_bind(format!("%\"{flag}%"));
    }
    if let Some(desks) = &f.unassigned_in {
        // Through the (department_code, status) index: few tickets sit at a desk, while a
        // district scan would read every ticket of the district.
        const OPEN: &str = "status IN ('open', 'acknowledged', 'in_progress', 'referred')";
        b.push(format!(
            " AND id IN (SELECT id FROM service_requests WHERE department_code IS NULL AND {OPEN}"
        ));
        for d in desks {
            b.push(format!(
                " UNION ALL SELECT id FROM service_requests WHERE {OPEN} AND department_code = "
            ))
            .push_bind(d.clone());
        }
        b.push(")");
    }
}

#[async_trait]
impl Tickets for SqliteStore {
    async fn list_tickets(&self, scope: &Scope, f: &TicketFilter) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status <> 'submitted'"
        ));
        push_scope(&mut b, scope);
        push_filter(&mut b, f);
        b.push(order_by(f.sort));
        b.push(" LIMIT ").push_bind(i64::from(f.limit.max(1)));
        b.push(" OFFSET ").push_bind(i64::from(f.offset));
        let rows = b.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn count_tickets(&self, scope: &Scope, f: &TicketFilter) -> Result<i64> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) FROM service_requests WHERE status <> 'submitted'",
        );
        push_scope(&mut b, scope);
        push_filter(&mut b, f);
        Ok(b.build_query_scalar::<i64>()
            .fetch_one(&self.reader)
            .await
            .map_err(db)?)
    }

    async fn ticket_counts(&self, scope: &Scope) -> Result<Vec<(Status, i64)>> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT status, COUNT(*) AS n FROM service_requests WHERE 1 = 1",
        );
        push_scope(&mut b, scope);
        b.push(" GROUP BY status");
        let rows = b.build().fetch_all(&self.reader).await.map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(s) = Status::parse(&r.try_get::<String, _>("status").map_err(db)?) {
                out.push((s, r.try_get("n").map_err(db)?));
            }
        }
        Ok(out)
    }

    async fn apply_action(&self, w: &ActionWrite, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin().await?;
        if !write_action(&mut tx, w, &ts(now)).await? {
            return Ok(false);
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn reclassify(&self, w: &Reclassify, now: DateTime<Utc>) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE OR FAIL service_requests SET service_code = ?, priority = ?, department_code = ?, status = ?, \
             ack_due_at = ?, sla_due_at = ?, sla_started_at = ?, escalation_level = 0, \
             acknowledged_at = CASE WHEN ? THEN NULL ELSE acknowledged_at END, triage_flags = ?, updated_at = ? \
             WHERE id = ? AND status = ? AND service_code = ? AND priority = ?",
        )
        .bind(&w.service_code)
        .bind(w.priority.as_str())
        .bind(&w.department)
        .bind(w.status.as_str())
        .bind(ts(w.ack_due_at))
        .bind(ts(w.sla_due_at))
        .bind(&now_s)
        .bind(w.rerouted)
        .bind(serde_json::to_string(&w.flags).unwrap_or_else(|_| "[]".into()))
        .bind(&now_s)
        .bind(w.request_id)
        .bind(w.from_status.as_str())
        .bind(&w.from_service)
        .bind(w.from_priority.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let history: Vec<&HistoryEntry> = w.history.iter().collect();
        record(&mut tx, w.request_id, &history, &w.messages, &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn rate(&self, w: &RatingWrite, now: DateTime<Utc>) -> Result<RateOutcome> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "INSERT OR FAIL INTO ratings (request_id, closed_at, reporter_request_id, closed_status, department_code, rating, comment, channel, reopened, created_at, voice_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, closed_at, reporter_request_id, voice_id) DO NOTHING",
        )
        .bind(w.request_id)
        .bind(ts(w.closed_at))
        .bind(w.reporter_request_id)
        .bind(w.closed_status.as_str())
        .bind(&w.department)
        .bind(i64::from(w.rating))
        .bind(&w.comment)
        .bind(&w.channel)
        .bind(w.reopen.is_some())
        .bind(&now_s)
        .bind(w.voice_id)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(RateOutcome::AlreadyRated);
        }
        record(&mut tx, w.request_id, &[&w.entry], &w.messages, &now_s).await?;
        if let Some(reopen) = &w.reopen {
            if !write_action(&mut tx, reopen, &now_s).await? {
                return Ok(RateOutcome::Changed);
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(RateOutcome::Stored)
    }

    async fn ratings(&self, request_id: i64) -> Result<Vec<StoredRating>> {
        let rows = sqlx::query(
            "SELECT rating, comment, closed_status, reopened, created_at FROM ratings WHERE request_id = ? ORDER BY id",
        )
        .bind(request_id)
        .fetch_all(&self.reader)
        .await.map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(StoredRating {
                    rating: u8::try_from(r.try_get::<i64, _>("rating").map_err(db)?).unwrap_or(0),
                    comment: r.try_get("comment").map_err(db)?,
                    closed_status: Status::parse(r.try_get("closed_status").map_err(db)?)
                        .unwrap_or(Status::Resolved),
                    reopened: r.try_get("reopened").map_err(db)?,
                    at: parse_ts(r.try_get("created_at").map_err(db)?)?,
                })
            })
            .collect()
    }

    async fn add_comment(
        &self,
        request_id: i64,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        record(&mut tx, request_id, &[entry], &[], &now_s).await?;
        sqlx::query("UPDATE OR FAIL service_requests SET updated_at = ? WHERE id = ?")
            .bind(&now_s)
            .bind(request_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn apply_triage(&self, o: &TriageOutcome, now: DateTime<Utc>) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let closed_at = (!o.status.is_open()).then(|| now_s.clone());
        let n = sqlx::query(
            "UPDATE OR FAIL service_requests SET filed_service_code = CASE WHEN service_code <> ?1 THEN service_code ELSE filed_service_code END, \
             service_code = ?1, status = ?2, priority = ?3, department_code = ?4, sla_due_at = ?5, ack_due_at = ?6, duplicate_of = ?7, \
             triage_flags = ?8, updated_at = ?9, closed_at = ?10 WHERE id = ?11 AND status = 'submitted'",
        )
        .bind(&o.service_code)
        .bind(o.status.as_str())
        .bind(o.priority.as_str())
        .bind(&o.department)
        .bind(o.sla_due_at.map(ts))
        .bind(o.ack_due_at.map(ts))
        .bind(o.duplicate_of)
        .bind(serde_json::to_string(&o.flags).unwrap_or_else(|_| "[]".into()))
        .bind(&now_s)
        .bind(closed_at)
        .bind(o.request_id)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        if let Some(original) = o.duplicate_of {
            sqlx::query("UPDATE OR FAIL service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?")
                .bind(&now_s)
                .bind(original)
                .execute(&mut *tx)
                .await.map_err(db)?;
        }
        let history: Vec<&HistoryEntry> = o.history.iter().collect();
        record(&mut tx, o.request_id, &history, &o.messages, &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>> {
        // The candidates come from migration 0019's partial indexes (open tickets below the
        // last level whose acknowledge-by or due time has passed), named because SQLite,
        // without statistics, would rather walk every open ticket through (status, sla_due_at).
        let open = "status IN ('open', 'acknowledged', 'in_progress', 'referred')";
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE id IN ( \
               SELECT id FROM service_requests INDEXED BY service_requests_escalate_ack \
                 WHERE {open} AND escalation_level < 1 AND acknowledged_at IS NULL AND ack_due_at < ?1 \
               UNION SELECT id FROM service_requests INDEXED BY service_requests_escalate_sla \
                 WHERE {open} AND escalation_level < {MAX_ESCALATION} AND sla_due_at < ?1) \
             AND ( \
               (escalation_level < 1 AND acknowledged_at IS NULL AND ack_due_at < ?1) \
               OR (escalation_level < 2 AND sla_due_at < ?1) \
               OR (sla_due_at < ?1 AND julianday(?1) > julianday(sla_due_at) \
                   + max(julianday(sla_due_at) - julianday(COALESCE(sla_started_at, created_at)), 1.0 / 24))) \
             ORDER BY sla_due_at, id LIMIT ?2"
        ))
        .bind(ts(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await.map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let now_s = ts(now);
        let done = escalate_row(&mut tx, e, &now_s).await?;
        if done {
            record(&mut tx, e.request_id, &[&e.history], &e.messages, &now_s).await?;
            tx.commit().await.map_err(db)?;
        }
        Ok(done)
    }

    async fn set_description_hidden(
        &self,
        request_id: i64,
        hidden: bool,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE OR FAIL service_requests SET description_hidden_at = CASE WHEN ?1 THEN ?2 ELSE NULL END, updated_at = ?2 \
             WHERE id = ?3 AND (description_hidden_at IS NULL) = ?1",
        )
        .bind(hidden)
        .bind(&now_s)
        .bind(request_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, request_id, &[entry], &[], &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}

/// `rate_many` for SQLite. Ratings of distinct tickets, each reopen (if any) on its own ticket:
/// the
/// ratings already stored are read at once, the reopens written in one statement per shape,
/// then the new ratings in one insert and their history and messages (each rating's own, then
/// its reopen's) in one insert each. A rating whose reopen is refused writes nothing, as in
/// `rate`; one call per rating was four or five statements and a savepoint each.
pub(super) async fn rate_many(
    store: &SqliteStore,
    ratings: &[(RatingWrite, DateTime<Utc>)],
) -> Result<Vec<RateOutcome>> {
    let mut seen = std::collections::HashSet::new();
    let distinct = ratings.iter().all(|(w, _)| {
        seen.insert(w.request_id)
            && w.reopen.as_ref().is_none_or(|r| {
                r.request_id == w.request_id && r.duplicate_of.is_none() && !r.notify_resolved
            })
    });
    if !distinct {
        // A ticket rated twice in the batch: one after the other, as `rate` would.
        let mut out = Vec::with_capacity(ratings.len());
        for (w, at) in ratings {
            out.push(store.rate(w, *at).await?);
        }
        return Ok(out);
    }
    let at: Vec<String> = ratings.iter().map(|(_, t)| ts(*t)).collect();
    let mut tx = store.begin().await?;
    let mut rated = std::collections::HashSet::new();
    for chunk in ratings.chunks(400) {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT request_id FROM ratings WHERE (request_id, closed_at, reporter_request_id, voice_id) IN (VALUES ",
        );
        let mut sep = b.separated(", ");
        for w in padded(chunk, 400) {
            let w = w.map(|(w, _)| w);
            sep.push("(")
                .push_bind_unseparated(w.map(|w| w.request_id))
                .push_unseparated(", ")
                .push_bind_unseparated(w.map(|w| ts(w.closed_at)))
                .push_unseparated(", ")
                .push_bind_unseparated(w.map(|w| w.reporter_request_id))
                .push_unseparated(", ")
                .push_bind_unseparated(w.map(|w| w.voice_id))
                .push_unseparated(")");
        }
        b.push(")");
        for r in b.build().fetch_all(&mut *tx).await.map_err(db)? {
            rated.insert(r.try_get::<i64, _>("request_id").map_err(db)?);
        }
    }
    let mut out: Vec<RateOutcome> = ratings
        .iter()
        .map(|(w, _)| {
            if rated.contains(&w.request_id) {
                RateOutcome::AlreadyRated
            } else {
                RateOutcome::Stored
            }
        })
        .collect();
    let reopens: Vec<(usize, (&ActionWrite, String))> = ratings
        .iter()
        .enumerate()
        .filter(|(i, _)| out[*i] == RateOutcome::Stored)
        .filter_map(|(i, (w, _))| w.reopen.as_ref().map(|r| (i, (r, at[i].clone()))))
        .collect();
    let pairs: Vec<(&ActionWrite, String)> = reopens.iter().map(|(_, p)| p.clone()).collect();
    let written = super::actions::updates(&mut tx, &pairs).await?;
    for ((i, _), ok) in reopens.iter().zip(written) {
        if !ok {
            out[*i] = RateOutcome::Changed;
        }
    }
    let stored: Vec<usize> = (0..ratings.len())
        .filter(|i| out[*i] == RateOutcome::Stored)
        .collect();
    for chunk in stored.chunks(500) {
        let mut b = QueryBuilder::<Sqlite>::new(
            "INSERT OR FAIL INTO ratings (request_id, closed_at, reporter_request_id, closed_status, department_code, rating, comment, channel, reopened, created_at, voice_id)",
        );
        push_padded_insert(&mut b, chunk, 500, 11, |row, i| {
            let w = &ratings[*i].0;
            row.push_bind(w.request_id)
                .push_bind(ts(w.closed_at))
                .push_bind(w.reporter_request_id)
                .push_bind(w.closed_status.as_str())
                .push_bind(w.department.clone())
                .push_bind(i64::from(w.rating))
                .push_bind(w.comment.clone())
                .push_bind(w.channel.clone())
                .push_bind(w.reopen.is_some())
                .push_bind(at[*i].clone())
                .push_bind(w.voice_id);
        });
        b.push(" ON CONFLICT (request_id, closed_at, reporter_request_id, voice_id) DO NOTHING");
        b.build().execute(&mut *tx).await.map_err(db)?;
    }
    let histories: Vec<(usize, Vec<&HistoryEntry>, &[NewMessage])> = stored
        .iter()
        .flat_map(|i| {
            let w = &ratings[*i].0;
            let own = (*i, vec![&w.entry], w.messages.as_slice());
            let reopen = w
                .reopen
                .as_ref()
                .map(|r| (*i, r.history.iter().collect(), r.messages.as_slice()));
            std::iter::once(own).chain(reopen)
        })
        .collect();
    let items: Vec<Recorded<'_>> = histories
        .iter()
        .map(|(i, history, messages)| Recorded {
            request_id: ratings[*i].0.request_id,
            history,
            messages,
            at: &at[*i],
        })
        .collect();
    record_timed(&mut tx, &items).await?;
    tx.commit().await.map_err(db)?;
    Ok(out)
}

/// One escalation step's update inside the caller's transaction; false (and nothing written)
/// if the ticket is no longer open at the level the step expects. Its audit row and messages
/// are the caller's (`record` or `record_many`).
pub(super) async fn escalate_row(tx: &mut WriteTx, e: &Escalation, now_s: &str) -> Result<bool> {
    let n = sqlx::query(&format!(
        "UPDATE OR FAIL service_requests SET escalation_level = ?, priority = ?, updated_at = ? WHERE id = ? AND escalation_level = ? AND status IN ({})",
        open_statuses_sql()
    ))
    .bind(e.to_level)
    .bind(e.priority.as_str())
    .bind(now_s)
    .bind(e.request_id)
    .bind(e.from_level)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .rows_affected();
    Ok(n > 0)
}

/// `escalate_many`'s updates: for distinct tickets one statement per chunk (each single-row
/// UPDATE was a round trip, and inside a transaction each statement journals every page it
/// changes again: BENCHMARKS.md, "The simulator: fewer statements"); two steps for one ticket
/// one after the other, as `escalate` would.
pub(super) async fn escalate_rows(
    tx: &mut WriteTx,
    steps: &[Escalation],
    now_s: &str,
) -> Result<Vec<bool>> {
    let mut seen = std::collections::HashSet::new();
    if !steps.iter().all(|e| seen.insert(e.request_id)) {
        let mut out = Vec::with_capacity(steps.len());
        for e in steps {
            out.push(escalate_row(tx, e, now_s).await?);
        }
        return Ok(out);
    }
    let mut written = std::collections::HashSet::new();
    for chunk in steps.chunks(400) {
        let mut b = QueryBuilder::<Sqlite>::new("WITH v(id, to_level, priority, from_level) AS (");
        push_padded(&mut b, chunk, 400, 4, |row, e| {
            row.push_bind(e.request_id)
                .push_bind(e.to_level)
                .push_bind(e.priority.as_str())
                .push_bind(e.from_level);
        });
        b.push(
            ") UPDATE OR FAIL service_requests SET escalation_level = v.to_level, priority = v.priority, updated_at = ",
        )
        .push_bind(now_s)
        .push(format!(
            " FROM v WHERE service_requests.id = v.id AND service_requests.escalation_level = v.from_level \
             AND service_requests.status IN ({}) RETURNING service_requests.id",
            open_statuses_sql()
        ));
        for r in b.build().fetch_all(&mut **tx).await.map_err(db)? {
            written.insert(r.try_get::<i64, _>("id").map_err(db)?);
        }
    }
    Ok(steps
        .iter()
        .map(|e| written.contains(&e.request_id))
        .collect())
}

/// The status change with its audit rows, messages and jobs, inside the caller's transaction;
/// false (and nothing written) if the ticket is no longer in the status the actor saw.
pub(super) async fn write_action(tx: &mut WriteTx, w: &ActionWrite, now_s: &str) -> Result<bool> {
    let done = write_actions(tx, &[(w, now_s.to_string())]).await?;
    Ok(done.first().copied().unwrap_or(false))
}

/// `write_action` for several actions, each at its own time: the tickets' updates one by one
/// (each is refused alone), then the history, messages and `resolved` jobs of those written
/// in one insert each.
pub(super) async fn write_actions(
    tx: &mut WriteTx,
    actions: &[(&ActionWrite, String)],
) -> Result<Vec<bool>> {
    let out = super::actions::updates(tx, actions).await?;
    let written: Vec<(&ActionWrite, &str, Vec<&HistoryEntry>)> = actions
        .iter()
        .zip(&out)
        .filter(|(_, done)| **done)
        .map(|((w, at), _)| (*w, at.as_str(), w.history.iter().collect()))
        .collect();
    let items: Vec<Recorded<'_>> = written
        .iter()
        .map(|(w, at, history)| Recorded {
            request_id: w.request_id,
            history,
            messages: &w.messages,
            at,
        })
        .collect();
    record_timed(tx, &items).await?;
    let resolved: Vec<&(&ActionWrite, &str, Vec<&HistoryEntry>)> = written
        .iter()
        .filter(|(w, _, _)| w.notify_resolved)
        .collect();
    for chunk in resolved.chunks(500) {
        let mut b = QueryBuilder::<Sqlite>::new(
            "INSERT OR FAIL INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)",
        );
        push_padded_insert(&mut b, chunk, 500, 8, |row, (w, at, _)| {
            row.push_bind("resolved")
                .push_bind(serde_json::json!({ "request_id": w.request_id }).to_string())
                .push_bind("queued")
                .push_bind(0_i64)
                .push_bind(DEFAULT_MAX_ATTEMPTS)
                .push_bind(*at)
                .push_bind(*at)
                .push_bind(*at);
        });
        b.build().execute(&mut **tx).await.map_err(db)?;
    }
    Ok(out)
}
