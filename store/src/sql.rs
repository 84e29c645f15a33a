//! SQL pieces that are the same in both dialects, written once: the request columns, the list
//! of open statuses, the exact distance check after a bounding-box search, and the policy for
//! drawing a free reference.

use sahulat_domain::effects::Message;
use sahulat_domain::error::Error;
use sahulat_domain::geo::haversine_m;
use sahulat_domain::ids::IdSource;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::OPEN_STATUSES;
use sahulat_domain::triage::Neighbour;

/// Every column of `service_requests`, in the order the row mappers read them.
pub(crate) const REQUEST_COLUMNS: &str = "id, reference, token, service_code, description, lat, lon, address, \
    province_code, district_code, tehsil_code, channel, language, status, priority, department_code, \
    sla_due_at, duplicate_of, attributes, media_url, created_at, updated_at, closed_at, \
    reporters, escalation_level, ack_due_at, acknowledged_at, triage_flags, filed_service_code, sla_started_at, \
    description_hidden_at";

/// A history entry's message as stored (JSON), or NULL.
pub(crate) fn message_json(m: Option<&Message>) -> Option<serde_json::Value> {
    m.and_then(|m| serde_json::to_value(m).ok())
}

/// The received entry's message (every new request starts with it).
/// The newest reporter's sealed contact detail: what a data key must open (same SQL on both
/// backends, no parameters).
pub(crate) const NEWEST_SEALED_CONTACT: &str =
    "SELECT COALESCE(phone, name, email) FROM request_contacts \
     WHERE COALESCE(phone, name, email) IS NOT NULL ORDER BY request_id DESC LIMIT 1";

pub(crate) fn received_message() -> serde_json::Value {
    serde_json::json!({ "id": "hist-received", "args": [] })
}

/// The open statuses as an SQL list of literals, for `status IN (…)`.
/// The claim's condition that keeps `Task::ONE_AT_A_TIME` kinds to one running job each, for a
/// `jobs` row aliased `j`; `now` is the claim's time parameter (`$3` or `?3`).
pub(crate) fn one_at_a_time_sql(now: &str) -> String {
    let kinds = sahulat_domain::jobs::Task::ONE_AT_A_TIME
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "NOT (j.state = 'queued' AND j.kind IN ({kinds}) AND EXISTS (SELECT 1 FROM jobs o \
         WHERE o.state = 'running' AND o.kind = j.kind AND o.lease_until >= {now}))"
    )
}

pub(crate) fn open_statuses_sql() -> String {
    OPEN_STATUSES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Keeps the requests within `radius_m` of the point (the exact check after the SQL bounding
/// box).
pub(crate) fn within_radius(
    found: Vec<ServiceRequest>,
    lat: f64,
    lon: f64,
    radius_m: f64,
) -> Vec<ServiceRequest> {
    found
        .into_iter()
        .filter(|r| matches!((r.lat, r.lon), (Some(a), Some(b)) if haversine_m(lat, lon, a, b) <= radius_m))
        .collect()
}

/// Which outcomes of a triage batch were written (the first one for each request the update
/// matched: a request asked twice is written once, as it would be one job at a time), and how
/// many new reporters each original gains from the written duplicates.
pub(crate) fn applied_and_merged(
    outcomes: &[sahulat_domain::triage::TriageOutcome],
    written: &std::collections::HashSet<i64>,
) -> (Vec<bool>, std::collections::HashMap<i64, i64>) {
    let mut seen = std::collections::HashSet::new();
    let applied: Vec<bool> = outcomes
        .iter()
        .map(|o| written.contains(&o.request_id) && seen.insert(o.request_id))
        .collect();
    let mut merged = std::collections::HashMap::new();
    for (o, a) in outcomes.iter().zip(&applied) {
        if let (true, Some(original)) = (*a, o.duplicate_of) {
            *merged.entry(original).or_default() += 1;
        }
    }
    (applied, merged)
}

/// The columns of a `Neighbour`, in the order the backends' `neighbour_from_row` read them
/// (after the `ask` column at index 0).
pub(crate) const NEIGHBOUR_COLUMNS: &str =
    "id, reference, service_code, status, lat, lon, department_code, created_at";

/// The answers of a batched duplicate search: each ask's candidates oldest first, kept to its
/// radius (as `nearby_open` answers one).
pub(crate) fn nearby_answers(
    found: Vec<Vec<Neighbour>>,
    asks: &[crate::batches::NearbyAsk],
) -> Vec<Vec<Neighbour>> {
    found
        .into_iter()
        .zip(asks)
        .map(|(mut list, a)| {
            list.sort_by_key(|r| (r.created_at, r.id));
            list.retain(|r| matches!((r.lat, r.lon), (Some(lat), Some(lon)) if haversine_m(a.lat, a.lon, lat, lon) <= a.radius_m));
            list
        })
        .collect()
}

/// A stored status the domain does not know: the database was written by something else.
pub(crate) fn unknown_status(s: &str) -> Error {
    Error::Internal(anyhow::anyhow!("unknown status {s:?} in database"))
}

/// How many random references a new request tries before giving up (one in a hundred million
/// is taken at a million requests: four tries never all collide in practice).
pub(crate) const REFERENCE_TRIES: usize = 4;

/// The references a new request will try, in order.
pub(crate) fn candidate_references(ids: &dyn IdSource) -> Vec<String> {
    (0..REFERENCE_TRIES)
        .map(|_| ids.reference().as_str().to_string())
        .collect()
}

/// The error when every candidate was taken.
pub(crate) fn references_exhausted() -> Error {
    Error::Internal(anyhow::anyhow!("every candidate reference was taken"))
}
