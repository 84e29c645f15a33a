//! Innovative actions in the JSON API: `GET`/`POST /api/v1/actions`, `GET /api/v1/actions/{id}`
//! and `GET /api/v1/actions/{id}/evaluation` (JSON or CSV), and `evaluate_action`, which the
//! CLI and the dashboard share. Coordinators register and see their district's actions;
//! evaluators and admins every pilot's; staff see their district's. An evaluation compares the
//! action's tehsils with tehsils of the other pilot districts, so everyone but admins gets it
//! with small cells suppressed: aggregates only.

use crate::access::evidence_reach;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::extract::{JsonBody, PathParam, QueryPairs};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sahulat_domain::accounts::Role;
use sahulat_domain::catalogue::{Catalogue, PILOT_DISTRICTS};
use sahulat_domain::evaluation::{
    self, evaluate_outcomes, Design, Evaluation, KpiResult, Method, OtherAction, Placebo, PreTrend,
    SeriesPoint, Unit, Warning, DEFAULT_RESAMPLES, DEFAULT_WINDOW_DAYS,
};
use sahulat_domain::evidence::summary::{pk_date, pk_midnight};
use sahulat_domain::evidence::{Cell, Population};
use sahulat_domain::innovation::{ActionDraft, InnovativeAction};
use sahulat_domain::lang::Lang;
use sahulat_domain::Error;
use sahulat_store::{FactQuery, Store};
use serde::Serialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions", get(list).post(create))
        .route("/actions/{id}", get(one))
        .route("/actions/{id}/evaluation", get(evaluation))
}

/// How to evaluate (defaults: equal windows of up to 180 days, the other pilot tehsils,
/// 1,000 resamples, seed 12).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluationOptions {
    /// Baseline length in days.
    pub baseline_days: Option<u32>,
    /// Follow-up length in days.
    pub follow_up_days: Option<u32>,
    /// Comparison tehsil codes.
    pub comparison: Option<Vec<String>>,
    /// Bootstrap seed.
    pub seed: Option<u64>,
    /// Bootstrap resamples.
    pub resamples: Option<u32>,
}

/// A warning with its words.
#[derive(Debug, Clone, Serialize)]
pub struct WarningView {
    /// Machine code (`too_few_tehsils`, `censoring`, …).
    pub code: &'static str,
    /// Whether it stops the estimate being read as an effect.
    pub blocks_claim: bool,
    /// In the reader's language.
    pub text: String,
}

/// One KPI's evaluation as shown: counts under the small-cell threshold read "fewer than N".
#[derive(Debug, Clone, Serialize)]
pub struct KpiView {
    /// `requests_per_10k`, `mean_days_to_resolve`, …
    pub kpi: &'static str,
    /// Its name in the reader's language.
    pub name: String,
    /// Its unit.
    pub unit: Unit,
    /// Difference in differences, in the KPI's unit (shares 0–1).
    pub estimate: Option<f64>,
    /// 95 % interval.
    pub ci_low: Option<f64>,
    /// 95 % interval.
    pub ci_high: Option<f64>,
    /// Requests behind the action tehsils' figures (both windows).
    pub n_treated: Cell<u64>,
    /// Requests behind the comparison figures.
    pub n_comparison: Cell<u64>,
    /// Action tehsils with requests, baseline and follow-up.
    pub tehsils_treated: (u32, u32),
    /// Comparison tehsils with requests, baseline and follow-up.
    pub tehsils_comparison: (u32, u32),
    /// The four group means: treated baseline, treated follow-up, comparison baseline,
    /// comparison follow-up.
    pub values: [Option<f64>; 4],
    /// How the interval was made.
    pub method: Method,
    /// Resamples.
    pub resamples: u32,
    /// Baseline trend check.
    pub pre_trend: Option<PreTrend>,
    /// Fake-start check.
    pub placebo: Option<Placebo>,
    /// Warnings instead of claims.
    pub warnings: Vec<WarningView>,
    /// The plain-language reading.
    pub reading: String,
    /// Per 30-day period, both groups.
    pub series: Vec<SeriesView>,
}

/// One period of the chart.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    /// First day.
    pub period_start: NaiveDate,
    /// After the start.
    pub follow_up: bool,
    /// Action tehsils' value.
    pub treated: Option<f64>,
    /// Comparison value.
    pub comparison: Option<f64>,
    /// Requests behind the treated value.
    pub n_treated: Cell<u64>,
    /// Requests behind the comparison value.
    pub n_comparison: Cell<u64>,
}

