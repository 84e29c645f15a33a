//! postgres: intake. Without an Idempotency-Key a request goes to the batch writers (group.rs:
//! one statement and one commit for all waiting requests); with one, a short transaction that
//! claims the key first.

use super::group::insert_request;
use super::*;
use crate::intake::{IntakeCmd, NewRequests};

#[async_trait]
impl Intake for PgStore {
    async fn create_requests(
        &self,
        batch: NewRequests<'_>,
        ids: &dyn IdSource,
        render: Render,
    ) -> Result<Vec<Result<CreateOutcome>>> {
        super::group::store_in_order(&self.pool, &self.key, batch, ids, render).await
    }

    async fn create_request(
        &self,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome> {
        let Some(k) = idempotency else {
            // No key: stored in a batch with the others waiting (group.rs).
            return IntakeCmd::submit(&self.intake, new, ids, None, render, now).await;
        };
        let token = ids.request_token(now);
        let candidates = candidate_references(ids);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Claim the key first: a concurrent holder makes this wait until it commits or rolls back.
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, body_hash, status_code, response, created_at) \
             VALUES ($1, $2, $3, 0, 'null', $4) ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(&k.scope)
        .bind(&k.key)
        .bind(&k.body_hash)
        .bind(now)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await.map_err(db)?;
            let row = sqlx::query("SELECT body_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2")
                .bind(&k.scope)
                .bind(&k.key)
                .fetch_one(&self.pool)
                .await.map_err(db)?;
            let hash: String = row.try_get("body_hash").map_err(db)?;
            if hash != k.body_hash {
                return Err(Error::IdempotencyMismatch);
            }
            return Ok(CreateOutcome::Replayed(StoredResponse {
                status: row.try_get::<i32, _>("status_code").map_err(db)? as u16,
                body: row.try_get("response").map_err(db)?,
            }));
        }
        let mut stored = None;
        for reference in &candidates {
            stored = insert_request(&mut *tx, &self.key, new, reference, &token, now).await?;
            if stored.is_some() {
                break;
            }
        }
        let request = stored.ok_or_else(references_exhausted)?;
        let response = render(&request);
        sqlx::query("UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2")
            .bind(&k.scope)
            .bind(&k.key)
            .bind(response.status as i32)
            .bind(&response.body)
            .execute(&mut *tx)
            .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(CreateOutcome::Created(Box::new(request), response))
    }

    async fn add_voice(&self, v: &NewVoice, now: DateTime<Utc>) -> Result<VoiceOutcome> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One voice per number even when two arrive at once.
        sqlx::query("SELECT id FROM service_requests WHERE id = $1 FOR UPDATE")
            .bind(v.request_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let row = sqlx::query(&format!(
            "SELECT reporters, status IN ({}) AS open, (SELECT phone_hash FROM request_contacts WHERE request_id = $1) AS reporter_hash \
             FROM service_requests WHERE id = $1",
            open_statuses_sql()
        ))
        .bind(v.request_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(VoiceOutcome::NotOpen);
        };
        let reporters: i32 = row.try_get("reporters").map_err(db)?;
        if !row.try_get::<bool, _>("open").map_err(db)? {
            return Ok(VoiceOutcome::NotOpen);
        }
        let hash = v
            .phone
            .as_ref()
            .map(|p| self.key.lookup_hash(p.e164()))
            .or_else(|| v.anonymous_key.as_ref().map(|k| format!("form:{k}")));
        if let Some(h) = &hash {
            let reporter: Option<String> = row.try_get("reporter_hash").map_err(db)?;
            let voiced: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM request_voices WHERE request_id = $1 AND phone_hash = $2",
            )
            .bind(v.request_id)
            .bind(h)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if reporter.as_deref() == Some(h.as_str()) || voiced.is_some() {
                return Ok(VoiceOutcome::Existing { reporters });
            }
        }
        let voice_id: i64 = sqlx::query_scalar(
            "INSERT INTO request_voices (request_id, phone, phone_hash, language, channel, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(v.request_id)
        .bind(v.phone.as_ref().map(|p| self.key.seal(p.e164())))
        .bind(&hash)
        .bind(v.language.code())
        .bind(v.channel.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "UPDATE service_requests SET reporters = reporters + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(v.request_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        record(&mut tx, v.request_id, &[&v.entry], &[], now).await?;
        tx.commit().await.map_err(db)?;
        Ok(VoiceOutcome::Added {
            voice_id,
            reporters: reporters + 1,
        })
    }
}
