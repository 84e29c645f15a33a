//! A coordinator's corrections after triage, acting on its flags (`category_mismatch`,
//! `possible_duplicate`, `unrouted`): **recategorise** (another service; routing, priority and
//! SLA are worked out again by the rules triage uses, from the moment of the change) and
//! **reprioritise** (another priority, with a reason; a fresh due time). Only the district's
//! coordinator or an administrator may; every change is audited.

use super::{Actor, Refusal};
use crate::catalogue::Catalogue;
use crate::effects::{HistoryEntry, Message, NewMessage};
use crate::i18n::pkt_date;
use crate::messages::staff_message;
use crate::request::ServiceRequest;
use crate::routing::{self, RouteRule};
use crate::sla::{self, WorkingHours};
use crate::status::{Priority, Status};
use crate::triage::{priority, Lexicon, PriorityInput};
use chrono::{DateTime, Utc};

/// A correction, ready to write: only if the ticket still has the status, service and
/// priority the coordinator saw.
#[derive(Debug, Clone)]
pub struct Reclassify {
    /// The ticket.
    pub request_id: i64,
    /// Status seen.
    pub from_status: Status,
    /// Service seen.
    pub from_service: String,
    /// Priority seen.
    pub from_priority: Priority,
    /// Status after (open again when the department changes).
    pub status: Status,
    /// Service after.
    pub service_code: String,
    /// Priority after.
    pub priority: Priority,
    /// Department after.
    pub department: Option<String>,
    /// Whether the department changes (its acknowledgement is cleared).
    pub rerouted: bool,
    /// Fresh acknowledge-by time.
    pub ack_due_at: DateTime<Utc>,
    /// Fresh due time.
    pub sla_due_at: DateTime<Utc>,
    /// Triage flags after (a settled category mismatch or routing gap is cleared).
    pub flags: Vec<String>,
    /// Audit and public history.
    pub history: Vec<HistoryEntry>,
    /// The new department's inbox message.
    pub messages: Vec<NewMessage>,
}

const CORRECTABLE: [Status; 4] = [
    Status::Open,
    Status::Acknowledged,
    Status::InProgress,
    Status::Referred,
];

/// Whether `actor` may correct `t`: its district's coordinator or an administrator.
fn may_correct(actor: &Actor, t: &ServiceRequest) -> Result<(), Refusal> {
    match actor {
        Actor::Admin => {}
        Actor::Coordinator { district } if *district == t.district => {}
        Actor::Coordinator { .. } => {
            return Err(Refusal::Forbidden(
                "this ticket is not in your district".into(),
            ))
        }
        _ => {
            return Err(Refusal::Forbidden(
                "only the district coordinator may change a ticket's service or priority".into(),
            ))
        }
    }
    if !CORRECTABLE.contains(&t.status) {
        return Err(Refusal::Illegal {
            from: t.status,
            verb: "recategorised or reprioritised",
            allowed: CORRECTABLE.map(|s| s.as_str()).join(", "),
        });
    }
    Ok(())
}

fn reason_given(reason: &str) -> Result<String, Refusal> {
    let r = reason.trim();
    match r.chars().count() >= 3 {
        true => Ok(r.to_string()),
        false => Err(Refusal::Missing {
            field: "reason",
            hint: "say why the service or priority changes",
        }),
    }
}

fn invalid(field: &'static str, message: String) -> Refusal {
    Refusal::Invalid { field, message }
}

/// The context both corrections need.
#[derive(Debug, Clone, Copy)]
pub struct Correction<'a> {
    /// Reference data.
    pub catalogue: &'a Catalogue,
    /// Office hours for the fresh due time.
    pub working_hours: &'a WorkingHours,
    /// Who acts.
    pub actor: &'a Actor,
    /// Their username, for the audit trail.
    pub username: &'a str,
    /// The ticket as loaded.
    pub ticket: &'a ServiceRequest,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Moves the ticket to `service`: routed, prioritised and given a due time again.
