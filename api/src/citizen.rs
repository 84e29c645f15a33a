//! The citizen's own actions on a closed report, under `/api/v1/requests/{reference}/`:
//! `reopen` (not really fixed, within the reopen window) and `rating` (1–5; a poor rating
//! reopens it too). The proof is the phone number the report was made with — what a USSD
//! gateway or an SMS link carries — compared with the sealed contact; repeated wrong numbers
//! for one report are slowed down. A report merged as a duplicate acts on its original.

use crate::access::{proven, refusal, ProvenReport};
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam};
use crate::state::AppState;
use crate::views::{view, RequestView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use sahulat_domain::citizen::{self, NotRatable, Rating};
use sahulat_domain::request::ServiceRequest;
use sahulat_store::RateOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests/{reference}/reopen", post(reopen))
        .route("/requests/{reference}/rating", post(rate))
}

/// Reopen a closed report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    /// The mobile number the report was made with (any usual spelling: 0300 1234567, +92…).
    #[schema(schema_with = crate::openapi_types::phone)]
    pub phone: String,
    /// What is still wrong (at least 3 characters; staff-only).
    #[schema(schema_with = crate::openapi_types::reason)]
    pub reason: String,
}

/// Rate how a closed report was handled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The mobile number the report was made with.
    #[schema(schema_with = crate::openapi_types::phone)]
    pub phone: String,
    /// 1 (very poor) to 5 (very good); 1 or 2 reopens the report within the reopen window.
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub rating: i64,
    /// Optional words (at most 500 characters; staff-only).
    #[serde(default)]
    #[schema(schema_with = crate::openapi_types::rating_comment)]
    pub comment: Option<String>,
    /// `web`, `ussd` or `api` (default `api`).
    #[serde(default)]
    #[schema(schema_with = crate::openapi_types::citizen_channel)]
    pub channel: Option<String>,
}

/// What a rating did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    /// The rating stored.
    pub rating: u8,
    /// Whether it reopened the report.
    pub reopened: bool,
    /// The report now.
    pub request: RequestView,
}

fn changed() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "the report changed at the same moment; look at its status and try again",
    )
}

/// Reopen a closed report that is not really fixed (the reporter only, within the window).
#[utoipa::path(post, path = "/api/v1/requests/{reference}/reopen", tag = "requests",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = ReopenRequest,
    responses(
        (status = 200, description = "Open again, with a fresh due time; the department sees it in its queue", body = RequestView),
        (status = 400, description = "Not a reference or a digit is mistyped (`bad_request`, `fields.reference`), or the body is not JSON (`malformed_json`)", body = ErrorEnvelope),
        (status = 403, description = "Not the phone number the report was made with (`not_the_reporter`), or the report has none (`no_phone_on_record`)", body = ErrorEnvelope),
        (status = 404, description = "No request has this reference", body = ErrorEnvelope),
        (status = 409, description = "The report is still open or not reopenable (`illegal_transition`), or changed meanwhile", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "A field is missing, of the wrong type or invalid (phone, reason), or the window passed (`reopen_window_passed`)", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong phone numbers for this report (`Retry-After`)", body = ErrorEnvelope),
    ))]
pub(crate) async fn reopen(
    State(st): State<AppState>,
    PathParam(reference): PathParam<String>,
    body: JsonBody<ReopenRequest>,
) -> Result<Json<RequestView>, ApiError> {
    let b = body.value;
    let p = proven(&st, &reference, &b.phone).await?;
    let t = reopen_proven(&st, &p, &b.reason).await?;
    Ok(Json(view(&st.catalogue, &t, None, None)))
}

/// Reopens the proven reporter's ticket (shared by the API and the track page).
pub(crate) async fn reopen_proven(
    st: &AppState,
    p: &ProvenReport,
    reason: &str,
) -> Result<ServiceRequest, ApiError> {
    let now = st.clock.now();
    let policy = st.settings.policy(&st.catalogue);
    let w = citizen::reopen(policy, p.as_proven(), reason, now).map_err(refusal)?;
    if !st.store.apply_action(&w, now).await? {
        return Err(changed());
    }
    st.store
        .request_by_id(p.ticket.id)
        .await?
        .ok_or_else(changed)
}

