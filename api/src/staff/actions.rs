//! Lifecycle actions and comments on a ticket, shared by the staff JSON API and the staff
//! pages: the action is checked by the state machine (`sahulat_domain::lifecycle`), an optional
//! response template becomes the citizen's update in their language, and the audit rows, new
//! status and citizen SMS are written in one transaction conditional on the status seen.

use super::ticket::{detail, TicketDetail};
use crate::access::{no_evaluators, refusal, visible};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::lang::Lang;
use sahulat_domain::lifecycle::{self, Action, ActionForm, ActionInput};
use sahulat_domain::messages::Recipient;
use sahulat_domain::phone::Phone;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::Status;
use serde::Deserialize;
use utoipa::ToSchema;

/// An action on a ticket.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// acknowledge, start, resolve, close_not_fixed, not_responsible, refer, mark_duplicate, reject, reopen;
    /// coordinators also recategorise (with `service_code` and `reason`) and reprioritise (with
    /// `priority` and `reason`).
    #[schema(
        pattern = "^(?:acknowledge|start|resolve|close_not_fixed|not_responsible|refer|mark_duplicate|reject|reopen|recategorise|reprioritise)$"
    )]
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
    /// The service it really is (recategorise).
    #[serde(default)]
    pub service_code: Option<String>,
    /// low, normal, high or urgent (reprioritise).
    #[serde(default)]
    pub priority: Option<String>,
}

impl ActionRequest {
    /// The form as the domain reads it.
    fn form(&self) -> ActionForm {
        ActionForm {
            action: self.action.clone(),
            note: self.note.clone(),
            reason: self.reason.clone(),
            to_department: self.to_department.clone(),
            of: self.of.clone(),
            responsible: self.responsible.clone(),
            template: self.template.clone(),
        }
    }
}

/// Take a lifecycle action; the audit row, the new status and the citizen's SMS are written
/// together, and only if the ticket is still in the status the caller saw.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/actions", tag = "staff", params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = ActionRequest,
    responses((status = 200, body = TicketDetail),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`), or the body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 403, description = "This role may not take this action (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "No such ticket in your queue", body = ErrorEnvelope),
        (status = 409, description = "Not allowed from the ticket's status (`illegal_transition` names the statuses it is allowed from), or changed meanwhile; reload", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "Unknown action, a missing or invalid text, department, reference or template (`validation_failed` names it)", body = ErrorEnvelope)))]
pub(crate) async fn act(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(reference): PathParam<String>,
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
        return Err(changed());
    }
    if matches!(body.action.as_str(), "recategorise" | "reprioritise") {
        return correct(st, signed, &actor, &r, body).await;
    }
    let understood = lifecycle::understand(&st.catalogue, &body.form()).map_err(refusal)?;
    let original = match &understood.action {
        Action::MarkDuplicate { of } if !of.trim().is_empty() => visible(st, &actor, of).await.ok(),
        _ => None,
    };
    let recipients = recipients(st, &r).await?;
    let now = st.clock.now();
    let write = lifecycle::decide(
        &st.catalogue,
        &understood,
        ActionInput {
            actor: &actor,
            username: &signed.user.username,
            ticket: &r,
            original: original.as_ref(),
            recipients: &recipients,
            working_hours: &st.settings.working_hours,
            now,
        },
    )
    .map_err(refusal)?;
    if !st.store.apply_action(&write, now).await? {
        return Err(changed());
    }
    st.store
        .request_by_id(r.id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

/// A coordinator's correction of the ticket's service (routing, priority and SLA worked out
/// again) or priority, written only if the ticket is still as seen.
async fn correct(
    st: &AppState,
    signed: &Signed,
    actor: &lifecycle::Actor,
    r: &ServiceRequest,
    body: &ActionRequest,
) -> Result<ServiceRequest, ApiError> {
    let now = st.clock.now();
    let c = lifecycle::Correction {
        catalogue: &st.catalogue,
        working_hours: &st.settings.working_hours,
        actor,
        username: &signed.user.username,
        ticket: r,
        now,
    };
    let reason = body.reason.as_deref().unwrap_or("");
    let write = match body.action.as_str() {
        "recategorise" => lifecycle::recategorise(
            c,
            &st.lexicon,
            body.service_code.as_deref().unwrap_or(""),
            reason,
        ),
        _ => lifecycle::reprioritise(c, body.priority.as_deref().unwrap_or(""), reason),
    }
    .map_err(refusal)?;
    if !st.store.reclassify(&write, now).await? {
        return Err(changed());
    }
    st.store
        .request_by_id(r.id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

/// Who is told of a status change: the reporter and everyone who added their voice, each in
/// their language (a duplicate's reporter hears when the original is resolved).
pub(crate) async fn recipients(
    st: &AppState,
    r: &ServiceRequest,
) -> Result<Vec<Recipient>, ApiError> {
    Ok(st
        .store
        .reporters(r.id)
        .await?
        .into_iter()
        .filter(|x| x.request_id == r.id)
        .filter_map(|x| {
            Some(Recipient {
                phone: Phone::from_e164_unchecked(x.phone?),
                lang: Lang::parse(&x.language).unwrap_or(r.language),
                key: x.voice_id.map(|v| format!(":v{v}")).unwrap_or_default(),
            })
        })
        .collect())
}

fn changed() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "the ticket changed while you were looking at it; reload and try again",
    )
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// The text (3–2000 characters).
    #[schema(schema_with = crate::openapi_types::comment_text)]
    pub text: String,
    /// Shown to the citizen (true) or staff-only (false, the default).
    #[serde(default)]
    pub public: bool,
}

/// Add a staff-only comment or a public update.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/comments", tag = "staff", params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = CommentRequest,
    responses((status = 201, body = TicketDetail),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`), or the body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "No such ticket in your queue", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "`text` missing or not 3–2000 characters, or a field of the wrong type", body = ErrorEnvelope)))]
pub(crate) async fn comment(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(reference): PathParam<String>,
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
    let entry = HistoryEntry::comment(r.status, &signed.user.username, &body.text, body.public)?;
    st.store.add_comment(r.id, &entry, st.clock.now()).await?;
    Ok(r)
}