/// An action's evaluation as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ActionEvaluation {
    /// The action.
    pub action: InnovativeAction,
    /// Action tehsils used.
    pub treated: Vec<String>,
    /// Comparison tehsils used.
    pub comparison: Vec<String>,
    /// Baseline: first day and the day after its last.
    pub baseline: (NaiveDate, NaiveDate),
    /// Follow-up: first day and the day after its last.
    pub follow_up: (NaiveDate, NaiveDate),
    /// Outcomes observed up to here.
    pub as_of: DateTime<Utc>,
    /// Bootstrap seed.
    pub seed: u64,
    /// Counts under this many requests are suppressed (`None`: exact).
    pub min_cell: Option<u64>,
    /// Warnings about the whole design.
    pub warnings: Vec<WarningView>,
    /// One per KPI.
    pub results: Vec<KpiView>,
}

fn warnings(lang: Lang, ws: &[Warning]) -> Vec<WarningView> {
    ws.iter()
        .map(|w| WarningView {
            code: w.code(),
            blocks_claim: w.blocks_claim(),
            text: evaluation::warning_text(lang, w),
        })
        .collect()
}

fn kpi_view(lang: Lang, r: &KpiResult, m: Option<u64>) -> KpiView {
    use evaluation::{Group as G, Window as W};
    let both = |t: &evaluation::Table<u32>, g| (t.get(g, W::Baseline), t.get(g, W::FollowUp));
    KpiView {
        kpi: r.kpi.as_str(),
        name: evaluation::kpi_name(lang, r.kpi),
        unit: r.unit,
        estimate: r.estimate,
        ci_low: r.ci_low,
        ci_high: r.ci_high,
        n_treated: Cell::count(r.n_treated, m),
        n_comparison: Cell::count(r.n_comparison, m),
        tehsils_treated: both(&r.tehsils, G::Treated),
        tehsils_comparison: both(&r.tehsils, G::Comparison),
        values: [
            r.values.get(G::Treated, W::Baseline),
            r.values.get(G::Treated, W::FollowUp),
            r.values.get(G::Comparison, W::Baseline),
            r.values.get(G::Comparison, W::FollowUp),
        ],
        method: r.method,
        resamples: r.resamples,
        pre_trend: r.pre_trend.clone(),
        placebo: r.placebo.clone(),
        warnings: warnings(lang, &r.warnings),
        reading: evaluation::reading(lang, r),
        series: r.series.iter().map(|p| series(p, m)).collect(),
    }
}

fn series(p: &SeriesPoint, m: Option<u64>) -> SeriesView {
    let hide = |v: Option<f64>, n: u64| v.filter(|_| m.is_none_or(|m| n >= m));
    SeriesView {
        period_start: p.period_start,
        follow_up: p.follow_up,
        treated: hide(p.treated, p.n_treated),
        comparison: hide(p.comparison, p.n_comparison),
        n_treated: Cell::count(p.n_treated, m),
        n_comparison: Cell::count(p.n_comparison, m),
    }
}

