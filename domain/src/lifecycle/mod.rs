//! The ticket lifecycle as a state machine: which action may move a ticket from which status
//! to which, what each action must carry (a resolution note, a reason, the department referred
//! to), and who may take it. Pure rules: `plan` checks one action, `decide` (in `decide.rs`)
//! turns it into the write with its history and SMS; `reclassify` holds the coordinator's
//! corrections of service and priority.

mod decide;
mod reclassify;

pub use decide::{
    decide, fresh_deadlines, state_of, understand, ActionForm, ActionInput, ActionWrite,
    SlaRestart, Understood, ACTIONS,
};
pub use reclassify::{recategorise, reprioritise, Correction, Reclassify};

use crate::status::Status;
use chrono::{DateTime, Duration, Utc};

/// Something a person does to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// "We have seen it."
    Acknowledge,
    /// Work has started.
    Start,
    /// Fixed; the note says what was done (the citizen reads it).
    Resolve {
        /// What was done.
        note: String,
    },
    /// Closed without a fix ("no further action"); the reason is required.
    CloseNotFixed {
        /// Why.
        reason: String,
    },
    /// No body in Sahulat is responsible; names who is.
    NotResponsible {
        /// Who is responsible instead.
        responsible: String,
    },
    /// Sent to another department (the chain is kept).
    Refer {
        /// Department code it goes to.
        to_department: String,
        /// Why.
        reason: String,
    },
    /// The same problem as another ticket.
    MarkDuplicate {
        /// The original's reference.
        of: String,
    },
    /// Spam or abuse (coordinators only).
    Reject {
        /// Why.
        reason: String,
    },
    /// The citizen says it is not fixed (within the reopen window), or gave a poor rating.
    Reopen {
        /// Why.
        reason: String,
    },
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Everything, everywhere.
    Admin,
    /// Everything in one district.
    Coordinator {
        /// District P-code.
        district: String,
    },
    /// Tickets of one department in one district.
    Staff {
        /// District P-code.
        district: String,
        /// Department code.
        department: String,
    },
    /// Aggregates only: may not act on tickets.
    Evaluator,
    /// The reporter (reopen only).
    Citizen {
        /// Days after closing the reporter may reopen (the deployment's `Settings`).
        reopen_days: i64,
    },
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not allowed from this status.
    #[error("a ticket that is {from} cannot be {verb}; allowed from: {allowed}")]
    Illegal {
        /// Current status.
        from: Status,
        /// The action, as a past participle.
        verb: &'static str,
        /// Statuses it is allowed from.
        allowed: String,
    },
    /// A required text is missing.
    #[error("{field} is required: {hint}")]
    Missing {
        /// Field name.
        field: &'static str,
        /// What to write.
        hint: &'static str,
    },
    /// This actor may not take this action.
    #[error("{0}")]
    Forbidden(String),
    /// A field of the action names something that does not fit (a department of another
    /// district, an unknown template, a ticket that is not open).
    #[error("{field}: {message}")]
    Invalid {
        /// Field name.
        field: &'static str,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The reopen window has passed.
    #[error("this ticket was closed more than {days} days ago and can no longer be reopened; please report it again")]
    WindowPassed {
        /// The window in days.
        days: i64,
    },
}

const OPEN_STATES: [Status; 4] = [
    Status::Open,
    Status::Acknowledged,
    Status::InProgress,
    Status::Referred,
];
const REOPENABLE: [Status; 3] = [
    Status::Resolved,
    Status::ClosedNotFixed,
    Status::NotResponsible,
];

/// Default reopen window.
pub const REOPEN_DAYS: i64 = 14;

fn need(text: &str, field: &'static str, hint: &'static str) -> Result<(), Refusal> {
    if text.trim().chars().count() < 3 {
        Err(Refusal::Missing { field, hint })
    } else {
        Ok(())
    }
}

impl Action {
    /// The status the ticket ends in, and the statuses the action is allowed from.
    fn rule(&self) -> (Status, &'static [Status], &'static str) {
        match self {
            Action::Acknowledge => (
                Status::Acknowledged,
                &[Status::Open, Status::Referred],
                "acknowledged",
            ),
            Action::Start => (
                Status::InProgress,
                &[Status::Open, Status::Acknowledged, Status::Referred],
                "started",
            ),
            Action::Resolve { .. } => (Status::Resolved, &OPEN_STATES, "resolved"),
            Action::CloseNotFixed { .. } => {
                (Status::ClosedNotFixed, &OPEN_STATES, "closed as not fixed")
            }
            Action::NotResponsible { .. } => (
                Status::NotResponsible,
                &OPEN_STATES,
                "closed as not our responsibility",
            ),
            Action::Refer { .. } => (Status::Referred, &OPEN_STATES, "referred"),
            Action::MarkDuplicate { .. } => (Status::Duplicate, &OPEN_STATES, "marked duplicate"),
            Action::Reject { .. } => (
                Status::Rejected,
                &[
                    Status::Submitted,
                    Status::Open,
                    Status::Acknowledged,
                    Status::InProgress,
                    Status::Referred,
                ],
                "rejected",
            ),
            Action::Reopen { .. } => (Status::Open, &REOPENABLE, "reopened"),
        }
    }

