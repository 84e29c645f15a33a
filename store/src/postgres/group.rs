//! Batched intake on PostgreSQL. A request without an Idempotency-Key used to be one statement
//! and one commit of its own; under load PostgreSQL then spent most of its time setting up and
//! finishing statements (executor setup, catalogue lookups, a WAL flush request per commit),
//! not storing rows. Here a few writer tasks each take every request waiting in the queue and
//! store them with one statement (arrays unnested into the four tables) and one commit; each
//! caller is answered only after that commit, so an acknowledged request is exactly as durable
//! as before. When requests arrive one at a time, a batch holds one request and nothing waits.
//!
//! A reference taken by an earlier request (or twice in one batch) leaves its request out of
//! the batch's rows; that request is then stored alone with its next candidate. If the batch
//! statement fails, every request in it is stored alone, so one bad request fails by itself.
//! The one-request statement (`insert_request`) lives here, for those and for the keyed
//! requests of intake.rs.

use super::*;
use crate::intake::{IntakeCmd, NewRequests};
use sqlx::PgConnection;
use tokio::sync::{mpsc, Mutex};

/// Most requests stored by one statement.
pub const MAX_BATCH: usize = 128;

/// Writer tasks: while one batch is in PostgreSQL, the next is being gathered and sent. One or
/// two gave the same throughput under load (BENCHMARKS.md), four or more smaller batches and
/// less of it; two keep intake going while one batch waits on a lock.
pub const WRITERS: usize = 2;

/// Starts the writer tasks on the current runtime; they end when every sender is dropped.
pub(crate) fn spawn(pool: PgPool, key: Arc<DataKey>) -> mpsc::Sender<IntakeCmd> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..WRITERS {
        tokio::spawn(run(pool.clone(), key.clone(), rx.clone()));
    }
    tx
}

async fn run(pool: PgPool, key: Arc<DataKey>, rx: Arc<Mutex<mpsc::Receiver<IntakeCmd>>>) {
    loop {
        let batch = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(cmd) => batch.push(cmd),
                    Err(_) => break,
                }
            }
            batch
        };
        tracing::debug!(size = batch.len(), "postgres intake batch");
        // Counted from when the oldest request was queued, so none waits longer than a request
        // taking its own connection would.
        let deadline = batch[0].queued + ACQUIRE_TIMEOUT;
        let results = match tokio::time::timeout_at(deadline.into(), pool.acquire()).await {
            Ok(Ok(mut conn)) => store_batch(&mut conn, &key, &batch).await,
            Ok(Err(e)) => unavailable(&batch, &e.to_string()),
            Err(_) => unavailable(&batch, "no connection within the acquire timeout"),
        };
        for (cmd, result) in batch.into_iter().zip(results) {
            let _ = cmd.reply.send(result);
        }
    }
}

/// Stores requests in the order given, `MAX_BATCH` at a time on one connection, bypassing the
/// writer tasks: two of them would interleave their ids, and a batch's bounds (which decide
/// where a request whose reference was taken goes) would depend on timing
/// (`Intake::create_requests`).
pub(super) async fn store_in_order(
    pool: &PgPool,
    key: &DataKey,
    batch: NewRequests<'_>,
    ids: &dyn IdSource,
    render: Render,
) -> Result<Vec<Result<CreateOutcome>>> {
    let cmds: Vec<IntakeCmd> = batch
        .iter()
        .map(|(new, now)| IntakeCmd::new(new, ids, None, render.clone(), *now).0)
        .collect();
    let mut conn = pool.acquire().await.map_err(db)?;
    let mut out = Vec::with_capacity(cmds.len());
    for chunk in cmds.chunks(MAX_BATCH) {
        out.extend(store_batch(&mut conn, key, chunk).await);
    }
    Ok(out)
}

/// The answer for every request of a batch when the database cannot be reached.
fn unavailable(batch: &[IntakeCmd], why: &str) -> Vec<Result<CreateOutcome>> {
    batch
        .iter()
        .map(|_| Err(Error::Unavailable(format!("database: {why}"))))
        .collect()
}

