//! Group commit for intake on SQLite. With `synchronous=FULL` every commit waits for an fsync,
//! so one commit per request caps intake at the disk's fsync rate. Instead, one writer task
//! takes every request waiting in its queue, stores the batch with one multi-row statement per
//! table and commits it with a single fsync; each caller is answered only after that commit, so
//! an acknowledged request is exactly as durable as before. On a database error the batch is
//! rolled back and replayed with a SAVEPOINT per request (a bad one is rolled back alone). When
//! requests arrive one at a time, each batch holds one request and nothing waits.

use super::sizes::push_padded_insert;
use super::*;
use crate::intake::{IntakeCmd, NewRequests};
use sqlx::{Row, SqliteConnection};
use tokio::sync::mpsc;

/// Most requests committed together.
pub const MAX_BATCH: usize = 128;

/// Starts the writer task on the current runtime.
pub(crate) fn spawn(writer: super::writer::Writer, key: Arc<DataKey>) -> mpsc::Sender<IntakeCmd> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(run(writer, key, rx));
    tx
}

async fn run(writer: super::writer::Writer, key: Arc<DataKey>, mut rx: mpsc::Receiver<IntakeCmd>) {
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
    writer: &super::writer::Writer,
    key: &DataKey,
    batch: &[IntakeCmd],
) -> Result<Vec<Result<CreateOutcome>>> {
    // Fast path: no savepoints. The only refusal that can happen inside `create` (a reused
    // Idempotency-Key) is decided before anything is written, so a batch needs undoing only
    // on a database error — then it is rolled back whole and replayed with a savepoint per
    // request, so that one bad request cannot take the others down with it.
    let mut tx = writer.begin().await?;
    if let Ok(results) = create_all(&mut tx, key, batch).await {
        if !results
            .iter()
            .any(|r| matches!(r, Err(Error::Internal(_) | Error::Unavailable(_))))
        {
            tx.commit().await.map_err(db)?;
            return Ok(results);
        }
    }
    tx.rollback().await.map_err(db)?;
    let mut tx = writer.begin().await?;
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

/// The fast path for a whole batch: requests without an Idempotency-Key whose first candidate
/// reference is unique in the batch are stored with one multi-row statement per table (four
/// statements for the batch instead of four per request: each statement is a round trip to
/// SQLite's connection thread); the rest, and any whose reference was taken, one by one.
async fn create_all(
    conn: &mut SqliteConnection,
    key: &DataKey,
    batch: &[IntakeCmd],
) -> Result<Vec<Result<CreateOutcome>>> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    for (i, cmd) in batch.iter().enumerate() {
        if cmd.idempotency.is_none() {
            first.entry(cmd.references[0].as_str()).or_insert(i);
        }
    }
    let mut together: Vec<usize> = first.values().copied().collect();
    together.sort_unstable();
    let mut results: Vec<Option<Result<CreateOutcome>>> = batch.iter().map(|_| None).collect();
    for request in insert_many(conn, key, batch, &together).await? {
        if let Some(&i) = first.get(request.reference.as_str()) {
            let response = (batch[i].render)(&request);
            results[i] = Some(Ok(CreateOutcome::Created(Box::new(request), response)));
        }
    }
    let mut out = Vec::with_capacity(batch.len());
    for (cmd, result) in batch.iter().zip(results) {
        out.push(match result {
            Some(r) => r,
            None => create(conn, key, cmd).await,
        });
    }
    Ok(out)
}

/// Inserts the chosen requests (first candidate reference each) with their contacts, first
/// history entries and triage jobs; returns those stored (one whose reference was taken is
/// missing).
async fn insert_many(
    conn: &mut SqliteConnection,
    key: &DataKey,
    batch: &[IntakeCmd],
    chosen: &[usize],
) -> Result<Vec<ServiceRequest>> {
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let inserted = insert_requests(conn, batch, chosen).await?;
    if inserted.is_empty() {
        return Ok(Vec::new());
    }
    let with_contact: Vec<(i64, &IntakeCmd)> = inserted
        .iter()
        .map(|(cmd, r)| (r.id, *cmd))
        .filter(|(_, c)| {
            let c = &c.new.contact;
            c.phone.is_some() || c.name.is_some() || c.email.is_some()
        })
        .collect();
    if !with_contact.is_empty() {
        let mut b = QueryBuilder::<Sqlite>::new(
            "INSERT OR FAIL INTO request_contacts (request_id, phone, name, email, phone_hash)",
        );
        push_padded_insert(&mut b, &with_contact, MAX_BATCH, 5, |row, (id, cmd)| {
            let c = &cmd.new.contact;
            row.push_bind(*id)
                .push_bind(c.phone.as_ref().map(|p| key.seal(p.e164())))
                .push_bind(c.name.as_deref().map(|n| key.seal(n)))
                .push_bind(c.email.as_deref().map(|e| key.seal(e)))
                .push_bind(c.phone.as_ref().map(|p| key.lookup_hash(p.e164())));
        });
        b.build().execute(&mut *conn).await.map_err(db)?;
    }
    let message = received_message().to_string();
    let mut b = QueryBuilder::<Sqlite>::new(
        "INSERT OR FAIL INTO request_updates (request_id, status, is_public, description, actor, created_at, message)",
    );
    push_padded_insert(&mut b, &inserted, MAX_BATCH, 7, |row, (_, r)| {
        row.push_bind(r.id)
            .push_bind(Status::Submitted.as_str())
            .push_bind(true)
            .push_bind(RECEIVED_NOTE)
            .push_bind(r.channel.as_str())
            .push_bind(ts(r.created_at))
            .push_bind(message.clone());
    });
    b.build().execute(&mut *conn).await.map_err(db)?;
    let mut b = QueryBuilder::<Sqlite>::new(
        "INSERT OR FAIL INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)",
    );
    push_padded_insert(&mut b, &inserted, MAX_BATCH, 8, |row, (_, r)| {
        let at = ts(r.created_at);
        row.push_bind("triage")
            .push_bind(Task::Triage { request_id: r.id }.payload().to_string())
            .push_bind("queued")
            .push_bind(0_i64)
            .push_bind(DEFAULT_MAX_ATTEMPTS)
            .push_bind(at.clone())
            .push_bind(at.clone())
            .push_bind(at);
    });
    b.build().execute(&mut *conn).await.map_err(db)?;
    Ok(inserted.into_iter().map(|(_, r)| r).collect())
}

