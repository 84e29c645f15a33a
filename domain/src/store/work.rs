//! The worker's half of the storage contract: a lease-based job queue (`JobQueue`) and the
//! triage/escalation/outbox use cases (`Workflow`). Each method owns its transaction; the ones
//! that change a request are conditional on the state they expect, so a job run twice changes
//! nothing the second time.

use crate::error::Result;
use crate::request::{Priority, ServiceRequest, Status};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// A queued unit of background work.
#[derive(Debug, Clone)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind: `triage`, `notify`, `escalate`.
    pub kind: String,
    /// Arguments.
    pub payload: serde_json::Value,
    /// queued | running | done | failed.
    pub state: String,
    /// Tries so far (including the one in hand).
    pub attempts: i32,
    /// Tries allowed.
    pub max_attempts: i32,
    /// Last error, if any.
    pub last_error: Option<String>,
    /// Not before.
    pub run_at: DateTime<Utc>,
}

/// What became of a job that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobFate {
    /// Queued again for a later try.
    Retrying,
    /// Out of tries: kept as `failed` with its last error.
    Failed,
    /// The lease was lost (another worker has it now): nothing changed.
    LeaseLost,
}

/// Queue depth by kind and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCount {
    /// Kind.
    pub kind: String,
    /// State.
    pub state: String,
    /// How many.
    pub count: i64,
}

/// The lease-based queue.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job; with `unique`, only if no job of that kind is already waiting in the queue.
    async fn enqueue(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        run_at: DateTime<Utc>,
        unique: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>>;
    /// Claims up to `limit` due jobs (queued and due, or running with an expired lease) for
    /// `worker` with a lease of `lease`. PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one short
    /// `BEGIN IMMEDIATE` transaction.
    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>>;
    /// Marks a job done (only if `worker` still holds it).
    async fn complete(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Records a failure: retried at `retry_at` while tries remain, else kept as failed.
    async fn fail(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<JobFate>;
    /// Puts a failed job back in the queue with its tries reset (admin command).
    async fn retry_failed(&self, id: i64, now: DateTime<Utc>) -> Result<bool>;
    /// Queue depth by kind and state.
    async fn job_counts(&self) -> Result<Vec<JobCount>>;
    /// Jobs in a given state (all kinds), oldest first.
    async fn jobs(&self, state: &str, limit: u32) -> Result<Vec<Job>>;
}

/// One history entry to record.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// Status after the step.
    pub status: Status,
    /// Shown to the citizen (and in Open311 updates) or internal.
    pub public: bool,
    /// What was decided and why.
    pub description: String,
    /// Who or what decided (`triage`, `escalation`, a username).
    pub actor: String,
}

/// A stored history entry.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// Id.
    pub id: i64,
    /// The entry.
    pub entry: HistoryEntry,
    /// When.
    pub at: DateTime<Utc>,
}

/// A message to queue in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The request it is about.
    pub request_id: Option<i64>,
    /// `citizen`, `department` or `coordinator`.
    pub recipient_kind: String,
    /// E.164 phone (citizens) or department code (staff).
    pub recipient: String,
    /// Language code.
    pub language: String,
    /// Text.
    pub body: String,
    /// Unique per event: the same event never yields two messages.
    pub dedupe_key: String,
}

/// A queued message.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// Id.
    pub id: i64,
    /// The message.
    pub message: NewMessage,
    /// pending | sent | failed.
    pub state: String,
    /// Delivery tries.
    pub attempts: i32,
    /// Last delivery error.
    pub last_error: Option<String>,
}

/// The result of triaging one request.
#[derive(Debug, Clone)]
pub struct TriageOutcome {
    /// The request.
    pub request_id: i64,
    /// Service after the category check (changed only for requests filed as `other`).
    pub service_code: String,
    /// `open` or `duplicate`.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Responsible department.
    pub department: Option<String>,
    /// Resolve by.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Acknowledge by.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// The original, for a duplicate.
    pub duplicate_of: Option<i64>,
    /// Flags for the coordinator (`category_mismatch:…`, `possible_duplicate:…`, `unrouted`).
    pub flags: Vec<String>,
    /// History to record.
    pub history: Vec<HistoryEntry>,
    /// Messages to queue (with a `notify` job).
    pub messages: Vec<NewMessage>,
}

/// One escalation step of an overdue request.
#[derive(Debug, Clone)]
pub struct Escalation {
    /// The request.
    pub request_id: i64,
    /// Level it is at now (the update happens only if it still is).
    pub from_level: i32,
    /// Level after.
    pub to_level: i32,
    /// Priority after.
    pub priority: Priority,
    /// History entry.
    pub history: HistoryEntry,
    /// Messages to staff.
    pub messages: Vec<NewMessage>,
}

/// Triage, escalation and the outbox.
#[async_trait]
pub trait Workflow: Send + Sync {
    /// A request by internal id.
    async fn request_by_id(&self, id: i64) -> Result<Option<ServiceRequest>>;
    /// Open requests of `service` within `radius_m` metres of the point, received since
    /// `since`, oldest first, excluding `exclude` (bounding box in SQL, exact haversine after).
    async fn nearby_open(
        &self,
        service: &str,
        lat: f64,
        lon: f64,
        radius_m: f64,
        since: DateTime<Utc>,
        exclude: i64,
    ) -> Result<Vec<ServiceRequest>>;
    /// Writes a triage outcome, its history, its messages and a `notify` job in one
    /// transaction — only if the request is still `submitted` (returns false otherwise).
    async fn apply_triage(&self, outcome: &TriageOutcome, now: DateTime<Utc>) -> Result<bool>;
    /// Open requests that are past their acknowledge-by or resolve-by time.
    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>>;
    /// Applies one escalation step if the request is still open at `from_level`.
    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool>;
    /// Messages waiting to be sent, oldest first.
    async fn pending_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// Records a delivery attempt: sent, or failed with an error (`give_up` stops retries).
    async fn mark_message(
        &self,
        id: i64,
        sent: bool,
        error: Option<&str>,
        give_up: bool,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Messages sent to `recipient` since `since` (for the per-phone rate).
    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Outbox rows (any state when `state` is None), oldest first.
    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// Every history entry of a request (internal ones too), oldest first.
    async fn history(&self, request_id: i64) -> Result<Vec<HistoryRow>>;
    /// Everyone who reported this problem: the request itself and every request marked as its
    /// duplicate, with the reporter's phone (if given) and language.
    async fn reporters(&self, request_id: i64) -> Result<Vec<Reporter>>;
    /// Queues messages (and a `notify` job) outside any other change; repeated keys are ignored.
    async fn queue_messages(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<()>;
}

/// One person who reported a problem.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// Their request.
    pub request_id: i64,
    /// Its reference.
    pub reference: String,
    /// Mobile number in E.164, if given.
    pub phone: Option<String>,
    /// Language code of their request.
    pub language: String,
}

/// Metres per degree of latitude.
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// The bounding box (min_lat, max_lat, min_lon, max_lon) around a point.
pub fn bbox(lat: f64, lon: f64, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_m / METRES_PER_DEGREE;
    let dlon = radius_m / (METRES_PER_DEGREE * lat.to_radians().cos().max(0.01));
    (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
}

/// Great-circle distance in metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().asin()
}

/// Statuses a request can be escalated or duplicated against.
pub const OPEN_STATUSES: [Status; 5] = [
    Status::Submitted,
    Status::Open,
    Status::Acknowledged,
    Status::InProgress,
    Status::Referred,
];