/// Evaluates `action` on every KPI with the data up to `now`, or up to the last change in
/// the database if that is earlier (see `docs/evaluation.md`).
#[allow(clippy::too_many_arguments)]
pub async fn evaluate_action(
    store: &dyn Store,
    cat: &Catalogue,
    pop: &Population,
    action: &InnovativeAction,
    opts: &EvaluationOptions,
    min_cell: Option<u64>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<ActionEvaluation, Error> {
    // Outcomes are observed up to the end of the data, not past it.
    let now = store.latest_activity().await?.map_or(now, |t| t.min(now));
    let today = pk_date(now);
    if action.start >= today {
        return Err(Error::field(
            "start",
            format!(
                "the action starts on {}; there is nothing to evaluate before it has run",
                action.start
            ),
        ));
    }
    let last = action
        .end
        .map_or(today, |e| (e + Duration::days(1)).min(today));
    let ran = u32::try_from((last - action.start).num_days().max(1)).unwrap_or(1);
    let follow_up_days = opts.follow_up_days.unwrap_or(ran.min(DEFAULT_WINDOW_DAYS));
    let baseline_days = opts.baseline_days.unwrap_or(follow_up_days);
    if !(7..=730).contains(&follow_up_days) || !(7..=730).contains(&baseline_days) {
        return Err(Error::field(
            "follow_up_days",
            "baseline and follow-up windows must be 7 to 730 days (an action that ran under a week cannot be evaluated yet)",
        ));
    }
    let comparison: Vec<String> = match &opts.comparison {
        Some(c) => {
            if let Some(bad) = c.iter().find(|t| cat.tehsil(t).is_none()) {
                return Err(Error::field(
                    "comparison",
                    format!("{bad:?} is not a pilot tehsil code"),
                ));
            }
            c.clone()
        }
        None => cat
            .tehsils
            .iter()
            .filter(|t| !action.tehsils.contains(&t.code))
            .map(|t| t.code.clone())
            .collect(),
    };
    let others: Vec<OtherAction> = store
        .actions(None)
        .await?
        .into_iter()
        .filter(|a| a.id != action.id)
        .map(|a| OtherAction {
            label: a.title,
            tehsils: a.tehsils,
            start: a.start,
            end: a.end,
        })
        .collect();
    let mut design = Design::new(action.tehsils.clone(), comparison, action.start, now);
    design.baseline_days = baseline_days;
    design.follow_up_days = follow_up_days;
    design.other_actions = others;
    design.services = action.services.clone();
    design.seed = opts.seed.unwrap_or(design.seed);
    design.resamples = opts
        .resamples
        .unwrap_or(DEFAULT_RESAMPLES)
        .clamp(100, 10_000);
    design.min_cell = min_cell.unwrap_or(1);
    let q = FactQuery {
        districts: PILOT_DISTRICTS.iter().map(|d| d.to_string()).collect(),
        tehsil: None,
        services: action.services.clone(),
        channel: None,
        priority: None,
        from: pk_midnight(action.start - Duration::days(i64::from(baseline_days))),
        to: pk_midnight(action.start + Duration::days(i64::from(follow_up_days))).min(now),
        created_only: true,
    };
    let (outcomes, ratings) = store.evaluation_outcomes(&q).await?;
    let e: Evaluation = evaluate_outcomes(&design, &outcomes, &ratings, pop);
    Ok(ActionEvaluation {
        action: action.clone(),
        treated: e.treated.clone(),
        comparison: e.comparison.clone(),
        baseline: e.baseline,
        follow_up: e.follow_up,
        as_of: e.as_of,
        seed: e.seed,
        min_cell,
        warnings: warnings(lang, &e.warnings),
        results: e
            .results
            .iter()
            .map(|r| kpi_view(lang, r, min_cell))
            .collect(),
    })
}

/// The evaluation as CSV: one row per KPI.
pub fn evaluation_csv(e: &ActionEvaluation) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kpi",
        "estimate",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_comparison",
        "method",
        "warnings",
        "reading",
    ])?;
    let num = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let cell = |c: &Cell<u64>| {
        serde_json::to_value(c).map(|v| v.to_string().trim_matches('"').to_string())
    };
    for r in &e.results {
        let codes: Vec<&str> = r.warnings.iter().map(|w| w.code).collect();
        w.write_record([
            r.kpi.to_string(),
            num(r.estimate),
            num(r.ci_low),
            num(r.ci_high),
            cell(&r.n_treated)?,
            cell(&r.n_comparison)?,
            serde_json::to_value(r.method)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            codes.join(";"),
            r.reading.clone(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Which districts' actions the account sees (`None`: all).
pub(crate) fn scope(signed: &Signed) -> Option<Option<String>> {
    match signed.user.role {
        Role::Evaluator | Role::Admin => Some(None),
        Role::Coordinator | Role::Staff => signed.user.district.clone().map(Some),
    }
}

pub(crate) fn visible(signed: &Signed, a: &InnovativeAction) -> bool {
    match scope(signed) {
        Some(None) => true,
        Some(Some(d)) => d == a.district,
        None => false,
    }
}

/// Innovative actions in your reach, latest start first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "evaluation",
    responses(
        (status = 200, description = "The actions in your reach (none for staff)", body = [Object]),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
    ))]
pub(crate) async fn list(
    State(st): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<InnovativeAction>>, ApiError> {
    let Some(district) = scope(&signed) else {
        return Ok(Json(Vec::new()));
    };
    Ok(Json(st.store.actions(district.as_deref()).await?))
}

/// Registers an innovative action (coordinators for their district, evaluators, admins).
#[utoipa::path(post, path = "/api/v1/actions", tag = "evaluation",
    request_body(content = crate::openapi_types::ActionBody, description = "The action: title, district, tehsils and start are required"),
    responses(
        (status = 201, description = "Registered", body = Object),
        (status = 400, description = "The body is not valid JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 403, description = "Staff, or a coordinator of another district", body = ErrorEnvelope),
        (status = 413, description = "Body over 256 KiB", body = ErrorEnvelope), (status = 415, description = "No `Content-Type: application/json`", body = ErrorEnvelope),
        (status = 422, description = "A field is missing or wrong; `fields` names it and what is accepted", body = ErrorEnvelope),
    ))]
pub(crate) async fn create(
    State(st): State<AppState>,
    signed: Signed,
    body: JsonBody<ActionDraft>,
) -> Result<Response, ApiError> {
    if signed.user.role == Role::Staff {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "coordinators, evaluators and admins register actions",
        ));
    }
    let new = body.value.validate(&st.catalogue)?;
    if signed.user.role == Role::Coordinator
        && signed.user.district.as_deref() != Some(&new.district)
    {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "a coordinator registers actions of their own district",
        ));
    }
    let a = st
        .store
        .create_action(&new, &signed.user.username, st.clock.now())
        .await?;
    tracing::info!(action = a.id, by = %signed.user.username, district = %a.district, "innovative action registered");
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

