//! Group commit for intake on SQLite. With `synchronous=FULL` every commit waits for an fsync,
//! so one commit per request caps intake at the disk's fsync rate. Instead, one writer task
//! takes every request waiting in its queue, stores each inside its own SAVEPOINT (a bad one
//! is rolled back alone) and commits them all with a single fsync; each caller is answered
//! only after that commit, so an acknowledged request is exactly as durable as before. When
//! requests arrive one at a time, each batch holds one request and nothing waits.

use super::*;
use crate::intake::IntakeCmd;
use sqlx::{Row, SqliteConnection};
use tokio::sync::mpsc;

/// Most requests committed together.
pub const MAX_BATCH: usize = 128;

/// Starts the writer task on the current runtime.
pub(crate) fn spawn(writer: SqlitePool, key: Arc<DataKey>) -> mpsc::Sender<IntakeCmd> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(run(writer, key, rx));
    tx
}

async fn run(writer: SqlitePool, key: Arc<DataKey>, mut rx: mpsc::Receiver<IntakeCmd>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.push(cmd),
                Err(_) => break,
            }
        }
        tracing::debug!(size = batch.len(), "intake group commit");
        match commit_batch(&writer, &key, &batch).await {
            Ok(results) => {
                for (cmd, result) in batch.into_iter().zip(results) {
                    let _ = cmd.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, size = batch.len(), "intake batch failed to commit");
                for cmd in batch {
                    let _ = cmd.reply.send(Err(Error::Unavailable(
                        "the database could not store the request".into(),
                    )));
                }
            }
        }
    }
}

async fn commit_batch(
    writer: &SqlitePool,
    key: &DataKey,
    batch: &[IntakeCmd],
) -> Result<Vec<Result<CreateOutcome>>> {
    // Fast path: no savepoints. The only refusal that can happen inside `create` (a reused
    // Idempotency-Key) is decided before anything is written, so a batch needs undoing only
    // on a database error — then it is rolled back whole and replayed with a savepoint per
    // request, so that one bad request cannot take the others down with it.
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let mut results = Vec::with_capacity(batch.len());
    let mut failed = false;
    for cmd in batch {
        let result = create(&mut tx, key, cmd).await;
        failed |= matches!(result, Err(Error::Internal(_) | Error::Unavailable(_)));
        results.push(result);
    }
    if !failed {
        tx.commit().await.map_err(db)?;
        return Ok(results);
    }
    tx.rollback().await.map_err(db)?;
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let mut results = Vec::with_capacity(batch.len());
    for cmd in batch {
        sqlx::query("SAVEPOINT intake")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let result = create(&mut tx, key, cmd).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO SAVEPOINT intake")
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        sqlx::query("RELEASE SAVEPOINT intake")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        results.push(result);
    }
    tx.commit().await.map_err(db)?;
    Ok(results)
}

