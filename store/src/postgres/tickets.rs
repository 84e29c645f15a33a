//! PostgreSQL ticket queues and lifecycle actions.

use super::*;
use sahulat_domain::sla::MAX_ESCALATION;

fn push_scope(b: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
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
            b.push(" AND FALSE");
        }
    }
}

/// The filter's conditions (everything but order and paging).
fn push_filter(b: &mut QueryBuilder<'_, Postgres>, f: &TicketFilter) {
    if !f.statuses.is_empty() {
        let s: Vec<String> = f.statuses.iter().map(|s| s.as_str().to_string()).collect();
        b.push(" AND status = ANY(").push_bind(s).push(")");
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
        b.push(" AND sla_due_at < ").push_bind(at);
        b.push(" AND status IN ('open', 'acknowledged', 'in_progress', 'referred')");
    }
    if let Some(flag) = &f.flag {
        b.push(" AND triage_flags::text LIKE ")
            .push_bind(format!("%\"{flag}%"));
    }
    if let Some(desks) = &f.unassigned_in {
        b.push(" AND status IN ('open', 'acknowledged', 'in_progress', 'referred') AND (department_code IS NULL OR department_code = ANY(")
            .push_bind(desks.clone())
            .push("))");
    }
}

#[async_trait]
impl Tickets for PgStore {
    async fn list_tickets(&self, scope: &Scope, f: &TicketFilter) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Postgres>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status <> 'submitted'"
        ));
        push_scope(&mut b, scope);
        push_filter(&mut b, f);
        b.push(order_by(f.sort));
        b.push(" LIMIT ").push_bind(i64::from(f.limit.max(1)));
        b.push(" OFFSET ").push_bind(i64::from(f.offset));
        let rows = b.build().fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn count_tickets(&self, scope: &Scope, f: &TicketFilter) -> Result<i64> {
        let mut b = QueryBuilder::<Postgres>::new(
            "SELECT COUNT(*) FROM service_requests WHERE status <> 'submitted'",
        );
        push_scope(&mut b, scope);
        push_filter(&mut b, f);
        Ok(b.build_query_scalar::<i64>()
            .fetch_one(&self.pool)
            .await
            .map_err(db)?)
    }

    async fn ticket_counts(&self, scope: &Scope) -> Result<Vec<(Status, i64)>> {
        let mut b = QueryBuilder::<Postgres>::new(
            "SELECT status, COUNT(*) AS n FROM service_requests WHERE TRUE",
        );
        push_scope(&mut b, scope);
        b.push(" GROUP BY status");
        let rows = b.build().fetch_all(&self.pool).await.map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(s) = Status::parse(&r.try_get::<String, _>("status").map_err(db)?) {
                out.push((s, r.try_get("n").map_err(db)?));
            }
        }
        Ok(out)
    }

    async fn apply_action(&self, w: &ActionWrite, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !write_action(&mut tx, w, now).await? {
            return Ok(false);
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn reclassify(&self, w: &Reclassify, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query(
            "UPDATE service_requests SET service_code = $1, priority = $2, department_code = $3, status = $4, \
             ack_due_at = $5, sla_due_at = $6, sla_started_at = $7, escalation_level = 0, \
             acknowledged_at = CASE WHEN $8 THEN NULL ELSE acknowledged_at END, triage_flags = $9, updated_at = $7 \
             WHERE id = $10 AND status = $11 AND service_code = $12 AND priority = $13",
        )
        .bind(&w.service_code)
        .bind(w.priority.as_str())
        .bind(&w.department)
        .bind(w.status.as_str())
        .bind(w.ack_due_at)
        .bind(w.sla_due_at)
        .bind(now)
        .bind(w.rerouted)
        .bind(serde_json::json!(w.flags))
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
        record(&mut tx, w.request_id, &history, &w.messages, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn rate(&self, w: &RatingWrite, now: DateTime<Utc>) -> Result<RateOutcome> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query(
            "INSERT INTO ratings (request_id, closed_at, reporter_request_id, closed_status, department_code, rating, comment, channel, reopened, created_at, voice_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (request_id, closed_at, reporter_request_id, voice_id) DO NOTHING",
        )
        .bind(w.request_id)
        .bind(w.closed_at)
        .bind(w.reporter_request_id)
        .bind(w.closed_status.as_str())
        .bind(&w.department)
        .bind(i16::from(w.rating))
        .bind(&w.comment)
        .bind(&w.channel)
        .bind(w.reopen.is_some())
        .bind(now)
        .bind(w.voice_id)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(RateOutcome::AlreadyRated);
        }
        record(&mut tx, w.request_id, &[&w.entry], &w.messages, now).await?;
        if let Some(reopen) = &w.reopen {
            if !write_action(&mut tx, reopen, now).await? {
                return Ok(RateOutcome::Changed);
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(RateOutcome::Stored)
    }

    async fn ratings(&self, request_id: i64) -> Result<Vec<StoredRating>> {
        let rows = sqlx::query(
            "SELECT rating, comment, closed_status, reopened, created_at FROM ratings WHERE request_id = $1 ORDER BY id",
        )
        .bind(request_id)
        .fetch_all(&self.pool)
        .await.map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(StoredRating {
                    rating: u8::try_from(r.try_get::<i16, _>("rating").map_err(db)?).unwrap_or(0),
                    comment: r.try_get("comment").map_err(db)?,
                    closed_status: Status::parse(r.try_get("closed_status").map_err(db)?)
                        .unwrap_or(Status::Resolved),
                    reopened: r.try_get("reopened").map_err(db)?,
                    at: r.try_get("created_at").map_err(db)?,
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        record(&mut tx, request_id, &[entry], &[], now).await?;
        sqlx::query("UPDATE service_requests SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(request_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn apply_triage(&self, o: &TriageOutcome, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !write_triage(&mut tx, o, now).await? {
            return Ok(false);
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status IN ('open', 'acknowledged', 'in_progress', 'referred') \
             AND escalation_level < {MAX_ESCALATION} AND ( \
               (escalation_level < 1 AND acknowledged_at IS NULL AND ack_due_at < $1) \
               OR (escalation_level < 2 AND sla_due_at < $1) \
               OR (sla_due_at < $1 AND $1 > sla_due_at \
                   + GREATEST(sla_due_at - COALESCE(sla_started_at, created_at), interval '1 hour'))) \
             ORDER BY sla_due_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await.map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = escalate_row(&mut tx, e, now).await?;
        if done {
            record(&mut tx, e.request_id, &[&e.history], &e.messages, now).await?;
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query(
            "UPDATE service_requests SET description_hidden_at = CASE WHEN $1 THEN $2 ELSE NULL END, updated_at = $2 \
             WHERE id = $3 AND (description_hidden_at IS NULL) = $1",
        )
        .bind(hidden)
        .bind(now)
        .bind(request_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, request_id, &[entry], &[], now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}

/// Writes one triage outcome inside `tx` (the request only while it is still `submitted`, the
/// original's reporter count, the history and messages); false when the request had moved on.
/// Shared by `apply_triage` and the worker's batches.
pub(super) async fn write_triage(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    o: &TriageOutcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    let closed_at = (!o.status.is_open()).then_some(now);
    let n = sqlx::query(
        "UPDATE service_requests SET filed_service_code = CASE WHEN service_code <> $1 THEN service_code ELSE filed_service_code END, \
         service_code = $1, status = $2, priority = $3, department_code = $4, sla_due_at = $5, ack_due_at = $6, duplicate_of = $7, \
         triage_flags = $8, updated_at = $9, closed_at = $10 WHERE id = $11 AND status = 'submitted'",
    )
    .bind(&o.service_code)
    .bind(o.status.as_str())
    .bind(o.priority.as_str())
    .bind(&o.department)
    .bind(o.sla_due_at)
    .bind(o.ack_due_at)
    .bind(o.duplicate_of)
    .bind(serde_json::json!(o.flags))
    .bind(now)
    .bind(closed_at)
    .bind(o.request_id)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    if let Some(original) = o.duplicate_of {
        sqlx::query(
            "UPDATE service_requests SET reporters = reporters + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(original)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    let history: Vec<&HistoryEntry> = o.history.iter().collect();
    record(tx, o.request_id, &history, &o.messages, now).await?;
    Ok(true)
}

/// One escalation step's update inside the caller's transaction; false (and nothing written)
/// if the ticket is no longer open at the level the step expects. Its audit row and messages
/// are the caller's (`record` or `record_many`).
pub(super) async fn escalate_row(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    e: &Escalation,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = sqlx::query(&format!(
        "UPDATE service_requests SET escalation_level = $1, priority = $2, updated_at = $3 WHERE id = $4 AND escalation_level = $5 AND status IN ({})",
        open_statuses_sql()
    ))
    .bind(e.to_level)
    .bind(e.priority.as_str())
    .bind(now)
    .bind(e.request_id)
    .bind(e.from_level)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .rows_affected();
    Ok(n > 0)
}

/// The status change with its audit rows, messages and jobs, inside the caller's transaction;
/// false (and nothing written) if the ticket is no longer in the status the actor saw.
pub(super) async fn write_action(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    w: &ActionWrite,
    now: DateTime<Utc>,
) -> Result<bool> {
    let closes = !w.to.is_open();
    let n = sqlx::query(
        "UPDATE service_requests SET status = $1, department_code = COALESCE($2, department_code), \
         duplicate_of = COALESCE($3, duplicate_of), \
         acknowledged_at = CASE WHEN $8::timestamptz IS NOT NULL THEN NULL \
           WHEN $1 IN ('acknowledged', 'in_progress') AND acknowledged_at IS NULL THEN $4 ELSE acknowledged_at END, \
         ack_due_at = COALESCE($8, ack_due_at), sla_due_at = COALESCE($9, sla_due_at), \
         escalation_level = CASE WHEN $8::timestamptz IS NOT NULL THEN 0 ELSE escalation_level END, \
         sla_started_at = CASE WHEN $8::timestamptz IS NOT NULL THEN $4 ELSE sla_started_at END, \
         closed_at = CASE WHEN $5 THEN $4 ELSE NULL END, \
         responded_at = CASE WHEN responded_at IS NULL AND $11 THEN $4 ELSE responded_at END, \
         reopen_count = reopen_count + $12, updated_at = $4 WHERE id = $6 AND status = $7 \
         AND ($10::timestamptz IS NULL OR closed_at = $10)",
    )
    .bind(w.to.as_str())
    .bind(&w.department)
    .bind(w.duplicate_of)
    .bind(now)
    .bind(closes)
    .bind(w.request_id)
    .bind(w.from.as_str())
    .bind(w.restart_sla.map(|r| r.ack_due_at))
    .bind(w.restart_sla.map(|r| r.sla_due_at))
    .bind(w.closed_at)
    .bind(w.to.is_response())
    .bind(i32::from(w.is_reopen()))
    .execute(&mut **tx)
    .await.map_err(db)?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    if let Some(original) = w.duplicate_of {
        sqlx::query(
            "UPDATE service_requests SET reporters = reporters + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(original)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    let history: Vec<&HistoryEntry> = w.history.iter().collect();
    record(tx, w.request_id, &history, &w.messages, now).await?;
    if w.notify_resolved {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             VALUES ('resolved', $1, 'queued', 0, $2, $3, $3, $3)",
        )
        .bind(serde_json::json!({ "request_id": w.request_id }))
        .bind(DEFAULT_MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut **tx)
        .await.map_err(db)?;
    }
    Ok(true)
}