/// Stores a batch; one result per request, in order.
async fn store_batch(
    conn: &mut PgConnection,
    key: &DataKey,
    batch: &[IntakeCmd],
) -> Vec<Result<CreateOutcome>> {
    let mut results: Vec<Option<Result<CreateOutcome>>> = batch.iter().map(|_| None).collect();
    // A reference twice in one batch would give one row to two requests: the later one waits
    // for the single path.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    for (i, cmd) in batch.iter().enumerate() {
        first.entry(cmd.references[0].as_str()).or_insert(i);
    }
    let mut together: Vec<usize> = first.values().copied().collect();
    // In arrival order, so ids (and triage jobs) follow it.
    together.sort_unstable();
    match insert_batch(&mut *conn, key, batch, &together).await {
        Ok(stored) => {
            for request in stored {
                let Some(&i) = first.get(request.reference.as_str()) else {
                    continue;
                };
                let response = (batch[i].render)(&request);
                results[i] = Some(Ok(CreateOutcome::Created(Box::new(request), response)));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = together.len(), "intake batch failed; storing its requests one by one")
        }
    }
    let mut out = Vec::with_capacity(batch.len());
    for (cmd, result) in batch.iter().zip(results) {
        out.push(match result {
            Some(r) => r,
            None => insert_alone(&mut *conn, key, cmd).await,
        });
    }
    out
}

/// One request by itself, trying each candidate reference in turn.
async fn insert_alone(
    conn: &mut PgConnection,
    key: &DataKey,
    cmd: &IntakeCmd,
) -> Result<CreateOutcome> {
    for reference in &cmd.references {
        if let Some(request) =
            insert_request(&mut *conn, key, &cmd.new, reference, &cmd.token, cmd.now).await?
        {
            let response = (cmd.render)(&request);
            return Ok(CreateOutcome::Created(Box::new(request), response));
        }
    }
    Err(references_exhausted())
}

/// The batch statement: the chosen requests (first candidate reference each) with their
/// contacts, first history entries and triage jobs. Returns the requests stored; one whose
/// reference was taken is missing.
async fn insert_batch(
    conn: &mut PgConnection,
    key: &DataKey,
    batch: &[IntakeCmd],
    chosen: &[usize],
) -> Result<Vec<ServiceRequest>> {
    let n = chosen.len();
    let mut reference = Vec::with_capacity(n);
    let mut token = Vec::with_capacity(n);
    let mut service = Vec::with_capacity(n);
    let mut description = Vec::with_capacity(n);
    let mut lat = Vec::with_capacity(n);
    let mut lon = Vec::with_capacity(n);
    let mut address = Vec::with_capacity(n);
    let mut province = Vec::with_capacity(n);
    let mut district = Vec::with_capacity(n);
    let mut tehsil = Vec::with_capacity(n);
    let mut channel = Vec::with_capacity(n);
    let mut language = Vec::with_capacity(n);
    let mut priority = Vec::with_capacity(n);
    let mut attributes = Vec::with_capacity(n);
    let mut media = Vec::with_capacity(n);
    let mut created = Vec::with_capacity(n);
    let mut phone = Vec::with_capacity(n);
    let mut name = Vec::with_capacity(n);
    let mut email = Vec::with_capacity(n);
    let mut phone_hash = Vec::with_capacity(n);
    for &i in chosen {
        let cmd = &batch[i];
        let new = &cmd.new;
        let c = &new.contact;
        reference.push(cmd.references[0].as_str());
        token.push(cmd.token.as_str());
        service.push(new.service_code.as_str());
        description.push(new.description.as_str());
        lat.push(new.lat);
        lon.push(new.lon);
        address.push(new.address.as_deref());
        province.push(new.province.as_str());
        district.push(new.district.as_str());
        tehsil.push(new.tehsil.as_deref());
        channel.push(new.channel.as_str());
        language.push(new.language.code());
        priority.push(new.priority.as_str());
        attributes.push(new.attributes.clone());
        media.push(new.media_url.as_deref());
        created.push(cmd.now);
        phone.push(c.phone.as_ref().map(|p| key.seal(p.e164())));
        name.push(c.name.as_deref().map(|s| key.seal(s)));
        email.push(c.email.as_deref().map(|s| key.seal(s)));
        phone_hash.push(c.phone.as_ref().map(|p| key.lookup_hash(p.e164())));
    }
    let rows = sqlx::query(&format!(
        "WITH i AS (SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
           $5::float8[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], \
           $12::text[], $13::text[], $14::jsonb[], $15::text[], $16::timestamptz[], $17::text[], \
           $18::text[], $19::text[], $20::text[]) WITH ORDINALITY AS t(reference, token, \
           service_code, description, lat, lon, address, province_code, district_code, tehsil_code, \
           channel, language, priority, attributes, media_url, created_at, phone, name, email, \
           phone_hash, n)), \
         r AS (INSERT INTO service_requests (reference, token, service_code, description, lat, lon, \
           address, province_code, district_code, tehsil_code, channel, language, status, priority, \
           attributes, media_url, created_at, updated_at) \
           SELECT reference, token, service_code, description, lat, lon, address, province_code, \
           district_code, tehsil_code, channel, language, $21, priority, attributes, media_url, \
           created_at, created_at FROM i ORDER BY n \
           ON CONFLICT (reference) DO NOTHING RETURNING {REQUEST_COLUMNS}), \
         c AS (INSERT INTO request_contacts (request_id, phone, name, email, phone_hash) \
           SELECT r.id, i.phone, i.name, i.email, i.phone_hash FROM r JOIN i ON i.reference = r.reference \
           WHERE i.phone IS NOT NULL OR i.name IS NOT NULL OR i.email IS NOT NULL), \
         u AS (INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at, message) \
           SELECT id, $21, TRUE, $22, channel, created_at, $23 FROM r), \
         j AS (INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
           SELECT 'triage', jsonb_build_object('request_id', id), 'queued', 0, $24, created_at, created_at, \
           created_at FROM r) \
         SELECT * FROM r"
    ))
    .bind(reference)
    .bind(token)
    .bind(service)
    .bind(description)
    .bind(lat)
    .bind(lon)
    .bind(address)
    .bind(province)
    .bind(district)
    .bind(tehsil)
    .bind(channel)
    .bind(language)
    .bind(priority)
    .bind(attributes)
    .bind(media)
    .bind(created)
    .bind(phone)
    .bind(name)
    .bind(email)
    .bind(phone_hash)
    .bind(Status::Submitted.as_str())
    .bind(RECEIVED_NOTE)
    .bind(received_message())
    .bind(DEFAULT_MAX_ATTEMPTS)
    .fetch_all(conn)
    .await
    .map_err(db)?;
    rows.iter().map(request_from_row).collect()
}

