//! sqlite: the outbox, and `record`, which writes history entries and messages (with a `notify`
//! job) inside the caller's transaction.

use super::packed::{outbox_from_json, OUTBOX_COLUMNS, OUTBOX_JSON};
use super::sizes::push_padded_insert;
use super::*;

/// A page of the outbox as one JSON text of its rows, oldest first (`packed.rs`): the messages
/// that `filter` keeps (its parameter `?1`), at most `?2` of them.
fn outbox_page(filter: &str) -> String {
    format!(
        "SELECT {} FROM (SELECT {OUTBOX_COLUMNS} FROM outbox WHERE {filter} ORDER BY id LIMIT ?2)",
        *OUTBOX_JSON
    )
}

pub(super) async fn record(
    tx: &mut WriteTx,
    request_id: i64,
    history: &[&HistoryEntry],
    messages: &[NewMessage],
    now: &str,
) -> Result<()> {
    record_many(tx, &[(request_id, history, messages)], now).await
}

/// Rows per multi-row insert (at most 9 bound values each: well under SQLite's 32,766
/// variables).
const ROWS_PER_INSERT: usize = 500;

/// `record` for several requests at once: one insert for all history rows, one for all
/// messages, and the `notify` job if any message was new.
pub(super) async fn record_many(
    tx: &mut WriteTx,
    items: &[(i64, &[&HistoryEntry], &[NewMessage])],
    now: &str,
) -> Result<()> {
    let timed: Vec<Recorded<'_>> = items
        .iter()
        .map(|(id, history, messages)| Recorded {
            request_id: *id,
            history,
            messages,
            at: now,
        })
        .collect();
    record_timed(tx, &timed).await
}

/// One request's history entries and messages, written at `at`.
pub(super) struct Recorded<'a> {
    pub(super) request_id: i64,
    pub(super) history: &'a [&'a HistoryEntry],
    pub(super) messages: &'a [NewMessage],
    pub(super) at: &'a str,
}

/// `record_many` with a time for each request (a batch of actions taken at different
/// times): the `notify` job, if any message was new, runs from the earliest of them.
pub(super) async fn record_timed(tx: &mut WriteTx, items: &[Recorded<'_>]) -> Result<()> {
    let history: Vec<(i64, &HistoryEntry, &str)> = items
        .iter()
        .flat_map(|r| r.history.iter().map(move |e| (r.request_id, *e, r.at)))
        .collect();
    for chunk in history.chunks(ROWS_PER_INSERT) {
        let mut b = QueryBuilder::<Sqlite>::new(
            "INSERT OR FAIL INTO request_updates (request_id, status, is_public, description, actor, created_at, message)",
        );
        push_padded_insert(&mut b, chunk, ROWS_PER_INSERT, 7, |row, (id, h, at)| {
            row.push_bind(*id)
                .push_bind(h.status.as_str())
                .push_bind(h.public)
                .push_bind(h.description.clone())
                .push_bind(h.actor.clone())
                .push_bind(at.to_string())
                .push_bind(message_json(h.message.as_ref()).map(|v| v.to_string()));
        });
        b.build().execute(&mut **tx).await.map_err(db)?;
    }
    let messages: Vec<(&NewMessage, &str)> = items
        .iter()
        .flat_map(|r| r.messages.iter().map(move |m| (m, r.at)))
        .collect();
    let mut queued = 0;
    for chunk in messages.chunks(ROWS_PER_INSERT) {
        let mut b = QueryBuilder::<Sqlite>::new(
            // `dedupe_key` first: it is never NULL (`request_id` is, for a reply to a sender).
            "INSERT OR FAIL INTO outbox (dedupe_key, request_id, recipient_kind, recipient, language, body, state, attempts, created_at)",
        );
        push_padded_insert(&mut b, chunk, ROWS_PER_INSERT, 9, |row, (m, at)| {
            row.push_bind(m.dedupe_key.clone())
                .push_bind(m.request_id)
                .push_bind(m.recipient_kind.clone())
                .push_bind(m.recipient.clone())
                .push_bind(m.language.clone())
                .push_bind(m.body.clone())
                .push_bind("pending")
                .push_bind(0i64)
                .push_bind(at.to_string());
        });
        b.push(" ON CONFLICT (dedupe_key) DO NOTHING");
        queued += b
            .build()
            .execute(&mut **tx)
            .await
            .map_err(db)?
            .rows_affected();
    }
    let earliest = messages.iter().map(|(_, at)| *at).min();
    if let (true, Some(now)) = (queued > 0, earliest) {
        sqlx::query(
            "INSERT OR FAIL INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             SELECT 'notify', '{}', 'queued', 0, ?1, ?2, ?2, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'notify' AND state = 'queued' AND run_at <= ?2)",
        )
        .bind(DEFAULT_MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut **tx)
        .await.map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn pending_messages(&self, after: i64, limit: u32) -> Result<Vec<OutboxMessage>> {
        let text: Option<String> =
            sqlx::query_scalar(&outbox_page("state = 'pending' AND id > ?1"))
                .bind(after)
                .bind(i64::from(limit))
                .fetch_one(&self.reader)
                .await
                .map_err(db)?;
        outbox_from_json(text.as_deref())
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
        sqlx::query("UPDATE OR FAIL outbox SET state = ?, attempts = attempts + 1, last_error = ?, sent_at = ? WHERE id = ? AND state = 'pending'")
            .bind(state)
            .bind(error)
            .bind(sent.then(|| ts(now)))
            .bind(id)
            .execute(&mut *tx)
            .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            // `+state`: stay on `outbox_sent` (see `sent_counts`).
            "SELECT COUNT(*) FROM outbox WHERE recipient = ? AND +state = 'sent' AND sent_at >= ?",
        )
        .bind(recipient)
        .bind(ts(since))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?)
    }

    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>> {
        let text: Option<String> = sqlx::query_scalar(&outbox_page("(?1 IS NULL OR state = ?1)"))
            .bind(state)
            .bind(i64::from(limit))
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        outbox_from_json(text.as_deref())
    }

    async fn queue_messages(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let now_s = ts(now);
        let items: Vec<(i64, &[&HistoryEntry], &[NewMessage])> = messages
            .iter()
            .map(|m| {
                (
                    m.request_id.unwrap_or_default(),
                    &[][..],
                    std::slice::from_ref(m),
                )
            })
            .collect();
        record_many(&mut tx, &items, &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