/// Rate how a closed report was handled; 1 or 2 reopens it within the reopen window.
#[utoipa::path(post, path = "/api/v1/requests/{reference}/rating", tag = "requests",
    params(("reference" = inline(crate::openapi_types::ReferenceText), Path, description = "Nine-digit reference")), request_body = RatingRequest,
    responses(
        (status = 201, body = RatingView),
        (status = 400, description = "Not a reference or a digit is mistyped (`bad_request`, `fields.reference`), or the body is not JSON (`malformed_json`)", body = ErrorEnvelope),
        (status = 403, description = "Not the phone number the report was made with (`not_the_reporter`), or the report has none (`no_phone_on_record`)", body = ErrorEnvelope),
        (status = 404, description = "No request has this reference", body = ErrorEnvelope),
        (status = 409, description = "Not closed yet (`not_closed`), this closing was already rated (`already_rated`), or changed meanwhile (`conflict`)", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope),
        (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "A field is missing, of the wrong type or invalid (rating not 1-5, comment too long, channel, phone), or not a ratable report", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong phone numbers for this report (`Retry-After`)", body = ErrorEnvelope),
    ))]
pub(crate) async fn rate(
    State(st): State<AppState>,
    PathParam(reference): PathParam<String>,
    body: JsonBody<RatingRequest>,
) -> Result<(StatusCode, Json<RatingView>), ApiError> {
    let b = body.value;
    let rating = Rating::new(b.rating)?;
    let comment = citizen::comment(b.comment.as_deref())?;
    let channel = match b.channel.as_deref().unwrap_or("api") {
        c @ ("web" | "ussd" | "api") => c.to_string(),
        other => {
            return Err(ApiError::from(sahulat_domain::Error::field(
                "channel",
                format!("{other:?} is not one of web, ussd, api"),
            )))
        }
    };
    let p = proven(&st, &reference, &b.phone).await?;
    let (reopened, t) = rate_proven(&st, &p, rating, comment, &channel).await?;
    Ok((
        StatusCode::CREATED,
        Json(RatingView {
            rating: rating.value(),
            reopened,
            request: view(&st.catalogue, &t, None, None),
        }),
    ))
}

/// Stores the proven reporter's rating of the ticket's last closing, and the reopen a poor
/// rating within the window causes (shared by the API and the track page): `(reopened, ticket)`.
pub(crate) async fn rate_proven(
    st: &AppState,
    p: &ProvenReport,
    rating: Rating,
    comment: Option<String>,
    channel: &str,
) -> Result<(bool, ServiceRequest), ApiError> {
    let now = st.clock.now();
    let policy = st.settings.policy(&st.catalogue);
    let mut w = citizen::rate(policy, p.as_proven(), rating, comment, channel, now).map_err(
        |e| match e {
            NotRatable::Rejected => ApiError::from(sahulat_domain::Error::field(
                "reference",
                "a report rejected as spam or abuse cannot be rated",
            )),
            NotRatable::NotClosed => ApiError::new(
                ErrorCode::NotClosed,
                "this report is still being worked on; it can be rated once it is closed",
            ),
        },
    )?;
    let mut reopened = w.reopen.is_some();
    let mut outcome = st.store.rate(&w, now).await?;
    if outcome == RateOutcome::Changed {
        // The ticket left that closing meanwhile (another reporter's poor rating reopened it,
        // or staff acted): the rating of the closing still stands, without a second reopen.
        w.reopen = None;
        w.entry
            .description
            .push_str(" (the ticket had already moved on)");
        reopened = false;
        outcome = st.store.rate(&w, now).await?;
    }
    match outcome {
        RateOutcome::Stored => {}
        RateOutcome::AlreadyRated => {
            return Err(ApiError::new(
                ErrorCode::AlreadyRated,
                "this report was already rated since it was closed",
            ))
        }
        RateOutcome::Changed => return Err(changed()),
    }
    metrics::counter!("sahulat_ratings_total", "rating" => rating.value().to_string()).increment(1);
    let t = st
        .store
        .request_by_id(p.ticket.id)
        .await?
        .ok_or_else(changed)?;
    Ok((reopened, t))
}
