//! The `escalate` job: a sweep over open tickets past their acknowledge-by or due time. Each
//! missed deadline raises the escalation level and the priority one step, notifies the
//! department and the district coordinator's desk, and is recorded in the history — once: the
//! store's update is conditional on the level it expects, and messages carry unique keys.

use crate::{JobError, Worker};
use sahulat_domain::messages;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::Priority;
use sahulat_domain::sla;
use sahulat_domain::store::{Escalation, HistoryEntry, NewMessage};

fn raise(p: Priority, steps: i32) -> Priority {
    let all = Priority::ALL;
    let i = all.iter().position(|x| *x == p).unwrap_or(0) + steps.max(0) as usize;
    all[i.min(all.len() - 1)]
}

impl Worker {
    pub(crate) async fn escalate(&self) -> Result<(), JobError> {
        let now = self.clock.now();
        let overdue = self.store.overdue(now, 1000).await?;
        for r in overdue {
            let target = sla::escalation_target(&r, now);
            if target <= r.escalation_level {
                continue;
            }
            let priority = raise(r.priority, target - r.escalation_level);
            let service = self
                .catalogue
                .service(&r.service_code)
                .map(|s| s.names.en.clone())
                .unwrap_or_else(|| r.service_code.clone());
            let place = r
                .tehsil
                .as_deref()
                .and_then(|t| self.catalogue.tehsil(t))
                .map(|t| t.names.en.clone())
                .or_else(|| {
                    self.catalogue
                        .district(&r.district)
                        .map(|d| d.names.en.clone())
                })
                .unwrap_or_default();
            let late_since = match (target, r.ack_due_at, r.sla_due_at) {
                (1, Some(ack), _) => ack,
                (_, _, Some(due)) => due,
                (_, Some(ack), None) => ack,
                _ => now,
            };
            let hours = (now - late_since).num_hours().max(0);
            let reference = Reference::parse(&r.reference)
                .map(|x| x.grouped())
                .unwrap_or_else(|_| r.reference.clone());
            let why = match target {
                1 => "not acknowledged in time",
                2 => "not resolved by its due time",
                _ => "still unresolved a full SLA period after its due time",
            };
            let mut recipients = Vec::new();
            if let Some(d) = &r.department {
                recipients.push(("department", d.clone()));
            }
            if let Some(c) = self
                .catalogue
                .departments
                .iter()
                .find(|d| d.district == r.district && d.coordinator)
            {
                if r.department.as_deref() != Some(c.code.as_str()) {
                    recipients.push(("coordinator", c.code.clone()));
                }
            }
            let body = messages::text(
                sahulat_domain::lang::Lang::En,
                "sms-escalation",
                &[
                    ("ref", reference.clone()),
                    ("service", service.clone()),
                    ("place", place.clone()),
                    ("level", target.to_string()),
                    ("hours", hours.to_string()),
                ],
            );
            let messages = recipients
                .iter()
                .map(|(kind, code)| NewMessage {
                    request_id: Some(r.id),
                    recipient_kind: (*kind).into(),
                    recipient: code.clone(),
                    language: "en".into(),
                    body: body.clone(),
                    // The due time tells SLA periods apart: a reopened ticket starts a new
                    // one at level 0, and its escalations must reach staff again.
                    dedupe_key: format!(
                        "escalation:{}:{target}:{code}:{}",
                        r.id,
                        r.sla_due_at.map(|d| d.timestamp()).unwrap_or(0)
                    ),
                })
                .collect();
            let e = Escalation {
                request_id: r.id,
                from_level: r.escalation_level,
                to_level: target,
                priority,
                history: HistoryEntry {
                    status: r.status,
                    public: false,
                    description: format!(
                        "escalated to level {target}: {why} ({hours} h late); priority {} → {priority}; {} notified",
                        r.priority,
                        recipients.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(" and ")
                    ),
                    actor: "escalation".into(),
                },
                messages,
            };
            if self.store.escalate(&e, now).await? {
                tracing::info!(request = r.id, level = target, "escalated");
            }
        }
        Ok(())
    }
}
