//! A staff lifecycle action turned into exactly what the store writes: the new status, the
//! audit and public history, the citizen's SMS in their language, a fresh SLA on reopen and
//! the `resolved` job. Pure: the handler loads the ticket (and, to mark a duplicate, the
//! original; and the reporter's phone) and writes the result conditional on the status seen.

use super::{plan, Action, Actor, Refusal, TicketState};
use crate::catalogue::Catalogue;
use crate::effects::{HistoryEntry, Message, NewMessage};
use crate::lang::Lang;
use crate::messages::{citizen_sms, Recipient};
use crate::reference::grouped;
use crate::request::ServiceRequest;
use crate::sla::{self, WorkingHours};
use crate::status::Status;
use crate::templates::{self, ResponseTemplate};
use chrono::{DateTime, Utc};

/// One lifecycle action, ready to write.
#[derive(Debug, Clone)]
pub struct ActionWrite {
    /// The ticket.
    pub request_id: i64,
    /// The status the actor saw (the write happens only if it still is).
    pub from: Status,
    /// The status after.
    pub to: Status,
    /// New responsible department (referral).
    pub department: Option<String>,
    /// The original (mark duplicate).
    pub duplicate_of: Option<i64>,
    /// Audit and public history.
    pub history: Vec<HistoryEntry>,
    /// Citizen notifications.
    pub messages: Vec<NewMessage>,
    /// Queue the `resolved` job (tells every reporter).
    pub notify_resolved: bool,
    /// A reopened ticket starts a fresh SLA: new acknowledge-by and due times, escalation
    /// level back to 0, acknowledgement cleared.
    pub restart_sla: Option<SlaRestart>,
    /// Write only if the ticket was closed at exactly this time (a rating reopens the closing
    /// it rated, not a later one).
    pub closed_at: Option<DateTime<Utc>>,
}

impl ActionWrite {
    /// A closed ticket opened again (counted for the reopen rate).
    pub fn is_reopen(&self) -> bool {
        !self.from.is_open() && self.to.is_open()
    }
}

/// New deadlines for a reopened ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaRestart {
    /// Acknowledge by.
    pub ack_due_at: DateTime<Utc>,
    /// Resolve by.
    pub sla_due_at: DateTime<Utc>,
}

/// Fresh deadlines for a reopened ticket, counted from `now` with its service's SLA.
pub fn fresh_deadlines(
    cat: &Catalogue,
    wh: &WorkingHours,
    t: &ServiceRequest,
    now: DateTime<Utc>,
) -> SlaRestart {
    let hours = cat
        .service(&t.service_code)
        .map(|s| s.sla_hours.for_priority(t.priority))
        .unwrap_or(72);
    SlaRestart {
        ack_due_at: sla::acknowledge_by(wh, now, t.priority, hours),
        sla_due_at: sla::due_at(wh, now, t.priority, hours),
    }
}

/// What the staff member sent, before it is understood.
#[derive(Debug, Clone, Default)]
pub struct ActionForm {
    /// acknowledge, start, resolve, close_not_fixed, not_responsible, refer, mark_duplicate,
    /// reject, reopen.
    pub action: String,
    /// Resolution note (resolve).
    pub note: Option<String>,
    /// Reason (close_not_fixed, refer, reject, reopen).
    pub reason: Option<String>,
    /// Department code (refer).
    pub to_department: Option<String>,
    /// Reference of the original (mark_duplicate).
    pub of: Option<String>,
    /// Who is responsible instead (not_responsible).
    pub responsible: Option<String>,
    /// A response template id.
    pub template: Option<String>,
}

/// The accepted action names, for messages.
pub const ACTIONS: &str = "acknowledge, start, resolve, close_not_fixed, not_responsible, refer, mark_duplicate, reject, reopen, recategorise, reprioritise";

/// A public text: the English words for the record and the message for every language.
fn said(english: &str, id: &str, args: &[(&str, String)]) -> (String, Message) {
    (english.to_string(), Message::new(id, args))
}

fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        field,
        message: message.into(),
    }
}

/// An understood action and the response template it carries.
#[derive(Debug, Clone)]
pub struct Understood<'c> {
    /// The action.
    pub action: Action,
    /// The template chosen, if any.
    pub template: Option<&'c ResponseTemplate>,
}

