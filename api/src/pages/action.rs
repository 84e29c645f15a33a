//! An innovative action's evaluation as people read it: its page on the dashboard
//! (`/evaluate/actions/{id}`, with the same figures as CSV at
//! `/evaluate/actions/{id}/evaluation.csv` for page users) and the printable report
//! (`sahulat report action --format html`). Both show the same body: what the action is, how it
//! is compared, one row per key figure (estimate, 95 % interval, the n behind it, the reading),
//! then for each figure a chart of the two groups by 30-day period around the start with its
//! table, the group figures, the pre-trend and placebo checks and the warnings. The figures are
//! `evaluate_action`'s, suppressed below the small-cell threshold for everyone but admins;
//! every word comes from the Fluent catalogues (`ac-*`, `eval-*`).

use super::evaluate::show_n;
use super::render::{dir, language, page};
use super::session::{user_ctx, PageUser};
use crate::access::evidence_reach;
use crate::actions::{
    evaluate_action, evaluation_csv, ActionEvaluation, EvaluationOptions, KpiView,
};
use crate::error::ApiError;
use crate::extract::QueryPairs;
use crate::state::AppState;
use crate::web::map::escape;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::{context, Value};
use sahulat_domain::accounts::Role;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::evaluation::{self, Unit};
use sahulat_domain::evidence::summary::pk_date;
use sahulat_domain::innovation::InnovativeAction;
use sahulat_domain::lang::Lang;
use sahulat_domain::messages::text;
use sahulat_domain::Error;

/// A value in the KPI's unit as shown (shares as percentages), "—" when withheld.
fn value(unit: Unit, v: Option<f64>) -> String {
    match v {
        Some(v) if unit == Unit::Share => format!("{}%", evaluation::num(unit, v)),
        Some(v) => evaluation::num(unit, v),
        None => "—".into(),
    }
}

/// A line chart of both groups by period, the start marked by a dashed line; a withheld
/// point is a gap.
fn series_chart(lang: Lang, k: &KpiView) -> String {
    let (w, h, left, bottom) = (560.0_f64, 200.0_f64, 44.0_f64, 34.0_f64);
    let points: Vec<f64> = k
        .series
        .iter()
        .flat_map(|p| [p.treated, p.comparison])
        .flatten()
        .collect();
    let (mut lo, mut hi) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if points.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    if k.unit == Unit::Share || k.kpi == "requests_per_10k" {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let n = k.series.len().max(1);
    let step = (w - left - 10.0) / n as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: f64| 10.0 + (h - bottom - 10.0) * (1.0 - (v - lo) / (hi - lo));
    let title = text(lang, "ac-chart", &[("kpi", k.name.clone())]);
    let mut s = format!(
        "<svg class=\"chart series\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        escape(&title)
    );
    for v in [lo, (lo + hi) / 2.0, hi] {
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            left - 4.0,
            y(v) + 3.0,
            escape(&value(k.unit, Some(v))),
            y = y(v)
        ));
    }
    if let Some(first) = k.series.iter().position(|p| p.follow_up) {
        let sx = x(first) - step / 2.0;
        s.push_str(&format!(
            "<line class=\"start\" x1=\"{sx:.1}\" x2=\"{sx:.1}\" y1=\"6\" y2=\"{:.1}\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>",
            h - bottom
        ));
    }
    for (group, colour, dash, pick) in [
        ("treated", "#0b5d3b", "", 0),
        ("comparison", "#a65800", " stroke-dasharray=\"6 3\"", 1),
    ] {
        // Consecutive shown points are joined; a withheld one breaks the line.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, s: &mut String| {
            if run.len() > 1 {
                let pts: Vec<String> = run.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
                s.push_str(&format!(
                    "<polyline class=\"{group}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                    pts.join(" ")
                ));
            }
            run.clear();
        };
        for (i, p) in k.series.iter().enumerate() {
            match if pick == 0 { p.treated } else { p.comparison } {
                Some(v) => {
                    s.push_str(&format!(
                        "<circle class=\"{group}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                        x(i),
                        y(v)
                    ));
                    run.push((x(i), y(v)));
                }
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
    }
    let every = n.div_ceil(6).max(1);
    for (i, p) in k.series.iter().enumerate().filter(|(i, _)| i % every == 0) {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x(i),
            h - bottom + 14.0,
            p.period_start
        ));
    }
    let legend = [
        ("#0b5d3b", "", text(lang, "ac-action-tehsils", &[])),
        (
            "#a65800",
            " stroke-dasharray=\"6 3\"",
            text(lang, "ac-comparison-tehsils", &[]),
        ),
    ];
    for (i, (colour, dash, label)) in legend.iter().enumerate() {
        let lx = left + i as f64 * 200.0;
        s.push_str(&format!(
            "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
            lx + 18.0,
            h - 6.0,
            h - 6.0,
            lx + 22.0,
            h - 3.0,
            escape(label)
        ));
    }
    s.push_str("</svg>");
    s
}

