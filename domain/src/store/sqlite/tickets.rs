//! SQLite ticket queues and lifecycle actions.

use super::workflow::record;
use super::{request_from_row, ts, SqliteStore, REQUEST_COLUMNS};
use crate::error::Result;
use crate::lifecycle::Scope;
use crate::request::{ServiceRequest, Status};
use crate::store::tickets::order_by;
use crate::store::{ActionWrite, HistoryEntry, TicketFilter, Tickets, DEFAULT_MAX_ATTEMPTS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row, Sqlite};

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

#[async_trait]
impl Tickets for SqliteStore {
    async fn list_tickets(&self, scope: &Scope, f: &TicketFilter) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status <> 'submitted'"
        ));
        push_scope(&mut b, scope);
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
        b.push(order_by(f.sort));
        b.push(" LIMIT ").push_bind(i64::from(f.limit.max(1)));
        b.push(" OFFSET ").push_bind(i64::from(f.offset));
        let rows = b.build().fetch_all(&self.reader).await?;
        rows.iter().map(request_from_row).collect()
    }

    async fn ticket_counts(&self, scope: &Scope) -> Result<Vec<(Status, i64)>> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT status, COUNT(*) AS n FROM service_requests WHERE 1 = 1",
        );
        push_scope(&mut b, scope);
        b.push(" GROUP BY status");
        let rows = b.build().fetch_all(&self.reader).await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(s) = Status::parse(&r.try_get::<String, _>("status")?) {
                out.push((s, r.try_get("n")?));
            }
        }
        Ok(out)
    }

    async fn apply_action(&self, w: &ActionWrite, now: DateTime<Utc>) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let closes = !w.to.is_open();
        let n = sqlx::query(
            "UPDATE service_requests SET status = ?1, department_code = COALESCE(?2, department_code), \
             duplicate_of = COALESCE(?3, duplicate_of), \
             acknowledged_at = CASE WHEN ?1 IN ('acknowledged', 'in_progress') AND acknowledged_at IS NULL THEN ?4 ELSE acknowledged_at END, \
             closed_at = CASE WHEN ?5 THEN ?4 ELSE NULL END, updated_at = ?4 WHERE id = ?6 AND status = ?7",
        )
        .bind(w.to.as_str())
        .bind(&w.department)
        .bind(w.duplicate_of)
        .bind(&now_s)
        .bind(closes)
        .bind(w.request_id)
        .bind(w.from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        if let Some(original) = w.duplicate_of {
            sqlx::query("UPDATE service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?")
                .bind(&now_s)
                .bind(original)
                .execute(&mut *tx)
                .await?;
        }
        let history: Vec<&HistoryEntry> = w.history.iter().collect();
        record(&mut tx, w.request_id, &history, &w.messages, &now_s).await?;
        if w.notify_resolved {
            sqlx::query(
                "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
                 VALUES ('resolved', ?1, 'queued', 0, ?2, ?3, ?3, ?3)",
            )
            .bind(serde_json::json!({ "request_id": w.request_id }).to_string())
            .bind(DEFAULT_MAX_ATTEMPTS)
            .bind(&now_s)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
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
        sqlx::query("UPDATE service_requests SET updated_at = ? WHERE id = ?")
            .bind(&now_s)
            .bind(request_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn duplicates_of(&self, request_id: i64) -> Result<Vec<ServiceRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE duplicate_of = ? ORDER BY id"
        ))
        .bind(request_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(request_from_row).collect()
    }
}
