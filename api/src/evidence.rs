//! Evidence in the JSON API: `GET /api/v1/summaries`, the key figures by any breakdown, for
//! evaluators (every pilot district, small cells suppressed), admins (every district, exact)
//! and coordinators and staff (their district, exact). JSON or CSV (`format=csv`). Never a
//! phone number, a name, a description or a point: only counts, shares and times.

use crate::access::evidence_reach;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use sahulat_domain::evidence::{summarise, summary_csv, Ask, Dimension, Row};
use sahulat_store::FactQuery;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/summaries", get(summaries))
}

/// A summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// First day of the window (Pakistan date).
    pub from: NaiveDate,
    /// Last day of the window, inclusive.
    pub to: NaiveDate,
    /// Events up to this instant are counted (the window's end, or now if earlier); requests
    /// still waiting then are censored in the time figures.
    pub as_of: DateTime<Utc>,
    /// The breakdown, in order.
    pub by: Vec<&'static str>,
    /// The districts included.
    pub districts: Vec<String>,
    /// Figures built on fewer requests read "fewer than N"; null: exact figures.
    pub min_cell: Option<u64>,
    /// One object per group: the group's values, `population`, `per_10k` and every figure
    /// (see the README, "Key figures").
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<Row>,
}

/// Key figures by any breakdown.
#[utoipa::path(get, path = "/api/v1/summaries", tag = "evidence",
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (Pakistan date); default: 90 days before `to`"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD, inclusive; default: today"),
        ("province" = Option<String>, Query, description = "PK2 (Balochistan) or PK7 (Sindh), or the name"),
        ("district" = Option<String>, Query, description = "Pilot districts by P-code or name, comma-separated"),
        ("tehsil" = Option<String>, Query, description = "A tehsil by code or name"),
        ("service" = Option<String>, Query, description = "A service code"),
        ("sdg" = Option<String>, Query, description = "An SDG target, e.g. 6.1: the services tagged with it"),
        ("channel" = Option<String>, Query, description = "web, ussd, open311, api, staff"),
        ("priority" = Option<String>, Query, description = "low, normal, high, urgent"),
        ("by" = Option<String>, Query, description = "Comma-separated breakdown: province, district, tehsil, service, sdg, channel, priority and at most one of day, week, month, quarter, year"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, body = SummaryView, description = "The summary (text/csv with format=csv)"),
        (status = 400, description = "A parameter names no known value; the message says which are accepted", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "A district outside your reach", body = ErrorEnvelope),
    ))]
pub(crate) async fn summaries(
    State(st): State<AppState>,
    signed: Signed,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let csv = match q.get("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_param(
                "format",
                format!("{other:?}; accepted: json, csv"),
            ))
        }
    };
    let now = st.clock.now();
    let reach = evidence_reach(&signed.user, st.settings.min_cell);
    let named = q.get("district").is_some() || q.get("tehsil").is_some();
    let ask = Ask::parse(|k| q.get(k), &st.catalogue, now)
        .map_err(query_error)?
        .within(&reach, named)
        .map_err(|m| ApiError::new(ErrorCode::Forbidden, m))?;
    let spec = ask.spec(&reach, now);
    let fq = FactQuery {
        districts: ask.districts.clone(),
        tehsil: ask.tehsil.clone(),
        services: ask.services.clone(),
        channel: ask.channel,
        priority: ask.priority,
        from: spec.from,
        to: spec.to,
    };
    let (facts, ratings) =
        tokio::try_join!(st.store.evidence_facts(&fq), st.store.evidence_ratings(&fq))?;
    let rows = summarise(&facts, &ratings, &spec, &st.catalogue, &st.population);
    if csv {
        let body = summary_csv(&rows, &spec.by)
            .map_err(|e| ApiError::from(sahulat_domain::Error::Internal(e)))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sahulat-summary.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(SummaryView {
        from: ask.from_date,
        to: ask.to_date,
        as_of: spec.to,
        by: spec.by.iter().map(|d: &Dimension| d.name()).collect(),
        districts: ask.districts,
        min_cell: spec.min_cell,
        rows,
    })
    .into_response())
}

/// A refused query parameter is a 400 naming it (not a 422: nothing was submitted).
fn query_error(e: sahulat_domain::Error) -> ApiError {
    match e {
        sahulat_domain::Error::Validation(fields) => match fields.iter().next() {
            Some((field, message)) => ApiError::bad_param(field, message.clone()),
            None => ApiError::bad_request("invalid parameters"),
        },
        other => other.into(),
    }
}
