//! Summaries as CSV: one row per group, the breakdown's columns first (in the order asked),
//! then the population, the rate and every figure; a suppressed cell reads "fewer than N" and
//! an unknown one is empty, exactly as in the JSON.

use super::cells::SHOWN_COLUMNS;
use super::summary::{Dimension, Row};
use serde_json::Value;

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{:.4}", f)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// The CSV of `rows` broken down by `by`.
pub fn summary_csv(rows: &[Row], by: &[Dimension]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = by.iter().map(|d| d.name()).collect();
    header.extend(["population", "per_10k"]);
    header.extend(SHOWN_COLUMNS);
    w.write_record(&header)?;
    for r in rows {
        let v = serde_json::to_value(r)?;
        let mut rec: Vec<String> = by
            .iter()
            .map(|d| r.group.get(d.name()).cloned().unwrap_or_default())
            .collect();
        rec.push(text(v.get("population")));
        rec.push(text(v.get("per_10k")));
        rec.extend(SHOWN_COLUMNS.iter().map(|c| text(v.get(*c))));
        w.write_record(&rec)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The plan's needs as CSV (rank first).
pub fn needs_csv(needs: &[super::plan::Need]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "tehsil",
        "service",
        "sdg_targets",
        "received",
        "per_10k",
        "previous",
        "growth",
        "unresolved_share",
        "days_to_resolve_median",
    ])?;
    for n in needs {
        let v = serde_json::to_value(n)?;
        let mut rec = vec![
            n.rank.to_string(),
            n.tehsil.clone(),
            n.service.clone(),
            n.sdg_targets.join(";"),
        ];
        for c in [
            "received",
            "per_10k",
            "previous",
            "growth",
            "unresolved_share",
            "days_to_resolve_median",
        ] {
            rec.push(text(v.get(c)));
        }
        w.write_record(&rec)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The plan's hotspots as a GeoJSON FeatureCollection of points (centroids, rounded).
pub fn hotspots_geojson(spots: &[super::hotspots::Hotspot]) -> String {
    let features: Vec<Value> = spots
        .iter()
        .map(|h| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
                "properties": {
                    "count": h.count,
                    "radius_m": h.radius_m,
                    "tehsil": h.tehsil,
                    "services": h.services.iter().map(|(s, c)| serde_json::json!({"service": s, "count": c})).collect::<Vec<_>>(),
                },
            })
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "licence": super::open_data::LICENCE,
        "features": features,
    })
    .to_string()
}