/// `insert_many`'s requests (at most `MAX_BATCH`, padded as `sizes.rs` says); returns those
/// stored, each with its command.
async fn insert_requests<'a>(
    conn: &mut SqliteConnection,
    batch: &'a [IntakeCmd],
    chosen: &[usize],
) -> Result<Vec<(&'a IntakeCmd, ServiceRequest)>> {
    let mut b = QueryBuilder::<Sqlite>::new(
        "INSERT OR FAIL INTO service_requests (reference, token, service_code, description, lat, lon, address, \
         province_code, district_code, tehsil_code, channel, language, status, priority, attributes, media_url, \
         created_at, updated_at)",
    );
    push_padded_insert(&mut b, chosen, MAX_BATCH, 18, |row, &i| {
        let cmd = &batch[i];
        let new = &cmd.new;
        let now_s = ts(cmd.now);
        row.push_bind(cmd.references[0].clone())
            .push_bind(cmd.token.clone())
            .push_bind(new.service_code.clone())
            .push_bind(new.description.clone())
            .push_bind(new.lat)
            .push_bind(new.lon)
            .push_bind(new.address.clone())
            .push_bind(new.province.clone())
            .push_bind(new.district.clone())
            .push_bind(new.tehsil.clone())
            .push_bind(new.channel.as_str())
            .push_bind(new.language.code())
            .push_bind(Status::Submitted.as_str())
            .push_bind(new.priority.as_str())
            .push_bind(new.attributes.to_string())
            .push_bind(new.media_url.clone())
            .push_bind(now_s.clone())
            .push_bind(now_s);
    });
    b.push(" ON CONFLICT (reference) DO NOTHING RETURNING id, reference");
    let rows: Vec<(i64, String)> = b.build_query_as().fetch_all(&mut *conn).await.map_err(db)?;
    let by_reference: HashMap<&str, &IntakeCmd> = chosen
        .iter()
        .map(|&i| (batch[i].references[0].as_str(), &batch[i]))
        .collect();
    rows.into_iter()
        .map(|(id, reference)| {
            let cmd = by_reference.get(reference.as_str()).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!(
                    "an insert returned a reference it was not given"
                ))
            })?;
            Ok((*cmd, cmd.submitted(id, reference)))
        })
        .collect()
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
            "INSERT OR FAIL INTO service_requests (reference, token, service_code, description, lat, lon, address, \
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
            "INSERT OR FAIL INTO request_contacts (request_id, phone, name, email, phone_hash) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(c.phone.as_ref().map(|p| key.seal(p.e164())))
        .bind(c.name.as_deref().map(|n| key.seal(n)))
        .bind(c.email.as_deref().map(|e| key.seal(e)))
        .bind(c.phone.as_ref().map(|p| key.lookup_hash(p.e164())))
        .execute(&mut *conn)
        .await.map_err(db)?;
    }
    sqlx::query("INSERT OR FAIL INTO request_updates (request_id, status, is_public, description, actor, created_at, message) VALUES (?, ?, 1, ?, ?, ?, ?)")
        .bind(id)
        .bind(Status::Submitted.as_str())
        .bind(RECEIVED_NOTE)
        .bind(new.channel.as_str())
        .bind(&now_s)
        .bind(received_message().to_string())
        .execute(&mut *conn)
        .await.map_err(db)?;
    sqlx::query(
        "INSERT OR FAIL INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
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
        sqlx::query("INSERT OR FAIL INTO idempotency_keys (scope, key, body_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)")
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

    async fn create_requests(
        &self,
        batch: NewRequests<'_>,
        ids: &dyn IdSource,
        render: Render,
    ) -> Result<Vec<Result<CreateOutcome>>> {
        // Committed here in fixed chunks rather than through the writer task, whose batches
        // are whatever is waiting in its queue: a reference already taken moves its request to
        // the end of its batch, so the batch boundaries must not depend on timing.
        let cmds: Vec<IntakeCmd> = batch
            .iter()
            .map(|(new, now)| IntakeCmd::new(new, ids, None, render.clone(), *now).0)
            .collect();
        let mut out = Vec::with_capacity(cmds.len());
        for chunk in cmds.chunks(MAX_BATCH) {
            out.extend(commit_batch(&self.writer, &self.key, chunk).await?);
        }
        Ok(out)
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
            "INSERT OR FAIL INTO request_voices (request_id, phone, phone_hash, language, channel, created_at) \
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
            "UPDATE OR FAIL service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?",
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
