//! Moderation: a coordinator (of the ticket's district) or an admin hides a description that
//! names a private person from every public view, keeping the request itself; or shows it
//! again. Audited. (Spam and abuse are rejected with the `reject` action, which hides the
//! description, the address and the place.)

use super::ticket::{detail, TicketDetail};
use crate::access::{no_evaluators, visible};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::lifecycle::Actor;
use sahulat_domain::request::ServiceRequest;
use serde::Deserialize;
use utoipa::ToSchema;

/// Hide or show a description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescriptionVisibility {
    /// true: hidden from the public; false: shown again.
    pub hidden: bool,
}

/// Hides or shows `reference`'s description (shared by the API and the ticket page).
pub(crate) async fn set_hidden(
    st: &AppState,
    signed: &Signed,
    reference: &str,
    hidden: bool,
) -> Result<ServiceRequest, ApiError> {
    let actor = no_evaluators(signed)?;
    let r = visible(st, &actor, reference).await?;
    if !matches!(actor, Actor::Admin | Actor::Coordinator { .. }) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the district coordinator may hide or show a description",
        ));
    }
    let entry = HistoryEntry::internal(
        r.status,
        &signed.user.username,
        if hidden {
            "description hidden from the public (it names a private person)"
        } else {
            "description shown to the public again"
        },
    );
    st.store
        .set_description_hidden(r.id, hidden, &entry, st.clock.now())
        .await?;
    st.store
        .request_by_id(r.id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

/// Hide a description that names a private person from every public view (coordinators of
/// the district and admins), or show it again; audited.
#[utoipa::path(post, path = "/api/v1/staff/tickets/{reference}/description/visibility", tag = "staff",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = DescriptionVisibility,
    responses((status = 200, body = TicketDetail),
        (status = 400, description = "Not a reference or a digit is mistyped (`fields.reference`), or the body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 403, description = "Only coordinators and admins hide a description; evaluators have no tickets", body = ErrorEnvelope),
        (status = 404, description = "No such ticket in your reach", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "`hidden` missing or not a boolean", body = ErrorEnvelope)))]
pub(crate) async fn visibility(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(reference): PathParam<String>,
    body: JsonBody<DescriptionVisibility>,
) -> Result<Json<TicketDetail>, ApiError> {
    let r = set_hidden(&st, &signed, &reference, body.value.hidden).await?;
    let actor = no_evaluators(&signed)?;
    Ok(Json(detail(&st, &actor, &r).await?))
}
