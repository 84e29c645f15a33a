//! Properties of the ticket lifecycle: no sequence of staff, coordinator and citizen moves makes an undocumented transition; citizens reopen only within the window.

use super::*;
use crate::catalogue::Catalogue;
use crate::citizen::{self, within_window, Policy, Proven, Rating};
use crate::lang::Lang;
use crate::lifecycle::{decide, understand, ActionForm, ActionInput, ActionWrite, Actor, Refusal};
use crate::messages::Recipient;
use crate::phone::Phone;
use crate::request::ServiceRequest;
use crate::sla::WorkingHours;
use crate::status::Status;
use crate::testing::{reference, request, t0};
use chrono::{DateTime, Duration, Utc};

const DISTRICT: &str = "PK713";

fn cat() -> &'static Catalogue {
    &reference().0
}

/// The documented lifecycle (DESIGN.md "Statuses"; the table in `lifecycle/tests.rs`), written
/// independently of `Action::rule`: for each action name, where it may start and where it ends.
fn documented(action: &str) -> Option<(&'static [Status], Status)> {
    use Status::*;
    const WORKING: &[Status] = &[Open, Acknowledged, InProgress, Referred];
    Some(match action {
        "acknowledge" => (&[Open, Referred], Acknowledged),
        "start" => (&[Open, Acknowledged, Referred], InProgress),
        "resolve" => (WORKING, Resolved),
        "close_not_fixed" => (WORKING, ClosedNotFixed),
        "not_responsible" => (WORKING, NotResponsible),
        "refer" => (WORKING, Referred),
        "mark_duplicate" => (WORKING, Duplicate),
        "reject" => (
            &[Submitted, Open, Acknowledged, InProgress, Referred],
            Rejected,
        ),
        "reopen" => (&[Resolved, ClosedNotFixed, NotResponsible], Open),
        _ => return None,
    })
}

const REOPENABLE: [Status; 3] = [
    Status::Resolved,
    Status::ClosedNotFixed,
    Status::NotResponsible,
];

#[derive(Debug, Clone, Copy)]
enum Who {
    /// Staff of the department the ticket is with now.
    OwnStaff,
    /// Staff of another department of the district.
    OtherStaff(usize),
    /// The district's coordinator.
    Coordinator,
    /// Another district's coordinator.
    OtherCoordinator,
}

#[derive(Debug, Clone, Copy)]
enum Original {
    Missing,
    OpenOther,
    ClosedOther,
    Itself,
}

#[derive(Debug, Clone)]
enum Move {
    /// A staff or coordinator action through `understand` and `decide`.
    Act(Who, ActionForm, Original),
    /// The reporter reopens (`citizen::reopen`).
    CitizenReopen { reopen_days: i64, reason: String },
    /// The reporter rates (`citizen::rate`); a poor rating reopens within the window.
    CitizenRate { reopen_days: i64, rating: i64 },
}

fn text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(String::new())),
        1 => Just(Some("  ".to_string())),
        1 => Just(Some("ok".to_string())),
        10 => Just(Some("Valve replaced near the pump".to_string())),
        1 => "[a-z ]{0,8}".prop_map(Some),
    ]
}

fn form() -> impl Strategy<Value = ActionForm> {
    let mut names = vec![
        "acknowledge",
        "start",
        "resolve",
        "close_not_fixed",
        "not_responsible",
        "refer",
        "mark_duplicate",
        "reject",
        "reopen",
    ];
    names.extend(["fix_it", "recategorise", ""]);
    let mut departments: Vec<Option<String>> = cat()
        .departments
        .iter()
        .filter(|d| d.district == DISTRICT)
        .map(|d| Some(d.code.clone()))
        .collect();
    departments.extend([Some("wasa-quetta".into()), Some("nowhere".into()), None]);
    let mut templates: Vec<Option<String>> =
        cat().templates.iter().map(|t| Some(t.id.clone())).collect();
    templates.push(Some("no-such-template".into()));
    (
        proptest::sample::select(names),
        text(),
        text(),
        proptest::sample::select(departments),
        prop_oneof![Just(None), Just(Some("123 456 785".to_string()))],
        text(),
        prop_oneof![4 => Just(None), 1 => proptest::sample::select(templates)],
    )
        .prop_map(
            |(action, note, reason, to_department, of, responsible, template)| ActionForm {
                action: action.to_string(),
                note,
                reason,
                to_department,
                of,
                responsible,
                template,
            },
        )
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        6 => Just(Who::OwnStaff),
        1 => (0usize..16).prop_map(Who::OtherStaff),
        3 => Just(Who::Coordinator),
        1 => Just(Who::OtherCoordinator),
    ]
}

