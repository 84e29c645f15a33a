//! The lifecycle's decisions, without a database: every status × action, and what `decide`
//! writes for each kind of action.

use super::*;
use crate::messages::Recipient;
use crate::phone::Phone;
use crate::sla::WorkingHours;
use crate::testing::{reference, request, t0};
use chrono::Duration;

fn every_action() -> Vec<Action> {
    vec![
        Action::Acknowledge,
        Action::Start,
        Action::Resolve {
            note: "Valve replaced".into(),
        },
        Action::CloseNotFixed {
            reason: "Needs a new scheme".into(),
        },
        Action::NotResponsible {
            responsible: "Irrigation Department".into(),
        },
        Action::Refer {
            to_department: "municipal-corporation-larkana".into(),
            reason: "City drain".into(),
        },
        Action::MarkDuplicate {
            of: "123456785".into(),
        },
        Action::Reject {
            reason: "Advertisement".into(),
        },
        Action::Reopen {
            reason: "Still leaking".into(),
        },
    ]
}

/// The expected table, written from the README's lifecycle, not from the code: for each
/// action, the statuses it may start from and the status it ends in.
fn expected(action: &Action) -> (&'static [Status], Status) {
    use Status::*;
    const WORKING: &[Status] = &[Open, Acknowledged, InProgress, Referred];
    match action {
        Action::Acknowledge => (&[Open, Referred], Acknowledged),
        Action::Start => (&[Open, Acknowledged, Referred], InProgress),
        Action::Resolve { .. } => (WORKING, Resolved),
        Action::CloseNotFixed { .. } => (WORKING, ClosedNotFixed),
        Action::NotResponsible { .. } => (WORKING, NotResponsible),
        Action::Refer { .. } => (WORKING, Referred),
        Action::MarkDuplicate { .. } => (WORKING, Duplicate),
        Action::Reject { .. } => (
            &[Submitted, Open, Acknowledged, InProgress, Referred],
            Rejected,
        ),
        Action::Reopen { .. } => (&[Resolved, ClosedNotFixed, NotResponsible], Open),
    }
}

#[test]
fn every_status_and_action_pair_is_allowed_or_refused_as_the_lifecycle_says() {
    let admin = Actor::Admin;
    let mut checked = 0;
    for &status in Status::ALL {
        for action in every_action() {
            let ticket = TicketState {
                status,
                district: "PK713",
                department: Some("phed-larkana"),
                closed_at: Some(t0()),
            };
            let (from, to) = expected(&action);
            let got = plan(&admin, &ticket, &action, t0());
            if from.contains(&status) {
                assert_eq!(got, Ok(to), "{action:?} from {status}");
            } else {
                assert!(
                    matches!(got, Err(Refusal::Illegal { from: f, .. }) if f == status),
                    "{action:?} from {status} gave {got:?}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10 * 9);
}

#[test]
fn no_action_leaves_a_closed_ticket_anywhere_but_open_again() {
    for &status in Status::ALL.iter().filter(|s| !s.is_open()) {
        for action in every_action() {
            let ticket = TicketState {
                status,
                district: "PK713",
                department: None,
                closed_at: Some(t0()),
            };
            if let Ok(to) = plan(&Actor::Admin, &ticket, &action, t0()) {
                assert_eq!(to, Status::Open, "{action:?} from {status}");
            }
        }
    }
}

fn staff() -> Actor {
    Actor::Staff {
        district: "PK713".into(),
        department: "phed-larkana".into(),
    }
}

fn form(action: &str) -> ActionForm {
    ActionForm {
        action: action.into(),
        ..ActionForm::default()
    }
}

fn input<'a>(
    actor: &'a Actor,
    ticket: &'a crate::request::ServiceRequest,
    recipients: &'a [Recipient],
    wh: &'a WorkingHours,
) -> ActionInput<'a> {
    ActionInput {
        actor,
        username: "phed.larkana",
        ticket,
        original: None,
        recipients,
        working_hours: wh,
        now: t0(),
    }
}

fn reporter(ticket: &crate::request::ServiceRequest, phone: &str) -> Vec<Recipient> {
    vec![Recipient::reporter(ticket, Phone::parse(phone).unwrap())]
}

#[test]
fn resolving_writes_the_audit_row_the_public_update_and_the_resolved_job_but_no_status_sms() {
    let (cat, _, _) = reference();
    let (actor, ticket, wh) = (staff(), request(1), WorkingHours::default());
    let rec = reporter(&ticket, "0300 1234567");
    let mut f = form("resolve");
    f.note = Some("Valve replaced, supply restored".into());
    let u = understand(cat, &f).unwrap();
    let w = decide(cat, &u, input(&actor, &ticket, &rec, &wh)).unwrap();
    assert_eq!((w.from, w.to), (Status::Open, Status::Resolved));
    assert!(
        w.notify_resolved,
        "every reporter is told by the resolved job"
    );
    assert!(
        w.messages.is_empty(),
        "the resolved job texts, not the action"
    );
    assert_eq!(w.history.len(), 2);
    assert!(!w.history[0].public && w.history[0].description.contains("open → resolved"));
    assert_eq!(
        w.history[1].description,
        "Resolved: Valve replaced, supply restored"
    );
    assert_eq!(w.history[1].actor, "phed.larkana");
}

#[test]
fn acknowledging_texts_the_reporter_and_every_voice_each_in_their_language() {
    let (cat, _, _) = reference();
    let (actor, ticket, wh) = (staff(), request(2), WorkingHours::default());
    let mut rec = reporter(&ticket, "03001234567");
    let u = understand(cat, &form("acknowledge")).unwrap();
    let w = decide(cat, &u, input(&actor, &ticket, &rec, &wh)).unwrap();
    assert_eq!(w.messages.len(), 1);
    assert_eq!(w.messages[0].recipient, "+923001234567");
    assert!(w.messages[0]
        .dedupe_key
        .starts_with("status:2:acknowledged:"));
    rec.push(Recipient {
        phone: Phone::parse("03339876543").unwrap(),
        lang: crate::lang::Lang::Ur,
        key: ":v7".into(),
    });
    let w = decide(cat, &u, input(&actor, &ticket, &rec, &wh)).unwrap();
    assert_eq!(w.messages.len(), 2, "the voice is told too");
    assert_eq!(w.messages[1].language, "ur");
    assert!(w.messages[1].dedupe_key.ends_with(":v7"));
    assert_ne!(
        w.messages[0].body, w.messages[1].body,
        "each in their language"
    );
    let w = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap();
    assert!(w.messages.is_empty(), "nobody gave a number");
}

#[test]
fn a_referral_must_name_another_department_of_the_same_district() {
    let (cat, _, _) = reference();
    let (actor, ticket, wh) = (staff(), request(3), WorkingHours::default());
    let mut f = form("refer");
    f.reason = Some("Belongs to the city".into());
    f.to_department = Some("wasa-quetta".into());
    let u = understand(cat, &f).unwrap();
    let e = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::Invalid {
                field: "to_department",
                ..
            }
        ),
        "{e:?}"
    );
    f.to_department = Some("phed-larkana".into());
    let u = understand(cat, &f).unwrap();
    let e = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap_err();
    assert!(
        e.to_string().contains("already with this department"),
        "{e}"
    );
    f.to_department = Some("municipal-corporation-larkana".into());
    let u = understand(cat, &f).unwrap();
    let w = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap();
    assert_eq!(
        w.department.as_deref(),
        Some("municipal-corporation-larkana")
    );
    assert_eq!(w.to, Status::Referred);
}

