//! The `notify` job: delivers the outbox. Citizens get at most
//! `SAHULAT_SMS_PER_PHONE_PER_HOUR` messages an hour (the rest wait for a later run); a
//! transient gateway failure is retried with backoff, a permanent one kept as failed.
//! Messages to departments and coordinators are not SMS (the fixtures have no staff numbers):
//! they stay in the outbox, where the staff inbox reads them, and are marked handled here.

use super::JobError;
use crate::context::Worker;
use crate::sms::NotifyError;
use chrono::Duration;
use sahulat_domain::jobs::Task;
use sahulat_store::OutboxMessage;

/// Sends every pending message it may send now. A transient failure makes the job retry with
/// backoff; rate-limited messages wait for a later run.
pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let mut transient = None;
    let mut deferred = false;
    let pending: Vec<OutboxMessage> = w.store.pending_messages(200).await?;
    for m in pending {
        let now = w.clock.now();
        if m.message.recipient_kind != "citizen" {
            tracing::info!(to = %m.message.recipient, id = %m.message.dedupe_key, "staff inbox: {}", m.message.body);
            w.store.mark_message(m.id, true, None, false, now).await?;
            continue;
        }
        let sent = w
            .store
            .sent_since(&m.message.recipient, now - Duration::hours(1))
            .await?;
        if sent >= w.config.sms_per_phone_per_hour {
            deferred = true;
            continue;
        }
        match w
            .notifier
            .send(&m.message.recipient, &m.message.body, &m.message.dedupe_key)
            .await
        {
            Ok(()) => w.store.mark_message(m.id, true, None, false, now).await?,
            Err(NotifyError::Permanent(e)) => {
                w.store
                    .mark_message(m.id, false, Some(&e), true, now)
                    .await?
            }
            Err(NotifyError::Transient(e)) => {
                let give_up = m.attempts + 1 >= w.config.sms_max_attempts;
                w.store
                    .mark_message(m.id, false, Some(&e), give_up, now)
                    .await?;
                if !give_up {
                    transient = Some(e);
                }
            }
        }
    }
    if deferred {
        let now = w.clock.now();
        w.store
            .enqueue(
                Task::Notify.kind(),
                &Task::Notify.payload(),
                now + Duration::minutes(10),
                true,
                now,
            )
            .await?;
    }
    match transient {
        Some(e) => Err(JobError::Retry(format!(
            "SMS delivery will be retried: {e}"
        ))),
        None => Ok(()),
    }
}
