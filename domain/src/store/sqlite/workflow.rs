//! SQLite side of triage, escalation and the outbox. Every change is conditional on the state
//! it expects, so a job delivered twice changes nothing the second time; messages carry a
//! unique `dedupe_key`, so no event is ever texted twice.

use super::{enum_col, parse_ts, request_from_row, ts, SqliteStore, REQUEST_COLUMNS};
use crate::error::Result;
use crate::request::{ServiceRequest, Status};
use crate::store::{
    bbox, haversine_m, Escalation, HistoryEntry, HistoryRow, NewMessage, OutboxMessage, Reporter,
    TriageOutcome, Workflow, OPEN_STATUSES,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

const OUTBOX_COLUMNS: &str = "id, request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, last_error";

fn outbox_from_row(r: &SqliteRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        message: NewMessage {
            request_id: r.try_get("request_id")?,
            recipient_kind: r.try_get("recipient_kind")?,
            recipient: r.try_get("recipient")?,
            language: r.try_get("language")?,
            body: r.try_get("body")?,
            dedupe_key: r.try_get("dedupe_key")?,
        },
        state: r.try_get("state")?,
        attempts: r.try_get::<i64, _>("attempts")? as i32,
        last_error: r.try_get("last_error")?,
    })
}

fn open_list() -> String {
    OPEN_STATUSES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn record(
    tx: &mut Transaction<'static, Sqlite>,
    request_id: i64,
    history: &[&HistoryEntry],
    messages: &[NewMessage],
    now: &str,
) -> Result<()> {
    for h in history {
        sqlx::query("INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(request_id)
            .bind(h.status.as_str())
            .bind(h.public)
            .bind(&h.description)
            .bind(&h.actor)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    let mut queued = 0;
    for m in messages {
        queued += sqlx::query(
            "INSERT INTO outbox (request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(m.request_id)
        .bind(&m.recipient_kind)
        .bind(&m.recipient)
        .bind(&m.language)
        .bind(&m.body)
        .bind(&m.dedupe_key)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    if queued > 0 {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             SELECT 'notify', '{}', 'queued', 0, ?1, ?2, ?2, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'notify' AND state = 'queued' AND run_at <= ?2)",
        )
        .bind(crate::store::DEFAULT_MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl Workflow for SqliteStore {
    async fn request_by_id(&self, id: i64) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn nearby_open(
        &self,
        service: &str,
        lat: f64,
        lon: f64,
        radius_m: f64,
        since: DateTime<Utc>,
        exclude: i64,
    ) -> Result<Vec<ServiceRequest>> {
        let (lat0, lat1, lon0, lon1) = bbox(lat, lon, radius_m);
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? \
             AND service_code = ? AND created_at >= ? AND id <> ? AND status IN ({}) ORDER BY created_at, id",
            open_list()
        ))
        .bind(lat0)
        .bind(lat1)
        .bind(lon0)
        .bind(lon1)
        .bind(service)
        .bind(ts(since))
        .bind(exclude)
        .fetch_all(&self.reader)
        .await?;
        let all: Vec<ServiceRequest> = rows.iter().map(request_from_row).collect::<Result<_>>()?;
        Ok(all
            .into_iter()
            .filter(|r| matches!((r.lat, r.lon), (Some(a), Some(b)) if haversine_m(lat, lon, a, b) <= radius_m))
            .collect())
    }

    async fn apply_triage(&self, o: &TriageOutcome, now: DateTime<Utc>) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let closed_at = (!o.status.is_open()).then(|| now_s.clone());
        let n = sqlx::query(
            "UPDATE service_requests SET filed_service_code = CASE WHEN service_code <> ?1 THEN service_code ELSE filed_service_code END, \
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
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        if let Some(original) = o.duplicate_of {
            sqlx::query("UPDATE service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?")
                .bind(&now_s)
                .bind(original)
                .execute(&mut *tx)
                .await?;
        }
        let history: Vec<&HistoryEntry> = o.history.iter().collect();
        record(&mut tx, o.request_id, &history, &o.messages, &now_s).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status IN ('open', 'acknowledged', 'in_progress', 'referred') \
             AND (sla_due_at < ?1 OR (acknowledged_at IS NULL AND ack_due_at < ?1)) ORDER BY sla_due_at, id LIMIT ?2"
        ))
        .bind(ts(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let n = sqlx::query(&format!(
            "UPDATE service_requests SET escalation_level = ?, priority = ?, updated_at = ? WHERE id = ? AND escalation_level = ? AND status IN ({})",
            open_list()
        ))
        .bind(e.to_level)
        .bind(e.priority.as_str())
        .bind(&now_s)
        .bind(e.request_id)
        .bind(e.from_level)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, e.request_id, &[&e.history], &e.messages, &now_s).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn pending_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        self.outbox(Some("pending"), limit).await
    }

    async fn mark_message(
        &self,
        id: i64,
        sent: bool,
        error: Option<&str>,
        give_up: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let state = if sent {
            "sent"
        } else if give_up {
            "failed"
        } else {
            "pending"
        };
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, sent_at = ? WHERE id = ? AND state = 'pending'")
            .bind(state)
            .bind(error)
            .bind(sent.then(|| ts(now)))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = ? AND state = 'sent' AND sent_at >= ?",
        )
        .bind(recipient)
        .bind(ts(since))
        .fetch_one(&self.reader)
        .await?)
    }

    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY id LIMIT ?2"))
            .bind(state)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(outbox_from_row).collect()
    }

    async fn history(&self, request_id: i64) -> Result<Vec<HistoryRow>> {
        let rows = sqlx::query("SELECT id, status, is_public, description, actor, created_at FROM request_updates WHERE request_id = ? ORDER BY id")
            .bind(request_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryRow {
                    id: r.try_get("id")?,
                    entry: HistoryEntry {
                        status: enum_col(r, "status", Status::parse)?,
                        public: r.try_get("is_public")?,
                        description: r.try_get("description")?,
                        actor: r.try_get("actor")?,
                    },
                    at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    async fn reporters(&self, request_id: i64) -> Result<Vec<Reporter>> {
        let rows = sqlx::query(
            "SELECT r.id, r.reference, r.language, c.phone FROM service_requests r \
             LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.id = ?1 OR r.duplicate_of = ?1 ORDER BY r.id",
        )
        .bind(request_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Reporter {
                    request_id: r.try_get("id")?,
                    reference: r.try_get("reference")?,
                    phone: r
                        .try_get::<Option<String>, _>("phone")?
                        .map(|p| self.key.open(&p))
                        .transpose()
                        .map_err(crate::error::Error::Internal)?,
                    language: r.try_get("language")?,
                })
            })
            .collect()
    }

    async fn queue_messages(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let now_s = ts(now);
        for m in messages {
            record(
                &mut tx,
                m.request_id.unwrap_or_default(),
                &[],
                std::slice::from_ref(m),
                &now_s,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
