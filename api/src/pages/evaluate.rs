//! The evaluator's dashboard `/evaluate` (evaluators, admins, and coordinators and staff for
//! their district): filters, the key-figure tiles, requests by month drawn as an SVG chart with
//! its table and a CSV link, the SDG view, and for one district the plan's ranked needs and
//! its hotspots on the district's tehsil outline. Server-rendered, no script; small cells read
//! "fewer than 5" for evaluators, as in the API.

use super::render::{dir, language, page};
use super::session::{user_ctx, PageUser};
use crate::access::evidence_reach;
use crate::error::ApiError;
use crate::evidence::{plan_of, plan_window};
use crate::extract::QueryPairs;
use crate::state::AppState;
use crate::web::map::escape;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use sahulat_domain::evidence::summary::Dimension as D;
use sahulat_domain::evidence::{summarise, summary_csv, Ask, Cell, Reach, Row};
use sahulat_domain::lang::Lang;
use sahulat_domain::messages::text;
use sahulat_store::FactQuery;

/// A share (`pct`) or number as shown to the reader: "fewer than N" when suppressed.
pub(crate) fn show_f(lang: Lang, c: Cell<f64>, pct: bool, digits: usize) -> String {
    match c {
        Cell::Value(v) if pct => format!("{:.0}%", v * 100.0),
        Cell::Value(v) => format!("{v:.digits$}"),
        Cell::Suppressed(m) => text(lang, "ev-fewer", &[("n", m.to_string())]),
        Cell::Unknown => "—".into(),
    }
}

/// A count as shown to the reader: "fewer than N" when suppressed.
pub(crate) fn show_n(lang: Lang, c: Cell<u64>) -> String {
    match c {
        Cell::Value(v) => v.to_string(),
        Cell::Suppressed(m) => text(lang, "ev-fewer", &[("n", m.to_string())]),
        Cell::Unknown => "—".into(),
    }
}

/// The monthly table's rows and the chart's bars (requests received) of `months`, shared by
/// the dashboard and the printable report.
pub(crate) fn month_table(
    lang: Lang,
    months: &[Row],
) -> (Vec<minijinja::Value>, Vec<(String, Option<f64>)>) {
    let month = |r: &Row| r.group.get("month").cloned().unwrap_or_default();
    let rows = months
        .iter()
        .map(|r| {
            context! {
                month => month(r),
                received => show_n(lang, r.figures.received),
                resolved => show_f(lang, r.figures.share_resolved, true, 0),
                days => show_f(lang, r.figures.days_to_resolve_median, false, 1),
            }
        })
        .collect();
    let bars = months
        .iter()
        .map(|r| (month(r), r.figures.received.value().map(|v| v as f64)))
        .collect();
    (rows, bars)
}

/// A bar chart of `bars` (label, value; `None` drawn as an empty frame: suppressed).
pub(crate) fn chart(bars: &[(String, Option<f64>)], title: &str) -> String {
    let (w, h, pad) = (560.0_f64, 180.0_f64, 24.0_f64);
    let max = bars.iter().filter_map(|b| b.1).fold(1.0_f64, f64::max);
    let step = (w - pad) / bars.len().max(1) as f64;
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (i, (label, v)) in bars.iter().enumerate() {
        let x = pad + i as f64 * step + 2.0;
        let bw = (step - 4.0).max(1.0);
        match v {
            Some(v) => {
                let bh = (h - 40.0) * v / max;
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"#0b5d3b\"/>\
                     <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{v:.0}</text>",
                    h - 20.0 - bh,
                    x + bw / 2.0,
                    h - 24.0 - bh
                ));
            }
            None => s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"8\" fill=\"none\" stroke=\"#999\" stroke-dasharray=\"2\"/>",
                h - 28.0
            )),
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + bw / 2.0,
            h - 6.0,
            escape(label)
        ));
    }
    s.push_str("</svg>");
    s
}

struct Asked {
    ask: Ask,
    reach: Reach,
    fq: FactQuery,
}

fn asked(st: &AppState, user: &PageUser, q: &QueryPairs) -> Result<Asked, ApiError> {
    let now = st.clock.now();
    let reach = evidence_reach(&user.signed.user, st.settings.min_cell);
    let named = q.get("district").is_some();
    let ask = Ask::parse(|k| q.get(k), &st.catalogue, now)
        .map_err(ApiError::from)?
        .within(&reach, named)
        .map_err(|m| ApiError::new(crate::error::ErrorCode::Forbidden, m))?;
    let fq = FactQuery::asked(&ask, ask.from(), ask.to(now));
    Ok(Asked { ask, reach, fq })
}

