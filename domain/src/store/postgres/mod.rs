//! PostgreSQL implementation of `Store`, the scale-out path: many API instances and workers
//! against one database. Idempotency-Keys are claimed with `INSERT … ON CONFLICT DO NOTHING`,
//! which makes a concurrent duplicate wait for the first transaction and then replay its answer.

mod accounts;
mod jobs;
mod photos;
mod tickets;
mod workflow;

use super::*;
use crate::lang::Lang;
use crate::request::{Channel, Priority};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder, Row};
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    key: Arc<crate::crypto::DataKey>,
}

pub(super) const REQUEST_COLUMNS: &str = "id, reference, token, service_code, description, lat, lon, address, \
    province_code, district_code, tehsil_code, channel, language, status, priority, department_code, \
    sla_due_at, duplicate_of, attributes, media_url, created_at, updated_at, closed_at, \
    reporters, escalation_level, ack_due_at, acknowledged_at, triage_flags, filed_service_code, sla_started_at";

pub(super) fn enum_col<T>(row: &PgRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = row.try_get(col)?;
    parse(&s).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown {col} {s:?} in database")))
}

pub(super) fn request_from_row(row: &PgRow) -> Result<ServiceRequest> {
    Ok(ServiceRequest {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        token: row.try_get("token")?,
        service_code: row.try_get("service_code")?,
        description: row.try_get("description")?,
        lat: row.try_get("lat")?,
        lon: row.try_get("lon")?,
        address: row.try_get("address")?,
        province: row.try_get("province_code")?,
        district: row.try_get("district_code")?,
        tehsil: row.try_get("tehsil_code")?,
        channel: enum_col(row, "channel", Channel::parse)?,
        language: enum_col(row, "language", Lang::parse)?,
        status: enum_col(row, "status", Status::parse)?,
        priority: enum_col(row, "priority", Priority::parse)?,
        department: row.try_get("department_code")?,
        sla_due_at: row.try_get("sla_due_at")?,
        duplicate_of: row.try_get("duplicate_of")?,
        attributes: row.try_get("attributes")?,
        media_url: row.try_get("media_url")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        closed_at: row.try_get("closed_at")?,
        sla_started_at: row.try_get("sla_started_at")?,
        reporters: row.try_get("reporters")?,
        escalation_level: row.try_get("escalation_level")?,
        ack_due_at: row.try_get("ack_due_at")?,
        acknowledged_at: row.try_get("acknowledged_at")?,
        triage_flags: serde_json::from_value(row.try_get("triage_flags")?).unwrap_or_default(),
        filed_service_code: row.try_get("filed_service_code")?,
    })
}

