//! The `resolved` job: when a problem is resolved, everyone who reported it — the original
//! reporter and every reporter whose request was marked its duplicate — is told, in their own
//! language, once per resolution (keyed `resolved:ID:CLOSED_AT`, so a ticket reopened and
//! resolved again is texted again, and a repeated job is not). Enqueued by the action that
//! resolves a ticket.

use super::JobError;
use crate::context::Worker;
use sahulat_domain::effects::NewMessage;
use sahulat_domain::lang::Lang;
use sahulat_domain::messages;
use sahulat_domain::reference::grouped;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;
use sahulat_store::{Job, Reporter};

pub(super) async fn run(w: &Worker, id: i64) -> Result<(), JobError> {
    let Some(original) = w.store.request_by_id(id).await? else {
        return Ok(());
    };
    if original.status != Status::Resolved {
        return Ok(()); // reopened before this job ran: nothing to announce
    }
    let reporters = w.store.reporters(original.id).await?;
    let messages = messages(w, &original, reporters);
    w.store.queue_messages(&messages, w.clock.now()).await?;
    Ok(())
}

/// The messages announcing `original`'s resolution to everyone who reported it
/// (`reporters`, from `Requests::reporters`).
fn messages(w: &Worker, original: &ServiceRequest, reporters: Vec<Reporter>) -> Vec<NewMessage> {
    let service = w.catalogue.service(&original.service_code);
    let closing = original
        .closed_at
        .map(|c| c.timestamp_micros())
        .unwrap_or(0);
    reporters
        .into_iter()
        .filter_map(|r| {
            let phone = r.phone?;
            let lang = Lang::parse(&r.language).unwrap_or_default();
            let reference = grouped(&r.reference);
            let service = service
                .map(|s| s.names.get(lang).to_string())
                .unwrap_or_default();
            Some(NewMessage {
                request_id: Some(r.request_id),
                recipient_kind: "citizen".into(),
                recipient: phone,
                language: lang.code().into(),
                body: messages::text(
                    lang,
                    "sms-resolved",
                    &[("ref", reference), ("service", service)],
                ),
                dedupe_key: format!(
                    "resolved:{}:{closing}{}",
                    r.request_id,
                    r.voice_id.map(|v| format!(":v{v}")).unwrap_or_default()
                ),
            })
        })
        .collect()
}

/// Runs a batch of claimed `resolved` jobs (`(job, request id)`): one read of the requests,
/// their messages queued together, the jobs completed together. A repeated job queues
/// nothing new (the messages' keys are unique).
pub(crate) async fn run_batch(
    w: &Worker,
    jobs: &[(&Job, i64)],
) -> anyhow::Result<Vec<(i64, Result<(), JobError>)>> {
    let ids: Vec<i64> = jobs.iter().map(|(_, id)| *id).collect();
    // Those reopened before this job ran have nothing to announce.
    let requests: Vec<ServiceRequest> = w
        .store
        .requests_by_ids(&ids)
        .await?
        .into_iter()
        .filter(|r| r.status == Status::Resolved)
        .collect();
    let resolved: Vec<i64> = requests.iter().map(|r| r.id).collect();
    let mut reporters = w.store.reporters_many(&resolved).await?;
    let mut all = Vec::new();
    for r in &requests {
        all.extend(messages(w, r, reporters.remove(&r.id).unwrap_or_default()));
    }
    let now = w.clock.now();
    w.store.queue_messages(&all, now).await?;
    let job_ids: Vec<i64> = jobs.iter().map(|(j, _)| j.id).collect();
    let done = w.store.complete_many(&job_ids, &w.id, now).await?;
    for (job, ok) in job_ids.iter().zip(&done) {
        if !ok {
            tracing::warn!(job, "lease lost before completion; another worker has it");
        }
    }
    Ok(job_ids.into_iter().map(|j| (j, Ok(()))).collect())
}