async fn find(st: &AppState, signed: &Signed, id: i64) -> Result<InnovativeAction, ApiError> {
    match st.store.action(id).await? {
        Some(a) if visible(signed, &a) => Ok(a),
        _ => Err(ApiError::not_found(format!("no action {id} in your reach"))),
    }
}

/// One action.
#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "evaluation",
    params(("id" = i64, Path, description = "Action id")),
    responses(
        (status = 200, description = "The action", body = Object),
        (status = 400, description = "`id` is not a whole number", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 404, description = "No such action in your reach", body = ErrorEnvelope),
    ))]
pub(crate) async fn one(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(id): PathParam<i64>,
) -> Result<Json<InnovativeAction>, ApiError> {
    Ok(Json(find(&st, &signed, id).await?))
}

fn num<T: std::str::FromStr>(
    q: &QueryPairs,
    key: &str,
    accepted: &str,
) -> Result<Option<T>, ApiError> {
    q.get(key)
        .map(|v| {
            v.trim().parse::<T>().map_err(|_| {
                ApiError::from(Error::field(
                    key,
                    format!("{v:?} is not accepted; {accepted}"),
                ))
            })
        })
        .transpose()
}

/// The options a query asks for.
pub(crate) fn options(q: &QueryPairs) -> Result<EvaluationOptions, ApiError> {
    Ok(EvaluationOptions {
        baseline_days: num(q, "baseline_days", "a number of days, 7 to 730")?,
        follow_up_days: num(q, "follow_up_days", "a number of days, 7 to 730")?,
        comparison: q.get("comparison").map(|c| {
            c.split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        }),
        seed: num(q, "seed", "a whole number")?,
        resamples: num(q, "resamples", "a whole number, 100 to 10000")?,
    })
}

/// An action's difference-in-differences evaluation on every KPI (JSON or CSV).
#[utoipa::path(get, path = "/api/v1/actions/{id}/evaluation", tag = "evaluation",
    params(
        ("id" = i64, Path, description = "Action id"),
        ("lang" = inline(Option<crate::openapi_types::LangTextNoLatn>), Query, description = "en (default), ur or sd: the readings and warnings"),
        ("format" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:json|csv)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "json (default) or csv"),
        ("baseline_days" = inline(Option<crate::openapi_types::WindowDays>), Query, description = "Baseline length, 7–730 days; default: the follow-up's"),
        ("follow_up_days" = inline(Option<crate::openapi_types::WindowDays>), Query, description = "Follow-up length, 7–730 days; default: how long the action ran, at most 180"),
        ("comparison" = Option<String>, Query, description = "Comparison tehsil codes, comma-separated; default: every other pilot tehsil"),
        ("seed" = inline(Option<crate::openapi_types::Seed>), Query, description = "Bootstrap seed (default 12)"),
        ("resamples" = inline(Option<crate::openapi_types::Resamples>), Query, description = "Bootstrap resamples, 100–10000 (default 1000)"),
    ),
    responses(
        (status = 200, description = "One result per KPI (text/csv with format=csv)", content((Object = "application/json"), (String = "text/csv"))),
        (status = 400, description = "`id` is not a whole number, or a malformed query string", body = ErrorEnvelope),
        (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope),
        (status = 404, description = "No such action in your reach", body = ErrorEnvelope),
        (status = 422, description = "A parameter is wrong (`fields` names it), or the action has not run long enough", body = ErrorEnvelope),
    ))]
pub(crate) async fn evaluation(
    State(st): State<AppState>,
    signed: Signed,
    PathParam(id): PathParam<i64>,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let csv = match q.get("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(Error::field("format", format!("{other:?}; accepted: json, csv")).into())
        }
    };
    let lang = match q.get("lang") {
        None => Lang::En,
        Some(l) => Lang::parse(l)
            .filter(|l| matches!(l, Lang::En | Lang::Ur | Lang::Sd))
            .ok_or_else(|| Error::field("lang", format!("{l:?}; accepted: en, ur, sd")))?,
    };
    let a = find(&st, &signed, id).await?;
    let m = match signed.user.role {
        Role::Admin => None,
        _ => evidence_reach(&signed.user, st.settings.min_cell)
            .min_cell
            .or(u64::try_from(st.settings.min_cell).ok()),
    };
    let e = evaluate_action(
        st.store.as_ref(),
        &st.catalogue,
        &st.population,
        &a,
        &options(&q)?,
        m,
        lang,
        st.clock.now(),
    )
    .await?;
    if csv {
        let body = evaluation_csv(&e).map_err(Error::Internal)?;
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    Ok(Json(e).into_response())
}