/// Reads the form: the action's name and texts, and the template (which stands in for an
/// empty resolution note or reason).
pub fn understand<'c>(cat: &'c Catalogue, form: &ActionForm) -> Result<Understood<'c>, Refusal> {
    let template = match form.template.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(id) => Some(cat.templates.iter().find(|t| t.id == id).ok_or_else(|| {
            invalid(
                "template",
                format!("{id:?} is not a response template; list them at /api/v1/staff/tickets/{{reference}}/templates"),
            )
        })?),
    };
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|x| x.trim().is_empty());
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let stand_in = |v: &Option<String>, applies: bool| match template {
        Some(t) if applies && blank(v) => t.text.en.clone(),
        _ => text(v),
    };
    let action = match form.action.as_str() {
        "acknowledge" => Action::Acknowledge,
        "start" => Action::Start,
        "resolve" => Action::Resolve {
            note: stand_in(&form.note, true),
        },
        "close_not_fixed" => Action::CloseNotFixed {
            reason: stand_in(&form.reason, true),
        },
        "not_responsible" => Action::NotResponsible {
            responsible: text(&form.responsible),
        },
        "refer" => Action::Refer {
            to_department: text(&form.to_department),
            reason: text(&form.reason),
        },
        "mark_duplicate" => Action::MarkDuplicate { of: text(&form.of) },
        "reject" => Action::Reject {
            reason: text(&form.reason),
        },
        "reopen" => Action::Reopen {
            reason: text(&form.reason),
        },
        other => {
            return Err(invalid(
                "action",
                format!("{other:?} is not one of {ACTIONS}"),
            ))
        }
    };
    Ok(Understood { action, template })
}

/// Who acts, and the facts about the ticket the handler looked up.
#[derive(Debug, Clone, Copy)]
pub struct ActionInput<'a> {
    /// The actor's role and scope.
    pub actor: &'a Actor,
    /// Their username (the audit trail's `actor`).
    pub username: &'a str,
    /// The ticket as loaded.
    pub ticket: &'a ServiceRequest,
    /// For `mark_duplicate`: the original, as the actor may see it (None: not found).
    pub original: Option<&'a ServiceRequest>,
    /// Who gets the status SMS: the reporter and everyone who added their voice, each with a
    /// mobile number.
    pub recipients: &'a [Recipient],
    /// Office hours, for a reopened ticket's fresh SLA.
    pub working_hours: &'a WorkingHours,
    /// Now.
    pub now: DateTime<Utc>,
}

/// The ticket as the rules need it.
pub fn state_of(r: &ServiceRequest) -> TicketState<'_> {
    TicketState {
        status: r.status,
        district: &r.district,
        department: r.department.as_deref(),
        closed_at: r.closed_at,
    }
}