pub fn recategorise(
    c: Correction<'_>,
    lexicon: &Lexicon,
    service: &str,
    reason: &str,
) -> Result<Reclassify, Refusal> {
    let t = c.ticket;
    may_correct(c.actor, t)?;
    let reason = reason_given(reason)?;
    let cat = c.catalogue;
    let svc = cat.service(service).ok_or_else(|| {
        let codes: Vec<&str> = cat.services.iter().map(|s| s.code.as_str()).collect();
        invalid(
            "service_code",
            format!(
                "{service:?} is not a service; use one of {}",
                codes.join(", ")
            ),
        )
    })?;
    if svc.code == t.service_code {
        return Err(invalid(
            "service_code",
            format!("the ticket is already {}", svc.code),
        ));
    }
    let route = routing::route(cat, &t.district, t.tehsil.as_deref(), &svc.code);
    let (p, reasons) = priority(
        lexicon,
        &PriorityInput {
            service: &svc.code,
            default: svc.default_priority,
            text: &t.description,
            attributes: &t.attributes,
            nearby_reports: usize::try_from(t.reporters.max(1) - 1).unwrap_or(0),
        },
    );
    let hours = svc.sla_hours.for_priority(p);
    let due = sla::due_at(c.working_hours, c.now, p, hours);
    let ack = sla::acknowledge_by(c.working_hours, c.now, p, hours);
    let rerouted = route.department != t.department;
    let mut flags: Vec<String> = t
        .triage_flags
        .iter()
        .filter(|f| !f.starts_with("category_mismatch") && f.as_str() != "unrouted")
        .cloned()
        .collect();
    if route.rule == RouteRule::Coordinator {
        flags.push("unrouted".into());
    }
    let dept = route.department.clone().unwrap_or_else(|| "-".into());
    let mut history = vec![HistoryEntry::internal(
        if rerouted { Status::Open } else { t.status },
        c.username,
        format!(
            "recategorised {} → {}: {reason}; routed to {dept} ({}); priority {p}: {}; due {}",
            t.service_code,
            svc.code,
            match route.rule {
                RouteRule::Tehsil => "tehsil rule",
                RouteRule::District => "district rule",
                RouteRule::Coordinator => "no rule: the coordinator's desk",
            },
            reasons.join("; "),
            due.to_rfc3339()
        ),
    )];
    let mut messages = vec![];
    if rerouted {
        let name = route
            .department
            .as_deref()
            .and_then(|d| cat.department(d))
            .map(|d| d.names.en.clone())
            .unwrap_or_else(|| "the district coordinator".into());
        history.push(HistoryEntry::public_message(
            Status::Open,
            c.username,
            format!("Sent to {name}; due by {}.", pkt_date(due)),
            Message::new(
                "hist-sent",
                &[("dept", dept.clone()), ("due", due.to_rfc3339())],
            ),
        ));
        if let Some(code) = route.department.as_deref() {
            let moved = ServiceRequest {
                service_code: svc.code.clone(),
                ..t.clone()
            };
            messages.push(staff_message(
                cat,
                &moved,
                code,
                "staff-recategorised",
                vec![("due", pkt_date(due))],
                format!("recategorised:{}:{}", t.id, c.now.timestamp_micros()),
            ));
        }
    }
    Ok(Reclassify {
        request_id: t.id,
        from_status: t.status,
        from_service: t.service_code.clone(),
        from_priority: t.priority,
        status: if rerouted { Status::Open } else { t.status },
        service_code: svc.code.clone(),
        priority: p,
        department: route.department,
        rerouted,
        ack_due_at: ack,
        sla_due_at: due,
        flags,
        history,
        messages,
    })
}

