//! The Sahulat worker: claims jobs from the `Store` with a lease, runs them outside any
//! transaction, and acknowledges or retries them with exponential backoff. One handler per job
//! kind: `triage` (category, priority, duplicates, routing, SLA), `escalate` (the periodic sweep
//! of overdue tickets), `notify` (delivers the SMS outbox) and `resolved` (tells every reporter
//! of a resolved problem, duplicates included). Handlers are idempotent: the
//! store's writes are conditional on the state they expect.

mod escalate;
pub mod notify;
mod resolved;
mod triage;

use chrono::Duration;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::clock::Clock;
use sahulat_domain::sla::WorkingHours;
use sahulat_domain::store::{Job, JobFate, Store};
use sahulat_domain::triage::Lexicon;
use std::sync::Arc;
use tokio::sync::watch;

pub use notify::{HttpSmsNotifier, LogNotifier, Notifier, NotifyError};

/// Tunables, each with an environment variable (see the README).
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Radius for duplicate search, metres (`SAHULAT_DUPLICATE_RADIUS_M`, 250).
    pub duplicate_radius_m: f64,
    /// How far back duplicates are searched (`SAHULAT_DUPLICATE_WINDOW_HOURS`, 168).
    pub duplicate_window: Duration,
    /// Office hours for SLA (`SAHULAT_WORKING_HOURS`, "mon-sat 08:00-16:00").
    pub working_hours: WorkingHours,
    /// Job lease (`SAHULAT_JOB_LEASE_SECS`, 60).
    pub lease: Duration,
    /// Idle poll interval (`SAHULAT_POLL_MS`, 500).
    pub poll: std::time::Duration,
    /// Jobs claimed at once.
    pub batch: u32,
    /// How often the escalation sweep runs (`SAHULAT_ESCALATION_EVERY_SECS`, 300).
    pub escalation_every: Duration,
    /// SMS per phone per hour (`SAHULAT_SMS_PER_PHONE_PER_HOUR`, 5).
    pub sms_per_phone_per_hour: i64,
    /// Delivery tries per message before it is kept as failed.
    pub sms_max_attempts: i32,
    /// Test hook: sleep this long inside every triage job (`SAHULAT_TEST_TRIAGE_DELAY_MS`).
    pub triage_delay: std::time::Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            duplicate_radius_m: 250.0,
            duplicate_window: Duration::hours(168),
            working_hours: WorkingHours::default(),
            lease: Duration::seconds(60),
            poll: std::time::Duration::from_millis(500),
            batch: 8,
            escalation_every: Duration::seconds(300),
            sms_per_phone_per_hour: 5,
            sms_max_attempts: 5,
            triage_delay: std::time::Duration::ZERO,
        }
    }
}

impl WorkerConfig {
    /// Reads the environment; a malformed value is an error naming the variable.
    pub fn from_env() -> anyhow::Result<WorkerConfig> {
        let mut c = WorkerConfig::default();
        fn num<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => v
                    .trim()
                    .parse::<T>()
                    .map(Some)
                    .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a valid number")),
                _ => Ok(None),
            }
        }
        if let Some(v) = num::<f64>("SAHULAT_DUPLICATE_RADIUS_M")? {
            anyhow::ensure!(
                v > 0.0 && v <= 5000.0,
                "SAHULAT_DUPLICATE_RADIUS_M must be between 1 and 5000 metres"
            );
            c.duplicate_radius_m = v;
        }
        if let Some(v) = num::<i64>("SAHULAT_DUPLICATE_WINDOW_HOURS")? {
            c.duplicate_window = Duration::hours(v.max(1));
        }
        if let Ok(v) = std::env::var("SAHULAT_WORKING_HOURS") {
            if !v.trim().is_empty() {
                c.working_hours = WorkingHours::parse(&v)
                    .map_err(|e| anyhow::anyhow!("SAHULAT_WORKING_HOURS: {e}"))?;
            }
        }
        if let Some(v) = num::<i64>("SAHULAT_JOB_LEASE_SECS")? {
            c.lease = Duration::seconds(v.max(1));
        }
        if let Some(v) = num::<u64>("SAHULAT_POLL_MS")? {
            c.poll = std::time::Duration::from_millis(v.max(10));
        }
        if let Some(v) = num::<i64>("SAHULAT_ESCALATION_EVERY_SECS")? {
            c.escalation_every = Duration::seconds(v.max(1));
        }
        if let Some(v) = num::<i64>("SAHULAT_SMS_PER_PHONE_PER_HOUR")? {
            c.sms_per_phone_per_hour = v.max(1);
        }
        if let Some(v) = num::<u64>("SAHULAT_TEST_TRIAGE_DELAY_MS")? {
            c.triage_delay = std::time::Duration::from_millis(v);
        }
        Ok(c)
    }
}

