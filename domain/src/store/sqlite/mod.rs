//! SQLite implementation of `Store`: WAL journal, `synchronous=FULL` (an acknowledged request
//! survives a power cut), foreign keys on, one writer connection taking `BEGIN IMMEDIATE` so
//! writers queue in-process instead of spinning on SQLITE_BUSY, and a pool of readers.

mod accounts;
mod intake;
mod jobs;
mod photos;
mod tickets;
mod workflow;

use super::*;
use crate::lang::Lang;
use crate::request::{Channel, Priority};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Fixed-width UTC text, so timestamps compare correctly as strings.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(super) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Internal(anyhow::anyhow!("bad timestamp {s:?} in database: {e}")))
}

pub(super) fn opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    intake: tokio::sync::mpsc::Sender<intake::IntakeCmd>,
    key: Arc<crate::crypto::DataKey>,
}

pub(super) const REQUEST_COLUMNS: &str = "id, reference, token, service_code, description, lat, lon, address, \
    province_code, district_code, tehsil_code, channel, language, status, priority, department_code, \
    sla_due_at, duplicate_of, attributes, media_url, created_at, updated_at, closed_at, \
    reporters, escalation_level, ack_due_at, acknowledged_at, triage_flags, filed_service_code, sla_started_at";

pub(super) fn enum_col<T>(row: &SqliteRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = row.try_get(col)?;
    parse(&s).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown {col} {s:?} in database")))
}

pub(super) fn request_from_row(row: &SqliteRow) -> Result<ServiceRequest> {
    let attributes: String = row.try_get("attributes")?;
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
        sla_due_at: opt_ts(row.try_get("sla_due_at")?)?,
        duplicate_of: row.try_get("duplicate_of")?,
        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
        media_url: row.try_get("media_url")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        closed_at: opt_ts(row.try_get("closed_at")?)?,
        sla_started_at: opt_ts(row.try_get("sla_started_at")?)?,
        reporters: row.try_get::<i64, _>("reporters")? as i32,
        escalation_level: row.try_get::<i64, _>("escalation_level")? as i32,
        ack_due_at: opt_ts(row.try_get("ack_due_at")?)?,
        acknowledged_at: opt_ts(row.try_get("acknowledged_at")?)?,
        triage_flags: serde_json::from_str(&row.try_get::<String, _>("triage_flags")?)
            .unwrap_or_default(),
        filed_service_code: row.try_get("filed_service_code")?,
    })
}