/// Gives the ticket another priority, with a reason, and a due time counted from now.
pub fn reprioritise(
    c: Correction<'_>,
    priority_code: &str,
    reason: &str,
) -> Result<Reclassify, Refusal> {
    let t = c.ticket;
    may_correct(c.actor, t)?;
    let reason = reason_given(reason)?;
    let p = Priority::parse(priority_code).ok_or_else(|| {
        invalid(
            "priority",
            format!(
                "{priority_code:?} is not a priority; use one of {}",
                Priority::accepted()
            ),
        )
    })?;
    if p == t.priority {
        return Err(invalid("priority", format!("the ticket is already {p}")));
    }
    let hours = c
        .catalogue
        .service(&t.service_code)
        .map(|s| s.sla_hours.for_priority(p))
        .unwrap_or(72);
    let due = sla::due_at(c.working_hours, c.now, p, hours);
    let ack = sla::acknowledge_by(c.working_hours, c.now, p, hours);
    Ok(Reclassify {
        request_id: t.id,
        from_status: t.status,
        from_service: t.service_code.clone(),
        from_priority: t.priority,
        status: t.status,
        service_code: t.service_code.clone(),
        priority: p,
        department: t.department.clone(),
        rerouted: false,
        ack_due_at: ack,
        sla_due_at: due,
        flags: t.triage_flags.clone(),
        history: vec![HistoryEntry::internal(
            t.status,
            c.username,
            format!(
                "priority {} → {p}: {reason}; due {}",
                t.priority,
                due.to_rfc3339()
            ),
        )],
        messages: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{reference, request, t0};

    fn coordinator() -> Actor {
        Actor::Coordinator {
            district: "PK713".into(),
        }
    }

    fn correction<'a>(
        actor: &'a Actor,
        t: &'a ServiceRequest,
        wh: &'a WorkingHours,
    ) -> Correction<'a> {
        Correction {
            catalogue: &reference().0,
            working_hours: wh,
            actor,
            username: "dc.larkana",
            ticket: t,
            now: t0(),
        }
    }

    #[test]
    fn a_flagged_ticket_recategorised_is_routed_again_with_a_fresh_due_time_and_the_flag_cleared() {
        let (cat, _, lex) = reference();
        let wh = WorkingHours::default();
        let mut t = request(7);
        t.triage_flags = vec![
            "category_mismatch:sewerage-drainage".into(),
            "possible_duplicate:123456786".into(),
        ];
        let actor = coordinator();
        let w = recategorise(
            correction(&actor, &t, &wh),
            lex,
            "sewerage-drainage",
            "drain, not supply",
        )
        .unwrap();
        let route = routing::route(cat, &t.district, t.tehsil.as_deref(), "sewerage-drainage");
        assert_eq!(w.department, route.department);
        assert_eq!(w.service_code, "sewerage-drainage");
        assert_eq!(w.flags, vec!["possible_duplicate:123456786".to_string()]);
        assert!(w.sla_due_at > t0());
        assert!(w.history[0]
            .description
            .contains("recategorised water-supply → sewerage-drainage: drain, not supply"));
        if w.rerouted {
            assert_eq!(w.status, Status::Open);
            assert_eq!(w.messages.len(), 1);
            assert_eq!(Some(w.messages[0].recipient.clone()), route.department);
        }
    }

    #[test]
    fn only_the_districts_coordinator_or_an_admin_may_correct_and_a_reason_is_required() {
        let (_, _, lex) = reference();
        let wh = WorkingHours::default();
        let t = request(7);
        let staff = Actor::Staff {
            district: "PK713".into(),
            department: "phed-larkana".into(),
        };
        let elsewhere = Actor::Coordinator {
            district: "PK226".into(),
        };
        for actor in [&staff, &elsewhere, &Actor::Evaluator] {
            assert!(matches!(
                recategorise(correction(actor, &t, &wh), lex, "roads", "wrong service"),
                Err(Refusal::Forbidden(_))
            ));
            assert!(matches!(
                reprioritise(correction(actor, &t, &wh), "urgent", "children at risk"),
                Err(Refusal::Forbidden(_))
            ));
        }
        let c = coordinator();
        assert!(matches!(
            recategorise(correction(&c, &t, &wh), lex, "roads", " "),
            Err(Refusal::Missing {
                field: "reason",
                ..
            })
        ));
        let e = recategorise(correction(&c, &t, &wh), lex, "bridges", "wrong").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("service_code: \"bridges\" is not a service"),
            "{e}"
        );
        let e = reprioritise(correction(&c, &t, &wh), "extreme", "very bad").unwrap_err();
        assert!(e.to_string().contains("low, normal, high, urgent"), "{e}");
        let w = reprioritise(
            correction(&Actor::Admin, &t, &wh),
            "urgent",
            "children at risk",
        )
        .unwrap();
        assert_eq!(
            (w.priority, w.status, w.rerouted),
            (Priority::Urgent, t.status, false)
        );
        assert!(w.history[0]
            .description
            .starts_with("priority normal → urgent: children at risk"));
        let mut closed = request(8);
        closed.status = Status::Resolved;
        assert!(matches!(
            reprioritise(correction(&c, &closed, &wh), "high", "matters"),
            Err(Refusal::Illegal { .. })
        ));
    }
}
