//! The printable local-plan report (`sahulat report plan --format html`): one self-contained
//! HTML document (inline CSS with `@page` and `@media print`, inline SVG, no script, nothing
//! fetched) with one printed page per district: its key figures, requests by month as a chart
//! with its table, the SDG view, the ranked needs, the hotspots on the tehsil outline and the
//! sources and licences of its census figures and boundaries. The figures are the dashboard's
//! and `GET /api/v1/plan`'s (`summarise`, `plan_of`), with small cells suppressed the same way;
//! every word comes from the Fluent catalogues (`rp-*` and `ev-*`).

use super::evaluate::{chart, show_f, show_n};
use super::render::dir;
use crate::evidence::{plan_of, plan_window};
use minijinja::{context, Value};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::evidence::open_data::LICENCE;
use sahulat_domain::evidence::summary::{pk_date, Dimension as D};
use sahulat_domain::evidence::{summarise, Ask, Cell, Fact, Period, Reach, Row, SummarySpec};
use sahulat_domain::lang::Lang;
use sahulat_domain::messages::text;
use sahulat_domain::Error;
use sahulat_store::reference_data::Reference;
use sahulat_store::{FactQuery, Store};
use std::collections::{BTreeSet, HashMap};

/// The attribution the boundary data requires (`fixtures/boundaries/SOURCE.md`), quoted as
/// published.
pub const BOUNDARIES_ATTRIBUTION: &str =
    "Boundaries derived from geoBoundaries (Runfola, D. et al. \
2020, \"geoBoundaries: A global database of political administrative boundaries\", PLoS ONE \
15(4): e0231866, https://www.geoboundaries.org), Pakistan ADM3 layer sourced from Pathways Data \
Pvt. Ltd. and the Pakistan Bureau of Statistics, licensed under the Open Database License 1.0 \
(https://opendatacommons.org/licenses/odbl/1-0/). Administrative names and P-codes: OCHA Common \
Operational Dataset – Administrative Boundaries, Pakistan, v01 (2022-09-09), WFP SDI / OCHA, \
licensed CC BY 3.0 IGO.";

/// What the printable report covers, for whom, in which language.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    /// One checked question per district, in print order; each names exactly one district.
    pub asks: Vec<Ask>,
    /// The reader's reach: its small-cell threshold applies to every figure.
    pub reach: Reach,
    /// Hotspot radius, metres.
    pub radius_m: f64,
    /// Hotspot minimum size (never below the small-cell threshold).
    pub min_size: usize,
    /// The document's language (English, Urdu or Sindhi).
    pub lang: Lang,
    /// Events up to this instant are counted; later ones are not known yet.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The report as one HTML document, each district on its own printed page.
pub async fn plan_report_html(
    store: &dyn Store,
    reference: &Reference,
    spec: &ReportSpec,
) -> Result<String, Error> {
    let lang = spec.lang;
    let mut sections = Vec::with_capacity(spec.asks.len());
    for ask in &spec.asks {
        sections.push(district_section(store, reference, ask, spec).await?);
    }
    let ctx = context! {
        lang => lang.code(), dir => dir(lang), sections => sections,
        generated => pk_date(spec.now).to_string(), min_cell => spec.reach.min_cell,
        licence => LICENCE, boundaries => BOUNDARIES_ATTRIBUTION,
    };
    crate::html::templates()
        .get_template("report_plan.html")
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Internal(anyhow::anyhow!("report_plan.html: {e}")))
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Names of places and services in the report's language.
struct Names<'a> {
    cat: &'a Catalogue,
    lang: Lang,
}

impl Names<'_> {
    fn tehsil(&self, code: &str) -> String {
        match self.cat.tehsil(code) {
            Some(t) => t.names.get(self.lang).to_string(),
            None if code == "unknown" => text(self.lang, "rp-unknown-tehsil", &[]),
            None => code.to_string(),
        }
    }
    fn service(&self, code: &str) -> String {
        self.cat
            .service(code)
            .map(|s| s.names.get(self.lang).to_string())
            .unwrap_or_else(|| code.to_string())
    }
}

