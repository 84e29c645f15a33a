//! The evaluation of innovative actions (issue 12): difference-in-differences of the key
//! figures between the tehsils an action covers and comparison tehsils, with cluster-aware
//! intervals, pre-trend and placebo checks, and warnings instead of claims. Pure.
//!
//! This module owns the public types and `evaluate`, which runs the pipeline: one scan of the
//! facts into tehsil × 30-day cells (`cells`), the 2×2 estimator and the pre-trend slope on
//! sums of cells (`did`), the seeded resampling (`bootstrap`), the checks and warnings
//! (`checks`) and the plain-language text (`reading`). The method is written down in
//! `docs/evaluation.md`.

mod bootstrap;
mod cells;
mod checks;
mod did;
mod reading;
mod results;
pub mod sim;

#[cfg(test)]
mod coverage_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod warning_tests;

use crate::evidence::{Fact, Population};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

pub use cells::{Codes, Outcome};
pub use checks::estimate_from;
pub use did::did;
pub use reading::{kpi_name, method_text, num, reading, unit_text, warning_text};
pub use results::{
    Evaluation, Group, KpiResult, Method, Placebo, PreTrend, SeriesPoint, Table, Warning, Window,
};

/// Resamples when the caller has no reason to choose: enough for stable 2.5 % / 97.5 %
/// percentiles (each rests on 25 draws).
pub const DEFAULT_RESAMPLES: u32 = 1000;
/// Baseline and follow-up length by default (about six months each, as the issue asks).
pub const DEFAULT_WINDOW_DAYS: u32 = 180;
/// Days to resolve are counted up to this cap: a request open longer counts as this many days,
/// and a request is used only once it has been observed this long (see `docs/evaluation.md`).
pub const CAP_DAYS: f64 = 30.0;
/// Below this many tehsils with requests in either group, tehsils are not resampled (the
/// cluster bootstrap needs clusters); the request-level fallback is used and a warning given.
pub const MIN_CLUSTERS: usize = 4;
/// Length of the periods of the series, the pre-trend check and the placebo, in days.
pub const PERIOD_DAYS: i64 = 30;

/// A key figure an action is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Requests received per 10,000 residents per 30 days (demand, or trust in the channel).
    #[serde(rename = "requests_per_10k")]
    RequestsPer10k,
    /// Mean days from receipt to an answer, counting at most `CAP_DAYS`.
    MeanDaysToResolve,
    /// Median days from receipt to an answer (same requests, same cap).
    MedianDaysToResolve,
    /// Share of the requests due that were answered by their SLA due time.
    SlaCompliance,
    /// Share of the requests closed at least once that were reopened.
    ReopenRate,
    /// Share of citizens' ratings that are 4 or 5 stars.
    SatisfiedShare,
}

/// The unit a KPI (and its estimate) is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Requests per 10,000 residents per 30 days.
    Per10kPer30Days,
    /// Days.
    Days,
    /// A share between 0 and 1 (readings show percentage points).
    Share,
}

impl Kpi {
    /// Every KPI, in report order.
    pub const ALL: [Kpi; 6] = [
        Kpi::RequestsPer10k,
        Kpi::MeanDaysToResolve,
        Kpi::MedianDaysToResolve,
        Kpi::SlaCompliance,
        Kpi::ReopenRate,
        Kpi::SatisfiedShare,
    ];

    /// The machine name (JSON, CSV, URLs).
    pub fn as_str(self) -> &'static str {
        match self {
            Kpi::RequestsPer10k => "requests_per_10k",
            Kpi::MeanDaysToResolve => "mean_days_to_resolve",
            Kpi::MedianDaysToResolve => "median_days_to_resolve",
            Kpi::SlaCompliance => "sla_compliance",
            Kpi::ReopenRate => "reopen_rate",
            Kpi::SatisfiedShare => "satisfied_share",
        }
    }

    /// Parses the machine name.
    pub fn parse(s: &str) -> Option<Kpi> {
        Kpi::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The unit of the KPI and of its estimate.
    pub fn unit(self) -> Unit {
        match self {
            Kpi::RequestsPer10k => Unit::Per10kPer30Days,
            Kpi::MeanDaysToResolve | Kpi::MedianDaysToResolve => Unit::Days,
            _ => Unit::Share,
        }
    }

    /// Whether a fall is the good direction (faster answers, fewer reopens).
    pub fn lower_is_better(self) -> bool {
        matches!(
            self,
            Kpi::MeanDaysToResolve | Kpi::MedianDaysToResolve | Kpi::ReopenRate
        )
    }
}

