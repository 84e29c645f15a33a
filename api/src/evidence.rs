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
use sahulat_domain::evidence::{
    plan, summarise, summary_csv, Ask, Dimension, PlanInput, PlanSpec, Row,
};
use sahulat_store::FactQuery;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/summaries", get(summaries))
        .route("/plan", get(plan_input))
        .route("/open-data/requests", get(open_data))
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
        ("from" = inline(Option<crate::openapi_types::DateText>), Query, description = "First day, YYYY-MM-DD (Pakistan date); default: 90 days before `to`; on or before `to`, the window under 3660 days"),
        ("to" = inline(Option<crate::openapi_types::DateText>), Query, description = "Last day, YYYY-MM-DD, inclusive; default: today"),
        ("province" = Option<String>, Query, description = "PK2 (Balochistan) or PK7 (Sindh), or the name (any case)"),
        ("district" = Option<String>, Query, description = "Pilot districts by P-code or name, comma-separated"),
        ("tehsil" = Option<String>, Query, description = "A tehsil of a pilot district by code or English name (any case)"),
        ("service" = Option<String>, Query, description = "A service code"),
        ("sdg" = Option<String>, Query, description = "An SDG target a service speaks to, e.g. 6.1: the services tagged with it"),
        ("channel" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:web|ussd|open311|api|staff)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "web, ussd, open311, api, staff"),
        ("priority" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:low|normal|high|urgent)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "low, normal, high, urgent"),
        ("by" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:(?:province|district|tehsil|service|sdg|channel|priority|day|week|month|quarter|year)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*)?(?:,[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:(?:province|district|tehsil|service|sdg|channel|priority|day|week|month|quarter|year)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*)?)*$", description = "Comma-separated breakdown: province, district, tehsil, service, sdg, channel, priority and at most one of day, week, month, quarter, year"),
        ("format" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:json|csv)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "The summary (text/csv with format=csv)", content((SummaryView = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A query parameter is malformed or names no known value; `fields` names it", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 403, description = "A district outside your reach, or none of the districts asked for is in it", body = ErrorEnvelope),
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
    let fq = FactQuery::asked(&ask, spec.from, spec.to);
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

/// Local plan input.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// The district.
    pub district: String,
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// The window compared against (same length, just before).
    pub previous_from: NaiveDate,
    /// Its last day.
    pub previous_to: NaiveDate,
    /// Hotspot radius, metres.
    pub radius_m: f64,
    /// Hotspot minimum size (never below `min_cell` for evaluators).
    pub min_size: usize,
    /// Small-cell threshold; null: exact figures.
    pub min_cell: Option<u64>,
    /// Needs ranked, suppressed groups, hotspots.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub plan: PlanInput,
}

fn number<T: std::str::FromStr + PartialOrd>(
    q: &QueryPairs,
    field: &str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    accepted: &str,
) -> Result<T, ApiError> {
    match q.get(field) {
        None => Ok(default),
        Some(v) => v
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| ApiError::bad_param(field, format!("{v:?}; accepted: {accepted}"))),
    }
}

/// Local plan input for one district: needs ranked by tehsil and service, and hotspots.
#[utoipa::path(get, path = "/api/v1/plan", tag = "evidence",
    params(
        ("district" = String, Query, pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]", description = "One pilot district, by P-code or name (no comma)"),
        ("from" = inline(Option<crate::openapi_types::DateText>), Query, description = "First day, YYYY-MM-DD; default: 90 days before `to`; on or before `to`, the window under 3660 days"),
        ("to" = inline(Option<crate::openapi_types::DateText>), Query, description = "Last day, YYYY-MM-DD, inclusive; default: today"),
        ("service" = Option<String>, Query, description = "Only this service"),
        ("sdg" = Option<String>, Query, description = "Only the services tagged with this SDG target"),
        ("radius_m" = inline(Option<crate::openapi_types::RadiusMetres>), Query, description = "Hotspot radius in metres, 10-5000 (default 250)"),
        ("min_size" = inline(Option<crate::openapi_types::HotspotSize>), Query, description = "Hotspot minimum size, 2-1000 (default 5)"),
    ),
    responses(
        (status = 200, body = PlanView),
        (status = 400, description = "No district or more than one, or a parameter is malformed or names no known value", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 403, description = "A district outside your reach", body = ErrorEnvelope),
    ))]
