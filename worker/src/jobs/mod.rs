//! One file per kind of job. `run` reads a claimed job into its typed `Task` (a job that
//! cannot be read fails for good at once) and hands it to its handler.

mod escalate;
mod notify;
mod resolved;
mod triage;

use crate::context::Worker;
use sahulat_domain::jobs::Task;
use sahulat_store::Job;

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

/// Runs one claimed job.
pub(crate) async fn run(w: &Worker, job: &Job) -> Result<(), JobError> {
    let task = Task::parse(&job.kind, &job.payload).map_err(JobError::Fail)?;
    match task {
        Task::Triage { request_id } => triage::run(w, request_id).await,
        Task::Notify => notify::run(w).await,
        Task::Escalate => escalate::run(w).await,
        Task::Resolved { request_id } => resolved::run(w, request_id).await,
    }
}
