//! The `escalate` job: a sweep over open tickets past their acknowledge-by or due time. Each
//! step is decided by `sahulat_domain::escalation::decide` and written once: the store's
//! update is conditional on the level it expects, and messages carry unique keys. A page of
//! steps is written in one transaction (`escalate_many`).

use super::JobError;
use crate::context::Worker;
use sahulat_domain::escalation;

pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let now = w.clock.now();
    let steps: Vec<_> = w
        .store
        .overdue(now, 1000)
        .await?
        .iter()
        .filter_map(|r| escalation::decide(&w.catalogue, r, now))
        .collect();
    if steps.is_empty() {
        return Ok(());
    }
    let written = w.store.escalate_many(&steps, now).await?;
    for (e, done) in steps.iter().zip(written) {
        if done {
            tracing::info!(request = e.request_id, level = e.to_level, "escalated");
        }
    }
    Ok(())
}
