//! The staff inbox in the JSON API: the messages the worker addressed to the caller's
//! department (new tickets routed to it, escalations, citizens' reopens and poor ratings) or,
//! for a coordinator, to their district's desk; unread counts; marking a message read.

use crate::access::{addressees, no_evaluators};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{PathParam, QueryPairs};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use sahulat_store::InboxItem;
use serde::Serialize;
use utoipa::ToSchema;

/// A message in the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxMessage {
    /// Id (to mark it read).
    pub id: i64,
    /// The ticket it is about.
    pub reference: Option<String>,
    /// `department` or `coordinator`.
    pub addressed_to: String,
    /// The department or desk code.
    pub recipient: String,
    /// The text.
    pub text: String,
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// Whether you have read it.
    pub read: bool,
}

/// The inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    /// Messages you have not read (all, not only this page).
    pub unread: i64,
    /// The newest messages.
    pub messages: Vec<InboxMessage>,
}

pub(crate) fn message(i: InboxItem) -> InboxMessage {
    InboxMessage {
        id: i.id,
        reference: i.reference,
        addressed_to: i.recipient_kind,
        recipient: i.recipient,
        text: i.body,
        at: i.created_at,
        read: i.read,
    }
}

/// The caller's inbox.
#[utoipa::path(get, path = "/api/v1/staff/inbox", tag = "staff",
    params(("unread" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:true|false)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "true: unread messages only"),
        ("limit" = inline(Option<crate::openapi_types::InboxLimit>), Query, description = "1-200, default 50")),
    responses((status = 200, body = Inbox), (status = 400, description = "A query parameter is malformed or names no known value; `fields` names it", body = ErrorEnvelope), (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope)))]
pub(crate) async fn inbox(
    State(st): State<AppState>,
    signed: Signed,
    q: QueryPairs,
) -> Result<Json<Inbox>, ApiError> {
    no_evaluators(&signed)?;
    let unread_only = match q.get("unread") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_param(
                "unread",
                format!("{other:?} is not true or false"),
            ))
        }
    };
    let limit = match q.get("limit") {
        None => 50,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::bad_param("limit", "a whole number from 1 to 200"))?,
    };
    let to = addressees(&st.catalogue, &signed.user);
    let (items, unread) = tokio::try_join!(
        st.store.inbox(signed.user.id, &to, unread_only, limit),
        st.store.inbox_unread(signed.user.id, &to)
    )?;
    Ok(Json(Inbox {
        unread,
        messages: items.into_iter().map(message).collect(),
    }))
}

/// Marks a message of the caller's inbox read.
#[utoipa::path(post, path = "/api/v1/staff/inbox/{id}/read", tag = "staff",
    params(("id" = i64, Path, description = "The message id")),
    responses((status = 204, description = "Read"),
        (status = 400, description = "`id` is not a whole number", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope),
        (status = 404, description = "Not a message of your inbox", body = ErrorEnvelope)))]
pub(crate) async fn read(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(id): PathParam<i64>,
) -> Result<StatusCode, ApiError> {
    no_evaluators(&signed)?;
    let to = addressees(&st.catalogue, &signed.user);
    match st
        .store
        .mark_inbox_read(signed.user.id, id, &to, st.clock.now())
        .await?
    {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!(
            "no message {id} in your inbox"
        ))),
    }
}