impl PgStore {
    /// Connects a pool (size from `SAHULAT_PG_POOL`, default 16).
    pub async fn connect(url: &str, key: Arc<crate::crypto::DataKey>) -> Result<Self> {
        let size = std::env::var("SAHULAT_PG_POOL")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(16);
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool, key })
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("version")?)).collect()
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn sync_reference(
        &self,
        cat: &Catalogue,
        _now: DateTime<Utc>,
    ) -> Result<ReferenceCounts> {
        let mut tx = self.pool.begin().await?;
        // One sync at a time when several instances start together.
        sqlx::query("SELECT pg_advisory_xact_lock(7243001)")
            .execute(&mut *tx)
            .await?;
        for p in &cat.provinces {
            sqlx::query(
                "INSERT INTO provinces (code, name_en, name_ur, name_sd) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd",
            )
            .bind(&p.code).bind(&p.names.en).bind(&p.names.ur).bind(&p.names.sd)
            .execute(&mut *tx).await?;
        }
        for d in &cat.districts {
            sqlx::query(
                "INSERT INTO districts (code, province_code, name_en, name_ur, name_sd, is_pilot, accepts_requests) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET province_code = excluded.province_code, \
                 name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd, \
                 is_pilot = excluded.is_pilot, accepts_requests = excluded.accepts_requests",
            )
            .bind(&d.code).bind(&d.province).bind(&d.names.en).bind(&d.names.ur).bind(&d.names.sd)
            .bind(d.is_pilot).bind(d.accepts_requests)
            .execute(&mut *tx).await?;
        }
        for t in &cat.tehsils {
            sqlx::query(
                "INSERT INTO tehsils (code, district_code, name_en, name_ur, name_sd, pcode) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, name_en = excluded.name_en, \
                 name_ur = excluded.name_ur, name_sd = excluded.name_sd, pcode = excluded.pcode",
            )
            .bind(&t.code).bind(&t.district).bind(&t.names.en).bind(&t.names.ur).bind(&t.names.sd).bind(&t.pcode)
            .execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE services SET active = FALSE")
            .execute(&mut *tx)
            .await?;
        for (i, s) in cat.services.iter().enumerate() {
            let def = serde_json::to_value(s).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO services (code, sort_order, definition, active) VALUES ($1, $2, $3, TRUE) \
                 ON CONFLICT (code) DO UPDATE SET sort_order = excluded.sort_order, definition = excluded.definition, active = TRUE",
            )
            .bind(&s.code).bind(i as i32).bind(def)
            .execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE departments SET active = FALSE")
            .execute(&mut *tx)
            .await?;
        for d in &cat.departments {
            let def = serde_json::to_value(d).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO departments (code, district_code, kind, is_coordinator, definition, active) VALUES ($1, $2, $3, $4, $5, TRUE) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, kind = excluded.kind, \
                 is_coordinator = excluded.is_coordinator, definition = excluded.definition, active = TRUE",
            )
            .bind(&d.code).bind(&d.district).bind(&d.kind).bind(d.coordinator).bind(def)
            .execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM routing_rules")
            .execute(&mut *tx)
            .await?;
        for r in &cat.routing {
            sqlx::query(
                "INSERT INTO routing_rules (district_code, tehsil_code, service_code, department_code, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&r.district).bind(r.tehsil.as_deref().unwrap_or("")).bind(&r.service).bind(&r.department).bind(&r.note)
            .execute(&mut *tx).await?;
        }
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let counts = ReferenceCounts {
            provinces: count("SELECT COUNT(*) FROM provinces")
                .fetch_one(&mut *tx)
                .await? as usize,
            districts: count("SELECT COUNT(*) FROM districts")
                .fetch_one(&mut *tx)
                .await? as usize,
            tehsils: count("SELECT COUNT(*) FROM tehsils")
                .fetch_one(&mut *tx)
                .await? as usize,
            services: count("SELECT COUNT(*) FROM services WHERE active")
                .fetch_one(&mut *tx)
                .await? as usize,
            departments: count("SELECT COUNT(*) FROM departments WHERE active")
                .fetch_one(&mut *tx)
                .await? as usize,
            routing_rules: count("SELECT COUNT(*) FROM routing_rules")
                .fetch_one(&mut *tx)
                .await? as usize,
        };
        tx.commit().await?;
        Ok(counts)
    }

    async fn create_request(
        &self,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome> {
        let token = ids.token();
        let Some(k) = idempotency else {
            // No key: one statement, so one round trip and one commit.
            for _ in 0..4 {
                if let Some(request) = insert_request(
                    &self.pool,
                    &self.key,
                    new,
                    ids.reference().as_str(),
                    &token,
                    now,
                )
                .await?
                {
                    let response = render(&request);
                    return Ok(CreateOutcome::Created(Box::new(request), response));
                }
            }
            return Err(Error::Internal(anyhow::anyhow!(
                "every candidate reference was taken"
            )));
        };
        let mut tx = self.pool.begin().await?;
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
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            let row = sqlx::query("SELECT body_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2")
                .bind(&k.scope)
                .bind(&k.key)
                .fetch_one(&self.pool)
                .await?;
            let hash: String = row.try_get("body_hash")?;
            if hash != k.body_hash {
                return Err(Error::IdempotencyMismatch);
            }
            return Ok(CreateOutcome::Replayed(StoredResponse {
                status: row.try_get::<i32, _>("status_code")? as u16,
                body: row.try_get("response")?,
            }));
        }
        let mut stored = None;
        for _ in 0..4 {
            stored = insert_request(
                &mut *tx,
                &self.key,
                new,
                ids.reference().as_str(),
                &token,
                now,
            )
            .await?;
            if stored.is_some() {
                break;
            }
        }
        let request = stored.ok_or_else(|| {
            Error::Internal(anyhow::anyhow!("every candidate reference was taken"))
        })?;
        let response = render(&request);
        sqlx::query("UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2")
            .bind(&k.scope)
            .bind(&k.key)
            .bind(response.status as i32)
            .bind(&response.body)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CreateOutcome::Created(Box::new(request), response))
    }

    async fn request_by_reference(&self, reference: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE reference = $1"
        ))
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn request_by_token(&self, token: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn list_requests(&self, q: &RequestQuery) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Postgres>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE TRUE"
        ));
        if !q.references.is_empty() {
            b.push(" AND reference = ANY(")
                .push_bind(q.references.clone())
                .push(")");
        }
        if !q.service_codes.is_empty() {
            b.push(" AND service_code = ANY(")
                .push_bind(q.service_codes.clone())
                .push(")");
        }
        if !q.statuses.is_empty() {
            let s: Vec<String> = q.statuses.iter().map(|s| s.as_str().to_string()).collect();
            b.push(" AND status = ANY(").push_bind(s).push(")");
        }
        if let Some(t) = q.start {
            b.push(" AND created_at >= ").push_bind(t);
        }
        if let Some(t) = q.end {
            b.push(" AND created_at <= ").push_bind(t);
        }
        if let Some(d) = &q.district {
            b.push(" AND district_code = ").push_bind(d.clone());
        }
        b.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(q.limit as i64);
        let rows = b.build().fetch_all(&self.pool).await?;
        rows.iter().map(request_from_row).collect()
    }

    async fn list_updates(&self, q: &UpdateQuery) -> Result<Vec<RequestUpdate>> {
        let mut b = QueryBuilder::<Postgres>::new(
            "SELECT u.id, r.reference, u.status, u.description, u.created_at FROM request_updates u \
             JOIN service_requests r ON r.id = u.request_id WHERE u.is_public",
        );
        if let Some(t) = q.start {
            b.push(" AND u.created_at >= ").push_bind(t);
        }
        if let Some(t) = q.end {
            b.push(" AND u.created_at <= ").push_bind(t);
        }
        if let Some(r) = &q.reference {
            b.push(" AND r.reference = ").push_bind(r.clone());
        }
        b.push(" ORDER BY u.created_at, u.id LIMIT ")
            .push_bind(q.limit as i64);
        let rows = b.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(RequestUpdate {
                    id: row.try_get("id")?,
                    reference: row.try_get("reference")?,
                    status: enum_col(row, "status", Status::parse)?,
                    description: row.try_get("description")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn contact(&self, request_id: i64) -> Result<Option<Contact>> {
        let row =
            sqlx::query("SELECT phone, name, email FROM request_contacts WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            open_contact(
                &self.key,
                r.try_get("phone")?,
                r.try_get("name")?,
                r.try_get("email")?,
            )
        })
        .transpose()
    }

    async fn create_api_key(
        &self,
        label: &str,
        key_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id = sqlx::query_scalar("INSERT INTO api_keys (label, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(label).bind(key_hash).bind(prefix).bind(now)
            .fetch_one(&self.pool).await?;
        Ok(id)
    }

    async fn api_key_valid(&self, key_hash: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}

/// Inserts a request with its contact, first history entry and triage job in one statement
/// (data-modifying CTEs: atomic even outside a transaction). `None` if the reference is taken.
async fn insert_request<'e, E: sqlx::PgExecutor<'e>>(
    ex: E,
    key: &crate::crypto::DataKey,
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
         u AS (INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at) \
               SELECT id, $13, TRUE, $21, $11, $17 FROM r), \
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
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(request_from_row).transpose()
}