/// One worker (a process may run one; many may share a PostgreSQL queue).
#[derive(Debug, Clone)]
pub struct Worker {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Reference data.
    pub catalogue: Arc<Catalogue>,
    /// Triage lexicon.
    pub lexicon: Arc<Lexicon>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// SMS delivery.
    pub notifier: Arc<dyn Notifier>,
    /// Tunables.
    pub config: WorkerConfig,
    /// This worker's lease name.
    pub id: String,
}

/// The outcome of one job, as the loop sees it.
#[derive(Debug)]
pub(crate) enum JobError {
    /// Try again later.
    Retry(String),
}

impl<E: std::fmt::Display> From<E> for JobError {
    fn from(e: E) -> Self {
        JobError::Retry(e.to_string())
    }
}

/// Backoff before try `attempt + 1`: 5 s, 10 s, 20 s … at most one hour.
pub fn backoff(attempt: i32) -> Duration {
    let secs = 5i64.saturating_mul(1i64 << attempt.clamp(0, 20));
    Duration::seconds(secs.min(3600))
}

impl Worker {
    /// Runs one claimed job and acknowledges or retries it.
    async fn run_job(&self, job: &Job) -> anyhow::Result<()> {
        let result = match job.kind.as_str() {
            "triage" => self.triage(job).await,
            "notify" => self.notify().await,
            "escalate" => self.escalate().await,
            "resolved" => self.resolved(job).await,
            other => Err(JobError::Retry(format!("unknown job kind {other:?}"))),
        };
        let now = self.clock.now();
        match result {
            Ok(()) => {
                if !self.store.complete(job.id, &self.id, now).await? {
                    tracing::warn!(
                        job = job.id,
                        "lease lost before completion; another worker has it"
                    );
                }
            }
            Err(JobError::Retry(e)) => {
                let fate = self
                    .store
                    .fail(job.id, &self.id, &e, now + backoff(job.attempts), now)
                    .await?;
                match fate {
                    JobFate::Failed => {
                        tracing::error!(job = job.id, kind = %job.kind, error = %e, "job failed for good")
                    }
                    _ => {
                        tracing::warn!(job = job.id, kind = %job.kind, error = %e, ?fate, "job will be retried")
                    }
                }
            }
        }
        Ok(())
    }

    /// Claims and runs due jobs until none are left; returns how many ran. For tests, the
    /// `simulate` command and benchmarks.
    pub async fn run_until_idle(&self) -> anyhow::Result<usize> {
        let mut ran = 0;
        loop {
            let jobs = self
                .store
                .claim(
                    &self.id,
                    self.config.batch,
                    self.config.lease,
                    self.clock.now(),
                )
                .await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for job in &jobs {
                self.run_job(job).await?;
                ran += 1;
            }
        }
    }

    /// Enqueues the escalation sweep (at most one queued at a time).
    pub async fn schedule_escalation(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        self.store
            .enqueue("escalate", &serde_json::json!({}), now, true, now)
            .await?;
        Ok(())
    }

    /// The worker loop: until `shutdown` turns true, claim and run jobs, sleeping when idle,
    /// and schedule the escalation sweep. On shutdown it stops claiming, finishes the job in
    /// hand and hands the rest of its batch back to the queue.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        tracing::info!(worker = %self.id, "worker started");
        let mut next_sweep = self.clock.now();
        while !*shutdown.borrow() {
            let now = self.clock.now();
            if now >= next_sweep {
                if let Err(e) = self.schedule_escalation().await {
                    tracing::warn!(error = %e, "could not schedule the escalation sweep");
                }
                next_sweep = now + self.config.escalation_every;
            }
            let jobs = match self
                .store
                .claim(&self.id, self.config.batch, self.config.lease, now)
                .await
            {
                Ok(j) => j,
                Err(e) => {
                    tracing::warn!(error = %e, "claim failed; retrying");
                    Vec::new()
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            for (i, job) in jobs.iter().enumerate() {
                if *shutdown.borrow() {
                    for rest in &jobs[i..] {
                        let now = self.clock.now();
                        let _ = self
                            .store
                            .fail(rest.id, &self.id, "handed back at shutdown", now, now)
                            .await;
                    }
                    break;
                }
                if let Err(e) = self.run_job(job).await {
                    tracing::warn!(job = job.id, error = %e, "could not record the job's outcome; its lease will expire");
                }
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
        Ok(())
    }
}

/// A worker name unique enough for leases: host, process and a random suffix.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{host}-{}-{nanos:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(5));
        assert_eq!(backoff(3), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
