//! postgres: USSD sessions and inbound SMS.

use super::*;
use crate::{Phones, UssdSession, UssdUsage};

const COLUMNS: &str =
    "gateway, session_id, path, inputs, offer, answer, ended, request_id, created_at, updated_at";

fn json_list(v: Option<serde_json::Value>) -> Result<Option<Vec<String>>> {
    v.map(|v| {
        serde_json::from_value(v)
            .map_err(|e| Error::Internal(anyhow::anyhow!("bad USSD inputs in database: {e}")))
    })
    .transpose()
}

fn session_from_row(r: &PgRow) -> Result<UssdSession> {
    Ok(UssdSession {
        gateway: r.try_get("gateway").map_err(db)?,
        session_id: r.try_get("session_id").map_err(db)?,
        path: r.try_get("path").map_err(db)?,
        inputs: json_list(r.try_get("inputs").map_err(db)?)?.unwrap_or_default(),
        offer: json_list(r.try_get("offer").map_err(db)?)?,
        answer: r.try_get("answer").map_err(db)?,
        ended: r.try_get("ended").map_err(db)?,
        request_id: r.try_get("request_id").map_err(db)?,
        created_at: r.try_get("created_at").map_err(db)?,
        updated_at: r.try_get("updated_at").map_err(db)?,
    })
}

#[async_trait]
impl Phones for PgStore {
    async fn ussd_session(&self, gateway: &str, session_id: &str) -> Result<Option<UssdSession>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ussd_sessions WHERE gateway = $1 AND session_id = $2"
        ))
        .bind(gateway)
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn save_ussd_session(&self, s: &UssdSession, phone: &Phone) -> Result<()> {
        sqlx::query(
            "INSERT INTO ussd_sessions (gateway, session_id, phone_hash, path, inputs, offer, answer, ended, request_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (gateway, session_id) DO UPDATE SET path = excluded.path, inputs = excluded.inputs, \
             offer = excluded.offer, answer = excluded.answer, ended = excluded.ended, \
             request_id = COALESCE(ussd_sessions.request_id, excluded.request_id), updated_at = excluded.updated_at",
        )
        .bind(&s.gateway)
        .bind(&s.session_id)
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(&s.path)
        .bind(serde_json::json!(s.inputs))
        .bind(s.offer.as_ref().map(|o| serde_json::json!(o)))
        .bind(&s.answer)
        .bind(s.ended)
        .bind(s.request_id)
        .bind(s.created_at)
        .bind(s.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn unfinished_ussd_session(
        &self,
        phone: &Phone,
        since: DateTime<Utc>,
        except: &str,
    ) -> Result<Option<UssdSession>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ussd_sessions WHERE phone_hash = $1 AND updated_at >= $2 \
             AND NOT ended AND session_id <> $3 ORDER BY updated_at DESC LIMIT 1"
        ))
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(since)
        .bind(except)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn end_ussd_session(&self, gateway: &str, session_id: &str) -> Result<()> {
        sqlx::query("UPDATE ussd_sessions SET ended = TRUE WHERE gateway = $1 AND session_id = $2")
            .bind(gateway)
            .bind(session_id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn ussd_usage(
        &self,
        phone: &Phone,
        sessions_since: DateTime<Utc>,
        requests_since: DateTime<Utc>,
    ) -> Result<UssdUsage> {
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE created_at >= $1) AS sessions, \
             COUNT(*) FILTER (WHERE request_id IS NOT NULL AND created_at >= $2) AS requests \
             FROM ussd_sessions WHERE phone_hash = $3 AND updated_at >= $4",
        )
        .bind(sessions_since)
        .bind(requests_since)
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(sessions_since.min(requests_since))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(UssdUsage {
            sessions: row.try_get("sessions").map_err(db)?,
            requests: row.try_get("requests").map_err(db)?,
        })
    }

    async fn forget_ussd_sessions(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM ussd_sessions WHERE updated_at < $1")
                .bind(before)
                .execute(&self.pool)
                .await
                .map_err(db)?
                .rows_affected(),
        )
    }

    async fn record_inbound_sms(
        &self,
        gateway: &str,
        message_id: &str,
        phone: &Phone,
        command: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO sms_inbound (gateway, message_id, phone_hash, command, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (gateway, message_id) DO NOTHING",
        )
        .bind(gateway)
        .bind(message_id)
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(command)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(n == 1)
    }
}