/// One district's page.
async fn district_section(
    store: &dyn Store,
    reference: &Reference,
    ask: &Ask,
    spec: &ReportSpec,
) -> Result<Value, Error> {
    let (lang, now, m) = (spec.lang, spec.now, spec.reach.min_cell);
    let cat = reference.catalogue.as_ref();
    let pop = reference.population.as_ref();
    let code = ask.districts.first().cloned().unwrap_or_default();
    let district = cat
        .district(&code)
        .ok_or_else(|| Error::NotFound(format!("district {code}")))?;
    let province = cat
        .provinces
        .iter()
        .find(|p| p.code == district.province)
        .map(|p| p.names.get(lang).to_string())
        .unwrap_or_default();
    let (from, to, prev_start) = plan_window(ask, now);
    let (cur_q, prev_q) = (
        FactQuery::asked(ask, from, to),
        FactQuery::asked(ask, prev_start, from),
    );
    let (facts, ratings, earlier) = tokio::try_join!(
        store.evidence_facts(&cur_q),
        store.evidence_ratings(&cur_q),
        store.evidence_facts(&prev_q)
    )?;
    let with = |by: Vec<D>| {
        let mut s = ask.spec(&spec.reach, now);
        s.by = by;
        summarise(&facts, &ratings, &s, cat, pop)
    };
    let names = Names { cat, lang };
    let overall = with(vec![]);
    let months = with(vec![D::Period(Period::Month)]);
    let sdg = with(vec![D::Sdg]);
    let view = plan_of(
        &facts,
        &earlier,
        cat,
        pop,
        ask,
        &spec.reach,
        spec.radius_m,
        spec.min_size,
        now,
    );
    let residents = pop.residents(Some(&code), None);
    let figures = overall
        .first()
        .map(|r| key_figures(lang, r, residents))
        .unwrap_or_default();
    let (month_rows, bars) = super::evaluate::month_table(lang, &months);
    let sdg_rows = sdg_rows(
        lang,
        cat,
        ask,
        &sdg,
        &facts,
        &earlier,
        (from, to, prev_start),
        m,
    );
    let needs: Vec<Value> = view
        .plan
        .needs
        .iter()
        .map(|n| {
            context! {
                rank => n.rank, tehsil => names.tehsil(&n.tehsil), service => names.service(&n.service),
                sdg => n.sdg_targets.join(", "), received => show_n(lang, n.received),
                per_10k => show_f(lang, n.per_10k, false, 2), growth => show_f(lang, n.growth, true, 0),
                unresolved => show_f(lang, n.unresolved_share, true, 0),
                days => show_f(lang, n.days_to_resolve_median, false, 1),
            }
        })
        .collect();
    let hotspots: Vec<Value> = view
        .plan
        .hotspots
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let services: Vec<String> = h
                .services
                .iter()
                .map(|(s, c)| format!("{} ({})", names.service(s), show_n(lang, *c)))
                .collect();
            context! {
                n => i + 1, count => show_n(lang, Cell::count(h.count, m)),
                tehsil => h.tehsil.as_deref().map(|t| names.tehsil(t)).unwrap_or_default(),
                services => services.join(", "),
                lat => format!("{:.3}", h.lat), lon => format!("{:.3}", h.lon),
            }
        })
        .collect();
    let dots: Vec<(f64, f64)> = view.plan.hotspots.iter().map(|h| (h.lat, h.lon)).collect();
    let map = crate::web::map::svg(cat, &reference.geo, &code, lang, &dots);
    let census = census_rows(lang, cat, pop, &code);
    let not_comparable: Vec<String> = cat
        .tehsils
        .iter()
        .filter(|t| t.district == code)
        .filter(|t| pop.tehsil(&t.code).is_some_and(|f| !f.comparable))
        .map(|t| t.names.get(lang).to_string())
        .collect();
    Ok(context! {
        code => code.clone(), name => district.names.get(lang).to_string(), province => province,
        start => ask.from_date.to_string(), end => ask.to_date.to_string(),
        prev_start => view.previous_from.to_string(), prev_end => view.previous_to.to_string(),
        figures => figures, months => month_rows,
        chart => chart(&bars, &text(lang, "ev-by-month", &[])),
        sdg => sdg_rows, needs => needs, suppressed_groups => view.plan.suppressed_groups,
        hotspots => hotspots, map => map, radius_m => format!("{:.0}", view.radius_m), min_size => view.min_size,
        census => census, not_comparable => not_comparable.join(", "),
    })
}

