//! The key figures of a group of requests over a window, from the facts the store returns.
//! Each figure carries the number of requests it is built on, so small cells can be
//! suppressed figure by figure (`cells`). Definitions (also in the README):
//! - *received*: requests created in the window;
//! - *backlog at end*: requests created before the end and not closed at the end (merged
//!   duplicates and rejected reports excluded), whenever they were created;
//! - *days to acknowledge*: creation → the department's first response (acknowledge, start,
//!   refer or close); *days to resolve*: creation → closed with an answer (resolved, closed not
//!   fixed, not responsible). Both exclude merged duplicates and rejected reports, and count a
//!   request still waiting at the window's end as censored (Kaplan–Meier);
//! - *SLA compliance*: of the requests due by the window's end, the share closed with an answer
//!   by their due time (not yet due: left out, and counted as such);
//! - *reopen rate*: requests reopened at least once, of those closed at least once;
//! - *outcomes*: the current status of the requests received;
//! - *rating*: citizens' 1–5 ratings of those requests; satisfied = 4 or 5 (SDG 16.6.2 proxy).

use super::survival::{kaplan_meier, Observation, Survival};
use crate::status::{Channel, Priority, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the store knows of one request, for the figures (no contact, no text).
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Row id (to join ratings).
    pub id: i64,
    /// Service code.
    pub service: String,
    /// Province code.
    pub province: String,
    /// District code.
    pub district: String,
    /// Tehsil code, if known.
    pub tehsil: Option<String>,
    /// Point (for hotspots; never shown unrounded).
    pub lat: Option<f64>,
    /// Point.
    pub lon: Option<f64>,
    /// Channel.
    pub channel: Channel,
    /// Priority now.
    pub priority: Priority,
    /// Status now.
    pub status: Status,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// The department's first response.
    pub responded_at: Option<DateTime<Utc>>,
    /// Closed (the latest closing; `None` while open).
    pub closed_at: Option<DateTime<Utc>>,
    /// Resolve-by time (the current one: a reopen starts a fresh SLA).
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Citizens behind the request (the reporter and those who added their voice).
    pub reporters: u32,
    /// Times reopened.
    pub reopen_count: u32,
}

/// Merged duplicates and rejected reports are not service requests a department owed an
/// answer to: they are left out of times, SLA and backlog.
pub fn owed_an_answer(status: Status) -> bool {
    !matches!(status, Status::Duplicate | Status::Rejected)
}

/// When a request now in `status`, closed at `closed_at`, was answered: its closing, if it was
/// resolved, closed as not fixable or passed as not the department's.
pub fn answered_at(status: Status, closed_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match status {
        Status::Resolved | Status::ClosedNotFixed | Status::NotResponsible => closed_at,
        _ => None,
    }
}

impl Fact {
    /// See `owed_an_answer`.
    pub fn owed_an_answer(&self) -> bool {
        owed_an_answer(self.status)
    }

    fn answered_at(&self) -> Option<DateTime<Utc>> {
        answered_at(self.status, self.closed_at)
    }

    /// Open at `t` (created before it, not closed by it).
    pub fn open_at(&self, t: DateTime<Utc>) -> bool {
        self.owed_an_answer() && self.created_at < t && self.closed_at.is_none_or(|c| c > t)
    }
}

/// The share of received requests in each current status group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcomes {
    /// Resolved.
    pub resolved: u64,
    /// Closed, not fixed.
    pub closed_not_fixed: u64,
    /// Not the responsibility of any body in Sahulat.
    pub not_responsible: u64,
    /// Referred to another department (still open).
    pub referred: u64,
    /// Rejected as spam or abuse.
    pub rejected: u64,
    /// Merged into another request.
    pub duplicate: u64,
    /// Still open (submitted, open, acknowledged, in progress).
    pub open: u64,
}

/// Citizens' ratings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ratings {
    /// Ratings given.
    pub n: u64,
    /// How many of each star, 1 to 5.
    pub distribution: [u64; 5],
    /// Mean rating.
    pub mean: Option<f64>,
    /// Share rating 4 or 5.
    pub satisfied: Option<f64>,
}

