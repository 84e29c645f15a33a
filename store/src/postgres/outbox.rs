//! postgres: the outbox, and `record`, which writes history entries and messages (with a `notify`
//! job) inside the caller's transaction.

use super::*;

const OUTBOX_COLUMNS: &str = "id, request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, last_error";

fn outbox_from_row(r: &PgRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id").map_err(db)?,
        message: NewMessage {
            request_id: r.try_get("request_id").map_err(db)?,
            recipient_kind: r.try_get("recipient_kind").map_err(db)?,
            recipient: r.try_get("recipient").map_err(db)?,
            language: r.try_get("language").map_err(db)?,
            body: r.try_get("body").map_err(db)?,
            dedupe_key: r.try_get("dedupe_key").map_err(db)?,
        },
        state: r.try_get("state").map_err(db)?,
        attempts: r.try_get("attempts").map_err(db)?,
        last_error: r.try_get("last_error").map_err(db)?,
    })
}

pub(super) async fn record(
    tx: &mut Transaction<'static, Postgres>,
    request_id: i64,
    history: &[&HistoryEntry],
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<()> {
    for h in history {
        sqlx::query("INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at, message) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(request_id)
            .bind(h.status.as_str())
            .bind(h.public)
            .bind(&h.description)
            .bind(&h.actor)
            .bind(now)
            .bind(message_json(h.message.as_ref()))
            .execute(&mut **tx)
            .await.map_err(db)?;
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
        .await.map_err(db)?
        .rows_affected();
    }
    if queued > 0 {
        queue_notify(tx, now).await?;
    }
    Ok(())
}

/// Queues a `notify` job for newly queued messages, unless one is already queued and due.
async fn queue_notify(tx: &mut Transaction<'static, Postgres>, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
         SELECT 'notify', '{}', 'queued', 0, $1, $2, $2, $2 \
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'notify' AND state = 'queued' AND run_at <= $2)",
    )
    .bind(DEFAULT_MAX_ATTEMPTS)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// `record` for many requests at once: every history entry in one `UNNEST` insert, every
/// message in another, and one `notify` job if any message was queued. For the worker's
/// triage batches, where one statement per row was nearly all of the time (BENCHMARKS.md).
pub(super) async fn record_many(
    tx: &mut Transaction<'static, Postgres>,
    items: &[(i64, &[HistoryEntry], &[NewMessage])],
    now: DateTime<Utc>,
) -> Result<()> {
    let history: Vec<(i64, &HistoryEntry)> = items
        .iter()
        .flat_map(|(id, h, _)| h.iter().map(move |e| (*id, e)))
        .collect();
    if !history.is_empty() {
        sqlx::query(
            "INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at, message) \
             SELECT v.request_id, v.status, v.is_public, v.description, v.actor, $6, v.message \
             FROM UNNEST($1::bigint[], $2::text[], $3::bool[], $4::text[], $5::text[], $7::jsonb[]) \
             AS v(request_id, status, is_public, description, actor, message)",
        )
        .bind(history.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
        .bind(history.iter().map(|(_, h)| h.status.as_str()).collect::<Vec<&str>>())
        .bind(history.iter().map(|(_, h)| h.public).collect::<Vec<bool>>())
        .bind(history.iter().map(|(_, h)| h.description.as_str()).collect::<Vec<&str>>())
        .bind(history.iter().map(|(_, h)| h.actor.as_str()).collect::<Vec<&str>>())
        .bind(now)
        .bind(
            history
                .iter()
                .map(|(_, h)| message_json(h.message.as_ref()))
                .collect::<Vec<Option<serde_json::Value>>>(),
        )
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    let messages: Vec<&NewMessage> = items.iter().flat_map(|(_, _, m)| m.iter()).collect();
    if messages.is_empty() {
        return Ok(());
    }
    let queued = sqlx::query(
        "INSERT INTO outbox (request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, created_at) \
         SELECT v.request_id, v.kind, v.recipient, v.language, v.body, v.dedupe_key, 'pending', 0, $7 \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) \
         AS v(request_id, kind, recipient, language, body, dedupe_key) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(messages.iter().map(|m| m.request_id).collect::<Vec<Option<i64>>>())
    .bind(messages.iter().map(|m| m.recipient_kind.as_str()).collect::<Vec<&str>>())
    .bind(messages.iter().map(|m| m.recipient.as_str()).collect::<Vec<&str>>())
    .bind(messages.iter().map(|m| m.language.as_str()).collect::<Vec<&str>>())
    .bind(messages.iter().map(|m| m.body.as_str()).collect::<Vec<&str>>())
    .bind(messages.iter().map(|m| m.dedupe_key.as_str()).collect::<Vec<&str>>())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .rows_affected();
    if queued > 0 {
        queue_notify(tx, now).await?;
    }
    Ok(())
}

#[async_trait]
impl Outbox for PgStore {
    async fn pending_messages(&self, after: i64, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending' AND id > $1 ORDER BY id LIMIT $2"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(outbox_from_row).collect()
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
            .await.map_err(db)?;
        Ok(())
    }

    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND state = 'sent' AND sent_at >= $2",
        )
        .bind(recipient)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?)
    }

    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE ($1::text IS NULL OR state = $1) ORDER BY id LIMIT $2"))
            .bind(state)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await.map_err(db)?;
        rows.iter().map(outbox_from_row).collect()
    }

    async fn queue_messages(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
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
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