pub(crate) async fn plan_input(
    State(st): State<AppState>,
    signed: Signed,
    q: QueryPairs,
) -> Result<Json<PlanView>, ApiError> {
    let radius_m = number(
        &q,
        "radius_m",
        250.0,
        10.0..=5000.0,
        "metres from 10 to 5000",
    )?;
    let min_size = number(
        &q,
        "min_size",
        5usize,
        2..=1000,
        "a whole number from 2 to 1000",
    )?;
    let Some(district) = q.get("district") else {
        return Err(ApiError::bad_param(
            "district",
            "required: one pilot district, by P-code or name",
        ));
    };
    if district.contains(',') {
        return Err(ApiError::bad_param("district", "one district at a time"));
    }
    let now = st.clock.now();
    let reach = evidence_reach(&signed.user, st.settings.min_cell);
    let ask = Ask::parse(|k| q.get(k), &st.catalogue, now)
        .map_err(query_error)?
        .within(&reach, true)
        .map_err(|m| ApiError::new(ErrorCode::Forbidden, m))?;
    Ok(Json(
        build_plan(
            st.store.as_ref(),
            &st.catalogue,
            &st.population,
            &ask,
            &reach,
            radius_m,
            min_size,
            now,
        )
        .await?,
    ))
}

/// The plan input of `ask` for a reader with `reach` (the API and `sahulat report plan`).
#[allow(clippy::too_many_arguments)]
pub async fn build_plan(
    store: &dyn sahulat_store::Store,
    cat: &sahulat_domain::catalogue::Catalogue,
    pop: &sahulat_domain::evidence::Population,
    ask: &Ask,
    reach: &sahulat_domain::evidence::Reach,
    radius_m: f64,
    min_size: usize,
    now: DateTime<Utc>,
) -> Result<PlanView, sahulat_domain::Error> {
    let (from, to, prev_start) = plan_window(ask, now);
    let (cur_q, prev_q) = (
        FactQuery::asked(ask, from, to),
        FactQuery::asked(ask, prev_start, from),
    );
    let (current, previous) =
        tokio::try_join!(store.evidence_facts(&cur_q), store.evidence_facts(&prev_q))?;
    Ok(plan_of(
        &current, &previous, cat, pop, ask, reach, radius_m, min_size, now,
    ))
}

/// The plan's window (start, end) and the start of the window of the same length before it,
/// which ends where the plan's begins.
pub fn plan_window(ask: &Ask, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let days = (ask.to_date - ask.from_date).num_days() + 1;
    let prev_start = sahulat_domain::evidence::summary::pk_midnight(
        ask.from_date - chrono::Duration::days(days),
    );
    (ask.from(), ask.to(now), prev_start)
}

/// The plan input from facts already read for `plan_window` (the dashboard reads them once for
/// its summaries too); facts created outside each window are ignored.
#[allow(clippy::too_many_arguments)]
pub fn plan_of(
    current: &[sahulat_domain::evidence::Fact],
    previous: &[sahulat_domain::evidence::Fact],
    cat: &sahulat_domain::catalogue::Catalogue,
    pop: &sahulat_domain::evidence::Population,
    ask: &Ask,
    reach: &sahulat_domain::evidence::Reach,
    radius_m: f64,
    min_size: usize,
    now: DateTime<Utc>,
) -> PlanView {
    let (from, to, prev_start) = plan_window(ask, now);
    let within =
        |facts: &[sahulat_domain::evidence::Fact], a, b| -> Vec<sahulat_domain::evidence::Fact> {
            facts
                .iter()
                .filter(|f| f.created_at >= a && f.created_at < b)
                .cloned()
                .collect()
        };
    let spec = PlanSpec {
        to,
        min_cell: reach.min_cell,
        radius_m,
        min_size,
    };
    let plan = plan(
        &within(current, from, to),
        &within(previous, prev_start, from),
        &spec,
        cat,
        pop,
    );
    PlanView {
        district: ask.districts.first().cloned().unwrap_or_default(),
        from: ask.from_date,
        to: ask.to_date,
        previous_from: sahulat_domain::evidence::summary::pk_date(prev_start),
        previous_to: ask.from_date - chrono::Duration::days(1),
        radius_m,
        min_size: min_size.max(reach.min_cell.map_or(1, |m| m as usize)),
        min_cell: reach.min_cell,
        plan,
    }
}