fn check_texts(lang: Lang, k: &KpiView) -> Vec<String> {
    let unit = evaluation::unit_text(lang, k.unit);
    let n = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| evaluation::num(k.unit, v));
    let pre = match &k.pre_trend {
        Some(p) if p.difference_per_30d.is_some() => text(
            lang,
            if p.diverging {
                "ac-pre-trend-diverging"
            } else {
                "ac-pre-trend-parallel"
            },
            &[
                ("value", n(p.difference_per_30d)),
                ("unit", unit.clone()),
                ("low", n(p.ci_low)),
                ("high", n(p.ci_high)),
                ("periods", p.periods.to_string()),
            ],
        ),
        _ => text(lang, "ac-pre-trend-none", &[]),
    };
    let placebo = match &k.placebo {
        Some(p) if p.estimate.is_some() => text(
            lang,
            if p.significant {
                "ac-placebo-significant"
            } else {
                "ac-placebo-clear"
            },
            &[
                ("date", p.fake_start.to_string()),
                ("value", n(p.estimate)),
                ("unit", unit),
                ("low", n(p.ci_low)),
                ("high", n(p.ci_high)),
            ],
        ),
        _ => text(lang, "ac-placebo-none", &[]),
    };
    vec![pre, placebo]
}

fn kpi_ctx(lang: Lang, k: &KpiView) -> Value {
    let unit = evaluation::unit_text(lang, k.unit);
    let rows: Vec<Value> = k
        .series
        .iter()
        .map(|p| {
            context! {
                start => p.period_start.to_string(), follow_up => p.follow_up,
                treated => value(k.unit, p.treated), n_treated => show_n(lang, p.n_treated),
                comparison => value(k.unit, p.comparison), n_comparison => show_n(lang, p.n_comparison),
            }
        })
        .collect();
    context! {
        kpi => k.kpi, name => k.name.clone(), unit => unit.clone(),
        estimate => k.estimate.map_or_else(|| "—".to_string(), |v| format!("{} {unit}", evaluation::num(k.unit, v))),
        ci => match (k.ci_low, k.ci_high) {
            (Some(l), Some(h)) => format!("{} … {}", evaluation::num(k.unit, l), evaluation::num(k.unit, h)),
            _ => "—".into(),
        },
        n_treated => show_n(lang, k.n_treated), n_comparison => show_n(lang, k.n_comparison),
        tehsils_treated => format!("{} / {}", k.tehsils_treated.0, k.tehsils_treated.1),
        tehsils_comparison => format!("{} / {}", k.tehsils_comparison.0, k.tehsils_comparison.1),
        values => k.values.iter().map(|v| value(k.unit, *v)).collect::<Vec<_>>(),
        method => evaluation::method_text(lang, k.method), resamples => k.resamples,
        reading => k.reading.clone(),
        claim => k.estimate.is_some() && !k.warnings.iter().any(|w| w.blocks_claim),
        warnings => k.warnings.iter().map(|w| w.text.clone()).collect::<Vec<_>>(),
        checks => check_texts(lang, k),
        chart => series_chart(lang, k), rows => rows,
    }
}