fn original() -> impl Strategy<Value = Original> {
    prop_oneof![
        1 => Just(Original::Missing),
        3 => Just(Original::OpenOther),
        1 => Just(Original::ClosedOther),
        1 => Just(Original::Itself),
    ]
}

fn a_move() -> impl Strategy<Value = Move> {
    prop_oneof![
        10 => (who(), form(), original()).prop_map(|(w, f, o)| Move::Act(w, f, o)),
        2 => (0i64..21, prop_oneof![Just("Still no water".to_string()), Just(" ".to_string()), "[a-z ]{0,6}"])
            .prop_map(|(reopen_days, reason)| Move::CitizenReopen { reopen_days, reason }),
        2 => (0i64..21, 0i64..7).prop_map(|(reopen_days, rating)| Move::CitizenRate { reopen_days, rating }),
    ]
}

/// Minutes to wait before a move: often none, sometimes hours, sometimes weeks.
fn wait() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => Just(0i64),
        3 => 1i64..(24 * 60),
        2 => (0i64..30).prop_map(|d| d * 24 * 60),
        1 => (1i64..30).prop_map(|d| d * 24 * 60 - 1),
        1 => (0i64..30).prop_map(|d| d * 24 * 60 + 1),
    ]
}

fn actor(who: Who, t: &ServiceRequest) -> Actor {
    let others: Vec<&str> = cat()
        .departments
        .iter()
        .filter(|d| d.district == DISTRICT && Some(d.code.as_str()) != t.department.as_deref())
        .map(|d| d.code.as_str())
        .collect();
    match who {
        Who::OwnStaff => Actor::Staff {
            district: DISTRICT.into(),
            department: t.department.clone().unwrap_or_default(),
        },
        Who::OtherStaff(i) => Actor::Staff {
            district: DISTRICT.into(),
            department: others[i % others.len()].to_string(),
        },
        Who::Coordinator => Actor::Coordinator {
            district: DISTRICT.into(),
        },
        Who::OtherCoordinator => Actor::Coordinator {
            district: "PK226".into(),
        },
    }
}

/// What the store does with an accepted write (`store/src/sqlite/tickets.rs`, `write_action`).
fn apply(t: &mut ServiceRequest, w: &ActionWrite, now: DateTime<Utc>) {
    t.status = w.to;
    if let Some(d) = &w.department {
        t.department = Some(d.clone());
    }
    if let Some(o) = w.duplicate_of {
        t.duplicate_of = Some(o);
    }
    if let Some(r) = w.restart_sla {
        t.ack_due_at = Some(r.ack_due_at);
        t.sla_due_at = Some(r.sla_due_at);
        t.escalation_level = 0;
        t.sla_started_at = Some(now);
        t.acknowledged_at = None;
    } else if matches!(w.to, Status::Acknowledged | Status::InProgress)
        && t.acknowledged_at.is_none()
    {
        t.acknowledged_at = Some(now);
    }
    t.closed_at = (!w.to.is_open()).then_some(now);
    t.updated_at = now;
}

/// Checks an accepted write against the documented transitions and the model's status.
fn check_write(t: &ServiceRequest, w: &ActionWrite, action: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(w.request_id, t.id);
    prop_assert_eq!(w.from, t.status, "the write's from is the status seen");
    prop_assert!(Status::ALL.contains(&w.to));
    let (from, to) = documented(action).ok_or_else(|| {
        TestCaseError::fail(format!("{action:?} is not an action but was accepted"))
    })?;
    prop_assert!(
        from.contains(&t.status),
        "{} accepted from {}, documented only from {:?}",
        action,
        t.status,
        from
    );
    prop_assert_eq!(w.to, to);
    prop_assert_eq!(w.is_reopen(), !t.status.is_open() && w.to.is_open());
    if let Some(d) = &w.department {
        prop_assert_eq!(
            cat().department(d).map(|d| d.district.as_str()),
            Some(DISTRICT)
        );
    }
    Ok(())
}

