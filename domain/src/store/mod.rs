//! The storage contract. One `Store` trait, two implementations (SQLite for a pilot office,
//! PostgreSQL to scale out), one test suite for both. Store methods are use cases: each owns
//! its transaction, so "the request and its triage job commit together or not at all" is a
//! property of the method, not of the caller's discipline.

mod accounts;
mod photos;
mod postgres;
mod sqlite;
mod tickets;
mod work;

pub use accounts::*;
pub use photos::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use tickets::*;
pub use work::*;

use crate::catalogue::Catalogue;
use crate::error::{Error, Result};
use crate::ids::IdSource;
use crate::request::{Contact, NewServiceRequest, RequestUpdate, ServiceRequest, Status};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// How many times a job is tried before it is kept as failed.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// The first response to a request carrying an Idempotency-Key, replayed on retries.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Response body.
    pub body: serde_json::Value,
}

/// An Idempotency-Key as the store needs it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// Who may reuse it: the channel and client (keys of different clients never collide).
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request body, to tell a retry from a different request.
    pub body_hash: String,
}

/// Builds the response to remember for an Idempotency-Key from the stored request (shared, so
/// a group-commit writer task can call it inside its transaction).
pub type Render = Arc<dyn Fn(&ServiceRequest) -> StoredResponse + Send + Sync>;

/// What `create_request` did.
#[derive(Debug)]
pub enum CreateOutcome {
    /// A new request was stored (with its triage job).
    Created(Box<ServiceRequest>, StoredResponse),
    /// The Idempotency-Key was seen before with the same body: here is the first answer.
    Replayed(StoredResponse),
}

impl CreateOutcome {
    /// The response to send.
    pub fn response(&self) -> &StoredResponse {
        match self {
            CreateOutcome::Created(_, r) | CreateOutcome::Replayed(r) => r,
        }
    }
}

/// Filters for listing requests (Open311 GET requests).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Only these references.
    pub references: Vec<String>,
    /// Only these services.
    pub service_codes: Vec<String>,
    /// Only these statuses (empty = all).
    pub statuses: Vec<Status>,
    /// Received at or after.
    pub start: Option<DateTime<Utc>>,
    /// Received at or before.
    pub end: Option<DateTime<Utc>>,
    /// Only this district.
    pub district: Option<String>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// Filters for public updates (Open311 servicerequestupdates).
#[derive(Debug, Clone, Default)]
pub struct UpdateQuery {
    /// Updates at or after.
    pub start: Option<DateTime<Utc>>,
    /// Updates at or before.
    pub end: Option<DateTime<Utc>>,
    /// Only updates of this request.
    pub reference: Option<String>,
    /// At most this many, oldest first.
    pub limit: u32,
}

/// What a reference-data sync wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceCounts {
    /// Provinces.
    pub provinces: usize,
    /// Districts.
    pub districts: usize,
    /// Tehsils.
    pub tehsils: usize,
    /// Active services.
    pub services: usize,
    /// Active departments.
    pub departments: usize,
    /// Routing rows.
    pub routing_rules: usize,
}

/// The storage contract shared by SQLite and PostgreSQL.
#[async_trait]
pub trait Store:
    JobQueue + Workflow + Accounts + Tickets + Photos + Send + Sync + std::fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;
    /// Versions of the applied migrations.
    async fn applied_migrations(&self) -> Result<Vec<i64>>;
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;
    /// Writes the reference data idempotently: changed rows are updated, nothing is duplicated,
    /// rows that left the fixtures are deactivated (they may still be referenced).
    async fn sync_reference(&self, cat: &Catalogue, now: DateTime<Utc>) -> Result<ReferenceCounts>;
    /// Stores a validated request, its contact, its first history entry and its triage job in
    /// one transaction, honouring an Idempotency-Key.
    async fn create_request(
        &self,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome>;
    /// A request by its public reference.
    async fn request_by_reference(&self, reference: &str) -> Result<Option<ServiceRequest>>;
    /// A request by its Open311 token.
    async fn request_by_token(&self, token: &str) -> Result<Option<ServiceRequest>>;
    /// Requests matching `q`, newest first.
    async fn list_requests(&self, q: &RequestQuery) -> Result<Vec<ServiceRequest>>;
    /// Public updates matching `q`, oldest first.
    async fn list_updates(&self, q: &UpdateQuery) -> Result<Vec<RequestUpdate>>;
    /// The citizen's contact details (staff handling the request and admins only).
    async fn contact(&self, request_id: i64) -> Result<Option<Contact>>;
    /// Stores a new API key's hash.
    async fn create_api_key(
        &self,
        label: &str,
        key_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// Whether an unrevoked key with this hash exists.
    async fn api_key_valid(&self, key_hash: &str) -> Result<bool>;
}

/// The accepted `DATABASE_URL` schemes, for messages.
pub const ACCEPTED_SCHEMES: &str =
    "sqlite://PATH (e.g. sqlite://data/sahulat.db), postgres://… or postgresql://…";

/// Opens the store a `DATABASE_URL` names; `key` seals the reporters' contact details.
pub async fn connect(url: &str, key: Arc<crate::crypto::DataKey>) -> Result<Arc<dyn Store>> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url, key).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PgStore::connect(url, key).await?)),
        _ => Err(Error::field(
            "DATABASE_URL",
            format!("unsupported scheme {scheme:?}; accepted: {ACCEPTED_SCHEMES}"),
        )),
    }
}

/// The payload of a triage job.
pub(crate) fn triage_payload(request_id: i64) -> serde_json::Value {
    serde_json::json!({ "request_id": request_id })
}

/// Opens sealed contact columns.
pub(crate) fn open_contact(
    key: &crate::crypto::DataKey,
    phone: Option<String>,
    name: Option<String>,
    email: Option<String>,
) -> Result<Contact> {
    let open = |v: Option<String>| -> Result<Option<String>> {
        v.map(|v| key.open(&v).map_err(Error::Internal)).transpose()
    };
    Ok(Contact {
        phone: open(phone)?.map(crate::phone::Phone::from_e164_unchecked),
        name: open(name)?,
        email: open(email)?,
    })
}

/// History text for a new request.
pub(crate) const RECEIVED_NOTE: &str = "Request received";