#[test]
fn marking_a_duplicate_needs_another_open_ticket_the_actor_can_see() {
    let (cat, _, _) = reference();
    let (actor, ticket, wh) = (staff(), request(4), WorkingHours::default());
    let mut f = form("mark_duplicate");
    f.of = Some("123 456 785".into());
    let u = understand(cat, &f).unwrap();
    let e = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap_err();
    assert!(matches!(e, Refusal::Invalid { field: "of", .. }));
    let original = request(5);
    let mut i = input(&actor, &ticket, &[], &wh);
    i.original = Some(&original);
    let w = decide(cat, &u, i).unwrap();
    assert_eq!(w.duplicate_of, Some(5));
    let mut closed = request(6);
    closed.status = Status::Resolved;
    i.original = Some(&closed);
    assert!(decide(cat, &u, i).is_err(), "a closed original is refused");
    i.original = Some(&ticket);
    assert!(
        decide(cat, &u, i).is_err(),
        "a ticket is not its own duplicate"
    );
}

#[test]
fn a_template_stands_in_for_the_note_and_one_for_another_status_names_those_that_fit() {
    let (cat, _, _) = reference();
    let (actor, ticket, wh) = (staff(), request(7), WorkingHours::default());
    let fits = crate::templates::for_ticket(&cat.templates, "water-supply", Status::Resolved);
    let id = fits
        .first()
        .expect("a resolved template for water")
        .id
        .clone();
    let mut f = form("resolve");
    f.template = Some(id.clone());
    let u = understand(cat, &f).unwrap();
    let w = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap();
    assert_eq!(w.to, Status::Resolved);
    let mut f = form("acknowledge");
    f.template = Some(id);
    let u = understand(cat, &f).unwrap();
    let e = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::Invalid {
                field: "template",
                ..
            }
        ),
        "{e:?}"
    );
    let mut f = form("resolve");
    f.template = Some("no-such-template".into());
    assert!(matches!(
        understand(cat, &f),
        Err(Refusal::Invalid {
            field: "template",
            ..
        })
    ));
    assert!(matches!(
        understand(cat, &form("fix_it")),
        Err(Refusal::Invalid {
            field: "action",
            ..
        })
    ));
}

#[test]
fn a_reopen_by_staff_starts_a_fresh_sla_counted_from_now() {
    let (cat, _, _) = reference();
    let actor = staff();
    let mut ticket = request(8);
    ticket.status = Status::Resolved;
    ticket.closed_at = Some(t0() - Duration::days(1));
    let wh = WorkingHours::default();
    let mut f = form("reopen");
    f.reason = Some("Leaking again".into());
    let u = understand(cat, &f).unwrap();
    let w = decide(cat, &u, input(&actor, &ticket, &[], &wh)).unwrap();
    let restart = w.restart_sla.expect("fresh deadlines");
    assert!(restart.ack_due_at > t0() && restart.sla_due_at > restart.ack_due_at);
    assert_eq!(w.to, Status::Open);
}

#[test]
fn a_rejection_writes_no_public_text_and_no_sms() {
    let (cat, _, _) = reference();
    let coordinator = Actor::Coordinator {
        district: "PK713".into(),
    };
    let ticket = request(9);
    let wh = WorkingHours::default();
    let rec = reporter(&ticket, "03001234567");
    let mut f = form("reject");
    f.reason = Some("Advertisement for a shop".into());
    let u = understand(cat, &f).unwrap();
    let w = decide(cat, &u, input(&coordinator, &ticket, &rec, &wh)).unwrap();
    assert_eq!(w.to, Status::Rejected);
    assert!(w.history.iter().all(|h| !h.public));
    assert!(w.messages.is_empty());
}
