//! Escalation of an overdue ticket, decided without I/O. Each missed deadline (acknowledge-by,
//! then the due time, then a whole SLA period after it) raises the escalation level and the
//! priority one step and notifies the department and the district coordinator's desk.

use crate::catalogue::Catalogue;
use crate::effects::{HistoryEntry, NewMessage};
use crate::lang::Lang;
use crate::messages;
use crate::reference::grouped;
use crate::request::ServiceRequest;
use crate::sla;
use crate::status::Priority;
use chrono::{DateTime, Utc};

/// One escalation step of an overdue request.
#[derive(Debug, Clone)]
pub struct Escalation {
    /// The request.
    pub request_id: i64,
    /// Level it is at now (the update happens only if it still is).
    pub from_level: i32,
    /// Level after.
    pub to_level: i32,
    /// Priority after.
    pub priority: Priority,
    /// History entry.
    pub history: HistoryEntry,
    /// Messages to staff.
    pub messages: Vec<NewMessage>,
}

/// `p` raised by `steps` levels, at most to urgent.
pub fn raise(p: Priority, steps: i32) -> Priority {
    let all = Priority::ALL;
    let i = all.iter().position(|x| *x == p).unwrap_or(0) + steps.max(0) as usize;
    all[i.min(all.len() - 1)]
}

/// The escalation step `r` is due at `now`, if any.
pub fn decide(cat: &Catalogue, r: &ServiceRequest, now: DateTime<Utc>) -> Option<Escalation> {
    let target = sla::escalation_target(r, now);
    if target <= r.escalation_level {
        return None;
    }
    let priority = raise(r.priority, target - r.escalation_level);
    let service = cat
        .service(&r.service_code)
        .map(|s| s.names.en.clone())
        .unwrap_or_else(|| r.service_code.clone());
    let place = r
        .tehsil
        .as_deref()
        .and_then(|t| cat.tehsil(t))
        .map(|t| t.names.en.clone())
        .or_else(|| cat.district(&r.district).map(|d| d.names.en.clone()))
        .unwrap_or_default();
    let late_since = match (target, r.ack_due_at, r.sla_due_at) {
        (1, Some(ack), _) => ack,
        (_, _, Some(due)) => due,
        (_, Some(ack), None) => ack,
        _ => now,
    };
    let hours = (now - late_since).num_hours().max(0);
    let why = match target {
        1 => "not acknowledged in time",
        2 => "not resolved by its due time",
        _ => "still unresolved a full SLA period after its due time",
    };
    let mut recipients = Vec::new();
    if let Some(d) = &r.department {
        recipients.push(("department", d.clone()));
    }
    if let Some(c) = cat
        .departments
        .iter()
        .find(|d| d.district == r.district && d.coordinator)
    {
        if r.department.as_deref() != Some(c.code.as_str()) {
            recipients.push(("coordinator", c.code.clone()));
        }
    }
    let body = messages::text(
        Lang::En,
        "sms-escalation",
        &[
            ("ref", grouped(&r.reference)),
            ("service", service),
            ("place", place),
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
            // The due time tells SLA periods apart: a reopened ticket starts a new one at
            // level 0, and its escalations must reach staff again.
            dedupe_key: format!(
                "escalation:{}:{target}:{code}:{}",
                r.id,
                r.sla_due_at.map(|d| d.timestamp()).unwrap_or(0)
            ),
        })
        .collect();
    Some(Escalation {
        request_id: r.id,
        from_level: r.escalation_level,
        to_level: target,
        priority,
        history: HistoryEntry::internal(
            r.status,
            "escalation",
            format!(
                "escalated to level {target}: {why} ({hours} h late); priority {} → {priority}; {} notified",
                r.priority,
                recipients
                    .iter()
                    .map(|(_, c)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        ),
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{reference, request, t0};
    use chrono::Duration;

    #[test]
    fn nothing_is_due_before_the_acknowledge_by_time() {
        let (cat, _, _) = reference();
        assert!(decide(cat, &request(1), t0() + Duration::hours(1)).is_none());
    }

    #[test]
    fn a_missed_acknowledgement_is_level_one_and_tells_the_department_and_the_coordinator() {
        let (cat, _, _) = reference();
        let r = request(2);
        let e = decide(cat, &r, t0() + Duration::hours(9)).expect("level 1");
        assert_eq!((e.from_level, e.to_level), (0, 1));
        assert_eq!(e.priority, Priority::High);
        let to: Vec<&str> = e.messages.iter().map(|m| m.recipient.as_str()).collect();
        assert_eq!(to, vec!["phed-larkana", "coordinator-larkana"]);
        assert!(e
            .history
            .description
            .contains("not acknowledged in time (1 h late)"));
        assert!(!e.history.public);
    }

    #[test]
    fn a_ticket_long_past_its_due_time_jumps_to_level_three_and_urgent() {
        let (cat, _, _) = reference();
        let r = request(3);
        let e = decide(cat, &r, t0() + Duration::hours(200)).expect("level 3");
        assert_eq!(e.to_level, 3);
        assert_eq!(e.priority, Priority::Urgent);
        let mut again = r.clone();
        again.escalation_level = 3;
        assert!(decide(cat, &again, t0() + Duration::hours(300)).is_none());
    }

    #[test]
    fn each_sla_period_has_its_own_message_keys() {
        let (cat, _, _) = reference();
        let r = request(4);
        let mut reopened = r.clone();
        reopened.sla_due_at = Some(t0() + Duration::hours(100));
        reopened.ack_due_at = Some(t0() + Duration::hours(60));
        let a = decide(cat, &r, t0() + Duration::hours(9)).unwrap();
        let b = decide(cat, &reopened, t0() + Duration::hours(61)).unwrap();
        assert_ne!(a.messages[0].dedupe_key, b.messages[0].dedupe_key);
    }
}
