//! sqlite: the duplicate search — open requests of a service near a point, received since a
//! moment — for one request (`nearby_open`) or a triage batch at once (`nearby_open_many`).
//!
//! The search reads `service_requests_service_day_place` (service, day received, lat, lon;
//! migration 0020) once per day of the window instead of the whole history's latitude band of
//! the service, so its cost stays flat as the history grows (BENCHMARKS.md, "The duplicate
//! search by day"). The days run from the window's first to the newest request's, taken in the
//! same statement, so nothing received later is missed. The asks go in as one JSON parameter:
//! the statement's text is the same for every batch, so it is prepared once.

use super::*;
use crate::batches::NearbyAsk;
use sahulat_domain::triage::Neighbour;
use std::sync::LazyLock;

/// The asks (`a`) and the days each one reads (`ad`).
const ASKS: &str = "WITH RECURSIVE \
     a(ask, a_service, a_lat0, a_lat1, a_lon0, a_lon1, a_since, a_exclude) AS MATERIALIZED ( \
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
              value ->> 6, value ->> 7 FROM json_each(?)), \
     newest(day) AS (SELECT substr(MAX(created_at), 1, 10) FROM service_requests), \
     ad(ad_ask, ad_day) AS ( \
       SELECT ask, substr(a_since, 1, 10) FROM a \
       UNION ALL \
       SELECT ad_ask, date(ad_day, '+1 day') FROM ad, newest WHERE ad_day < newest.day) ";

/// The search selecting `select` (columns of `r`, the request found, and `a.ask`), then
/// `tail` (grouping or order): each ask's days, the index at (service, day, latitude band),
/// and the point's bounding box (the radius is checked in Rust).
fn statement(select: &str, tail: &str) -> String {
    format!(
        "{ASKS} SELECT {select} FROM ad CROSS JOIN a ON a.ask = ad.ad_ask \
         CROSS JOIN service_requests r INDEXED BY service_requests_service_day_place \
         WHERE r.service_code = a.a_service AND substr(r.created_at, 1, 10) = ad.ad_day \
         AND r.lat BETWEEN a.a_lat0 AND a.a_lat1 AND r.lon BETWEEN a.a_lon0 AND a.a_lon1 \
         AND r.created_at >= a.a_since AND r.id <> a.a_exclude AND r.status IN ({}) {tail}",
        open_statuses_sql()
    )
}

/// `columns` (comma-separated) as columns of `r`.
fn of_r(columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `nearby_open`'s statement, built once.
static ONE: LazyLock<String> =
    LazyLock::new(|| statement(&of_r(REQUEST_COLUMNS), "ORDER BY r.created_at, r.id"));

/// `nearby_many`'s statement, built once.
static MANY: LazyLock<String> = LazyLock::new(|| {
    let columns = of_r(NEIGHBOUR_COLUMNS);
    statement(
        &format!("a.ask, json_group_array(json_array({columns}))"),
        "GROUP BY a.ask",
    )
});

/// The asks as the statement's one JSON parameter: `[ask, service, lat0, lat1, lon0, lon1,
/// since, exclude]` each.
fn asks_json(asks: &[NearbyAsk]) -> String {
    let rows: Vec<serde_json::Value> = asks
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (lat0, lat1, lon0, lon1) = bbox(a.lat, a.lon, a.radius_m);
            serde_json::json!([i, a.service, lat0, lat1, lon0, lon1, ts(a.since), a.exclude])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Every open request of the ask's service near its point received since its moment, oldest
/// first, kept to its radius.
pub(super) async fn nearby_open(
    reader: &SqlitePool,
    ask: &NearbyAsk,
) -> Result<Vec<ServiceRequest>> {
    let rows = sqlx::query(ONE.as_str())
        .bind(asks_json(std::slice::from_ref(ask)))
        .fetch_all(reader)
        .await
        .map_err(db)?;
    let all: Vec<ServiceRequest> = rows.iter().map(request_from_row).collect::<Result<_>>()?;
    Ok(within_radius(all, ask.lat, ask.lon, ask.radius_m))
}

/// Each ask's neighbours (unsorted, not yet kept to the radius: `nearby_answers` does both),
/// in one statement: one row per ask that has any, its neighbours as a JSON array (a busy batch
/// finds thousands, and each row is a hand-off from the connection's thread).
pub(super) async fn nearby_many(
    reader: &SqlitePool,
    asks: &[NearbyAsk],
) -> Result<Vec<Vec<Neighbour>>> {
    let mut found: Vec<Vec<Neighbour>> = vec![Vec::new(); asks.len()];
    if asks.is_empty() {
        return Ok(found);
    }
    for r in sqlx::query(MANY.as_str())
        .bind(asks_json(asks))
        .fetch_all(reader)
        .await
        .map_err(db)?
    {
        let ask: i64 = r.try_get(0).map_err(db)?;
        if let Some(list) = found.get_mut(ask as usize) {
            *list = neighbours_from_json(r.try_get(1).map_err(db)?)?;
        }
    }
    Ok(found)
}

/// One neighbour as `json_array(NEIGHBOUR_COLUMNS)` writes it.
type NeighbourJson<'a> = (
    i64,
    String,
    String,
    &'a str,
    Option<f64>,
    Option<f64>,
    Option<String>,
    &'a str,
);

/// The `Neighbour`s of one ask from its `json_group_array` of `NEIGHBOUR_COLUMNS`.
fn neighbours_from_json(text: &str) -> Result<Vec<Neighbour>> {
    let rows: Vec<NeighbourJson<'_>> = serde_json::from_str(text)
        .map_err(|e| Error::Internal(anyhow::anyhow!("neighbours of a duplicate search: {e}")))?;
    rows.into_iter()
        .map(
            |(id, reference, service_code, status, lat, lon, department, created_at)| {
                Ok(Neighbour {
                    id,
                    reference,
                    service_code,
                    status: Status::parse(status).ok_or_else(|| unknown_status(status))?,
                    lat,
                    lon,
                    department,
                    created_at: parse_ts(created_at)?,
                })
            },
        )
        .collect()
}