async fn create(
    conn: &mut SqliteConnection,
    key: &DataKey,
    cmd: &IntakeCmd,
) -> Result<CreateOutcome> {
    let new = &cmd.new;
    if let Some(k) = &cmd.idempotency {
        let seen = sqlx::query("SELECT body_hash, status_code, response FROM idempotency_keys WHERE scope = ? AND key = ?")
            .bind(&k.scope)
            .bind(&k.key)
            .fetch_optional(&mut *conn)
            .await.map_err(db)?;
        if let Some(row) = seen {
            let hash: String = row.try_get("body_hash").map_err(db)?;
            if hash != k.body_hash {
                return Err(Error::IdempotencyMismatch);
            }
            let body: String = row.try_get("response").map_err(db)?;
            return Ok(CreateOutcome::Replayed(StoredResponse {
                status: row.try_get::<i64, _>("status_code").map_err(db)? as u16,
                body: serde_json::from_str(&body).map_err(anyhow::Error::from)?,
            }));
        }
    }
    let now_s = ts(cmd.now);
    let mut row = None;
    for reference in &cmd.references {
        row = sqlx::query(&format!(
            "INSERT INTO service_requests (reference, token, service_code, description, lat, lon, address, \
             province_code, district_code, tehsil_code, channel, language, status, priority, attributes, media_url, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (reference) DO NOTHING RETURNING {REQUEST_COLUMNS}"
        ))
        .bind(reference)
        .bind(&cmd.token)
        .bind(&new.service_code)
        .bind(&new.description)
        .bind(new.lat)
        .bind(new.lon)
        .bind(&new.address)
        .bind(&new.province)
        .bind(&new.district)
        .bind(&new.tehsil)
        .bind(new.channel.as_str())
        .bind(new.language.code())
        .bind(Status::Submitted.as_str())
        .bind(new.priority.as_str())
        .bind(new.attributes.to_string())
        .bind(&new.media_url)
        .bind(&now_s)
        .bind(&now_s)
        .fetch_optional(&mut *conn)
        .await.map_err(db)?;
        if row.is_some() {
            break;
        }
    }
    let row = row.ok_or_else(references_exhausted)?;
    let request = request_from_row(&row)?;
    let id = request.id;
    let c = &new.contact;
    if c.phone.is_some() || c.name.is_some() || c.email.is_some() {
        sqlx::query(
            "INSERT INTO request_contacts (request_id, phone, name, email, phone_hash) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(c.phone.as_ref().map(|p| key.seal(p.e164())))
        .bind(c.name.as_deref().map(|n| key.seal(n)))
        .bind(c.email.as_deref().map(|e| key.seal(e)))
        .bind(c.phone.as_ref().map(|p| key.lookup_hash(p.e164())))
        .execute(&mut *conn)
        .await.map_err(db)?;
    }
    sqlx::query("INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at, message) VALUES (?, ?, 1, ?, ?, ?, ?)")
        .bind(id)
        .bind(Status::Submitted.as_str())
        .bind(RECEIVED_NOTE)
        .bind(new.channel.as_str())
        .bind(&now_s)
        .bind(received_message().to_string())
        .execute(&mut *conn)
        .await.map_err(db)?;
    sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ('triage', ?, 'queued', 0, ?, ?, ?, ?)",
    )
    .bind(Task::Triage { request_id: id }.payload().to_string())
    .bind(DEFAULT_MAX_ATTEMPTS)
    .bind(&now_s)
    .bind(&now_s)
    .bind(&now_s)
    .execute(&mut *conn)
    .await.map_err(db)?;
    let response = (cmd.render)(&request);
    if let Some(k) = &cmd.idempotency {
        sqlx::query("INSERT INTO idempotency_keys (scope, key, body_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&k.scope)
            .bind(&k.key)
            .bind(&k.body_hash)
            .bind(response.status as i64)
            .bind(response.body.to_string())
            .bind(&now_s)
            .execute(&mut *conn)
            .await.map_err(db)?;
    }
    Ok(CreateOutcome::Created(Box::new(request), response))
}

#[async_trait]
impl Intake for SqliteStore {
    async fn create_request(
        &self,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome> {
        IntakeCmd::submit(&self.intake, new, ids, idempotency, render, now).await
    }

    async fn add_voice(&self, v: &NewVoice, now: DateTime<Utc>) -> Result<VoiceOutcome> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT reporters, status IN ({}) AS open, (SELECT phone_hash FROM request_contacts WHERE request_id = ?1) AS reporter_hash \
             FROM service_requests WHERE id = ?1",
            open_statuses_sql()
        ))
        .bind(v.request_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(VoiceOutcome::NotOpen);
        };
        let reporters = row.try_get::<i64, _>("reporters").map_err(db)? as i32;
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
                "SELECT id FROM request_voices WHERE request_id = ? AND phone_hash = ?",
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
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(v.request_id)
        .bind(v.phone.as_ref().map(|p| self.key.seal(p.e164())))
        .bind(&hash)
        .bind(v.language.code())
        .bind(v.channel.as_str())
        .bind(&now_s)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "UPDATE service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?",
        )
        .bind(&now_s)
        .bind(v.request_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        record(&mut tx, v.request_id, &[&v.entry], &[], &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(VoiceOutcome::Added {
            voice_id,
            reporters: reporters + 1,
        })
    }
}
