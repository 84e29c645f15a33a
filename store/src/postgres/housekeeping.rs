//! postgres: retention and the operator's figures.

use super::*;
use crate::housekeeping::{FactBlocks, Gauges, Housekeeping, Pruned};
use std::collections::HashSet;

#[async_trait]
impl Housekeeping for PgStore {
    async fn prune(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<Pruned> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut run = async |sql: &str, t: DateTime<Utc>| -> Result<u64> {
            Ok(sqlx::query(sql)
                .bind(t)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected())
        };
        let p = Pruned {
            jobs: run("DELETE FROM jobs WHERE state = 'done' AND updated_at < $1", before).await?,
            citizen_messages: run(
                "DELETE FROM outbox WHERE recipient_kind = 'citizen' AND state IN ('sent', 'failed') \
                 AND created_at < $1",
                before,
            )
            .await?,
            sessions: run("DELETE FROM sessions WHERE expires_at < $1", now).await?,
            idempotency_keys: run("DELETE FROM idempotency_keys WHERE created_at < $1", before)
                .await?,
            ussd_sessions: run("DELETE FROM ussd_sessions WHERE updated_at < $1", before).await?,
            sms_inbound: run("DELETE FROM sms_inbound WHERE received_at < $1", before).await?,
        };
        tx.commit().await.map_err(db)?;
        Ok(p)
    }

    async fn photo_files(&self) -> Result<HashSet<String>> {
        let files: Vec<String> = sqlx::query_scalar("SELECT file FROM photos")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(files.into_iter().collect())
    }

    async fn refresh_fact_blocks(&self) -> Result<FactBlocks> {
        super::blocks::refresh(&self.pool).await
    }

    async fn key_opens_stored_data(&self) -> Result<bool> {
        let sealed: Option<String> = sqlx::query_scalar(NEWEST_SEALED_CONTACT)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(sealed.is_none_or(|s| self.key.open(&s).is_ok()))
    }

    async fn gauges(&self) -> Result<Gauges> {
        let outbox: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT recipient_kind, state, COUNT(*) FROM outbox GROUP BY recipient_kind, state",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let requests: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT channel, district_code, COUNT(*) FROM service_requests GROUP BY channel, district_code",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let escalated_open: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT escalation_level::bigint, COUNT(*) FROM service_requests WHERE closed_at IS NULL \
             AND escalation_level > 0 GROUP BY escalation_level",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(Gauges {
            jobs: self.job_counts().await?,
            outbox,
            requests,
            escalated_open,
        })
    }
}
