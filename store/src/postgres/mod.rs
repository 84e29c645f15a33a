//! PostgreSQL implementation of `Store`, the scale-out path: many API instances and workers
//! against one database. Idempotency-Keys are claimed with `INSERT … ON CONFLICT DO NOTHING`,
//! which makes a concurrent duplicate wait for the first transaction and then replay its answer.

mod accounts;
mod batches;
mod block_reads;
mod blocks;
mod evidence;
mod facts;
mod group;
mod housekeeping;
mod inbox;
mod innovation;
mod intake;
mod jobs;
mod outbox;
mod phones;
mod photos;
mod reference_data;
mod requests;
mod tickets;

use crate::requests::open_contact;
use crate::sql::*;
use crate::tickets::order_by;
use crate::{db, migration};
use crate::{
    Accounts, CreateOutcome, HistoryRow, IdempotencyKey, Intake, Job, JobCount, JobFate, JobQueue,
    NewPhoto, NewVoice, Outbox, OutboxMessage, Photo, PhotoOutcome, Photos, RateOutcome,
    ReferenceCounts, ReferenceData, Render, Reporter, ReporterProof, RequestQuery, Requests,
    Session, Store, StoredRating, StoredResponse, TicketFilter, Tickets, UpdateQuery, VoiceOutcome,
    DEFAULT_MAX_ATTEMPTS, RECEIVED_NOTE,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use outbox::record;
use sahulat_domain::accounts::{NewUser, Role, User};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::citizen::RatingWrite;
use sahulat_domain::crypto::DataKey;
use sahulat_domain::effects::{HistoryEntry, Message, NewMessage};
use sahulat_domain::error::{Error, Result};
use sahulat_domain::escalation::Escalation;
use sahulat_domain::geo::bbox;
use sahulat_domain::ids::IdSource;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{ActionWrite, Reclassify, Scope};
use sahulat_domain::phone::Phone;
use sahulat_domain::photo::PhotoKind;
use sahulat_domain::request::{Contact, NewServiceRequest, RequestUpdate, ServiceRequest};
use sahulat_domain::status::{Channel, Priority, Status};
use sahulat_domain::triage::TriageOutcome;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder, Row, Transaction};
use std::collections::HashMap;
use std::sync::Arc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long a request waits for a pooled connection before it is answered 503.
pub(crate) const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    key: Arc<DataKey>,
    /// The batch writers for requests without an Idempotency-Key (group.rs).
    intake: tokio::sync::mpsc::Sender<crate::intake::IntakeCmd>,
}

pub(super) fn enum_col<T>(row: &PgRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = row.try_get(col).map_err(db)?;
    parse(&s).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown {col} {s:?} in database")))
}

pub(super) fn request_from_row(row: &PgRow) -> Result<ServiceRequest> {
    Ok(ServiceRequest {
        id: row.try_get("id").map_err(db)?,
        reference: row.try_get("reference").map_err(db)?,
        token: row.try_get("token").map_err(db)?,
        service_code: row.try_get("service_code").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        lat: row.try_get("lat").map_err(db)?,
        lon: row.try_get("lon").map_err(db)?,
        address: row.try_get("address").map_err(db)?,
        province: row.try_get("province_code").map_err(db)?,
        district: row.try_get("district_code").map_err(db)?,
        tehsil: row.try_get("tehsil_code").map_err(db)?,
        channel: enum_col(row, "channel", Channel::parse)?,
        language: enum_col(row, "language", Lang::parse)?,
        status: enum_col(row, "status", Status::parse)?,
        priority: enum_col(row, "priority", Priority::parse)?,
        department: row.try_get("department_code").map_err(db)?,
        sla_due_at: row.try_get("sla_due_at").map_err(db)?,
        duplicate_of: row.try_get("duplicate_of").map_err(db)?,
        attributes: row.try_get("attributes").map_err(db)?,
        media_url: row.try_get("media_url").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
        closed_at: row.try_get("closed_at").map_err(db)?,
        sla_started_at: row.try_get("sla_started_at").map_err(db)?,
        reporters: row.try_get("reporters").map_err(db)?,
        escalation_level: row.try_get("escalation_level").map_err(db)?,
        ack_due_at: row.try_get("ack_due_at").map_err(db)?,
        acknowledged_at: row.try_get("acknowledged_at").map_err(db)?,
        triage_flags: serde_json::from_value(row.try_get("triage_flags").map_err(db)?)
            .unwrap_or_default(),
        filed_service_code: row.try_get("filed_service_code").map_err(db)?,
        description_hidden: row
            .try_get::<Option<DateTime<Utc>>, _>("description_hidden_at")
            .map_err(db)?
            .is_some(),
    })
}

/// A history entry's message, as stored (JSONB).
pub(super) fn message_col(row: &PgRow) -> Result<Option<Message>> {
    let value: Option<serde_json::Value> = row.try_get("message").map_err(db)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

impl PgStore {
    /// Connects a pool (size from `SAHULAT_PG_POOL`, default 16).
    pub async fn connect(url: &str, key: Arc<DataKey>) -> Result<Self> {
        let size = std::env::var("SAHULAT_PG_POOL")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(16);
        let pool = PgPoolOptions::new()
            .max_connections(size)
            // A database that does not answer within 2 s is down for this request: it gets a
            // 503 with Retry-After at once instead of waiting (the pool reconnects by itself).
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(db)?;
        let intake = group::spawn(pool.clone(), key.clone());
        Ok(Self { pool, key, intake })
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(migration)?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| r.try_get("version").map_err(db))
            .collect()
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn snapshot_to(&self, _file: &std::path::Path) -> Result<()> {
        Err(Error::field(
            "DATABASE_URL",
            "a PostgreSQL database is copied with pg_dump, not from inside the server",
        ))
    }

    async fn integrity_problems(&self) -> Result<Vec<String>> {
        let installed: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        if !installed {
            return Err(Error::field(
                "amcheck",
                "the amcheck extension is not installed: run CREATE EXTENSION amcheck as a superuser",
            ));
        }
        let indexes: Vec<(String, i64)> = sqlx::query_as(
            "SELECT c.relname::text, c.oid::bigint FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_am am ON am.oid = c.relam \
             WHERE am.amname = 'btree' AND t.relnamespace = current_schema()::regnamespace",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut problems = Vec::new();
        for (name, oid) in indexes {
            if let Err(e) = sqlx::query("SELECT bt_index_check($1::bigint::oid, true)")
                .bind(oid)
                .execute(&self.pool)
                .await
            {
                problems.push(format!("index {name}: {e}"));
            }
        }
        Ok(problems)
    }

    async fn count_requests(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM service_requests")
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }
}
