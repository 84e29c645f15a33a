//! Small-cell suppression: a figure built on fewer requests than the threshold could point
//! at a person ("the one water complaint from Hoshab this month"), so those who must not see
//! exact counts (evaluators, exports) get "fewer than N" instead. Figure by figure, each with
//! the number of requests it rests on.

use super::kpi::Kpis;
use serde::{Serialize, Serializer};

/// A figure as shown: its value, "fewer than N", or unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<T> {
    /// The value.
    Value(T),
    /// Built on fewer than this many requests.
    Suppressed(u64),
    /// Not known (no population, median not reached, nothing to divide by).
    Unknown,
}

impl<T: Copy> Cell<T> {
    /// `value`, built on `n` requests, suppressed when `n < min_cell`.
    pub fn new(value: Option<T>, n: u64, min_cell: Option<u64>) -> Cell<T> {
        match (min_cell, value) {
            (Some(m), _) if n < m => Cell::Suppressed(m),
            (_, Some(v)) => Cell::Value(v),
            (_, None) => Cell::Unknown,
        }
    }

    /// The value, if shown.
    pub fn value(&self) -> Option<T> {
        match self {
            Cell::Value(v) => Some(*v),
            _ => None,
        }
    }
}

impl Cell<u64> {
    /// A count that is its own base.
    pub fn count(n: u64, min_cell: Option<u64>) -> Cell<u64> {
        Cell::new(Some(n), n, min_cell)
    }
}

/// The words for a suppressed cell in JSON and CSV (pages translate it).
pub fn fewer_than(m: u64) -> String {
    format!("fewer than {m}")
}

impl<T: Serialize> Serialize for Cell<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Value(v) => v.serialize(s),
            Cell::Suppressed(m) => s.serialize_str(&fewer_than(*m)),
            Cell::Unknown => s.serialize_none(),
        }
    }
}

/// A group's figures as shown to one reader: flat, so a CSV row and a JSON object carry the
/// same names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shown {
    /// Requests received in the window.
    pub received: Cell<u64>,
    /// Mean citizens per request.
    pub voices_per_request: Cell<f64>,
    /// Open at the end of the window (or period).
    pub backlog_at_end: Cell<u64>,
    /// Share merged as duplicates.
    pub duplicate_share: Cell<f64>,
    /// Requests in the acknowledge figures (merged duplicates and rejected left out).
    pub acknowledge_n: Cell<u64>,
    /// Of them, not acknowledged when the window ended (censored).
    pub acknowledge_censored: Cell<u64>,
    /// Kaplan–Meier median days to the first response.
    pub days_to_acknowledge_median: Cell<f64>,
    /// Kaplan–Meier 90th percentile days to the first response.
    pub days_to_acknowledge_p90: Cell<f64>,
    /// Requests in the resolve figures.
    pub resolve_n: Cell<u64>,
    /// Of them, without an answer when the window ended (censored).
    pub resolve_censored: Cell<u64>,
    /// Kaplan–Meier median days to an answer.
    pub days_to_resolve_median: Cell<f64>,
    /// Kaplan–Meier 90th percentile days to an answer.
    pub days_to_resolve_p90: Cell<f64>,
    /// Estimated share answered within 30 days.
    pub resolved_within_30_days: Cell<f64>,
    /// Requests due by the window's end.
    pub sla_due: Cell<u64>,
    /// Share of those answered by their due time.
    pub sla_compliance: Cell<f64>,
    /// Received but not yet due.
    pub sla_not_yet_due: Cell<u64>,
    /// Share reopened of those closed at least once.
    pub reopen_rate: Cell<f64>,
    /// Share of received now resolved.
    pub share_resolved: Cell<f64>,
    /// … closed not fixed.
    pub share_closed_not_fixed: Cell<f64>,
    /// … not responsible.
    pub share_not_responsible: Cell<f64>,
    /// … referred.
    pub share_referred: Cell<f64>,
    /// … rejected.
    pub share_rejected: Cell<f64>,
    /// … merged as duplicates.
    pub share_duplicate: Cell<f64>,
    /// … still open.
    pub share_open: Cell<f64>,
    /// Ratings given.
    pub ratings: Cell<u64>,
    /// Mean rating (1–5).
    pub rating_mean: Cell<f64>,
    /// Ratings of 1, 2, 3, 4, 5 stars.
    pub rating_1: Cell<u64>,
    /// 2 stars.
    pub rating_2: Cell<u64>,
    /// 3 stars.
    pub rating_3: Cell<u64>,
    /// 4 stars.
    pub rating_4: Cell<u64>,
    /// 5 stars.
    pub rating_5: Cell<u64>,
    /// Share rating 4 or 5 (SDG 16.6.2 proxy).
    pub satisfied_share: Cell<f64>,
}

