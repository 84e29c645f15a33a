//! The citizen's own actions on a closed report, under `/api/v1/requests/{reference}/`:
//! `reopen` (not really fixed, within the reopen window) and `rating` (1–5; a poor rating
//! reopens it too). The proof is the phone number the report was made with — what a USSD
//! gateway or an SMS link carries — compared with the sealed contact; repeated wrong numbers
//! for one report are slowed down. A report merged as a duplicate acts on its original.

use crate::actions::{citizen_sms, refusal};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::native::{by_reference, view, RequestView};
use crate::staff::state_of;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sahulat_domain::citizen::{self, Rating};
use sahulat_domain::lifecycle::{self, Action, Actor};
use sahulat_domain::phone::Phone;
use sahulat_domain::request::{ServiceRequest, Status};
use sahulat_domain::sla;
use sahulat_domain::store::{ActionWrite, HistoryEntry, RateOutcome, RatingWrite, SlaRestart};
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
    pub phone: String,
    /// What is still wrong (3–2000 characters; staff-only).
    pub reason: String,
}

/// Rate how a closed report was handled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The mobile number the report was made with.
    pub phone: String,
    /// 1 (very poor) to 5 (very good); 1 or 2 reopens the report within the reopen window.
    pub rating: i64,
    /// Optional words (at most 500 characters; staff-only).
    #[serde(default)]
    pub comment: Option<String>,
    /// `web`, `ussd` or `api` (default `api`).
    #[serde(default)]
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

/// Loads the report, checks the phone, and returns (the report named, the ticket acted on,
/// the reporter's number).
pub(crate) async fn proven(
    st: &AppState,
    reference: &str,
    phone: &str,
) -> Result<(ServiceRequest, ServiceRequest, Phone), ApiError> {
    let r = by_reference(st, reference).await?;
    let given = Phone::parse(phone)
        .map_err(|e| ApiError::from(sahulat_domain::Error::field("phone", e.to_string())))?;
    let now = st.clock.now();
    // The try is counted before the comparison, so a burst of guesses in parallel gets no
    // more tries than guesses one after another; it is taken back unless the number is wrong.
    let attempt = st.proof_limiter.begin(r.id, now).map_err(|wait| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "too many wrong phone numbers for this report; try again in {} minutes",
                (wait + 59) / 60
            ),
        )
    })?;
    match st.store.contact(r.id).await?.and_then(|c| c.phone) {
        None => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "no_phone_on_record",
                "this report was made without a phone number, so it cannot be reopened or rated; please report the problem again",
            ));
        }
        Some(p) if p.e164() != given.e164() => {
            attempt.wrong();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_the_reporter",
                "the phone number does not match the one this report was made with",
            ));
        }
        Some(_) => drop(attempt),
    }
    let target = match (r.status, r.duplicate_of) {
        (Status::Duplicate, Some(original)) => st
            .store
            .request_by_id(original)
            .await?
            .ok_or_else(|| ApiError::not_found("the original report"))?,
        _ => r.clone(),
    };
    Ok((r, target, given))
}

/// The reopen write for `t`: fresh SLA, audit rows (the citizen's words stay internal), and an
/// SMS to the reporter (whose number was just proven) in their language.
fn reopen_write(
    st: &AppState,
    (reporter, phone): (&ServiceRequest, &Phone),
    t: &ServiceRequest,
    why: &str,
    now: DateTime<Utc>,
) -> ActionWrite {
    let mut w = ActionWrite {
        request_id: t.id,
        from: t.status,
        to: Status::Open,
        department: None,
        duplicate_of: None,
        history: vec![
            HistoryEntry {
                status: Status::Open,
                public: false,
                description: format!("{} → open: reopened by the citizen: {why}", t.status),
                actor: "citizen".into(),
            },
            HistoryEntry {
                status: Status::Open,
                public: true,
                description: "Reopened: the citizen says the problem is not fixed.".into(),
                actor: "citizen".into(),
            },
        ],
        messages: Vec::new(),
        notify_resolved: false,
        restart_sla: Some(restart(st, t, now)),
        closed_at: t.closed_at,
    };
    let dept = t
        .department
        .as_deref()
        .and_then(|d| st.catalogue.department(d))
        .map(|d| d.names.get(reporter.language).to_string())
        .unwrap_or_default();
    let args = vec![
        ("status", "open".to_string()),
        ("dept", dept),
        ("note", String::new()),
    ];
    let key = format!("reopen:{}:{}", t.id, now.timestamp_micros());
    w.messages
        .push(citizen_sms(reporter, phone, "sms-status", args, key));
    w
}

