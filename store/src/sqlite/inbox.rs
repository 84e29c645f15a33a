//! sqlite: the staff inbox over the outbox's staff messages.

use super::*;
use crate::{Addressees, InboxItem, StaffInbox};

/// `WHERE …` for the messages `to` receives, unread by `user_id` when asked.
fn addressed<'a>(
    q: &mut QueryBuilder<'a, Sqlite>,
    user_id: i64,
    to: &'a Addressees,
    unread_only: bool,
) {
    q.push(" WHERE o.recipient_kind IN ('department', 'coordinator')");
    if let Addressees::Codes(codes) = to {
        q.push(" AND o.recipient IN (");
        let mut sep = q.separated(", ");
        sep.push_bind("");
        for c in codes {
            sep.push_bind(c.as_str());
        }
        q.push(")");
    }
    if unread_only {
        q.push(" AND NOT EXISTS (SELECT 1 FROM inbox_reads ir WHERE ir.message_id = o.id AND ir.user_id = ")
            .push_bind(user_id)
            .push(")");
    }
}

#[async_trait]
impl StaffInbox for SqliteStore {
    async fn inbox(
        &self,
        user_id: i64,
        to: &Addressees,
        unread_only: bool,
        limit: u32,
    ) -> Result<Vec<InboxItem>> {
        let mut q = QueryBuilder::new(
            "SELECT o.id, o.request_id, r.reference, o.recipient_kind, o.recipient, o.body, o.created_at, \
             EXISTS (SELECT 1 FROM inbox_reads ir WHERE ir.message_id = o.id AND ir.user_id = ",
        );
        q.push_bind(user_id)
            .push(") AS is_read FROM outbox o LEFT JOIN service_requests r ON r.id = o.request_id");
        addressed(&mut q, user_id, to, unread_only);
        q.push(" ORDER BY o.id DESC LIMIT ")
            .push_bind(i64::from(limit));
        let rows = q.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(InboxItem {
                    id: r.try_get("id").map_err(db)?,
                    request_id: r.try_get("request_id").map_err(db)?,
                    reference: r.try_get("reference").map_err(db)?,
                    recipient_kind: r.try_get("recipient_kind").map_err(db)?,
                    recipient: r.try_get("recipient").map_err(db)?,
                    body: r.try_get("body").map_err(db)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(db)?)?,
                    read: r.try_get("is_read").map_err(db)?,
                })
            })
            .collect()
    }

    async fn inbox_unread(&self, user_id: i64, to: &Addressees) -> Result<i64> {
        let mut q = QueryBuilder::new("SELECT COUNT(*) FROM outbox o");
        addressed(&mut q, user_id, to, true);
        q.build_query_scalar()
            .fetch_one(&self.reader)
            .await
            .map_err(db)
    }

    async fn mark_inbox_read(
        &self,
        user_id: i64,
        message_id: i64,
        to: &Addressees,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut q = QueryBuilder::new("SELECT COUNT(*) FROM outbox o");
        addressed(&mut q, user_id, to, false);
        q.push(" AND o.id = ").push_bind(message_id);
        let theirs: i64 = q
            .build_query_scalar()
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        if theirs == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO inbox_reads (user_id, message_id, read_at) VALUES (?, ?, ?) \
             ON CONFLICT (user_id, message_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(message_id)
        .bind(ts(now))
        .execute(&self.writer.pool)
        .await
        .map_err(db)?;
        Ok(true)
    }
}