pub(super) async fn evaluate(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> Response {
    let (lang, lang_cookie) = language(&headers, &q);
    let a = match asked(&st, &user, &q) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let now = st.clock.now();
    let (facts, ratings) = match tokio::try_join!(
        st.store.evidence_facts(&a.fq),
        st.store.evidence_ratings(&a.fq)
    ) {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let with = |by: Vec<D>| {
        let mut spec = a.ask.spec(&a.reach, now);
        spec.by = by;
        summarise(&facts, &ratings, &spec, &st.catalogue, &st.population)
    };
    let overall: Vec<Row> = with(vec![]);
    let months = with(vec![D::Period(sahulat_domain::evidence::Period::Month)]);
    let sdg = with(vec![D::Sdg]);
    // The SDG view's trend: received against the window of the same length just before.
    let (_, _, prev_start) = plan_window(&a.ask, now);
    let before = FactQuery::asked(&a.ask, prev_start, a.fq.from);
    let earlier = match st.store.evidence_facts(&before).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let exact = |facts: &[sahulat_domain::evidence::Fact],
                 from,
                 to|
     -> std::collections::HashMap<String, u64> {
        let spec = sahulat_domain::evidence::SummarySpec {
            from,
            to,
            by: vec![D::Sdg],
            min_cell: None,
            districts: a.ask.districts.clone(),
            tehsil: a.ask.tehsil.clone(),
        };
        summarise(
            facts,
            &Default::default(),
            &spec,
            &st.catalogue,
            &st.population,
        )
        .into_iter()
        .map(|r| {
            (
                r.group.get("sdg").cloned().unwrap_or_default(),
                r.figures.received.value().unwrap_or(0),
            )
        })
        .collect()
    };
    let (now_n, then_n) = (
        exact(&facts, a.fq.from, a.fq.to),
        exact(&earlier, before.from, before.to),
    );
    let trend = |target: &str| {
        let (cur, prev) = (
            now_n.get(target).copied().unwrap_or(0),
            then_n.get(target).copied().unwrap_or(0),
        );
        let growth = (prev > 0).then(|| (cur as f64 - prev as f64) / prev as f64);
        show_f(
            lang,
            Cell::new(growth, cur.min(prev), a.reach.min_cell),
            true,
            0,
        )
    };
    let tiles = overall.first().map(|r| {
        let f = &r.figures;
        vec![
            (text(lang, "ev-received", &[]), show_n(lang, f.received)),
            (
                text(lang, "ev-per-10k", &[]),
                show_f(lang, r.per_10k, false, 2),
            ),
            (
                text(lang, "ev-backlog", &[]),
                show_n(lang, f.backlog_at_end),
            ),
            (
                text(lang, "ev-days-resolve", &[]),
                show_f(lang, f.days_to_resolve_median, false, 1),
            ),
            (
                text(lang, "ev-sla", &[]),
                show_f(lang, f.sla_compliance, true, 0),
            ),
            (
                text(lang, "ev-reopen", &[]),
                show_f(lang, f.reopen_rate, true, 0),
            ),
            (
                text(lang, "ev-satisfied", &[]),
                show_f(lang, f.satisfied_share, true, 0),
            ),
        ]
    });
    let (month_rows, bars) = month_table(lang, &months);
    let sdg_rows: Vec<minijinja::Value> = sdg
        .iter()
        .map(|r| {
            let target = r.group.get("sdg").cloned().unwrap_or_default();
            let indicators: Vec<String> = st
                .catalogue
                .services
                .iter()
                .filter(|s| s.sdg.targets.contains(&target))
                .flat_map(|s| {
                    s.sdg
                        .indicators
                        .iter()
                        .filter(|i| i.starts_with(&format!("{target}.")))
                        .cloned()
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            context! {
                trend => trend(&target), target => target, indicators => indicators.join(", "),
                received => show_n(lang, r.figures.received),
                resolved => show_f(lang, r.figures.share_resolved, true, 0),
                days => show_f(lang, r.figures.days_to_resolve_median, false, 1),
                satisfied => show_f(lang, r.figures.satisfied_share, true, 0),
            }
        })
        .collect();
    let mut needs = Vec::new();
    let mut hotspots = Vec::new();
    let mut map = None;
    if let [district] = a.ask.districts.as_slice() {
        let p = plan_of(
            &facts,
            &earlier,
            &st.catalogue,
            &st.population,
            &a.ask,
            &a.reach,
            250.0,
            5,
            now,
        );
        {
            let name = |code: &str| {
                st.catalogue
                    .tehsil(code)
                    .map(|t| t.names.get(lang).to_string())
                    .unwrap_or_else(|| code.to_string())
            };
            let service = |code: &str| {
                st.catalogue
                    .service(code)
                    .map(|s| s.names.get(lang).to_string())
                    .unwrap_or_else(|| code.to_string())
            };
            needs = p.plan.needs.iter().take(15).map(|n| context! {
                    rank => n.rank, tehsil => name(&n.tehsil), service => service(&n.service),
                    sdg => n.sdg_targets.join(", "), received => show_n(lang, n.received),
                    per_10k => show_f(lang, n.per_10k, false, 2), growth => show_f(lang, n.growth, true, 0),
                    unresolved => show_f(lang, n.unresolved_share, true, 0),
                    days => show_f(lang, n.days_to_resolve_median, false, 1),
                }).collect::<Vec<_>>();
            hotspots = p.plan.hotspots.iter().take(10).enumerate().map(|(i, h)| context! {
                    n => i + 1, count => h.count, tehsil => h.tehsil.as_deref().map(name).unwrap_or_default(),
                    services => h.services.iter().map(|(s, c)| format!("{} ({})", service(s), show_n(lang, *c))).collect::<Vec<_>>().join(", "),
                    lat => format!("{:.3}", h.lat), lon => format!("{:.3}", h.lon),
                }).collect::<Vec<_>>();
            let dots: Vec<(f64, f64)> = p.plan.hotspots.iter().map(|h| (h.lat, h.lon)).collect();
            map = crate::web::map::svg(&st.catalogue, &st.geo, district, lang, &dots);
        }
    }
    let districts: Vec<minijinja::Value> = a
        .reach
        .districts
        .iter()
        .filter_map(|d| st.catalogue.district(d))
        .map(|d| {
            context! { code => d.code.clone(), name => d.names.get(lang).to_string(),
            selected => a.ask.districts.len() == 1 && a.ask.districts[0] == d.code }
        })
        .collect();
    let actions = match crate::actions::scope(&user.signed) {
        Some(district) => match st.store.actions(district.as_deref()).await {
            Ok(list) => list,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => Vec::new(),
    };
    let actions: Vec<minijinja::Value> = actions
        .iter()
        .map(|x| {
            context! { id => x.id, title => x.title.clone(), start => x.start.to_string(),
                end => x.end.map(|d| d.to_string()),
                district => st.catalogue.district(&x.district).map_or_else(|| x.district.clone(), |d| d.names.get(lang).to_string()) }
        })
        .collect();
    let query = format!(
        "from={}&to={}{}",
        a.ask.from_date,
        a.ask.to_date,
        if a.ask.districts.len() == 1 {
            format!("&district={}", a.ask.districts[0])
        } else {
            String::new()
        }
    );
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), user => user_ctx(&user), csrf => user.csrf.clone(),
        from => a.ask.from_date.to_string(), to => a.ask.to_date.to_string(), districts => districts,
        tiles => tiles.unwrap_or_default(), months => month_rows,
        chart => chart(&bars, &text(lang, "ev-by-month", &[])), sdg => sdg_rows,
        needs => needs, hotspots => hotspots, map => map, query => query,
        min_cell => a.reach.min_cell, actions => actions,
    };
    page(
        StatusCode::OK,
        "evaluate.html",
        ctx,
        &lang_cookie.into_iter().collect::<Vec<_>>(),
    )
}

/// The dashboard's monthly figures as CSV (the same filters; the page session, no token).
pub(super) async fn csv(State(st): State<AppState>, user: PageUser, q: QueryPairs) -> Response {
    let a = match asked(&st, &user, &q) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let now = st.clock.now();
    let mut spec = a.ask.spec(&a.reach, now);
    if spec.by.is_empty() {
        spec.by = vec![D::Period(sahulat_domain::evidence::Period::Month)];
    }
    let (facts, ratings) = match tokio::try_join!(
        st.store.evidence_facts(&a.fq),
        st.store.evidence_ratings(&a.fq)
    ) {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rows = summarise(&facts, &ratings, &spec, &st.catalogue, &st.population);
    match summary_csv(&rows, &spec.by) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sahulat-summary.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => ApiError::from(sahulat_domain::Error::Internal(e)).into_response(),
    }
}
