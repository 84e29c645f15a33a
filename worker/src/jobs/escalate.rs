//! The `escalate` job: a sweep over open tickets past their acknowledge-by or due time. Each
//! step is decided by `sahulat_domain::escalation::decide` and written once: the store's
//! update is conditional on the level it expects, and messages carry unique keys.

use super::JobError;
use crate::context::Worker;
use sahulat_domain::escalation;

pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let now = w.clock.now();
    for r in w.store.overdue(now, 1000).await? {
        let Some(e) = escalation::decide(&w.catalogue, &r, now) else {
            continue;
        };
        if w.store.escalate(&e, now).await? {
            tracing::info!(request = r.id, level = e.to_level, "escalated");
        }
    }
    Ok(())
}