/// The key-figure rows (label, value, how it is counted), as on the dashboard's tiles.
fn key_figures(
    lang: Lang,
    r: &Row,
    residents: Option<&sahulat_domain::evidence::population::Figure>,
) -> Vec<Value> {
    let f = &r.figures;
    let row = |id: &str, key: &str, value: String, note: String| {
        context! { id => id, label => text(lang, key, &[]), value => value, note => note }
    };
    let median = show_f(lang, f.days_to_resolve_median, false, 1);
    let mut censoring = text(
        lang,
        "rp-censoring",
        &[
            ("n", show_n(lang, f.resolve_n)),
            ("censored", show_n(lang, f.resolve_censored)),
        ],
    );
    if matches!(f.days_to_resolve_median, Cell::Unknown) {
        censoring = format!("{censoring} {}", text(lang, "rp-median-unknown", &[]));
    }
    let per_10k_note = match residents {
        Some(p) => text(
            lang,
            "rp-per-10k-note",
            &[
                ("population", thousands(p.population)),
                ("year", p.year.to_string()),
            ],
        ),
        None => text(lang, "rp-per-10k-unknown", &[]),
    };
    vec![
        row(
            "received",
            "ev-received",
            show_n(lang, f.received),
            String::new(),
        ),
        row(
            "backlog",
            "ev-backlog",
            show_n(lang, f.backlog_at_end),
            text(lang, "rp-backlog-note", &[]),
        ),
        row("days-resolve", "ev-days-resolve", median, censoring),
        row(
            "sla",
            "ev-sla",
            show_f(lang, f.sla_compliance, true, 0),
            text(
                lang,
                "rp-sla-note",
                &[
                    ("due", show_n(lang, f.sla_due)),
                    ("notdue", show_n(lang, f.sla_not_yet_due)),
                ],
            ),
        ),
        row(
            "satisfied",
            "ev-satisfied",
            show_f(lang, f.satisfied_share, true, 0),
            text(lang, "rp-satisfied-note", &[("n", show_n(lang, f.ratings))]),
        ),
        row(
            "per-10k",
            "ev-per-10k",
            show_f(lang, r.per_10k, false, 2),
            per_10k_note,
        ),
    ]
}

/// The SDG view with its trend (received against the window before), as on the dashboard.
#[allow(clippy::too_many_arguments)]
fn sdg_rows(
    lang: Lang,
    cat: &Catalogue,
    ask: &Ask,
    rows: &[Row],
    facts: &[Fact],
    earlier: &[Fact],
    (from, to, prev_start): (
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    ),
    min_cell: Option<u64>,
) -> Vec<Value> {
    let exact = |facts: &[Fact], from, to| -> HashMap<String, u64> {
        let spec = SummarySpec {
            from,
            to,
            by: vec![D::Sdg],
            min_cell: None,
            districts: ask.districts.clone(),
            tehsil: ask.tehsil.clone(),
        };
        summarise(facts, &Default::default(), &spec, cat, &Default::default())
            .into_iter()
            .map(|r| {
                let n = r.figures.received.value().unwrap_or(0);
                (r.group.get("sdg").cloned().unwrap_or_default(), n)
            })
            .collect()
    };
    let (now_n, then_n) = (exact(facts, from, to), exact(earlier, prev_start, from));
    rows.iter()
        .map(|r| {
            let target = r.group.get("sdg").cloned().unwrap_or_default();
            let (cur, prev) = (
                now_n.get(&target).copied().unwrap_or(0),
                then_n.get(&target).copied().unwrap_or(0),
            );
            let growth = (prev > 0).then(|| (cur as f64 - prev as f64) / prev as f64);
            let prefix = format!("{target}.");
            let indicators: BTreeSet<String> = cat
                .services
                .iter()
                .filter(|s| s.sdg.targets.contains(&target))
                .flat_map(|s| s.sdg.indicators.iter().filter(|i| i.starts_with(&prefix)))
                .cloned()
                .collect();
            context! {
                trend => show_f(lang, Cell::new(growth, cur.min(prev), min_cell), true, 0),
                indicators => indicators.into_iter().collect::<Vec<_>>().join(", "),
                target => target,
                received => show_n(lang, r.figures.received),
                resolved => show_f(lang, r.figures.share_resolved, true, 0),
                days => show_f(lang, r.figures.days_to_resolve_median, false, 1),
                satisfied => show_f(lang, r.figures.satisfied_share, true, 0),
            }
        })
        .collect()
}

/// The census figures behind the district's rates: every year of the district, the latest
/// figure of each tehsil, each with whether it matches the drawn polygon and its source.
fn census_rows(
    lang: Lang,
    cat: &Catalogue,
    pop: &sahulat_domain::evidence::Population,
    district: &str,
) -> Vec<Value> {
    let names = Names { cat, lang };
    let row = |place: String, f: &sahulat_domain::evidence::population::Figure| {
        context! {
            place => place, year => f.year, population => thousands(f.population),
            comparable => text(lang, if f.comparable { "rp-yes" } else { "rp-no" }, &[]),
            source => f.source.clone(),
        }
    };
    let mut years: Vec<_> = pop.all().filter(|(c, _)| *c == district).collect();
    years.sort_by_key(|(_, f)| f.year);
    let name = cat
        .district(district)
        .map(|d| d.names.get(lang).to_string())
        .unwrap_or_else(|| district.to_string());
    let mut out: Vec<Value> = years.iter().map(|(_, f)| row(name.clone(), f)).collect();
    for t in cat.tehsils.iter().filter(|t| t.district == district) {
        if let Some(f) = pop.tehsil(&t.code) {
            out.push(row(names.tehsil(&t.code), f));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn populations_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(2_595_492), "2,595,492");
    }
}
