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
use sahulat_domain::status::Status;

pub(super) async fn run(w: &Worker, id: i64) -> Result<(), JobError> {
    let Some(original) = w.store.request_by_id(id).await? else {
        return Ok(());
    };
    if original.status != Status::Resolved {
        return Ok(()); // reopened before this job ran: nothing to announce
    }
    let service = w.catalogue.service(&original.service_code);
    let closing = original
        .closed_at
        .map(|c| c.timestamp_micros())
        .unwrap_or(0);
    let messages: Vec<NewMessage> = w
        .store
        .reporters(id)
        .await?
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
        .collect();
    w.store.queue_messages(&messages, w.clock.now()).await?;
    Ok(())
}
