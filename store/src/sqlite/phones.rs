//! sqlite: USSD sessions and inbound SMS.

use super::*;
use crate::{Phones, UssdSession, UssdUsage};

const COLUMNS: &str =
    "gateway, session_id, path, inputs, offer, answer, ended, request_id, created_at, updated_at";

fn json_list(s: Option<String>) -> Result<Option<Vec<String>>> {
    s.map(|s| {
        serde_json::from_str(&s)
            .map_err(|e| Error::Internal(anyhow::anyhow!("bad USSD inputs in database: {e}")))
    })
    .transpose()
}

fn session_from_row(r: &SqliteRow) -> Result<UssdSession> {
    Ok(UssdSession {
        gateway: r.try_get("gateway").map_err(db)?,
        session_id: r.try_get("session_id").map_err(db)?,
        path: r.try_get("path").map_err(db)?,
        inputs: json_list(r.try_get("inputs").map_err(db)?)?.unwrap_or_default(),
        offer: json_list(r.try_get("offer").map_err(db)?)?,
        answer: r.try_get("answer").map_err(db)?,
        ended: r.try_get("ended").map_err(db)?,
        request_id: r.try_get("request_id").map_err(db)?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(db)?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at").map_err(db)?)?,
    })
}

#[async_trait]
impl Phones for SqliteStore {
    async fn ussd_session(&self, gateway: &str, session_id: &str) -> Result<Option<UssdSession>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ussd_sessions WHERE gateway = ? AND session_id = ?"
        ))
        .bind(gateway)
        .bind(session_id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn save_ussd_session(&self, s: &UssdSession, phone: &Phone) -> Result<()> {
        let inputs = serde_json::to_string(&s.inputs).unwrap_or_else(|_| "[]".into());
        let offer = s.offer.as_ref().and_then(|o| serde_json::to_string(o).ok());
        sqlx::query(
            "INSERT INTO ussd_sessions (gateway, session_id, phone_hash, path, inputs, offer, answer, ended, request_id, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (gateway, session_id) DO UPDATE SET path = excluded.path, inputs = excluded.inputs, \
             offer = excluded.offer, answer = excluded.answer, ended = excluded.ended, \
             request_id = COALESCE(ussd_sessions.request_id, excluded.request_id), updated_at = excluded.updated_at",
        )
        .bind(&s.gateway)
        .bind(&s.session_id)
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(&s.path)
        .bind(inputs)
        .bind(offer)
        .bind(&s.answer)
        .bind(s.ended)
        .bind(s.request_id)
        .bind(ts(s.created_at))
        .bind(ts(s.updated_at))
        .execute(&self.writer.pool)
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
            "SELECT {COLUMNS} FROM ussd_sessions WHERE phone_hash = ? AND updated_at >= ? \
             AND ended = 0 AND session_id <> ? ORDER BY updated_at DESC LIMIT 1"
        ))
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(ts(since))
        .bind(except)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn end_ussd_session(&self, gateway: &str, session_id: &str) -> Result<()> {
        sqlx::query("UPDATE ussd_sessions SET ended = 1 WHERE gateway = ? AND session_id = ?")
            .bind(gateway)
            .bind(session_id)
            .execute(&self.writer.pool)
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
            "SELECT COALESCE(SUM(created_at >= ?), 0) AS sessions, \
             COALESCE(SUM(request_id IS NOT NULL AND created_at >= ?), 0) AS requests \
             FROM ussd_sessions WHERE phone_hash = ? AND updated_at >= ?",
        )
        .bind(ts(sessions_since))
        .bind(ts(requests_since))
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(ts(sessions_since.min(requests_since)))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        Ok(UssdUsage {
            sessions: row.try_get("sessions").map_err(db)?,
            requests: row.try_get("requests").map_err(db)?,
        })
    }

    async fn forget_ussd_sessions(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM ussd_sessions WHERE updated_at < ?")
                .bind(ts(before))
                .execute(&self.writer.pool)
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
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (gateway, message_id) DO NOTHING",
        )
        .bind(gateway)
        .bind(message_id)
        .bind(self.key.lookup_hash(phone.e164()))
        .bind(command)
        .bind(ts(now))
        .execute(&self.writer.pool)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(n == 1)
    }
}