    fn check_texts(&self) -> Result<(), Refusal> {
        match self {
            Action::Resolve { note } => need(note, "note", "say what was done, for the citizen"),
            Action::CloseNotFixed { reason } => {
                need(reason, "reason", "say why nothing more will be done")
            }
            Action::NotResponsible { responsible } => need(
                responsible,
                "responsible",
                "name the body that is responsible",
            ),
            Action::Refer {
                to_department,
                reason,
            } => {
                need(
                    to_department,
                    "to_department",
                    "the department code it goes to",
                )?;
                need(reason, "reason", "say why it belongs there")
            }
            Action::MarkDuplicate { of } => need(of, "of", "the reference of the original ticket"),
            Action::Reject { reason } => need(reason, "reason", "say why this is spam or abuse"),
            Action::Reopen { reason } => need(reason, "reason", "say what is still wrong"),
            Action::Acknowledge | Action::Start => Ok(()),
        }
    }
}

/// The ticket as the rules need it.
#[derive(Debug, Clone)]
pub struct TicketState<'a> {
    /// Current status.
    pub status: Status,
    /// District P-code.
    pub district: &'a str,
    /// Responsible department.
    pub department: Option<&'a str>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Which tickets an actor may see: the one place ticket visibility is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every ticket (admins).
    All,
    /// Tickets of one district (coordinators).
    District(String),
    /// Tickets of one department in one district (staff).
    Department {
        /// District P-code.
        district: String,
        /// Department code.
        department: String,
    },
    /// No ticket at all (evaluators, citizens).
    Nothing,
}

impl Actor {
    /// The tickets this actor may see.
    pub fn scope(&self) -> Scope {
        match self {
            Actor::Admin => Scope::All,
            Actor::Coordinator { district } => Scope::District(district.clone()),
            Actor::Staff {
                district,
                department,
            } => Scope::Department {
                district: district.clone(),
                department: department.clone(),
            },
            Actor::Evaluator | Actor::Citizen { .. } => Scope::Nothing,
        }
    }

    /// Whether this actor may see the ticket at all (others get "not found": no IDOR).
    pub fn can_see(&self, ticket: &TicketState<'_>) -> bool {
        match self.scope() {
            Scope::All => true,
            Scope::District(d) => d == ticket.district,
            Scope::Department {
                district,
                department,
            } => district == ticket.district && ticket.department == Some(department.as_str()),
            Scope::Nothing => false,
        }
    }

    /// Whether this actor may see the reporter's phone and name: the staff handling the
    /// ticket and admins, nobody else (not coordinators, not evaluators).
    pub fn can_see_contact(&self, ticket: &TicketState<'_>) -> bool {
        matches!(self, Actor::Admin)
            || (matches!(self, Actor::Staff { .. }) && self.can_see(ticket))
    }
}

