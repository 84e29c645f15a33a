//! Request-level open data, CSV and GeoJSON: one row per request with the columns to recompute
//! every key figure, and nothing that identifies a person — no phone, name or e-mail, points
//! rounded to 3 decimals (about 100 m), descriptions only where neither rejected nor hidden by
//! a moderator.

use super::hotspots::round_100m;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// The licence every export carries.
pub const LICENCE: &str = "Sahulat open data: CC BY 4.0, attribution \"Sahulat pilot: district \
governments of Quetta, Kech, Larkana and Naushahro Feroze\"; place codes from OCHA COD-AB \
(CC BY 3.0 IGO); tehsils from geoBoundaries (ODbL 1.0)";

/// One request as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenRecord {
    /// Reference.
    pub reference: String,
    /// Service code.
    pub service: String,
    /// The service's SDG targets, `;`-separated.
    pub sdg_targets: String,
    /// District code.
    pub district: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Channel.
    pub channel: String,
    /// Priority now.
    pub priority: String,
    /// Status now.
    pub status: String,
    /// Latitude, rounded to 3 decimals.
    pub lat: Option<f64>,
    /// Longitude, rounded to 3 decimals.
    pub lon: Option<f64>,
    /// The public description (empty when rejected or hidden).
    pub description: Option<String>,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// The department's first response.
    pub responded_at: Option<DateTime<Utc>>,
    /// Closed (latest).
    pub closed_at: Option<DateTime<Utc>>,
    /// Resolve-by time (current).
    pub sla_due_at: Option<DateTime<Utc>>,
    /// The request it was merged into.
    pub duplicate_of: Option<String>,
    /// Citizens behind it.
    pub reporters: u32,
    /// Times reopened.
    pub reopen_count: u32,
    /// Ratings given.
    pub ratings: u32,
    /// Mean rating.
    pub rating_mean: Option<f64>,
}

impl OpenRecord {
    /// Rounds the point and drops what must not be published: the caller passes the stored
    /// row, this makes it safe.
    pub fn published(mut self, description_public: bool) -> Self {
        self.lat = self.lat.map(round_100m);
        self.lon = self.lon.map(round_100m);
        if !description_public {
            self.description = None;
        }
        self.rating_mean = self.rating_mean.map(|m| (m * 100.0).round() / 100.0);
        self
    }
}

/// Column names of the CSV, in order.
pub const COLUMNS: [&str; 20] = [
    "reference",
    "service",
    "sdg_targets",
    "district",
    "tehsil",
    "channel",
    "priority",
    "status",
    "lat",
    "lon",
    "description",
    "created_at",
    "responded_at",
    "closed_at",
    "sla_due_at",
    "duplicate_of",
    "reporters",
    "reopen_count",
    "ratings",
    "rating_mean",
];

fn t(x: Option<DateTime<Utc>>) -> String {
    x.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn o<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// The CSV (header first).
pub fn to_csv(records: &[OpenRecord]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in records {
        w.write_record([
            r.reference.clone(),
            r.service.clone(),
            r.sdg_targets.clone(),
            r.district.clone(),
            o(r.tehsil.clone()),
            r.channel.clone(),
            r.priority.clone(),
            r.status.clone(),
            o(r.lat),
            o(r.lon),
            o(r.description.clone()),
            t(Some(r.created_at)),
            t(r.responded_at),
            t(r.closed_at),
            t(r.sla_due_at),
            o(r.duplicate_of.clone()),
            r.reporters.to_string(),
            r.reopen_count.to_string(),
            r.ratings.to_string(),
            o(r.rating_mean),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The GeoJSON FeatureCollection (requests without a point are left out of it) with the
/// licence as a top-level member.
pub fn to_geojson(records: &[OpenRecord]) -> String {
    let features: Vec<serde_json::Value> = records
        .iter()
        .filter_map(|r| {
            let (lat, lon) = (r.lat?, r.lon?);
            let mut props = serde_json::to_value(r).ok()?;
            if let Some(m) = props.as_object_mut() {
                m.remove("lat");
                m.remove("lon");
            }
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": props,
            }))
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "licence": LICENCE,
        "features": features,
    })
    .to_string()
}
