//! Lifecycle actions and comments on a ticket, shared by the staff JSON API and the staff
//! pages: the action is checked by the state machine (`sahulat_domain::lifecycle`), an optional
//! response template becomes the citizen's update in their language, and the audit rows, new
//! status and citizen SMS are written in one transaction conditional on the status seen.

use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::staff::{detail, no_evaluators, state_of, visible, TicketDetail};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{self, Action};
use sahulat_domain::messages;
use sahulat_domain::phone::Phone;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{ServiceRequest, Status};
use sahulat_domain::store::{ActionWrite, HistoryEntry, NewMessage};
use sahulat_domain::templates;
use serde::Deserialize;
use utoipa::ToSchema;

/// An action on a ticket.
#[derive(Debug, Clone, Deserialize, ToSchema)]
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
    /// A response template id (see `GET /api/v1/staff/tickets/{reference}/templates`): the
    /// citizen gets its text in their language; it also stands in for an empty note or reason.
    #[serde(default)]
    pub template: Option<String>,
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

pub(crate) fn refusal(e: lifecycle::Refusal) -> ApiError {
    match e {
        lifecycle::Refusal::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
        lifecycle::Refusal::Missing { field, .. } => {
            ApiError::from(sahulat_domain::Error::field(field, e.to_string()))
        }
        lifecycle::Refusal::WindowPassed { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reopen_window_passed",
            e.to_string(),
        ),
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
    let cat = &st.catalogue;
    let template = match body.template.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(id) => Some(cat.templates.iter().find(|t| t.id == id).ok_or_else(|| {
            ApiError::from(sahulat_domain::Error::field(
                "template",
                format!("{id:?} is not a response template; list them at /api/v1/staff/tickets/{{reference}}/templates"),
            ))
        })?),
    };
    let mut body = body.clone();
    if let Some(t) = template {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|x| x.trim().is_empty());
        if body.action == "resolve" && blank(&body.note) {
            body.note = Some(t.text.en.clone());
        }
        if body.action == "close_not_fixed" && blank(&body.reason) {
            body.reason = Some(t.text.en.clone());
        }
    }
    let action = parse_action(&body)?;
    let now = st.clock.now();
    let to = lifecycle::plan(&actor, &state_of(&r), &action, now).map_err(refusal)?;
    if let Some(t) = template {
        if !t.fits(&r.service_code, to) {
            let fitting: Vec<&str> = templates::for_ticket(&cat.templates, &r.service_code, to)
                .iter()
                .map(|t| t.id.as_str())
                .collect();
            return Err(ApiError::from(sahulat_domain::Error::field(
                "template",
                format!(
                    "{:?} is for {} tickets moving to {}; for this ticket and action use one of: {}",
                    t.id,
                    t.service,
                    t.status,
                    if fitting.is_empty() { "none".to_string() } else { fitting.join(", ") }
                ),
            )));
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
            .then(|| crate::citizen::restart(st, &r, now)),
        closed_at: None,
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
    let lang: Lang = r.language;
    let dept_name = write
        .department
        .clone()
        .or(r.department.clone())
        .as_deref()
        .and_then(|d| cat.department(d))
        .map(|d| d.names.get(lang).to_string())
        .unwrap_or_default();
    let templated = template.map(|t| t.render(lang, &dept_name));
    let public_text = templated.clone().or(public_text);
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
            let (id, args) = match templated {
                Some(text) => ("sms-update", vec![("text", text)]),
                None => (
                    "sms-status",
                    vec![
                        ("status", to.as_str().to_string()),
                        ("dept", dept_name),
                        ("note", note),
                    ],
                ),
            };
            let key = format!("status:{}:{}:{}", r.id, to.as_str(), now.timestamp_micros());
            write.messages.push(citizen_sms(&r, &phone, id, args, key));
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

/// An SMS to the reporter of `r`, in the language of the report, with its grouped reference
/// as `ref` besides `args`.
pub(crate) fn citizen_sms(
    r: &ServiceRequest,
    phone: &Phone,
    id: &str,
    mut args: Vec<(&'static str, String)>,
    dedupe_key: String,
) -> NewMessage {
    let reference = Reference::parse(&r.reference)
        .map(|x| x.grouped())
        .unwrap_or(r.reference.clone());
    args.push(("ref", reference));
    NewMessage {
        request_id: Some(r.id),
        recipient_kind: "citizen".into(),
        recipient: phone.e164().to_string(),
        language: r.language.code().into(),
        body: messages::text(r.language, id, &args),
        dedupe_key,
    }
}