/// The names of `Shown`'s fields in order, for CSV headers.
pub const SHOWN_COLUMNS: [&str; 32] = [
    "received",
    "voices_per_request",
    "backlog_at_end",
    "duplicate_share",
    "acknowledge_n",
    "acknowledge_censored",
    "days_to_acknowledge_median",
    "days_to_acknowledge_p90",
    "resolve_n",
    "resolve_censored",
    "days_to_resolve_median",
    "days_to_resolve_p90",
    "resolved_within_30_days",
    "sla_due",
    "sla_compliance",
    "sla_not_yet_due",
    "reopen_rate",
    "share_resolved",
    "share_closed_not_fixed",
    "share_not_responsible",
    "share_referred",
    "share_rejected",
    "share_duplicate",
    "share_open",
    "ratings",
    "rating_mean",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "satisfied_share",
];

impl Shown {
    /// `k` as a reader with threshold `min_cell` may see it (`None`: exact).
    pub fn of(k: &Kpis, min_cell: Option<u64>) -> Shown {
        let m = min_cell;
        let share =
            |num: u64, den: u64| -> Option<f64> { (den > 0).then(|| num as f64 / den as f64) };
        let o = &k.outcomes;
        let n = k.received;
        let stars = |i: usize| Cell::new(Some(k.ratings.distribution[i]), k.ratings.n, m);
        Shown {
            received: Cell::count(n, m),
            voices_per_request: Cell::new(k.voices_per_request, n, m),
            backlog_at_end: Cell::count(k.backlog_at_end, m),
            duplicate_share: Cell::new(k.duplicate_share, n, m),
            acknowledge_n: Cell::count(k.acknowledge.n, m),
            acknowledge_censored: Cell::new(Some(k.acknowledge.censored), k.acknowledge.n, m),
            days_to_acknowledge_median: Cell::new(k.acknowledge.median_days, k.acknowledge.n, m),
            days_to_acknowledge_p90: Cell::new(k.acknowledge.p90_days, k.acknowledge.n, m),
            resolve_n: Cell::count(k.resolve.n, m),
            resolve_censored: Cell::new(Some(k.resolve.censored), k.resolve.n, m),
            days_to_resolve_median: Cell::new(k.resolve.median_days, k.resolve.n, m),
            days_to_resolve_p90: Cell::new(k.resolve.p90_days, k.resolve.n, m),
            resolved_within_30_days: Cell::new(k.resolve.within_30_days, k.resolve.n, m),
            sla_due: Cell::count(k.sla_due, m),
            sla_compliance: Cell::new(k.sla_compliance, k.sla_due, m),
            sla_not_yet_due: Cell::new(Some(k.sla_not_yet_due), n, m),
            reopen_rate: Cell::new(k.reopen_rate, k.closed_once, m),
            share_resolved: Cell::new(share(o.resolved, n), n, m),
            share_closed_not_fixed: Cell::new(share(o.closed_not_fixed, n), n, m),
            share_not_responsible: Cell::new(share(o.not_responsible, n), n, m),
            share_referred: Cell::new(share(o.referred, n), n, m),
            share_rejected: Cell::new(share(o.rejected, n), n, m),
            share_duplicate: Cell::new(share(o.duplicate, n), n, m),
            share_open: Cell::new(share(o.open, n), n, m),
            ratings: Cell::count(k.ratings.n, m),
            rating_mean: Cell::new(k.ratings.mean, k.ratings.n, m),
            rating_1: stars(0),
            rating_2: stars(1),
            rating_3: stars(2),
            rating_4: stars(3),
            rating_5: stars(4),
            satisfied_share: Cell::new(k.ratings.satisfied, k.ratings.n, m),
        }
    }
}