impl SqliteStore {
    /// Opens (creating the file and its directory if needed) the database at `url`.
    pub async fn connect(url: &str, key: Arc<crate::crypto::DataKey>) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::field("DATABASE_URL", format!("not a valid SQLite URL: {e}")))?;
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::Internal(anyhow::anyhow!(
                        "cannot create database directory {}: {e}",
                        dir.display()
                    ))
                })?;
            }
        }
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts.read_only(true))
            .await?;
        let intake = intake::spawn(writer.clone(), key.clone());
        Ok(Self {
            writer,
            reader,
            intake,
            key,
        })
    }

    pub(super) async fn begin(&self) -> Result<sqlx::Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("version")?)).collect()
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn sync_reference(
        &self,
        cat: &Catalogue,
        _now: DateTime<Utc>,
    ) -> Result<ReferenceCounts> {
        let mut tx = self.begin().await?;
        for p in &cat.provinces {
            sqlx::query(
                "INSERT INTO provinces (code, name_en, name_ur, name_sd) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd",
            )
            .bind(&p.code).bind(&p.names.en).bind(&p.names.ur).bind(&p.names.sd)
            .execute(&mut *tx).await?;
        }
        for d in &cat.districts {
            sqlx::query(
                "INSERT INTO districts (code, province_code, name_en, name_ur, name_sd, is_pilot, accepts_requests) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET province_code = excluded.province_code, \
                 name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd, \
                 is_pilot = excluded.is_pilot, accepts_requests = excluded.accepts_requests",
            )
            .bind(&d.code).bind(&d.province).bind(&d.names.en).bind(&d.names.ur).bind(&d.names.sd)
            .bind(d.is_pilot).bind(d.accepts_requests)
            .execute(&mut *tx).await?;
        }
        for t in &cat.tehsils {
            sqlx::query(
                "INSERT INTO tehsils (code, district_code, name_en, name_ur, name_sd, pcode) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, name_en = excluded.name_en, \
                 name_ur = excluded.name_ur, name_sd = excluded.name_sd, pcode = excluded.pcode",
            )
            .bind(&t.code).bind(&t.district).bind(&t.names.en).bind(&t.names.ur).bind(&t.names.sd).bind(&t.pcode)
            .execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE services SET active = 0")
            .execute(&mut *tx)
            .await?;
        for (i, s) in cat.services.iter().enumerate() {
            let def = serde_json::to_string(s).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO services (code, sort_order, definition, active) VALUES (?, ?, ?, 1) \
                 ON CONFLICT (code) DO UPDATE SET sort_order = excluded.sort_order, definition = excluded.definition, active = 1",
            )
            .bind(&s.code).bind(i as i64).bind(def)
            .execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE departments SET active = 0")
            .execute(&mut *tx)
            .await?;
        for d in &cat.departments {
            let def = serde_json::to_string(d).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO departments (code, district_code, kind, is_coordinator, definition, active) VALUES (?, ?, ?, ?, ?, 1) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, kind = excluded.kind, \
                 is_coordinator = excluded.is_coordinator, definition = excluded.definition, active = 1",
            )
            .bind(&d.code).bind(&d.district).bind(&d.kind).bind(d.coordinator).bind(def)
            .execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM routing_rules")
            .execute(&mut *tx)
            .await?;
        for r in &cat.routing {
            sqlx::query(
                "INSERT INTO routing_rules (district_code, tehsil_code, service_code, department_code, note) VALUES (?, ?, ?, ?, ?)",
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
            services: count("SELECT COUNT(*) FROM services WHERE active = 1")
                .fetch_one(&mut *tx)
                .await? as usize,
            departments: count("SELECT COUNT(*) FROM departments WHERE active = 1")
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
        let (reply, answer) = tokio::sync::oneshot::channel();
        let cmd = intake::IntakeCmd {
            new: new.clone(),
            references: (0..4)
                .map(|_| ids.reference().as_str().to_string())
                .collect(),
            token: ids.token(),
            idempotency: idempotency.cloned(),
            render,
            now,
            reply,
        };
        self.intake
            .send(cmd)
            .await
            .map_err(|_| Error::Unavailable("the intake writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("the intake writer has stopped".into()))?
    }

    async fn request_by_reference(&self, reference: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE reference = ?"
        ))
        .bind(reference)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn request_by_token(&self, token: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE token = ?"
        ))
        .bind(token)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn list_requests(&self, q: &RequestQuery) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE 1 = 1"
        ));
        if !q.references.is_empty() {
            b.push(" AND reference IN (");
            let mut sep = b.separated(", ");
            for r in &q.references {
                sep.push_bind(r.clone());
            }
            b.push(")");
        }
        if !q.service_codes.is_empty() {
            b.push(" AND service_code IN (");
            let mut sep = b.separated(", ");
            for s in &q.service_codes {
                sep.push_bind(s.clone());
            }
            b.push(")");
        }
        if !q.statuses.is_empty() {
            b.push(" AND status IN (");
            let mut sep = b.separated(", ");
            for s in &q.statuses {
                sep.push_bind(s.as_str());
            }
            b.push(")");
        }
        if let Some(t) = q.start {
            b.push(" AND created_at >= ").push_bind(ts(t));
        }
        if let Some(t) = q.end {
            b.push(" AND created_at <= ").push_bind(ts(t));
        }
        if let Some(d) = &q.district {
            b.push(" AND district_code = ").push_bind(d.clone());
        }
        b.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(q.limit as i64);
        let rows = b.build().fetch_all(&self.reader).await?;
        rows.iter().map(request_from_row).collect()
    }

    async fn list_updates(&self, q: &UpdateQuery) -> Result<Vec<RequestUpdate>> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT u.id, r.reference, u.status, u.description, u.created_at FROM request_updates u \
             JOIN service_requests r ON r.id = u.request_id WHERE u.is_public = 1",
        );
        if let Some(t) = q.start {
            b.push(" AND u.created_at >= ").push_bind(ts(t));
        }
        if let Some(t) = q.end {
            b.push(" AND u.created_at <= ").push_bind(ts(t));
        }
        if let Some(r) = &q.reference {
            b.push(" AND r.reference = ").push_bind(r.clone());
        }
        b.push(" ORDER BY u.created_at, u.id LIMIT ")
            .push_bind(q.limit as i64);
        let rows = b.build().fetch_all(&self.reader).await?;
        rows.iter()
            .map(|row| {
                Ok(RequestUpdate {
                    id: row.try_get("id")?,
                    reference: row.try_get("reference")?,
                    status: enum_col(row, "status", Status::parse)?,
                    description: row.try_get("description")?,
                    created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    async fn contact(&self, request_id: i64) -> Result<Option<Contact>> {
        let row =
            sqlx::query("SELECT phone, name, email FROM request_contacts WHERE request_id = ?")
                .bind(request_id)
                .fetch_optional(&self.reader)
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
        let mut tx = self.begin().await?;
        let id = sqlx::query_scalar("INSERT INTO api_keys (label, key_hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(label).bind(key_hash).bind(prefix).bind(ts(now))
            .fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn api_key_valid(&self, key_hash: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_one(&self.reader)
        .await?;
        Ok(n > 0)
    }
}
