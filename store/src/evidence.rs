//! Evidence: the facts behind the key figures (one compact row per request, no contact and no
//! text) and the citizens' ratings, for a window and a filter. The counting is the domain's
//! (`sahulat_domain::evidence`); this only reads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::Result;
use sahulat_domain::evaluation::Outcome;
use sahulat_domain::evidence::open_data::OpenRecord;
use sahulat_domain::evidence::{Ask, Fact};
use sahulat_domain::status::{Channel, Priority};
use std::collections::HashMap;

/// Which requests a summary is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactQuery {
    /// District codes (at least one).
    pub districts: Vec<String>,
    /// One tehsil, if asked.
    pub tehsil: Option<String>,
    /// Service codes (empty: all).
    pub services: Vec<String>,
    /// One channel, if asked.
    pub channel: Option<Channel>,
    /// One priority, if asked.
    pub priority: Option<Priority>,
    /// Window start (inclusive).
    pub from: DateTime<Utc>,
    /// Window end (exclusive).
    pub to: DateTime<Utc>,
    /// Only the requests created in the window, not the older ones still open at its start
    /// (an evaluation compares what was received in each window; a backlog is not asked for).
    pub created_only: bool,
}

impl FactQuery {
    /// The requests `ask` names (places, services, channel, priority) over `from..to`.
    pub fn asked(ask: &Ask, from: DateTime<Utc>, to: DateTime<Utc>) -> FactQuery {
        FactQuery {
            districts: ask.districts.clone(),
            tehsil: ask.tehsil.clone(),
            services: ask.services.clone(),
            channel: ask.channel,
            priority: ask.priority,
            from,
            to,
            created_only: false,
        }
    }
}

/// An evaluation's requests and their citizens' ratings (stars by request id).
pub type OutcomesRead = (Vec<Outcome>, HashMap<i64, Vec<u8>>);

/// Reads for summaries, plan input and exports.
#[async_trait]
pub trait Evidence: Send + Sync {
    /// Every request the filter matches that was created in the window, or created before it
    /// and still open at its start (for the backlog; not with `created_only`).
    async fn evidence_facts(&self, q: &FactQuery) -> Result<Vec<Fact>>;
    /// What an evaluation reads of the requests the filter matches that were created in the
    /// window (`created_only` is implied), and their ratings by request id (as
    /// `evidence_ratings`): seven columns instead of sixteen, because an evaluation reads every
    /// request of its windows, up to a million.
    async fn evaluation_outcomes(&self, q: &FactQuery) -> Result<OutcomesRead>;
    /// The ratings of the requests created in the window, by request id.
    async fn evidence_ratings(&self, q: &FactQuery) -> Result<HashMap<i64, Vec<u8>>>;
    /// The last time any request changed (`None` on an empty database): the end of the data,
    /// which an evaluation must not look past (a simulated or restored history may end before
    /// today, and requests it left open were not "unanswered for months").
    async fn latest_activity(&self) -> Result<Option<DateTime<Utc>>>;
    /// The requests created in the window as open data (at most `limit`, oldest first), each
    /// already `published` (point rounded, description only where public); `sdg_targets` is
    /// left for the caller, who knows the catalogue.
    async fn open_data(&self, q: &FactQuery, limit: u32) -> Result<Vec<OpenRecord>>;
}

/// The open-data columns, over `service_requests s` and its merged-into request `d`.
pub(crate) const OPEN_COLUMNS: &str = "s.reference, s.service_code, s.district_code, s.tehsil_code, \
    s.channel, s.priority, s.status, s.lat, s.lon, s.description, \
    (s.status = 'rejected' OR s.description_hidden_at IS NOT NULL) AS description_withheld, \
    s.created_at, s.responded_at, s.closed_at, s.sla_due_at, d.reference AS duplicate_reference, \
    s.reporters, s.reopen_count, \
    (SELECT COUNT(*) FROM ratings r WHERE r.request_id = s.id) AS ratings, \
    (SELECT AVG(CAST(r.rating AS DOUBLE PRECISION)) FROM ratings r WHERE r.request_id = s.id) AS rating_mean";

/// The columns of an `Outcome`, in the order both stores read them.
pub(crate) const OUTCOME_COLUMNS: &str =
    "id, tehsil_code, status, created_at, closed_at, sla_due_at, reopen_count";

/// The columns of a `Fact`, in the order both stores read them.
pub(crate) const FACT_COLUMNS: &str =
    "id, service_code, province_code, district_code, tehsil_code, lat, lon, channel, \
    priority, status, created_at, responded_at, closed_at, sla_due_at, reporters, reopen_count";

/// The filter's conditions, each a column and the values it may take (at least one): places,
/// services, channel and priority. Both stores write their SQL from this one list.
pub(crate) fn conditions(q: &FactQuery) -> Vec<(&'static str, Vec<&str>)> {
    let mut out = vec![(
        "district_code",
        q.districts.iter().map(String::as_str).collect(),
    )];
    if let Some(t) = &q.tehsil {
        out.push(("tehsil_code", vec![t.as_str()]));
    }
    if !q.services.is_empty() {
        out.push((
            "service_code",
            q.services.iter().map(String::as_str).collect(),
        ));
    }
    if let Some(c) = q.channel {
        out.push(("channel", vec![c.as_str()]));
    }
    if let Some(p) = q.priority {
        out.push(("priority", vec![p.as_str()]));
    }
    out
}

/// ` AND …` for the filter's `conditions` (columns of `alias`), bound on a sqlx query.
pub(crate) fn push_filter<'a, DB: sqlx::Database>(
    b: &mut sqlx::QueryBuilder<'a, DB>,
    q: &'a FactQuery,
    alias: &str,
) where
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    for (column, values) in conditions(q) {
        b.push(format!(" AND {alias}{column} IN ("));
        let mut sep = b.separated(", ");
        for v in values {
            sep.push_bind(v);
        }
        b.push(")");
    }
}
