//! One file per kind of job. `run` reads a claimed job into its typed `Task` (a job that
//! cannot be read fails for good at once) and hands it to its handler.

mod escalate;
mod fact_blocks;
mod notify;
mod resolved;
pub mod retention;
mod triage;

use crate::context::Worker;
use sahulat_domain::jobs::Task;
use sahulat_domain::triage::Neighbour;
use sahulat_store::Job;
use std::collections::HashMap;

pub(crate) use triage::{write as triage_write, Prepared};

/// What went wrong with a job.
#[derive(Debug)]
pub enum JobError {
    /// Try again later (with backoff, while tries remain).
    Retry(String),
    /// Retrying cannot help: keep it as failed with this error.
    Fail(String),
}

impl<E: std::fmt::Display> From<E> for JobError {
    fn from(e: E) -> Self {
        JobError::Retry(e.to_string())
    }
}

/// Runs a batch of claimed triage jobs (`(job, request id)`); each job's result, the
/// successful ones already completed.
pub(crate) async fn triage_batch(
    w: &Worker,
    jobs: &[(&Job, i64)],
) -> anyhow::Result<Vec<(i64, Result<(), JobError>)>> {
    let prepared = triage_prepare(w, jobs, &HashMap::new()).await?;
    Ok(triage::write(w, prepared).await?.results)
}

/// Decides a batch of claimed triage jobs without writing it, on top of `carried`: the
/// decisions of the batch still being written (`triage::prepare`).
pub(crate) async fn triage_prepare(
    w: &Worker,
    jobs: &[(&Job, i64)],
    carried: &HashMap<i64, Neighbour>,
) -> anyhow::Result<triage::Prepared> {
    if !w.config.triage_delay.is_zero() {
        tokio::time::sleep(w.config.triage_delay).await;
    }
    triage::prepare(w, jobs, carried).await
}

/// Runs a batch of claimed `resolved` jobs; each job's result, all completed.
pub(crate) async fn resolved_batch(
    w: &Worker,
    jobs: &[(&Job, i64)],
) -> anyhow::Result<Vec<(i64, Result<(), JobError>)>> {
    resolved::run_batch(w, jobs).await
}

/// Runs one claimed job.
pub(crate) async fn run(w: &Worker, job: &Job) -> Result<(), JobError> {
    let task = Task::parse(&job.kind, &job.payload).map_err(JobError::Fail)?;
    match task {
        Task::Triage { request_id } => triage::run(w, request_id).await,
        Task::Notify => notify::run(w).await,
        Task::Escalate => escalate::run(w).await,
        Task::Resolved { request_id } => resolved::run(w, request_id).await,
        Task::Retention => retention::run(w).await,
        Task::FactBlocks => fact_blocks::run(w).await,
    }
}
