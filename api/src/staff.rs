//! The staff JSON API under `/api/v1/staff/`: a scoped queue with filters and counts, the
//! ticket with its full history, lifecycle actions and comments. Who may see or do what is
//! decided in one place (`sahulat_domain::lifecycle`): tickets outside the caller's scope are
//! "not found" (no probing for references), evaluators are refused outright, and the citizen's
//! phone and name reach only the staff handling the ticket and admins.

use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, QueryPairs};
use crate::native::{parse_reference, view, RequestView};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sahulat_domain::accounts::Role;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{self, Action, Actor, TicketState};
use sahulat_domain::messages;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{Priority, ServiceRequest, Status};
use sahulat_domain::store::{ActionWrite, HistoryEntry, NewMessage, TicketFilter, TicketSort};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets", get(queue))
        .route("/staff/tickets/{reference}", get(ticket))
        .route("/staff/tickets/{reference}/actions", post(act))
        .route("/staff/tickets/{reference}/comments", post(comment))
}

pub(crate) fn state_of(r: &ServiceRequest) -> TicketState<'_> {
    TicketState {
        status: r.status,
        district: &r.district,
        department: r.department.as_deref(),
        closed_at: r.closed_at,
    }
}

pub(crate) fn no_evaluators(signed: &Signed) -> Result<Actor, ApiError> {
    if signed.user.role == Role::Evaluator {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "evaluators see aggregates only, never individual tickets",
        ));
    }
    Ok(signed.user.actor())
}

/// Loads a ticket the caller may see; anything else is "not found".
pub(crate) async fn visible(
    st: &AppState,
    actor: &Actor,
    reference: &str,
) -> Result<ServiceRequest, ApiError> {
    let reference = parse_reference(reference)?;
    let missing =
        || ApiError::not_found(format!("no ticket {} in your queue", reference.grouped()));
    let r = st
        .store
        .request_by_reference(reference.as_str())
        .await?
        .ok_or_else(missing)?;
    if !actor.can_see(&state_of(&r)) {
        return Err(missing());
    }
    Ok(r)
}

/// A line of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSummary {
    /// Reference.
    pub reference: String,
    /// Service code.
    pub service_code: String,
    /// Status.
    pub status: String,
    /// Priority.
    pub priority: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Due.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Past due and still open.
    pub overdue: bool,
    /// People who reported it.
    pub reporters: i32,
    /// Triage flags.
    pub flags: Vec<String>,
    /// The start of the description.
    pub summary: String,
    /// Received.
    pub created_at: DateTime<Utc>,
}

/// The queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    /// Tickets in scope per status (all, not only this page).
    #[schema(value_type = Object)]
    pub counts: BTreeMap<String, i64>,
    /// This page.
    pub tickets: Vec<TicketSummary>,
}

pub(crate) fn filter(q: &QueryPairs, now: DateTime<Utc>) -> Result<TicketFilter, ApiError> {
    let mut f = TicketFilter {
        limit: 50,
        ..Default::default()
    };
    // By default a queue is the work still to do; `status=all` shows closed tickets too.
    if q.get("status").is_none() {
        f.statuses = sahulat_domain::store::OPEN_STATUSES
            .iter()
            .copied()
            .filter(|s| *s != Status::Submitted)
            .collect();
    }
    if let Some(s) = q.get("status").filter(|s| *s != "all") {
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            f.statuses.push(Status::parse(w).ok_or_else(|| {
                ApiError::bad_param(
                    "status",
                    format!("{w:?} is not one of {}", Status::accepted()),
                )
            })?);
        }
    }
    if let Some(p) = q.get("priority") {
        f.priority = Some(Priority::parse(p).ok_or_else(|| {
            ApiError::bad_param(
                "priority",
                format!("{p:?} is not one of {}", Priority::accepted()),
            )
        })?);
    }
    f.service = q.get("service").map(str::to_string);
    f.tehsil = q.get("tehsil").map(str::to_string);
    match q.get("overdue") {
        None | Some("false") => {}
        Some("true") => f.overdue_at = Some(now),
        Some(o) => {
            return Err(ApiError::bad_param(
                "overdue",
                format!("{o:?} is not true or false"),
            ))
        }
    }
    f.sort = match q.get("sort") {
        None | Some("due") => TicketSort::Due,
        Some("priority") => TicketSort::Priority,
        Some("newest") => TicketSort::Newest,
        Some(s) => {
            return Err(ApiError::bad_param(
                "sort",
                format!("{s:?} is not due, priority or newest"),
            ))
        }
    };
    let num = |name: &str, max: u32| -> Result<Option<u32>, ApiError> {
        q.get(name)
            .map(|v| {
                v.parse::<u32>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    ApiError::bad_param(name, format!("must be a whole number up to {max}"))
                })
            })
            .transpose()
    };
    f.limit = num("limit", 200)?.unwrap_or(50).max(1);
    f.offset = num("offset", 1_000_000)?.unwrap_or(0);
    Ok(f)
}