/// Every figure of one group, exact (suppression comes after, in `cells`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// Requests created in the window.
    pub received: u64,
    /// Mean citizens per request received.
    pub voices_per_request: Option<f64>,
    /// Open at the window's end.
    pub backlog_at_end: u64,
    /// Merged duplicates among those received.
    pub duplicate_share: Option<f64>,
    /// Days to the first response.
    pub acknowledge: Survival,
    /// Days to an answer.
    pub resolve: Survival,
    /// Requests due by the window's end.
    pub sla_due: u64,
    /// Of them, answered by the due time.
    pub sla_met: u64,
    /// Received but not yet due at the window's end.
    pub sla_not_yet_due: u64,
    /// `sla_met / sla_due`.
    pub sla_compliance: Option<f64>,
    /// Requests closed at least once.
    pub closed_once: u64,
    /// Of them, reopened at least once.
    pub reopened: u64,
    /// `reopened / closed_once`.
    pub reopen_rate: Option<f64>,
    /// Current status of those received.
    pub outcomes: Outcomes,
    /// Ratings of those received.
    pub ratings: Ratings,
}

fn share(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds().max(0) as f64 / 86_400.0
}

/// Figures of `received` (created in the window) with `alive` (every request open at some point
/// of the window, for the backlog) and the ratings of the received requests; the window ends at
/// `end` (exclusive; events after it are not yet known).
pub fn compute(received: &[&Fact], alive: &[&Fact], ratings: &[u8], end: DateTime<Utc>) -> Kpis {
    let n = received.len() as u64;
    let owed: Vec<&&Fact> = received.iter().filter(|f| f.owed_an_answer()).collect();
    let observe = |f: &Fact, at: Option<DateTime<Utc>>| match at.filter(|t| *t <= end) {
        Some(t) => Observation {
            days: days(f.created_at, t),
            event: true,
        },
        None => Observation {
            days: days(f.created_at, end),
            event: false,
        },
    };
    let ack: Vec<Observation> = owed.iter().map(|f| observe(f, f.responded_at)).collect();
    let res: Vec<Observation> = owed.iter().map(|f| observe(f, f.answered_at())).collect();
    let (mut due, mut met, mut not_due) = (0, 0, 0);
    for f in &owed {
        match f.sla_due_at {
            Some(d) if d <= end => {
                due += 1;
                if f.answered_at().is_some_and(|a| a <= d) {
                    met += 1;
                }
            }
            _ => not_due += 1,
        }
    }
    let closed_once = owed
        .iter()
        .filter(|f| f.closed_at.is_some() || f.reopen_count > 0)
        .count() as u64;
    let reopened = owed.iter().filter(|f| f.reopen_count > 0).count() as u64;
    let mut outcomes = Outcomes::default();
    for f in received {
        let slot = match f.status {
            Status::Resolved => &mut outcomes.resolved,
            Status::ClosedNotFixed => &mut outcomes.closed_not_fixed,
            Status::NotResponsible => &mut outcomes.not_responsible,
            Status::Referred => &mut outcomes.referred,
            Status::Rejected => &mut outcomes.rejected,
            Status::Duplicate => &mut outcomes.duplicate,
            _ => &mut outcomes.open,
        };
        *slot += 1;
    }
    let mut r = Ratings::default();
    for &stars in ratings.iter().filter(|s| (1..=5).contains(*s)) {
        r.n += 1;
        r.distribution[usize::from(stars - 1)] += 1;
    }
    let total: u64 = r
        .distribution
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u64 + 1) * c)
        .sum();
    r.mean = share(total, r.n);
    r.satisfied = share(r.distribution[3] + r.distribution[4], r.n);
    Kpis {
        received: n,
        voices_per_request: share(
            received.iter().map(|f| u64::from(f.reporters.max(1))).sum(),
            n,
        ),
        backlog_at_end: alive.iter().filter(|f| f.open_at(end)).count() as u64,
        duplicate_share: share(outcomes.duplicate, n),
        acknowledge: kaplan_meier(&ack),
        resolve: kaplan_meier(&res),
        sla_due: due,
        sla_met: met,
        sla_not_yet_due: not_due,
        sla_compliance: share(met, due),
        closed_once,
        reopened,
        reopen_rate: share(reopened, closed_once),
        outcomes,
        ratings: r,
    }
}