/// Rows one open-data answer may hold; a wider window is refused, naming `from`.
pub(crate) const OPEN_DATA_LIMIT: u32 = 200_000;

/// Request-level open data: anyone may download it.
#[utoipa::path(get, path = "/api/v1/open-data/requests", tag = "evidence",
    params(
        ("format" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:csv|geojson)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "csv (default) or geojson"),
        ("from" = inline(Option<crate::openapi_types::DateText>), Query, description = "First day, YYYY-MM-DD; default: 90 days before `to`; on or before `to`, the window under 3660 days"),
        ("to" = inline(Option<crate::openapi_types::DateText>), Query, description = "Last day, YYYY-MM-DD, inclusive; default: today"),
        ("province" = Option<String>, Query, description = "PK2 or PK7, or the name"),
        ("district" = Option<String>, Query, description = "Pilot districts by P-code or name, comma-separated"),
        ("tehsil" = Option<String>, Query, description = "A tehsil by code or name"),
        ("service" = Option<String>, Query, description = "A service code"),
        ("sdg" = Option<String>, Query, description = "An SDG target"),
    ),
    responses(
        (status = 200, description = "A CSV with a header row (format=csv), or GeoJSON; the licence in the X-Data-Licence header (and in the GeoJSON)", content((String = "text/csv"), (Object = "application/geo+json")),
            headers(("X-Data-Licence" = String, description = "The data's licence"))),
        (status = 400, description = "A parameter is malformed or names no known value, or the window holds more than 200,000 requests", body = ErrorEnvelope),
        (status = 403, description = "The districts asked for and the province asked for have none in common", body = ErrorEnvelope),
    ))]
pub(crate) async fn open_data(
    State(st): State<AppState>,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let geojson = match q.get("format") {
        None | Some("csv") => false,
        Some("geojson") => true,
        Some(other) => {
            return Err(ApiError::bad_param(
                "format",
                format!("{other:?}; accepted: csv, geojson"),
            ))
        }
    };
    let now = st.clock.now();
    let everyone = sahulat_domain::evidence::Reach::all_pilots(None);
    let ask = Ask::parse(|k| q.get(k), &st.catalogue, now)
        .map_err(query_error)?
        .within(&everyone, false)
        .map_err(|m| ApiError::new(ErrorCode::Forbidden, m))?;
    let fq = FactQuery::asked(&ask, ask.from(), ask.to(now));
    let mut records = st.store.open_data(&fq, OPEN_DATA_LIMIT + 1).await?;
    if records.len() > OPEN_DATA_LIMIT as usize {
        return Err(ApiError::bad_param(
            "from",
            format!("the window holds more than {OPEN_DATA_LIMIT} requests; ask for a shorter one or one district"),
        ));
    }
    for r in &mut records {
        r.sdg_targets = st
            .catalogue
            .service(&r.service)
            .map(|s| s.sdg.targets.join(";"))
            .unwrap_or_default();
    }
    use sahulat_domain::evidence::open_data::{to_csv, to_geojson, LICENCE};
    let (kind, name, body) = if geojson {
        (
            "application/geo+json",
            "sahulat-requests.geojson",
            to_geojson(&records),
        )
    } else {
        let csv =
            to_csv(&records).map_err(|e| ApiError::from(sahulat_domain::Error::Internal(e)))?;
        ("text/csv; charset=utf-8", "sahulat-requests.csv", csv)
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                header::HeaderName::from_static("x-data-licence"),
                LICENCE.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
