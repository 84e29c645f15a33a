//! The worker loop: claim due jobs with a lease, run each outside any transaction, and mark it
//! done, retry it with exponential backoff, or fail it for good. On shutdown it stops claiming,
//! finishes the job in hand and hands the rest of its batch back to the queue.
//!
//! The triage jobs of a claim are pipelined: they are read and decided while the previous
//! claim's are written (two connections, two cores), on top of that batch's decisions; if that
//! write did not store every outcome, the batch is decided again from the database. The next
//! claim is taken as soon as the write is done.

use crate::context::Worker;
use crate::jobs::{self, JobError, Prepared};
use chrono::Duration;
use sahulat_domain::jobs::Task;
use sahulat_store::{Job, JobFate};
use std::collections::HashMap;
use tokio::sync::watch;

/// A decided triage batch whose write is still to come, with its claimed jobs.
#[derive(Debug)]
struct Pending {
    jobs: Vec<Job>,
    prepared: Prepared,
}

/// The worker loop's pipeline: the batch waiting to be written, and the next claim, taken as
/// soon as the writer was free (while the reader was still deciding).
#[derive(Debug, Default)]
struct Pipeline {
    pending: Option<Pending>,
    ahead: Option<Vec<Job>>,
}

/// Backoff before try `attempt + 1`: 5 s, 10 s, 20 s … at most one hour.
pub fn backoff(attempt: i32) -> Duration {
    let secs = 5i64.saturating_mul(1i64 << attempt.clamp(0, 20));
    Duration::seconds(secs.min(3600))
}

impl Worker {
    /// Runs one claimed job and acknowledges, retries or fails it.
    async fn run_job(&self, job: &Job) -> anyhow::Result<()> {
        let result = jobs::run(self, job).await;
        let now = self.clock.now();
        if result.is_ok() && !self.store.complete(job.id, &self.id, now).await? {
            tracing::warn!(
                job = job.id,
                "lease lost before completion; another worker has it"
            );
        }
        self.settle(job, result).await
    }