/// The caller's queue: their department's tickets (staff), their district's (coordinators),
/// all (admins); with filters, sort and counts per status.
#[utoipa::path(get, path = "/api/v1/staff/tickets", tag = "staff",
    params(("status" = Option<String>, Query, description = "comma list"), ("priority" = Option<String>, Query), ("service" = Option<String>, Query),
        ("tehsil" = Option<String>, Query), ("overdue" = Option<bool>, Query), ("sort" = Option<String>, Query, description = "due (default), priority, newest"),
        ("limit" = Option<u32>, Query), ("offset" = Option<u32>, Query)),
    responses((status = 200, body = Queue), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
pub(crate) async fn queue(
    State(st): State<AppState>,
    signed: Signed,
    q: QueryPairs,
) -> Result<Json<Queue>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let now = st.clock.now();
    let f = filter(&q, now)?;
    let scope = actor.scope();
    let rows = st.store.list_tickets(&scope, &f).await?;
    let counts = st
        .store
        .ticket_counts(&scope)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), n))
        .collect();
    let tickets = rows
        .into_iter()
        .map(|r| TicketSummary {
            overdue: r.status.is_open() && r.sla_due_at.is_some_and(|d| d < now),
            summary: r.description.chars().take(140).collect(),
            reference: r.reference,
            service_code: r.service_code,
            status: r.status.as_str().into(),
            priority: r.priority.as_str().into(),
            tehsil: r.tehsil,
            department: r.department,
            sla_due_at: r.sla_due_at,
            reporters: r.reporters,
            flags: r.triage_flags,
            created_at: r.created_at,
        })
        .collect();
    Ok(Json(Queue { counts, tickets }))
}

/// A history entry as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// Status after the step.
    pub status: String,
    /// Seen by the citizen.
    pub public: bool,
    /// What happened.
    pub description: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The reporter, for a call back.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    /// E.164 mobile number.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A ticket with everything staff need.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    /// The public record.
    pub ticket: RequestView,
    /// Department code.
    pub department_code: Option<String>,
    /// Triage flags.
    pub flags: Vec<String>,
    /// People who reported it.
    pub reporters: i32,
    /// Escalation level.
    pub escalation_level: i32,
    /// Acknowledge by.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// Full history, internal entries included.
    pub history: Vec<HistoryView>,
    /// References of tickets marked duplicate of this one.
    pub duplicates: Vec<String>,
    /// The reporter (only for the staff handling it and admins).
    pub contact: Option<ContactView>,
}

pub(crate) async fn detail(
    st: &AppState,
    actor: &Actor,
    r: &ServiceRequest,
) -> Result<TicketDetail, ApiError> {
    let history = st
        .store
        .history(r.id)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            status: h.entry.status.as_str().into(),
            public: h.entry.public,
            description: h.entry.description,
            actor: h.entry.actor,
            at: h.at,
        })
        .collect();
    let duplicates = st
        .store
        .duplicates_of(r.id)
        .await?
        .into_iter()
        .map(|d| d.reference)
        .collect();
    let contact = if actor.can_see_contact(&state_of(r)) {
        st.store.contact(r.id).await?.map(|c| ContactView {
            phone: c.phone.map(|p| p.e164().to_string()),
            name: c.name,
            email: c.email,
        })
    } else {
        None
    };
    Ok(TicketDetail {
        ticket: view(&st.catalogue, r, None),
        department_code: r.department.clone(),
        flags: r.triage_flags.clone(),
        reporters: r.reporters,
        escalation_level: r.escalation_level,
        ack_due_at: r.ack_due_at,
        history,
        duplicates,
        contact,
    })
}

/// One ticket, with its history, duplicates and (for the staff handling it) the reporter's phone.
#[utoipa::path(get, path = "/api/v1/staff/tickets/{reference}", tag = "staff", params(("reference" = String, Path)),
    responses((status = 200, body = TicketDetail), (status = 401, body = ErrorEnvelope), (status = 404, description = "Unknown or not yours", body = ErrorEnvelope)))]