/// Fresh deadlines for a reopened ticket, counted from `now` with its service's SLA.
pub(crate) fn restart(st: &AppState, t: &ServiceRequest, now: DateTime<Utc>) -> SlaRestart {
    let hours = st
        .catalogue
        .service(&t.service_code)
        .map(|s| s.sla_hours.for_priority(t.priority))
        .unwrap_or(72);
    let wh = &st.settings.working_hours;
    SlaRestart {
        ack_due_at: sla::acknowledge_by(wh, now, t.priority, hours),
        sla_due_at: sla::due_at(wh, now, t.priority, hours),
    }
}

fn changed() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        "the report changed at the same moment; look at its status and try again",
    )
}

/// Reopen a closed report that is not really fixed (the reporter only, within the window).
#[utoipa::path(post, path = "/api/v1/requests/{reference}/reopen", tag = "requests",
    params(("reference" = String, Path, description = "Nine-digit reference")), request_body = ReopenRequest,
    responses(
        (status = 200, description = "Open again, with a fresh due time; the department sees it in its queue", body = RequestView),
        (status = 403, description = "Not the phone number the report was made with", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "Changed meanwhile", body = ErrorEnvelope),
        (status = 422, description = "Still open, not reopenable, window passed, or reason missing", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong phone numbers", body = ErrorEnvelope),
    ))]
pub(crate) async fn reopen(
    State(st): State<AppState>,
    Path(reference): Path<String>,
    body: JsonBody<ReopenRequest>,
) -> Result<Json<RequestView>, ApiError> {
    let b = body.value;
    let (reporter, t, phone) = proven(&st, &reference, &b.phone).await?;
    let now = st.clock.now();
    let action = Action::Reopen {
        reason: b.reason.trim().to_string(),
    };
    let actor = Actor::Citizen {
        reopen_days: st.settings.reopen_days,
    };
    lifecycle::plan(&actor, &state_of(&t), &action, now).map_err(refusal)?;
    let w = reopen_write(&st, (&reporter, &phone), &t, b.reason.trim(), now);
    if !st.store.apply_action(&w, now).await? {
        return Err(changed());
    }
    let t = st.store.request_by_id(t.id).await?.ok_or_else(changed)?;
    Ok(Json(view(&st.catalogue, &t, None)))
}

/// Rate how a closed report was handled; 1 or 2 reopens it within the reopen window.
#[utoipa::path(post, path = "/api/v1/requests/{reference}/rating", tag = "requests",
    params(("reference" = String, Path, description = "Nine-digit reference")), request_body = RatingRequest,
    responses(
        (status = 201, body = RatingView),
        (status = 403, description = "Not the phone number the report was made with", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "Not closed yet, or this closing was already rated", body = ErrorEnvelope),
        (status = 422, description = "Rating not 1-5, comment too long, or not a ratable report", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong phone numbers", body = ErrorEnvelope),
    ))]
pub(crate) async fn rate(
    State(st): State<AppState>,
    Path(reference): Path<String>,
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
    let (reporter, t, phone) = proven(&st, &reference, &b.phone).await?;
    let now = st.clock.now();
    let closed_at = match (t.status, t.closed_at) {
        (Status::Resolved | Status::ClosedNotFixed | Status::NotResponsible, Some(c)) => c,
        (Status::Rejected, _) => {
            return Err(ApiError::from(sahulat_domain::Error::field(
                "reference",
                "a report rejected as spam or abuse cannot be rated",
            )))
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "not_closed",
                "this report is still being worked on; it can be rated once it is closed",
            ))
        }
    };
    let reopens = rating.is_poor() && st.settings.within_window(closed_at, now);
    let reopen = if reopens {
        let why = format!(
            "rated {}/5{}",
            rating.value(),
            comment
                .as_deref()
                .map(|c| format!(": {c}"))
                .unwrap_or_default()
        );
        Some(reopen_write(&st, (&reporter, &phone), &t, &why, now))
    } else {
        None
    };
    let mut w = RatingWrite {
        request_id: t.id,
        closed_at,
        reporter_request_id: reporter.id,
        closed_status: t.status,
        department: t.department.clone(),
        rating: rating.value(),
        comment: comment.clone(),
        channel,
        entry: HistoryEntry {
            status: t.status,
            public: false,
            description: format!(
                "citizen rated {}/5{}",
                rating.value(),
                comment.map(|c| format!(": {c}")).unwrap_or_default()
            ),
            actor: "citizen".into(),
        },
        reopen,
    };
    let mut outcome = st.store.rate(&w, now).await?;
    let mut reopened = reopens;
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
                StatusCode::CONFLICT,
                "already_rated",
                "this report was already rated since it was closed",
            ))
        }
        RateOutcome::Changed => return Err(changed()),
    }
    metrics::counter!("sahulat_ratings_total", "rating" => rating.value().to_string()).increment(1);
    let t = st.store.request_by_id(t.id).await?.ok_or_else(changed)?;
    Ok((
        StatusCode::CREATED,
        Json(RatingView {
            rating: rating.value(),
            reopened,
            request: view(&st.catalogue, &t, None),
        }),
    ))
}
