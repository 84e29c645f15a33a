//! The `fact_blocks` job: repacks the evidence facts of the district-days that changed since
//! the last pass (PostgreSQL; on SQLite the store has nothing to do), so an evaluator's
//! quarter reads ninety blocks and a few changed rows instead of 200,000 rows.

use super::JobError;
use crate::context::Worker;

pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let started = std::time::Instant::now();
    let done = w.store.refresh_fact_blocks().await?;
    if done.ran {
        tracing::info!(
            days = done.days,
            facts = done.facts,
            ms = started.elapsed().as_millis() as u64,
            "fact blocks repacked"
        );
    }
    Ok(())
}