pub(crate) async fn ticket(
    State(st): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
) -> Result<Json<TicketDetail>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let r = visible(&st, &actor, &reference).await?;
    Ok(Json(detail(&st, &actor, &r).await?))
}

/// An action on a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// acknowledge, start, resolve, close_not_fixed, not_responsible, refer, mark_duplicate, reject, reopen.
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
}

const ACTIONS: &str = "acknowledge, start, resolve, close_not_fixed, not_responsible, refer, mark_duplicate, reject, reopen";

fn parse_action(b: &ActionRequest) -> Result<Action, ApiError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(match b.action.as_str() {
        "acknowledge" => Action::Acknowledge,
        "start" => Action::Start,
        "resolve" => Action::Resolve {
            note: text(&b.note),
        },
        "close_not_fixed" => Action::CloseNotFixed {
            reason: text(&b.reason),
        },
        "not_responsible" => Action::NotResponsible {
            responsible: text(&b.responsible),
        },
        "refer" => Action::Refer {
            to_department: text(&b.to_department),
            reason: text(&b.reason),
        },
        "mark_duplicate" => Action::MarkDuplicate { of: text(&b.of) },
        "reject" => Action::Reject {
            reason: text(&b.reason),
        },
        "reopen" => Action::Reopen {
            reason: text(&b.reason),
        },
        other => {
            return Err(ApiError::from(sahulat_domain::Error::field(
                "action",
                format!("{other:?} is not one of {ACTIONS}"),
            )))
        }
    })
}

fn refusal(e: lifecycle::Refusal) -> ApiError {
    match e {
        lifecycle::Refusal::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
        lifecycle::Refusal::Missing { field, .. } => {
            ApiError::from(sahulat_domain::Error::field(field, e.to_string()))
        }
        other => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "illegal_transition",
            other.to_string(),
        ),
    }
}

/// Take a lifecycle action; the audit row, the new status and the citizen's SMS are written
/// together, and only if the ticket is still in the status the caller saw.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/actions", tag = "staff", params(("reference" = String, Path)), request_body = ActionRequest,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, description = "Changed meanwhile; reload", body = ErrorEnvelope), (status = 422, description = "Illegal transition or missing text", body = ErrorEnvelope)))]
pub(crate) async fn act(
    State(st): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: JsonBody<ActionRequest>,
) -> Result<Json<TicketDetail>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let r = perform(&st, &signed, &reference, &body.value, None).await?;
    Ok(Json(detail(&st, &actor, &r).await?))
}

