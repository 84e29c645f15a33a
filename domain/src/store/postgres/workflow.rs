//! PostgreSQL side of triage, escalation and the outbox (see the SQLite twin for the rules:
//! conditional updates, unique `dedupe_key`s, a `notify` job with every batch of messages).

use super::{enum_col, request_from_row, PgStore, REQUEST_COLUMNS};
use crate::error::Result;
use crate::request::{ServiceRequest, Status};
use crate::store::{
    bbox, haversine_m, Escalation, HistoryEntry, HistoryRow, NewMessage, OutboxMessage, Reporter,
    TriageOutcome, Workflow, OPEN_STATUSES,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};

const OUTBOX_COLUMNS: &str = "id, request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, last_error";

fn outbox_from_row(r: &PgRow) -> Result<OutboxMessage> {
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
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

fn open_statuses() -> Vec<String> {
    OPEN_STATUSES
        .iter()
        .map(|s| s.as_str().to_string())
        .collect()
}

pub(super) async fn record(
    tx: &mut Transaction<'static, Postgres>,
    request_id: i64,
    history: &[&HistoryEntry],
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<()> {
    for h in history {
        sqlx::query("INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
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
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7) ON CONFLICT (dedupe_key) DO NOTHING",
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
             SELECT 'notify', '{}', 'queued', 0, $1, $2, $2, $2 \
             WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'notify' AND state = 'queued' AND run_at <= $2)",
        )
        .bind(crate::store::DEFAULT_MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl Workflow for PgStore {
    async fn request_by_id(&self, id: i64) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
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
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4 \
             AND service_code = $5 AND created_at >= $6 AND id <> $7 AND status = ANY($8) ORDER BY created_at, id"
        ))
        .bind(lat0)
        .bind(lat1)
        .bind(lon0)
        .bind(lon1)
        .bind(service)
        .bind(since)
        .bind(exclude)
        .bind(open_statuses())
        .fetch_all(&self.pool)
        .await?;
        let all: Vec<ServiceRequest> = rows.iter().map(request_from_row).collect::<Result<_>>()?;
        Ok(all
            .into_iter()
            .filter(|r| matches!((r.lat, r.lon), (Some(a), Some(b)) if haversine_m(lat, lon, a, b) <= radius_m))
            .collect())
    }

    async fn apply_triage(&self, o: &TriageOutcome, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
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
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        if let Some(original) = o.duplicate_of {
            sqlx::query("UPDATE service_requests SET reporters = reporters + 1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(original)
                .execute(&mut *tx)
                .await?;
        }
        let history: Vec<&HistoryEntry> = o.history.iter().collect();
        record(&mut tx, o.request_id, &history, &o.messages, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE status IN ('open', 'acknowledged', 'in_progress', 'referred') \
             AND (sla_due_at < $1 OR (acknowledged_at IS NULL AND ack_due_at < $1)) ORDER BY sla_due_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE service_requests SET escalation_level = $1, priority = $2, updated_at = $3 WHERE id = $4 AND escalation_level = $5 AND status = ANY($6)",
        )
        .bind(e.to_level)
        .bind(e.priority.as_str())
        .bind(now)
        .bind(e.request_id)
        .bind(e.from_level)
        .bind(open_statuses())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, e.request_id, &[&e.history], &e.messages, now).await?;
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
        sqlx::query("UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, sent_at = $3 WHERE id = $4 AND state = 'pending'")
            .bind(state)
            .bind(error)
            .bind(sent.then_some(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND state = 'sent' AND sent_at >= $2",
        )
        .bind(recipient)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE ($1::text IS NULL OR state = $1) ORDER BY id LIMIT $2"))
            .bind(state)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(outbox_from_row).collect()
    }

    async fn history(&self, request_id: i64) -> Result<Vec<HistoryRow>> {
        let rows = sqlx::query("SELECT id, status, is_public, description, actor, created_at FROM request_updates WHERE request_id = $1 ORDER BY id")
            .bind(request_id)
            .fetch_all(&self.pool)
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
                    at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn reporters(&self, request_id: i64) -> Result<Vec<Reporter>> {
        let rows = sqlx::query(
            "SELECT r.id, r.reference, r.language, c.phone FROM service_requests r \
             LEFT JOIN request_contacts c ON c.request_id = r.id WHERE r.id = $1 OR r.duplicate_of = $1 ORDER BY r.id",
        )
        .bind(request_id)
        .fetch_all(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        for m in messages {
            record(
                &mut tx,
                m.request_id.unwrap_or_default(),
                &[],
                std::slice::from_ref(m),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