/// Another action, for the "comparison tehsil has its own action" warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherAction {
    /// Its id or title, as the caller wants it named.
    pub label: String,
    /// The tehsils it covers.
    pub tehsils: Vec<String>,
    /// Its start (Pakistan date).
    pub start: NaiveDate,
    /// Its end, if it ended.
    pub end: Option<NaiveDate>,
}

/// What is compared with what, over which windows.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Tehsil codes the action covers.
    pub treated: Vec<String>,
    /// Comparison tehsil codes (the caller defaults them to the other pilot tehsils); any
    /// treated tehsil listed here is left out of the comparison.
    pub comparison: Vec<String>,
    /// The action's start (Pakistan date): the follow-up begins at its midnight.
    pub start: NaiveDate,
    /// Baseline length: `[start - baseline_days, start)`.
    pub baseline_days: u32,
    /// Follow-up length: `[start, start + follow_up_days)`.
    pub follow_up_days: u32,
    /// The data end: outcomes are observed up to here (later events are unknown).
    pub as_of: DateTime<Utc>,
    /// Other actions, to warn when one overlaps the windows in a tehsil of either group.
    pub other_actions: Vec<OtherAction>,
    /// Service codes concerned (empty = every service).
    pub services: Vec<String>,
    /// Seed of the resampling: the same seed gives the same intervals.
    pub seed: u64,
    /// Resamples (≥ 1000 recommended).
    pub resamples: u32,
    /// Figures built on fewer requests are suppressed.
    pub min_cell: u64,
}

impl Design {
    /// A design with the defaults: 180-day windows, 1000 resamples, seed 12, min cell 5.
    pub fn new(
        treated: Vec<String>,
        comparison: Vec<String>,
        start: NaiveDate,
        as_of: DateTime<Utc>,
    ) -> Design {
        Design {
            treated,
            comparison,
            start,
            baseline_days: DEFAULT_WINDOW_DAYS,
            follow_up_days: DEFAULT_WINDOW_DAYS,
            as_of,
            other_actions: Vec::new(),
            services: Vec::new(),
            seed: 12,
            resamples: DEFAULT_RESAMPLES,
            min_cell: crate::evidence::DEFAULT_MIN_CELL,
        }
    }
}

/// Evaluates an action on every KPI: `facts` are the requests of the tehsils concerned (any
/// created outside the windows or after `as_of`, or of another service than the design's, are
/// ignored), `ratings` maps a request id to its citizens' stars, `pop` gives the residents for
/// requests per 10,000.
pub fn evaluate(
    design: &Design,
    facts: &[Fact],
    ratings: &HashMap<i64, Vec<u8>>,
    pop: &Population,
) -> Evaluation {
    // One shared code per tehsil, as the stores read them.
    let mut codes = Codes::default();
    let outcomes: Vec<Outcome> = facts
        .iter()
        .filter(|f| design.services.is_empty() || design.services.contains(&f.service))
        .map(|f| Outcome {
            tehsil: f.tehsil.as_deref().map(|c| codes.get(c)),
            id: f.id,
            status: f.status,
            created_at: f.created_at,
            closed_at: f.closed_at,
            sla_due_at: f.sla_due_at,
            reopen_count: f.reopen_count,
        })
        .collect();
    evaluate_outcomes(design, &outcomes, ratings, pop)
}

/// `evaluate` on what the store's `evaluation_outcomes` read: the requests of the services
/// concerned (the caller filters them), created in the windows.
pub fn evaluate_outcomes(
    design: &Design,
    outcomes: &[Outcome],
    ratings: &HashMap<i64, Vec<u8>>,
    pop: &Population,
) -> Evaluation {
    let grid = cells::Grid::build(design, outcomes, ratings, pop);
    let point = did::Windows::new(&grid.geometry, grid.group_periods(|_| 1.0));
    let draws = bootstrap::draw(&grid, design.seed, design.resamples);
    let design_warnings = checks::design_warnings(design, &grid);
    let results = Kpi::ALL
        .iter()
        .map(|&kpi| checks::result(kpi, design, &grid, &point, &draws, &design_warnings))
        .collect();
    Evaluation {
        treated: grid.treated_codes(),
        comparison: grid.comparison_codes(),
        baseline: (grid.geometry.baseline_from, design.start),
        follow_up: (design.start, grid.geometry.follow_up_to),
        baseline_days: grid.geometry.baseline_days,
        follow_up_days: grid.geometry.follow_up_days,
        as_of: design.as_of,
        seed: design.seed,
        warnings: design_warnings,
        results,
    }
}
