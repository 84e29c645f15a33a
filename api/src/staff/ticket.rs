//! One ticket as staff see it: full history (internal entries too), duplicates, photos
//! (hidden ones too), the citizen's ratings, the response templates that fit, and the
//! reporter's contact for the staff handling it.

use crate::access::{no_evaluators, visible};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::PathParam;
use crate::state::AppState;
use crate::views::{staff_view, view, RequestView, StaffPhotoView};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use sahulat_domain::lifecycle::{state_of, Actor};
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::templates;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Response templates for this ticket's service, with the citizen's text in their language.
    pub templates: Vec<TemplateView>,
    /// The citizen's ratings of each closing, oldest first.
    pub ratings: Vec<RatingEntry>,
    /// Photos, hidden ones included (served under `/staff/media/`).
    pub photos: Vec<StaffPhotoView>,
}

/// A citizen's rating of one closing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingEntry {
    /// 1 (very poor) to 5 (very good).
    pub rating: u8,
    /// The citizen's words.
    pub comment: Option<String>,
    /// How the rated closing ended.
    pub closed_status: String,
    /// Whether the rating reopened the ticket.
    pub reopened: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// A response template offered for a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    /// Send this as `template` with the action.
    pub id: String,
    /// The status it is for (pick the action that leads there).
    pub status: String,
    /// Short label (English, Urdu, Sindhi).
    #[schema(value_type = Object)]
    pub title: serde_json::Value,
    /// What the citizen will read, in the ticket's language.
    pub citizen_text: String,
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
    let photos = st
        .store
        .photos(r.id)
        .await?
        .iter()
        .map(staff_view)
        .collect();
    let ratings = st
        .store
        .ratings(r.id)
        .await?
        .into_iter()
        .map(|x| RatingEntry {
            rating: x.rating,
            comment: x.comment,
            closed_status: x.closed_status.as_str().into(),
            reopened: x.reopened,
            at: x.at,
        })
        .collect();
    let lang = r.language;
    let dept = r
        .department
        .as_deref()
        .and_then(|d| st.catalogue.department(d))
        .map(|d| d.names.get(lang).to_string())
        .unwrap_or_default();
    let templates = templates::TEMPLATE_STATUSES
        .iter()
        .flat_map(|&s| templates::for_ticket(&st.catalogue.templates, &r.service_code, s))
        .map(|t| TemplateView {
            id: t.id.clone(),
            status: t.status.as_str().into(),
            title: serde_json::json!({"en": t.title.en, "ur": t.title.ur, "sd": t.title.sd}),
            citizen_text: t.render(lang, &dept),
        })
        .collect();
    Ok(TicketDetail {
        ticket: view(&st.catalogue, r, None, None),
        department_code: r.department.clone(),
        flags: r.triage_flags.clone(),
        reporters: r.reporters,
        escalation_level: r.escalation_level,
        ack_due_at: r.ack_due_at,
        history,
        duplicates,
        contact,
        templates,
        ratings,
        photos,
    })
}

/// One ticket, with its history, duplicates and (for the staff handling it) the reporter's phone.
#[utoipa::path(get, path = "/api/v1/staff/tickets/{reference}", tag = "staff", params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")),
    responses((status = 200, body = TicketDetail),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`)", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "Unknown or not yours", body = ErrorEnvelope)))]
pub(crate) async fn ticket(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(reference): PathParam<String>,
) -> Result<Json<TicketDetail>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let r = visible(&st, &actor, &reference).await?;
    Ok(Json(detail(&st, &actor, &r).await?))
}