    /// Retries or fails a job whose run went wrong (`Ok`: already completed).
    async fn settle(&self, job: &Job, result: Result<(), JobError>) -> anyhow::Result<()> {
        let now = self.clock.now();
        let (error, retry_at) = match result {
            Ok(()) => return Ok(()),
            Err(JobError::Retry(e)) => (e, Some(now + backoff(job.attempts))),
            Err(JobError::Fail(e)) => (e, None),
        };
        let fate = self
            .store
            .fail(job.id, &self.id, &error, retry_at, now)
            .await?;
        match fate {
            JobFate::Failed => {
                tracing::error!(job = job.id, kind = %job.kind, error = %error, "job failed for good")
            }
            _ => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %error, ?fate, "job will be retried")
            }
        }
        Ok(())
    }

    /// Writes the pending batch, if any, and settles its jobs; whether every outcome was
    /// stored (a batch decided on top of it saw the truth). If the write fails, its jobs run
    /// one at a time.
    async fn finish(&self, pending: Option<Pending>) -> anyhow::Result<bool> {
        let Some(p) = pending else {
            return Ok(true);
        };
        match jobs::triage_write(self, p.prepared).await {
            Ok(written) => {
                for (id, result) in written.results {
                    if let Some(job) = p.jobs.iter().find(|j| j.id == id) {
                        self.settle(job, result).await?;
                    }
                }
                Ok(written.all_applied)
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = p.jobs.len(), "batch failed; running its jobs one at a time");
                for job in &p.jobs {
                    self.run_job(job).await?;
                }
                Ok(false)
            }
        }
    }

    /// Handles one claim; returns the jobs to run one at a time. The claim's triage jobs (two
    /// or more) are decided while the pending batch is written (after which the next claim is
    /// taken) and become the new pending batch; its other jobs then run as `run_triage_batch`
    /// says. A claim with fewer triage jobs waits for the pending write and runs as before.
    async fn step(&self, claimed: Vec<Job>, pipe: &mut Pipeline) -> anyhow::Result<Vec<Job>> {
        let (mut triage, mut ids, mut others) = (Vec::new(), Vec::new(), Vec::new());
        for job in claimed {
            match Task::parse(&job.kind, &job.payload) {
                Ok(Task::Triage { request_id }) => {
                    ids.push(request_id);
                    triage.push(job);
                }
                _ => others.push(job),
            }
        }
        if triage.len() < 2 {
            self.finish(pipe.pending.take()).await?;
            let all: Vec<Job> = triage.into_iter().chain(others).collect();
            let rest = self.run_triage_batch(&all).await?;
            return Ok(rest.into_iter().cloned().collect());
        }
        let mut rest = self.pipeline(triage, ids, pipe).await?;
        if !others.is_empty() {
            // Nothing else waits for triage outcomes: `notify` sends what is written (the
            // pending write queues another), `resolved` and `escalate` read triaged tickets.
            rest.extend(self.run_triage_batch(&others).await?.into_iter().cloned());
        }
        Ok(rest)
    }

    /// Decides `claimed` (triage jobs, of the requests `ids`) while the pending batch is
    /// written, and makes it the pending batch; returns its jobs, to run one at a time, if it
    /// could not be decided.
    async fn pipeline(
        &self,
        claimed: Vec<Job>,
        ids: Vec<i64>,
        pipe: &mut Pipeline,
    ) -> anyhow::Result<Vec<Job>> {
        let pending = &mut pipe.pending;
        let mut previous = pending.take();
        let carried = previous
            .as_mut()
            .map(|p| std::mem::take(&mut p.prepared.decided))
            .unwrap_or_default();
        let prepared = {
            let batch: Vec<(&Job, i64)> = claimed.iter().zip(ids).collect();
            let writer = async {
                let stored = self.finish(previous).await?;
                let next = self
                    .store
                    .claim(
                        &self.id,
                        self.config.batch,
                        self.config.lease,
                        self.clock.now(),
                    )
                    .await;
                anyhow::Ok((stored, next.ok()))
            };
            let (stored, prepared) =
                tokio::join!(writer, jobs::triage_prepare(self, &batch, &carried));
            let (stored, next) = stored?;
            pipe.ahead = next;
            match (stored, prepared) {
                (true, Ok(p)) => Ok(p),
                // The write behind these decisions did not store everything: decide again.
                (false, Ok(_)) if !carried.is_empty() => {
                    jobs::triage_prepare(self, &batch, &HashMap::new()).await
                }
                (_, other) => other,
            }
        };
        match prepared {
            Ok(prepared) => {
                *pending = Some(Pending {
                    jobs: claimed,
                    prepared,
                });
                Ok(Vec::new())
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = claimed.len(), "batch failed; running its jobs one at a time");
                Ok(claimed)
            }
        }
    }

    /// Runs the claimed triage jobs as one batch (`jobs::triage_batch`) and the claimed
    /// `resolved` jobs as another; returns the other jobs, to run one at a time. If a batch
    /// cannot be written, its jobs run one at a time too (one bad request does not hold the
    /// others back).
    async fn run_triage_batch<'a>(&self, claimed: &'a [Job]) -> anyhow::Result<Vec<&'a Job>> {
        let mut triage = Vec::new();
        let mut resolved = Vec::new();
        let mut rest = Vec::new();
        for job in claimed {
            match Task::parse(&job.kind, &job.payload) {
                Ok(Task::Triage { request_id }) => triage.push((job, request_id)),
                Ok(Task::Resolved { request_id }) => resolved.push((job, request_id)),
                _ => rest.push(job),
            }
        }
        for (batch, triage) in [(triage, true), (resolved, false)] {
            if batch.len() < 2 {
                rest.extend(batch.iter().map(|(job, _)| *job));
                continue;
            }
            let results = if triage {
                jobs::triage_batch(self, &batch).await
            } else {
                jobs::resolved_batch(self, &batch).await
            };
            match results {
                Ok(results) => {
                    for (id, result) in results {
                        if let Some((job, _)) = batch.iter().find(|(j, _)| j.id == id) {
                            self.settle(job, result).await?;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, jobs = batch.len(), "batch failed; running its jobs one at a time");
                    rest.extend(batch.iter().map(|(job, _)| *job));
                }
            }
        }
        rest.sort_by_key(|j| (j.run_at, j.id));
        Ok(rest)
    }

    /// Claims and runs due jobs until none are left; returns how many ran. For tests, the
    /// `simulate` command and benchmarks.
    pub async fn run_until_idle(&self) -> anyhow::Result<usize> {
        let mut ran = 0;
        let mut pipe = Pipeline::default();
        loop {
            let jobs = match pipe.ahead.take() {
                Some(jobs) => jobs,
                None => {
                    self.store
                        .claim(
                            &self.id,
                            self.config.batch,
                            self.config.lease,
                            self.clock.now(),
                        )
                        .await?
                }
            };
            if jobs.is_empty() {
                if pipe.pending.is_none() {
                    return Ok(ran);
                }
                // The last write may queue more (the confirmation SMS): claim again after it.
                self.finish(pipe.pending.take()).await?;
                continue;
            }
            ran += jobs.len();
            for job in self.step(jobs, &mut pipe).await? {
                self.run_job(&job).await?;
            }
        }
    }

    /// Enqueues the escalation sweep (at most one queued at a time).
    pub async fn schedule_escalation(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let task = Task::Escalate;
        self.store
            .enqueue(task.kind(), &task.payload(), now, true, now)
            .await?;
        Ok(())
    }

    /// Enqueues the retention job (at most one queued at a time).
    pub async fn schedule_retention(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let task = Task::Retention;
        self.store
            .enqueue(task.kind(), &task.payload(), now, true, now)
            .await?;
        Ok(())
    }

    /// Enqueues the `fact_blocks` pass (at most one queued at a time).
    pub async fn schedule_fact_blocks(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let task = Task::FactBlocks;
        self.store
            .enqueue(task.kind(), &task.payload(), now, true, now)
            .await?;
        Ok(())
    }

    /// The worker loop: until `shutdown` turns true, claim and run jobs, sleeping when idle,
    /// and schedule the escalation sweep, the `fact_blocks` pass and the daily retention job.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        tracing::info!(worker = %self.id, "worker started");
        let mut next_sweep = self.clock.now();
        let mut next_retention = self.clock.now();
        let mut next_blocks = self.clock.now();
        let mut pipe = Pipeline::default();
        while !*shutdown.borrow() {
            let now = self.clock.now();
            if now >= next_retention {
                if let Err(e) = self.schedule_retention().await {
                    tracing::warn!(error = %e, "could not schedule the retention job");
                }
                next_retention = now + self.config.retention_every;
            }
            if now >= next_blocks {
                if let Err(e) = self.schedule_fact_blocks().await {
                    tracing::warn!(error = %e, "could not schedule the fact_blocks pass");
                }
                next_blocks = now + self.config.fact_blocks_every;
            }
            if now >= next_sweep {
                if let Err(e) = self.schedule_escalation().await {
                    tracing::warn!(error = %e, "could not schedule the escalation sweep");
                }
                next_sweep = now + self.config.escalation_every;
            }
            let claimed = match pipe.ahead.take() {
                Some(jobs) => Ok(jobs),
                None => {
                    self.store
                        .claim(&self.id, self.config.batch, self.config.lease, now)
                        .await
                }
            };
            let jobs = match claimed {
                Ok(j) => j,
                Err(e) => {
                    tracing::warn!(error = %e, "claim failed; retrying");
                    Vec::new()
                }
            };
            if jobs.is_empty() && pipe.pending.is_some() {
                if let Err(e) = self.finish(pipe.pending.take()).await {
                    tracing::warn!(error = %e, "could not record a triage batch; its leases will expire");
                }
                continue;
            }
            if jobs.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let rest = match self.step(jobs, &mut pipe).await {
                Ok(rest) => rest,
                Err(e) => {
                    tracing::warn!(error = %e, "could not record a triage batch; its leases will expire");
                    Vec::new()
                }
            };
            for (i, job) in rest.iter().enumerate() {
                if *shutdown.borrow() {
                    for rest in &rest[i..] {
                        let now = self.clock.now();
                        let _ = self
                            .store
                            .fail(rest.id, &self.id, "handed back at shutdown", Some(now), now)
                            .await;
                    }
                    break;
                }
                if let Err(e) = self.run_job(job).await {
                    tracing::warn!(job = job.id, error = %e, "could not record the job's outcome; its lease will expire");
                }
            }
        }
        if let Err(e) = self.finish(pipe.pending.take()).await {
            tracing::warn!(error = %e, "could not record the last triage batch; its leases will expire");
        }
        for job in pipe.ahead.take().unwrap_or_default() {
            let now = self.clock.now();
            let _ = self
                .store
                .fail(job.id, &self.id, "handed back at shutdown", Some(now), now)
                .await;
        }
        tracing::info!(worker = %self.id, "worker stopped");
        Ok(())
    }
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
