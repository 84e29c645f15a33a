//! The `triage` job: gathers what triage looks at (the request, open requests of the same
//! service nearby, the reporter's phone), lets `sahulat_domain::triage::decide` decide, and
//! writes the outcome in one transaction, only if the request is still `submitted`.

use super::JobError;
use crate::context::Worker;
use sahulat_domain::status::Status;
use sahulat_domain::triage::{self, TriageInput};

pub(super) async fn run(w: &Worker, id: i64) -> Result<(), JobError> {
    if !w.config.triage_delay.is_zero() {
        tokio::time::sleep(w.config.triage_delay).await;
    }
    let Some(r) = w.store.request_by_id(id).await? else {
        tracing::warn!(request = id, "triage: request no longer exists");
        return Ok(());
    };
    if r.status != Status::Submitted {
        return Ok(()); // already triaged: a repeated delivery changes nothing
    }
    let config = &w.config.triage;
    let nearby = match (r.lat, r.lon) {
        (Some(lat), Some(lon)) => {
            w.store
                .nearby_open(
                    &triage::settled_service(&w.lexicon, &r),
                    lat,
                    lon,
                    config.duplicate_radius_m,
                    config.duplicates_since(&r),
                    r.id,
                )
                .await?
        }
        _ => Vec::new(),
    };
    let phone = w.store.contact(r.id).await?.and_then(|c| c.phone);
    let outcome = triage::decide(
        &w.catalogue,
        &w.lexicon,
        config,
        TriageInput {
            request: &r,
            nearby: &nearby,
            phone: phone.as_ref(),
        },
    )?;
    if !w.store.apply_triage(&outcome, w.clock.now()).await? {
        tracing::info!(
            request = id,
            "triage: request changed meanwhile; nothing written"
        );
    }
    Ok(())
}