fn policy<'a>(wh: &'a WorkingHours, reopen_days: i64) -> Policy<'a> {
    Policy {
        catalogue: cat(),
        working_hours: wh,
        reopen_days,
    }
}

/// Runs the moves on a ticket and checks every step; returns the statuses it went through.
fn run(start: Status, moves: &[(i64, Move)]) -> Result<Vec<Status>, TestCaseError> {
    let wh = WorkingHours::default();
    let phone = Phone::parse("03001234567").unwrap();
    let mut t = request(1);
    t.status = start;
    let mut open_other = request(2);
    open_other.status = Status::Acknowledged;
    let mut closed_other = request(3);
    closed_other.status = Status::Resolved;
    closed_other.closed_at = Some(t0());
    let mut now = t0();
    let mut seen = vec![t.status];
    for (minutes, m) in moves {
        now += Duration::minutes(*minutes);
        let before = t.clone();
        match m {
            Move::Act(who, form, original) => {
                let actor = actor(*who, &t);
                let recipients = [Recipient::reporter(&t, phone.clone())];
                let understood = match understand(cat(), form) {
                    Ok(u) => u,
                    Err(e) => {
                        prop_assert!(
                            matches!(
                                e,
                                Refusal::Invalid {
                                    field: "action" | "template",
                                    ..
                                }
                            ),
                            "{e:?}"
                        );
                        continue;
                    }
                };
                let input = ActionInput {
                    actor: &actor,
                    username: "someone",
                    ticket: &t,
                    original: match original {
                        Original::Missing => None,
                        Original::OpenOther => Some(&open_other),
                        Original::ClosedOther => Some(&closed_other),
                        Original::Itself => Some(&t),
                    },
                    recipients: &recipients,
                    working_hours: &wh,
                    now,
                };
                match decide(cat(), &understood, input) {
                    Ok(w) => {
                        check_write(&t, &w, &form.action)?;
                        prop_assert!(
                            !matches!(who, Who::OtherStaff(_) | Who::OtherCoordinator),
                            "{:?} acted on a ticket outside their scope: {}",
                            who,
                            form.action
                        );
                        prop_assert!(
                            !(form.action == "reject" && matches!(who, Who::OwnStaff)),
                            "staff rejected a ticket"
                        );
                        if form.action == "mark_duplicate" {
                            prop_assert!(matches!(original, Original::OpenOther));
                        }
                        apply(&mut t, &w, now);
                    }
                    Err(_) => {
                        // Refused: nothing changes, and an undocumented move is always refused
                        // (checked by the accepted branch on every other run).
                    }
                }
            }
            Move::CitizenReopen {
                reopen_days,
                reason,
            } => {
                let p = Proven {
                    reporter: &t,
                    phone: &phone,
                    lang: Lang::En,
                    voice_id: None,
                    ticket: &t,
                };
                let reopenable = REOPENABLE.contains(&t.status);
                let within = t.closed_at.map(|c| within_window(*reopen_days, c, now));
                let reason_ok = reason.trim().chars().count() >= 3;
                match citizen::reopen(policy(&wh, *reopen_days), p, reason, now) {
                    Ok(w) => {
                        prop_assert!(reopenable, "a citizen reopened a {} ticket", t.status);
                        prop_assert_eq!(
                            within,
                            Some(true),
                            "reopened {:?} after closing with a window of {} days",
                            t.closed_at.map(|c| now - c),
                            reopen_days
                        );
                        prop_assert_eq!(w.closed_at, t.closed_at, "reopens the closing it saw");
                        prop_assert!(w.restart_sla.is_some());
                        check_write(&t, &w, "reopen")?;
                        apply(&mut t, &w, now);
                    }
                    Err(Refusal::WindowPassed { days }) => {
                        prop_assert_eq!(days, *reopen_days);
                        prop_assert!(reopenable && within == Some(false));
                    }
                    Err(e) => {
                        prop_assert!(
                            !(reopenable && within == Some(true) && reason_ok),
                            "a {} ticket closed {:?} ago could not be reopened within {} days: {:?}",
                            t.status,
                            t.closed_at.map(|c| now - c),
                            reopen_days,
                            e
                        );
                    }
                }
            }
            Move::CitizenRate {
                reopen_days,
                rating,
            } => {
                let Ok(r) = Rating::new(*rating) else {
                    prop_assert!(!(1..=5).contains(rating));
                    continue;
                };
                let p = Proven {
                    reporter: &t,
                    phone: &phone,
                    lang: Lang::En,
                    voice_id: None,
                    ticket: &t,
                };
                let within = t.closed_at.map(|c| within_window(*reopen_days, c, now));
                match citizen::rate(policy(&wh, *reopen_days), p, r, None, "web", now) {
                    Ok(rw) => {
                        prop_assert!(
                            REOPENABLE.contains(&t.status),
                            "rated a {} ticket",
                            t.status
                        );
                        prop_assert_eq!(Some(rw.closed_at), t.closed_at);
                        prop_assert_eq!(
                            rw.reopen.is_some(),
                            r.is_poor() && within == Some(true),
                            "rating {} with the ticket closed {:?} ago, window {} days",
                            rating,
                            t.closed_at.map(|c| now - c),
                            reopen_days
                        );
                        if let Some(w) = &rw.reopen {
                            check_write(&t, w, "reopen")?;
                            apply(&mut t, w, now);
                        }
                    }
                    Err(_) => {
                        prop_assert!(!REOPENABLE.contains(&t.status) || t.closed_at.is_none())
                    }
                }
            }
        }
        // The model's invariants after every move.
        prop_assert!(Status::ALL.contains(&t.status));
        prop_assert_eq!(
            t.closed_at.is_some(),
            !t.status.is_open(),
            "closed_at iff closed"
        );
        if t.status != before.status {
            prop_assert!(
                t.status.is_open() || before.status.is_open(),
                "{} → {}: closed to closed",
                before.status,
                t.status
            );
        }
        prop_assert_eq!(
            t.department
                .as_deref()
                .and_then(|d| cat().department(d))
                .map(|d| d.district.as_str()),
            Some(DISTRICT)
        );
        if t.status == Status::Duplicate {
            prop_assert_eq!(t.duplicate_of, Some(open_other.id));
        }
        if t.status != *seen.last().unwrap_or(&t.status) {
            seen.push(t.status);
        }
    }
    Ok(seen)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_sequence_of_staff_coordinator_and_citizen_moves_makes_an_undocumented_transition(
        start in proptest::sample::select(vec![Status::Submitted, Status::Open, Status::Open, Status::Open]),
        moves in proptest::collection::vec((wait(), a_move()), 1..24),
    ) {
        run(start, &moves)?;
    }

    #[test]
    fn a_closing_can_be_reopened_by_the_citizen_exactly_until_the_window_ends(
        closing in proptest::sample::select(vec!["resolve", "close_not_fixed", "not_responsible", "mark_duplicate", "reject"]),
        reopen_days in 0i64..30,
        after_minutes in 0i64..(40 * 24 * 60),
    ) {
        let wh = WorkingHours::default();
        let phone = Phone::parse("03001234567").unwrap();
        let mut t = request(1);
        let coordinator = Actor::Coordinator { district: DISTRICT.into() };
        let mut f = ActionForm { action: closing.into(), ..ActionForm::default() };
        f.note = Some("Valve replaced".into());
        f.reason = Some("No scheme this year".into());
        f.responsible = Some("Irrigation Department".into());
        f.of = Some("123 456 785".into());
        let u = understand(cat(), &f).unwrap();
        let original = request(2);
        let w = decide(cat(), &u, ActionInput {
            actor: &coordinator,
            username: "coordinator",
            ticket: &t,
            original: Some(&original),
            recipients: &[],
            working_hours: &wh,
            now: t0(),
        });
        prop_assert!(w.is_ok(), "{:?}", w);
        apply(&mut t, &w.unwrap(), t0());
        let now = t0() + Duration::minutes(after_minutes);
        let p = Proven { reporter: &t, phone: &phone, lang: Lang::En, voice_id: None, ticket: &t };
        let got = citizen::reopen(policy(&wh, reopen_days), p, "Still leaking", now);
        let reopenable = matches!(closing, "resolve" | "close_not_fixed" | "not_responsible");
        let within = now - t0() <= Duration::days(reopen_days);
        match (reopenable, within) {
            (true, true) => prop_assert!(got.is_ok(), "{:?}", got),
            (true, false) => prop_assert_eq!(got.unwrap_err(), Refusal::WindowPassed { days: reopen_days }),
            (false, _) => prop_assert!(matches!(got, Err(Refusal::Illegal { .. })), "{:?}", got),
        }
    }
}
