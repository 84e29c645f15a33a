//! The job queue: jobs are written in the same transaction as the change that causes them,
//! claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; one short `BEGIN IMMEDIATE`
//! on SQLite), run outside any transaction, and completed or failed. A worker that dies loses
//! nothing: its lease expires and another worker claims the job again.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sahulat_domain::error::Result;

/// How many times a job is tried before it is kept as failed.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// A queued unit of background work, as stored (`sahulat_domain::jobs::Task` reads it).
#[derive(Debug, Clone)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind: `triage`, `notify`, `escalate`, `resolved`.
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
    /// Out of tries (or not worth retrying): kept as `failed` with its last error.
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
    /// `worker` with a lease of `lease`.
    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>>;
    /// Marks a job done (only if `worker` still holds it).
    async fn complete(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Records a failure: retried at `retry_at` while tries remain, else kept as failed; with
    /// no `retry_at` it fails for good at once (a job that cannot be read will never run).
    async fn fail(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<JobFate>;
    /// Puts a failed job back in the queue with its tries reset (admin command).
    async fn retry_failed(&self, id: i64, now: DateTime<Utc>) -> Result<bool>;
    /// Queue depth by kind and state.
    async fn job_counts(&self) -> Result<Vec<JobCount>>;
    /// Jobs in a given state (all kinds), oldest first.
    async fn jobs(&self, state: &str, limit: u32) -> Result<Vec<Job>>;
}