/// Checks `action` by `actor` on `ticket` at `now`; returns the status it leads to.
pub fn plan(
    actor: &Actor,
    ticket: &TicketState<'_>,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Status, Refusal> {
    match actor {
        Actor::Admin => {}
        Actor::Coordinator { district } if district == ticket.district => {}
        Actor::Staff {
            district,
            department,
        } if district == ticket.district && ticket.department == Some(department.as_str()) => {
            if matches!(action, Action::Reject { .. }) {
                return Err(Refusal::Forbidden(
                    "only the district coordinator may reject a ticket as spam or abuse".into(),
                ));
            }
        }
        Actor::Citizen { .. } if matches!(action, Action::Reopen { .. }) => {}
        Actor::Evaluator => {
            return Err(Refusal::Forbidden(
                "evaluators see aggregates only and cannot act on tickets".into(),
            ))
        }
        _ => {
            return Err(Refusal::Forbidden(
                "this ticket is not in your district or department".into(),
            ))
        }
    }
    let (to, allowed, verb) = action.rule();
    if !allowed.contains(&ticket.status) {
        return Err(Refusal::Illegal {
            from: ticket.status,
            verb,
            allowed: allowed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    action.check_texts()?;
    if let (Action::Reopen { .. }, Actor::Citizen { reopen_days }, Some(closed)) =
        (action, actor, ticket.closed_at)
    {
        if now - closed > Duration::days(*reopen_days) {
            return Err(Refusal::WindowPassed { days: *reopen_days });
        }
    }
    Ok(to)
}

#[cfg(test)]
mod rules {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn ticket(status: Status) -> TicketState<'static> {
        TicketState {
            status,
            district: "PK713",
            department: Some("wasa-larkana"),
            closed_at: Some(now() - Duration::days(2)),
        }
    }

    fn staff() -> Actor {
        Actor::Staff {
            district: "PK713".into(),
            department: "wasa-larkana".into(),
        }
    }

    #[test]
    fn staff_acknowledge_start_and_resolve_their_own_ticket() {
        assert_eq!(
            plan(&staff(), &ticket(Status::Open), &Action::Acknowledge, now()),
            Ok(Status::Acknowledged)
        );
        assert_eq!(
            plan(
                &staff(),
                &ticket(Status::Acknowledged),
                &Action::Start,
                now()
            ),
            Ok(Status::InProgress)
        );
        let resolve = Action::Resolve {
            note: "Pipeline repaired near Jinnah Bagh".into(),
        };
        assert_eq!(
            plan(&staff(), &ticket(Status::InProgress), &resolve, now()),
            Ok(Status::Resolved)
        );
    }

    #[test]
    fn resolving_without_a_note_is_refused_naming_the_field() {
        let e = plan(
            &staff(),
            &ticket(Status::Open),
            &Action::Resolve { note: " ".into() },
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("note is required"));
    }

    #[test]
    fn an_illegal_transition_names_the_statuses_it_is_allowed_from() {
        let e = plan(
            &staff(),
            &ticket(Status::Resolved),
            &Action::Acknowledge,
            now(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a ticket that is resolved cannot be acknowledged; allowed from: open, referred"
        );
    }

    #[test]
    fn staff_of_another_department_and_evaluators_are_forbidden() {
        let other = Actor::Staff {
            district: "PK713".into(),
            department: "sepco-larkana".into(),
        };
        assert!(matches!(
            plan(&other, &ticket(Status::Open), &Action::Acknowledge, now()),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            plan(
                &Actor::Evaluator,
                &ticket(Status::Open),
                &Action::Acknowledge,
                now()
            ),
            Err(Refusal::Forbidden(_))
        ));
        let elsewhere = Actor::Coordinator {
            district: "PK226".into(),
        };
        assert!(matches!(
            plan(
                &elsewhere,
                &ticket(Status::Open),
                &Action::Acknowledge,
                now()
            ),
            Err(Refusal::Forbidden(_))
        ));
    }

    #[test]
    fn only_coordinators_reject_as_spam() {
        let reject = Action::Reject {
            reason: "advertisement".into(),
        };
        assert!(matches!(
            plan(&staff(), &ticket(Status::Open), &reject, now()),
            Err(Refusal::Forbidden(_))
        ));
        let coordinator = Actor::Coordinator {
            district: "PK713".into(),
        };
        assert_eq!(
            plan(&coordinator, &ticket(Status::Open), &reject, now()),
            Ok(Status::Rejected)
        );
    }

    #[test]
    fn a_citizen_may_reopen_within_the_window_but_not_after_it() {
        let reopen = Action::Reopen {
            reason: "Still no water".into(),
        };
        assert_eq!(
            plan(
                &Actor::Citizen {
                    reopen_days: REOPEN_DAYS
                },
                &ticket(Status::Resolved),
                &reopen,
                now()
            ),
            Ok(Status::Open)
        );
        let late = plan(
            &Actor::Citizen {
                reopen_days: REOPEN_DAYS,
            },
            &ticket(Status::Resolved),
            &reopen,
            now() + Duration::days(30),
        );
        assert_eq!(late, Err(Refusal::WindowPassed { days: REOPEN_DAYS }));
        assert!(matches!(
            plan(
                &Actor::Citizen {
                    reopen_days: REOPEN_DAYS
                },
                &ticket(Status::Open),
                &Action::Acknowledge,
                now()
            ),
            Err(Refusal::Forbidden(_))
        ));
        assert!(
            plan(
                &Actor::Citizen {
                    reopen_days: REOPEN_DAYS
                },
                &ticket(Status::Rejected),
                &reopen,
                now()
            )
            .is_err(),
            "spam stays closed"
        );
    }
}

#[cfg(test)]
mod tests;
