//! `sahulat report plan`: a district's local plan input (needs ranked by tehsil and service,
//! hotspots) for a window, computed by the same code as `GET /api/v1/plan`, written to standard
//! output as JSON, CSV (the needs) or GeoJSON (the hotspots) for one district, or as one
//! printable HTML document (`html`, in English, Urdu or Sindhi) with each district on its own
//! page. Figures on fewer than `SAHULAT_MIN_CELL` requests are suppressed, as in every export.
//! Every refusal names the flag and what it accepts.

use chrono::Utc;
use sahulat_domain::catalogue::{Catalogue, PILOT_DISTRICTS};
use sahulat_domain::evidence::{hotspots_geojson, needs_csv, Ask, Reach};
use sahulat_domain::lang::Lang;
use sahulat_store::reference_data::Reference;
use sahulat_store::Store;
use std::collections::HashMap;

/// Output formats.
pub const FORMATS: &str = "html, json, csv, geojson";

/// Report languages (`--lang`).
pub const LANGS: &str = "en, ur, sd";

/// What `sahulat report plan` was asked for.
#[derive(Debug, Clone)]
pub struct PlanArgs {
    /// `--district` values as given: P-codes or names, each possibly a comma list, or `all`.
    pub districts: Vec<String>,
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD, inclusive.
    pub to: String,
    /// `html`, `json`, `csv` or `geojson`.
    pub format: String,
    /// `en`, `ur` or `sd` (the HTML report's language).
    pub lang: String,
    /// Hotspot radius, metres.
    pub radius_m: f64,
    /// Hotspot minimum size.
    pub min_size: usize,
    /// Small-cell threshold.
    pub min_cell: u64,
}

/// The language named by `--lang`.
pub fn language(value: &str) -> anyhow::Result<Lang> {
    match Lang::parse(value) {
        Some(l @ (Lang::En | Lang::Ur | Lang::Sd)) => Ok(l),
        _ => anyhow::bail!("--lang {value:?} is not a report language; accepted: {LANGS}"),
    }
}

/// The pilot districts named by `--district` (P-codes or names, repeated or comma-separated,
/// or `all` for the four pilots), as P-codes in the order given, each once.
pub fn districts(cat: &Catalogue, values: &[String]) -> anyhow::Result<Vec<String>> {
    let accepted = || {
        let named: Vec<String> = PILOT_DISTRICTS
            .iter()
            .filter_map(|c| cat.district(c))
            .map(|d| format!("{} ({})", d.code, d.names.en))
            .collect();
        format!(
            "{}, by P-code or name, several separated by commas, or all",
            named.join(", ")
        )
    };
    let mut out: Vec<String> = Vec::new();
    for key in values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        let codes: Vec<String> = if key.eq_ignore_ascii_case("all") {
            PILOT_DISTRICTS.iter().map(|c| c.to_string()).collect()
        } else {
            let d = cat
                .find_district(key)
                .filter(|d| d.is_pilot)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--district {key:?} is not a pilot district; accepted: {}",
                        accepted()
                    )
                })?;
            vec![d.code.clone()]
        };
        for c in codes {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    anyhow::ensure!(
        !out.is_empty(),
        "--district is required; accepted: {}",
        accepted()
    );
    Ok(out)
}

/// A refused window names its flag (`--from`, `--to`).
fn flagged(e: sahulat_domain::Error) -> anyhow::Error {
    match e {
        sahulat_domain::Error::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|(f, m)| format!("--{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// The report as text.
pub async fn plan(
    store: &dyn Store,
    reference: &Reference,
    args: &PlanArgs,
) -> anyhow::Result<String> {
    let format = args.format.as_str();
    anyhow::ensure!(
        matches!(format, "html" | "json" | "csv" | "geojson"),
        "--format {format:?}: accepted: {FORMATS}"
    );
    let lang = language(&args.lang)?;
    anyhow::ensure!(
        (10.0..=5000.0).contains(&args.radius_m),
        "--radius-m must be 10 to 5000 metres"
    );
    anyhow::ensure!(
        (2..=1000).contains(&args.min_size),
        "--min-size must be 2 to 1000"
    );
    let cat = &reference.catalogue;
    let codes = districts(cat, &args.districts)?;
    anyhow::ensure!(
        format == "html" || codes.len() == 1,
        "--district: --format {format} takes one district; --format html puts several on their own pages"
    );
    let now = Utc::now();
    let reach = Reach::all_pilots(Some(args.min_cell));
    let mut asks = Vec::with_capacity(codes.len());
    for code in &codes {
        let params: HashMap<&str, &str> = [
            ("district", code.as_str()),
            ("from", args.from.as_str()),
            ("to", args.to.as_str()),
        ]
        .into();
        let ask = Ask::parse(|k| params.get(k).copied(), cat, now)
            .map_err(flagged)?
            .within(&reach, true)
            .map_err(|m| anyhow::anyhow!("--district: {m}"))?;
        asks.push(ask);
    }
    if format == "html" {
        let spec = sahulat_api::ReportSpec {
            asks,
            reach,
            radius_m: args.radius_m,
            min_size: args.min_size,
            lang,
            now,
        };
        return sahulat_api::plan_report_html(store, reference, &spec)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"));
    }
    let view = sahulat_api::evidence::build_plan(
        store,
        &reference.catalogue,
        &reference.population,
        &asks[0],
        &reach,
        args.radius_m,
        args.min_size,
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(match format {
        "csv" => needs_csv(&view.plan.needs)?,
        "geojson" => hotspots_geojson(&view.plan.hotspots),
        _ => serde_json::to_string_pretty(&view)?,
    })
}