/// Checks and writes one action (shared by the JSON API and the staff pages). `seen` is the
/// status the caller's page showed; if the ticket has moved on since, the answer is 409.
pub(crate) async fn perform(
    st: &AppState,
    signed: &Signed,
    reference: &str,
    body: &ActionRequest,
    seen: Option<Status>,
) -> Result<ServiceRequest, ApiError> {
    let actor = no_evaluators(signed)?;
    let r = visible(st, &actor, reference).await?;
    if seen.is_some_and(|s| s != r.status) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the ticket changed while you were looking at it; reload and try again",
        ));
    }
    let action = parse_action(body)?;
    let now = st.clock.now();
    let to = lifecycle::plan(&actor, &state_of(&r), &action, now).map_err(refusal)?;
    let cat = &st.catalogue;
    let mut write = ActionWrite {
        request_id: r.id,
        from: r.status,
        to,
        department: None,
        duplicate_of: None,
        history: Vec::new(),
        messages: Vec::new(),
        notify_resolved: false,
    };
    let (detail_text, public_text, note) = match &action {
        Action::Acknowledge => (
            "acknowledged".to_string(),
            Some("Seen by the department.".to_string()),
            String::new(),
        ),
        Action::Start => (
            "work started".into(),
            Some("Work has started.".into()),
            String::new(),
        ),
        Action::Resolve { note } => {
            write.notify_resolved = true;
            (
                format!("resolved: {note}"),
                Some(format!("Resolved: {note}")),
                note.clone(),
            )
        }
        Action::CloseNotFixed { reason } => (
            format!("closed without a fix: {reason}"),
            Some(format!("Closed without a fix: {reason}")),
            reason.clone(),
        ),
        Action::NotResponsible { responsible } => (
            format!("not ours; responsible: {responsible}"),
            Some(format!(
                "Not a Sahulat department's work; responsible: {responsible}"
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
                    ApiError::from(sahulat_domain::Error::field(
                        "to_department",
                        format!("{to_department:?} is not a department of this district"),
                    ))
                })?;
            if r.department.as_deref() == Some(dept.code.as_str()) {
                return Err(ApiError::from(sahulat_domain::Error::field(
                    "to_department",
                    "the ticket is already with this department",
                )));
            }
            write.department = Some(dept.code.clone());
            (
                format!(
                    "referred from {} to {}: {reason}",
                    r.department.as_deref().unwrap_or("-"),
                    dept.code
                ),
                Some(format!("Sent to {}.", dept.names.en)),
                String::new(),
            )
        }
        Action::MarkDuplicate { of } => {
            let original = visible(st, &actor, of).await.map_err(|_| {
                ApiError::from(sahulat_domain::Error::field(
                    "of",
                    format!("{of:?} is not a ticket in your queue"),
                ))
            })?;
            if original.id == r.id || !original.status.is_open() {
                return Err(ApiError::from(sahulat_domain::Error::field(
                    "of",
                    "must be another ticket that is still open",
                )));
            }
            write.duplicate_of = Some(original.id);
            let grouped = Reference::parse(&original.reference)
                .map(|x| x.grouped())
                .unwrap_or(original.reference.clone());
            (
                format!("duplicate of {grouped}"),
                Some(format!("Same problem as {grouped}.")),
                grouped,
            )
        }
        Action::Reject { reason } => (format!("rejected: {reason}"), None, String::new()),
        Action::Reopen { reason } => (
            format!("reopened: {reason}"),
            Some(format!("Reopened: {reason}")),
            String::new(),
        ),
    };
    write.history.push(HistoryEntry {
        status: to,
        public: false,
        description: format!("{} → {}: {detail_text}", r.status, to),
        actor: signed.user.username.clone(),
    });
    if let Some(text) = public_text {
        write.history.push(HistoryEntry {
            status: to,
            public: true,
            description: text,
            actor: signed.user.username.clone(),
        });
    }
    if !matches!(to, Status::Resolved | Status::Rejected) {
        if let Some(phone) = st.store.contact(r.id).await?.and_then(|c| c.phone) {
            let lang: Lang = r.language;
            let dept_code = write.department.clone().or(r.department.clone());
            let dept = dept_code
                .as_deref()
                .and_then(|d| cat.department(d))
                .map(|d| d.names.get(lang).to_string())
                .unwrap_or_default();
            let reference = Reference::parse(&r.reference)
                .map(|x| x.grouped())
                .unwrap_or(r.reference.clone());
            write.messages.push(NewMessage {
                request_id: Some(r.id),
                recipient_kind: "citizen".into(),
                recipient: phone.e164().to_string(),
                language: lang.code().into(),
                body: messages::text(
                    lang,
                    "sms-status",
                    &[
                        ("ref", reference),
                        ("status", to.as_str().to_string()),
                        ("dept", dept),
                        ("note", note),
                    ],
                ),
                dedupe_key: format!("status:{}:{}:{}", r.id, to.as_str(), now.timestamp_micros()),
            });
        }
    }
    if !st.store.apply_action(&write, now).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the ticket changed while you were looking at it; reload and try again",
        ));
    }
    st.store
        .request_by_id(r.id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// The text (3–2000 characters).
    pub text: String,
    /// Shown to the citizen (true) or staff-only (false, the default).
    #[serde(default)]
    pub public: bool,
}

/// Add a staff-only comment or a public update.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/comments", tag = "staff", params(("reference" = String, Path)), request_body = CommentRequest,
    responses((status = 201, body = TicketDetail), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn comment(
    State(st): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: JsonBody<CommentRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), ApiError> {
    let actor = no_evaluators(&signed)?;
    let r = add_comment(&st, &signed, &reference, &body.value).await?;
    Ok((StatusCode::CREATED, Json(detail(&st, &actor, &r).await?)))
}

/// Adds a comment (shared by the JSON API and the pages).
pub(crate) async fn add_comment(
    st: &AppState,
    signed: &Signed,
    reference: &str,
    body: &CommentRequest,
) -> Result<ServiceRequest, ApiError> {
    let actor = no_evaluators(signed)?;
    let r = visible(st, &actor, reference).await?;
    let text = body.text.trim();
    let n = text.chars().count();
    if !(3..=2000).contains(&n) {
        return Err(ApiError::from(sahulat_domain::Error::field(
            "text",
            format!("must be 3 to 2000 characters (it has {n})"),
        )));
    }
    let entry = HistoryEntry {
        status: r.status,
        public: body.public,
        description: text.to_string(),
        actor: signed.user.username.clone(),
    };
    st.store.add_comment(r.id, &entry, st.clock.now()).await?;
    Ok(r)
}