/// Checks the action (who, from which status, with which texts) and builds the write.
pub fn decide(
    cat: &Catalogue,
    understood: &Understood<'_>,
    input: ActionInput<'_>,
) -> Result<ActionWrite, Refusal> {
    let r = input.ticket;
    let (action, template) = (&understood.action, understood.template);
    let to = plan(input.actor, &state_of(r), action, input.now)?;
    if let Some(t) = template {
        if !t.fits(&r.service_code, to) {
            let fitting: Vec<&str> = templates::for_ticket(&cat.templates, &r.service_code, to)
                .iter()
                .map(|t| t.id.as_str())
                .collect();
            return Err(invalid(
                "template",
                format!(
                    "{:?} is for {} tickets moving to {}; for this ticket and action use one of: {}",
                    t.id,
                    t.service,
                    t.status,
                    if fitting.is_empty() { "none".to_string() } else { fitting.join(", ") }
                ),
            ));
        }
    }
    let mut write = ActionWrite {
        request_id: r.id,
        from: r.status,
        to,
        department: None,
        duplicate_of: None,
        history: Vec::new(),
        messages: Vec::new(),
        notify_resolved: false,
        restart_sla: matches!(action, Action::Reopen { .. })
            .then(|| fresh_deadlines(cat, input.working_hours, r, input.now)),
        closed_at: None,
    };
    let (detail_text, public, note) = match action {
        Action::Acknowledge => (
            "acknowledged".to_string(),
            Some(said("Seen by the department.", "hist-acknowledged", &[])),
            String::new(),
        ),
        Action::Start => (
            "work started".into(),
            Some(said("Work has started.", "hist-started", &[])),
            String::new(),
        ),
        Action::Resolve { note } => {
            write.notify_resolved = true;
            (
                format!("resolved: {note}"),
                Some(said(
                    &format!("Resolved: {note}"),
                    "hist-resolved",
                    &[("note", note.clone())],
                )),
                note.clone(),
            )
        }
        Action::CloseNotFixed { reason } => (
            format!("closed without a fix: {reason}"),
            Some(said(
                &format!("Closed without a fix: {reason}"),
                "hist-closed-not-fixed",
                &[("note", reason.clone())],
            )),
            reason.clone(),
        ),
        Action::NotResponsible { responsible } => (
            format!("not ours; responsible: {responsible}"),
            Some(said(
                &format!("Not a Sahulat department's work; responsible: {responsible}"),
                "hist-not-responsible",
                &[("note", responsible.clone())],
            )),
            responsible.clone(),
        ),
        Action::Refer {
            to_department,
            reason,
        } => {
            let dept = cat
                .department(to_department)
                .filter(|d| d.district == r.district)
                .ok_or_else(|| {
                    invalid(
                        "to_department",
                        format!("{to_department:?} is not a department of this district"),
                    )
                })?;
            if r.department.as_deref() == Some(dept.code.as_str()) {
                return Err(invalid(
                    "to_department",
                    "the ticket is already with this department",
                ));
            }
            write.department = Some(dept.code.clone());
            (
                format!(
                    "referred from {} to {}: {reason}",
                    r.department.as_deref().unwrap_or("-"),
                    dept.code
                ),
                Some(said(
                    &format!("Sent to {}.", dept.names.en),
                    "hist-referred",
                    &[("dept", dept.code.clone())],
                )),
                String::new(),
            )
        }
        Action::MarkDuplicate { of } => {
            let original = input
                .original
                .ok_or_else(|| invalid("of", format!("{of:?} is not a ticket in your queue")))?;
            if original.id == r.id || !original.status.is_open() {
                return Err(invalid("of", "must be another ticket that is still open"));
            }
            write.duplicate_of = Some(original.id);
            let g = grouped(&original.reference);
            (
                format!("duplicate of {g}"),
                Some(said(
                    &format!("Same problem as {g}."),
                    "hist-marked-duplicate",
                    &[("orig", g.clone())],
                )),
                g,
            )
        }
        Action::Reject { reason } => (format!("rejected: {reason}"), None, String::new()),
        Action::Reopen { reason } => (
            format!("reopened: {reason}"),
            Some(said(
                &format!("Reopened: {reason}"),
                "hist-reopened",
                &[("note", reason.clone())],
            )),
            String::new(),
        ),
    };
    let dept_code = write.department.clone().or(r.department.clone());
    let dept_name = |lang: Lang| {
        dept_code
            .as_deref()
            .and_then(|d| cat.department(d))
            .map(|d| d.names.get(lang).to_string())
            .unwrap_or_default()
    };
    let public = match template {
        Some(t) => Some(said(
            &t.render(Lang::En, &dept_name(Lang::En)),
            "template",
            &[
                ("template", t.id.clone()),
                ("dept", dept_code.clone().unwrap_or_default()),
            ],
        )),
        None => public,
    };
    write.history.push(HistoryEntry::internal(
        to,
        input.username,
        format!("{} → {}: {detail_text}", r.status, to),
    ));
    if let Some((english, message)) = public {
        write.history.push(HistoryEntry::public_message(
            to,
            input.username,
            english,
            message,
        ));
    }
    if !matches!(to, Status::Resolved | Status::Rejected) {
        for recipient in input.recipients {
            let lang = recipient.lang;
            let (id, args) = match template {
                Some(t) => (
                    "sms-update",
                    vec![("text", t.render(lang, &dept_name(lang)))],
                ),
                None => (
                    "sms-status",
                    vec![
                        ("status", to.as_str().to_string()),
                        ("dept", dept_name(lang)),
                        ("note", note.clone()),
                    ],
                ),
            };
            let key = format!(
                "status:{}:{}:{}{}",
                r.id,
                to.as_str(),
                input.now.timestamp_micros(),
                recipient.key
            );
            write
                .messages
                .push(citizen_sms(r, recipient, id, args, key));
        }
    }
    Ok(write)
}
