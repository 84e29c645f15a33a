//! `sahulat report plan`: a district's local plan input (needs ranked by tehsil and service,
//! hotspots) for a window, computed by the same code as `GET /api/v1/plan`, written to standard
//! output as JSON, CSV (the needs) or GeoJSON (the hotspots). Figures on fewer than
//! `SAHULAT_MIN_CELL` requests are suppressed, as in every export.

use chrono::Utc;
use sahulat_domain::evidence::{hotspots_geojson, needs_csv, Ask, Reach};
use sahulat_store::reference_data::Reference;
use sahulat_store::Store;
use std::collections::HashMap;

/// Output formats.
pub const FORMATS: &str = "json, csv, geojson";

/// The report as text.
#[allow(clippy::too_many_arguments)]
pub async fn plan(
    store: &dyn Store,
    reference: &Reference,
    district: &str,
    from: &str,
    to: &str,
    format: &str,
    radius_m: f64,
    min_size: usize,
    min_cell: u64,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        matches!(format, "json" | "csv" | "geojson"),
        "--format {format:?}: accepted: {FORMATS} (the printable HTML report is not built yet)"
    );
    anyhow::ensure!(
        (10.0..=5000.0).contains(&radius_m),
        "--radius-m must be 10 to 5000 metres"
    );
    anyhow::ensure!(
        (2..=1000).contains(&min_size),
        "--min-size must be 2 to 1000"
    );
    let params: HashMap<&str, &str> = [("district", district), ("from", from), ("to", to)].into();
    let now = Utc::now();
    let ask = Ask::parse(|k| params.get(k).copied(), &reference.catalogue, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let reach = Reach::all_pilots(Some(min_cell));
    let ask = ask.within(&reach, true).map_err(|m| anyhow::anyhow!(m))?;
    let view = sahulat_api::evidence::build_plan(
        store,
        &reference.catalogue,
        &reference.population,
        &ask,
        &reach,
        radius_m,
        min_size,
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
