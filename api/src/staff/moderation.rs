//! Moderation: a coordinator (of the ticket's district) or an admin hides a description that
//! names a private person from every public view, keeping the request itself; or shows it
//! again. Audited. (Spam and abuse are rejected with the `reject` action, which hides the
//! description, the address and the place.)

use super::ticket::{detail, TicketDetail};
use crate::access::{no_evaluators, visible};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::{Path, State};
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
    params(("reference" = String, Path)), request_body = DescriptionVisibility,
    responses((status = 200, body = TicketDetail), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn visibility(
    State(st): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: JsonBody<DescriptionVisibility>,
) -> Result<Json<TicketDetail>, ApiError> {
    let r = set_hidden(&st, &signed, &reference, body.value.hidden).await?;
    let actor = no_evaluators(&signed)?;
    Ok(Json(detail(&st, &actor, &r).await?))
}