/// The body both the page and the printable report show.
fn body_ctx(lang: Lang, cat: &Catalogue, e: &ActionEvaluation) -> Value {
    let a = &e.action;
    let tehsils = |codes: &[String]| {
        codes
            .iter()
            .map(|c| {
                cat.tehsil(c)
                    .map_or_else(|| c.clone(), |t| t.names.get(lang).to_string())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let services = if a.services.is_empty() {
        text(lang, "ac-all-services", &[])
    } else {
        a.services
            .iter()
            .map(|s| {
                cat.service(s)
                    .map_or_else(|| s.clone(), |x| x.names.get(lang).to_string())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let last = |(_, end): (chrono::NaiveDate, chrono::NaiveDate)| {
        (end - chrono::Duration::days(1)).to_string()
    };
    context! {
        id => a.id, title => a.title.clone(), description => a.description.clone(),
        district => cat.district(&a.district).map_or_else(|| a.district.clone(), |d| d.names.get(lang).to_string()),
        tehsils => tehsils(&a.tehsils), services => services,
        start => a.start.to_string(),
        end => a.end.map_or_else(|| text(lang, "ac-ongoing", &[]), |d| d.to_string()),
        budget => a.budget_pkr.map(|b| b.to_string()),
        expected => a.expected_effect.clone(),
        treated => tehsils(&e.treated), comparison => tehsils(&e.comparison),
        n_comparison_tehsils => e.comparison.len(),
        baseline => text(lang, "ac-window", &[("start", e.baseline.0.to_string()), ("end", last(e.baseline))]),
        follow_up => text(lang, "ac-window", &[("start", e.follow_up.0.to_string()), ("end", last(e.follow_up))]),
        as_of => pk_date(e.as_of).to_string(), seed => e.seed,
        min_cell => e.min_cell,
        warnings => e.warnings.iter().map(|w| w.text.clone()).collect::<Vec<_>>(),
        kpis => e.results.iter().map(|k| kpi_ctx(lang, k)).collect::<Vec<_>>(),
    }
}

/// The printable evaluation of one action: one self-contained HTML document (inline CSS and
/// SVG, no script, nothing fetched).
pub fn action_report_html(
    e: &ActionEvaluation,
    cat: &Catalogue,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), a => body_ctx(lang, cat, e),
        generated => pk_date(now).to_string(), printable => true,
    };
    crate::html::templates()
        .get_template("report_action.html")
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Internal(anyhow::anyhow!("report_action.html: {e}")))
}

/// The window lengths a page visitor asked for; out of range reads as not asked (the page
/// says so).
fn page_options(q: &QueryPairs) -> (EvaluationOptions, bool) {
    let days = |k: &str| -> Result<Option<u32>, ()> {
        match q.get(k).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|d| (7..=730).contains(d))
                .map(Some)
                .ok_or(()),
        }
    };
    let (b, f) = (days("baseline_days"), days("follow_up_days"));
    let bad = b.is_err() || f.is_err();
    (
        EvaluationOptions {
            baseline_days: b.unwrap_or(None),
            follow_up_days: f.unwrap_or(None),
            ..Default::default()
        },
        bad,
    )
}

/// What a visitor finds at an action's address.
enum Found {
    /// Not there, or not in their reach.
    Missing,
    /// It has not run a week yet: nothing to evaluate.
    NotYet(Box<InnovativeAction>),
    /// Evaluated; `true` when the windows asked for were out of range (defaults used).
    Ready(Box<ActionEvaluation>, bool),
}

async fn evaluated(
    st: &AppState,
    user: &PageUser,
    id: i64,
    q: &QueryPairs,
    lang: Lang,
) -> Result<Found, ApiError> {
    let Some(a) = st
        .store
        .action(id)
        .await?
        .filter(|a| crate::actions::visible(&user.signed, a))
    else {
        return Ok(Found::Missing);
    };
    if a.start + chrono::Duration::days(7) > pk_date(st.clock.now()) {
        return Ok(Found::NotYet(Box::new(a)));
    }
    let m = match user.signed.user.role {
        Role::Admin => None,
        _ => evidence_reach(&user.signed.user, st.settings.min_cell)
            .min_cell
            .or(u64::try_from(st.settings.min_cell).ok()),
    };
    let (opts, bad) = page_options(q);
    let e = evaluate_action(
        st.store.as_ref(),
        &st.catalogue,
        &st.population,
        &a,
        &opts,
        m,
        lang,
        st.clock.now(),
    )
    .await?;
    Ok(Found::Ready(Box::new(e), bad))
}

/// `/evaluate/actions/{id}`: the evaluation on the dashboard.
pub(super) async fn action_page(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    let base = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone(),
    };
    match evaluated(&st, &user, id, &q, lang).await {
        Err(e) => e.into_response(),
        Ok(Found::Missing) => page(
            StatusCode::NOT_FOUND,
            "action.html",
            context! { missing => true, ..base },
            &cookies,
        ),
        Ok(Found::NotYet(a)) => page(
            StatusCode::OK,
            "action.html",
            context! { not_yet => text(lang, "ac-not-yet", &[("title", a.title.clone()), ("start", a.start.to_string())]), ..base },
            &cookies,
        ),
        Ok(Found::Ready(e, bad)) => page(
            StatusCode::OK,
            "action.html",
            context! {
                a => body_ctx(lang, &st.catalogue, &e),
                baseline_days => q.get("baseline_days").unwrap_or_default().to_string(),
                follow_up_days => q.get("follow_up_days").unwrap_or_default().to_string(),
                error => bad.then(|| text(lang, "ac-window-range", &[])),
                ..base
            },
            &cookies,
        ),
    }
}

/// `/evaluate/actions/{id}/evaluation.csv`: the same figures, one row per key figure.
pub(super) async fn action_csv(
    State(st): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    q: QueryPairs,
) -> Response {
    let lang = q
        .get("lang")
        .and_then(Lang::parse)
        .filter(|l| matches!(l, Lang::En | Lang::Ur | Lang::Sd))
        .unwrap_or(Lang::En);
    match evaluated(&st, &user, id, &q, lang).await {
        Err(e) => e.into_response(),
        Ok(Found::Missing) => {
            ApiError::not_found(format!("no action {id} in your reach")).into_response()
        }
        Ok(Found::NotYet(a)) => ApiError::from(Error::field(
            "start",
            format!(
                "the action starts on {}; it needs a week of data after its start",
                a.start
            ),
        ))
        .into_response(),
        Ok(Found::Ready(e, _)) => match evaluation_csv(&e) {
            Ok(body) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"sahulat-action-{id}.csv\""),
                    ),
                ],
                body,
            )
                .into_response(),
            Err(e) => ApiError::from(Error::Internal(e)).into_response(),
        },
    }
}
