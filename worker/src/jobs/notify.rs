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
use sahulat_store::{Delivery, OutboxMessage};

/// Messages read and recorded at a time.
const PAGE: u32 = 200;
/// Pages a run.
const PAGES: usize = 50;

/// Sends every pending message it may send now, page by page. A transient failure makes the
/// job retry with backoff; rate-limited messages wait for a later run.
pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let mut transient = None;
    let mut deferred = false;
    let mut after = 0;
    let mut more = false;
    // At most PAGES pages a run, so one job never holds its lease for long; the rest go to
    // the next run, queued at once.
    for _ in 0..PAGES {
        let pending = w.store.pending_messages(after, PAGE).await?;
        more = pending.len() == PAGE as usize;
        after = pending.last().map_or(after, |m| m.id);
        let page = deliver(w, pending).await?;
        transient = transient.or(page.0);
        deferred |= page.1;
        if !more {
            break;
        }
    }
    if more {
        let now = w.clock.now();
        w.store
            .enqueue(Task::Notify.kind(), &Task::Notify.payload(), now, true, now)
            .await?;
    } else if deferred {
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

/// Sends one page; its deliveries are recorded together (one transaction where the store
/// can): a crash before that sends them again, with the same `dedupe_key` for the gateway to
/// drop. Returns the last transient error and whether a message was held back by the rate.
async fn deliver(
    w: &Worker,
    pending: Vec<OutboxMessage>,
) -> Result<(Option<String>, bool), JobError> {
    let mut transient = None;
    let mut deferred = false;
    let citizens: Vec<String> = pending
        .iter()
        .filter(|m| m.message.recipient_kind == "citizen")
        .map(|m| m.message.recipient.clone())
        .collect();
    let now = w.clock.now();
    let mut sent = w
        .store
        .sent_counts(&citizens, now - Duration::hours(1))
        .await?;
    let mut done = Vec::with_capacity(pending.len());
    for m in pending {
        let delivered = |sent: bool, error: Option<String>, give_up: bool| Delivery {
            id: m.id,
            sent,
            error,
            give_up,
        };
        if m.message.recipient_kind != "citizen" {
            tracing::info!(to = %m.message.recipient, id = %m.message.dedupe_key, "staff inbox: {}", m.message.body);
            done.push(delivered(true, None, false));
            continue;
        }
        let count = sent.entry(m.message.recipient.clone()).or_insert(0);
        if *count >= w.config.sms_per_phone_per_hour {
            deferred = true;
            continue;
        }
        match w
            .notifier
            .send(&m.message.recipient, &m.message.body, &m.message.dedupe_key)
            .await
        {
            Ok(()) => {
                *count += 1;
                done.push(delivered(true, None, false));
            }
            Err(NotifyError::Permanent(e)) => done.push(delivered(false, Some(e), true)),
            Err(NotifyError::Transient(e)) => {
                let give_up = m.attempts + 1 >= w.config.sms_max_attempts;
                done.push(delivered(false, Some(e.clone()), give_up));
                if !give_up {
                    transient = Some(e);
                }
            }
        }
    }
    w.store.mark_messages(&done, w.clock.now()).await?;
    Ok((transient, deferred))
}