/// Inserts a request with its contact, first history entry and triage job in one statement
/// (data-modifying CTEs: atomic even outside a transaction). `None` if the reference is taken.
pub(super) async fn insert_request<'e, E: sqlx::PgExecutor<'e>>(
    ex: E,
    key: &DataKey,
    new: &NewServiceRequest,
    reference: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ServiceRequest>> {
    let c = &new.contact;
    let row = sqlx::query(&format!(
        "WITH r AS (INSERT INTO service_requests (reference, token, service_code, description, lat, lon, address, \
         province_code, district_code, tehsil_code, channel, language, status, priority, attributes, media_url, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
         ON CONFLICT (reference) DO NOTHING RETURNING {REQUEST_COLUMNS}), \
         c AS (INSERT INTO request_contacts (request_id, phone, name, email, phone_hash) SELECT id, $18, $19, $20, $23 FROM r \
               WHERE $18::text IS NOT NULL OR $19::text IS NOT NULL OR $20::text IS NOT NULL), \
         u AS (INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at, message) \
               SELECT id, $13, TRUE, $21, $11, $17, $24 FROM r), \
         j AS (INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
               SELECT 'triage', jsonb_build_object('request_id', id), 'queued', 0, $22, $17, $17, $17 FROM r) \
         SELECT * FROM r"
    ))
    .bind(reference)
    .bind(token)
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
    .bind(&new.attributes)
    .bind(&new.media_url)
    .bind(now)
    .bind(c.phone.as_ref().map(|p| key.seal(p.e164())))
    .bind(c.name.as_deref().map(|n| key.seal(n)))
    .bind(c.email.as_deref().map(|e| key.seal(e)))
    .bind(RECEIVED_NOTE)
    .bind(DEFAULT_MAX_ATTEMPTS)
    .bind(c.phone.as_ref().map(|p| key.lookup_hash(p.e164())))
    .bind(received_message())
    .fetch_optional(ex)
    .await.map_err(db)?;
    row.as_ref().map(request_from_row).transpose()
}
