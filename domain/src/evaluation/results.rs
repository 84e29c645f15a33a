//! What an evaluation returns: the 2×2 table per KPI with its n, the interval and how it was
//! obtained, the checks, the warnings (machine codes, serializable) and the series for the chart.

use super::{Kpi, Unit};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The action's tehsils or the comparison tehsils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The tehsils the action covers.
    Treated,
    /// The comparison tehsils.
    Comparison,
}

/// Before or after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Before the start.
    Baseline,
    /// From the start on.
    FollowUp,
}

/// One figure per group and window (the 2×2 table).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Table<T> {
    /// Action tehsils, baseline.
    pub treated_baseline: T,
    /// Action tehsils, follow-up.
    pub treated_follow_up: T,
    /// Comparison tehsils, baseline.
    pub comparison_baseline: T,
    /// Comparison tehsils, follow-up.
    pub comparison_follow_up: T,
}

impl<T: Copy> Table<T> {
    /// The cell of `group` in `window`.
    pub fn get(&self, group: Group, window: Window) -> T {
        match (group, window) {
            (Group::Treated, Window::Baseline) => self.treated_baseline,
            (Group::Treated, Window::FollowUp) => self.treated_follow_up,
            (Group::Comparison, Window::Baseline) => self.comparison_baseline,
            (Group::Comparison, Window::FollowUp) => self.comparison_follow_up,
        }
    }
}

/// How the interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Tehsils resampled with replacement within each group (each keeps its baseline and
    /// follow-up together), percentile interval with the G/(G−1) small-sample correction.
    ClusterBootstrap,
    /// Fallback with too few tehsils: requests resampled within each tehsil and window
    /// (Poisson weights); ignores tehsil-wide shocks, so probably too narrow.
    RequestBootstrap,
    /// No interval (the estimate is suppressed or not estimable).
    None,
}

/// A reason not to read an estimate as the action's effect (machine code in `code`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// A group × window cell has fewer than `min_cell` requests: the estimate is withheld.
    TooFewRequests {
        /// Which group.
        group: Group,
        /// Which window.
        window: Window,
        /// The threshold.
        min_cell: u64,
    },
    /// Fewer than `MIN_CLUSTERS` tehsils with requests in a group.
    TooFewTehsils {
        /// Action tehsils with requests.
        treated: usize,
        /// Comparison tehsils with requests.
        comparison: usize,
        /// The threshold.
        min: usize,
    },
    /// Baseline and follow-up differ in length by more than 10 % (data start, data end).
    UnbalancedWindows {
        /// Days of baseline with data.
        baseline_days: f64,
        /// Days of follow-up with data.
        follow_up_days: f64,
    },
    /// The groups' baseline trends differ (slope difference's interval excludes zero).
    DivergingPreTrends {
        /// The KPI's unit.
        unit: Unit,
        /// Treated minus comparison slope, KPI unit per 30 days.
        difference_per_30d: f64,
        /// Lower bound.
        ci_low: f64,
        /// Upper bound.
        ci_high: f64,
    },
    /// A comparison tehsil had its own action during the windows.
    ComparisonHasAction {
        /// The tehsils.
        tehsils: Vec<String>,
        /// The actions.
        actions: Vec<String>,
    },
    /// An action tehsil had another action during the windows too.
    TreatedHasOtherAction {
        /// The tehsils.
        tehsils: Vec<String>,
        /// The actions.
        actions: Vec<String>,
    },
    /// A material share of the follow-up could not be observed for `CAP_DAYS` by the data end.
    Censoring {
        /// Share of follow-up requests not yet fully observed (left out of days to resolve).
        share: f64,
    },
    /// The same estimate with a fake start inside the baseline is already "significant".
    PlaceboSignificant {
        /// The fake start.
        fake_start: NaiveDate,
        /// The KPI's unit.
        unit: Unit,
        /// Its estimate.
        estimate: f64,
        /// Lower bound.
        ci_low: f64,
        /// Upper bound.
        ci_high: f64,
    },
    /// Tehsils without a population figure are left out of requests per 10,000.
    PopulationUnknown {
        /// The tehsils.
        tehsils: Vec<String>,
    },
    /// Half or more of the requests of a cell took `CAP_DAYS` or longer.
    MedianAboveCap,
    /// Too many resamples had an empty cell: the interval is withheld.
    UnstableInterval {
        /// Share of resamples usable.
        usable: f64,
    },
}

impl Warning {
    /// The machine code (as serialized in `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::TooFewRequests { .. } => "too_few_requests",
            Warning::TooFewTehsils { .. } => "too_few_tehsils",
            Warning::UnbalancedWindows { .. } => "unbalanced_windows",
            Warning::DivergingPreTrends { .. } => "diverging_pre_trends",
            Warning::ComparisonHasAction { .. } => "comparison_has_action",
            Warning::TreatedHasOtherAction { .. } => "treated_has_other_action",
            Warning::Censoring { .. } => "censoring",
            Warning::PlaceboSignificant { .. } => "placebo_significant",
            Warning::PopulationUnknown { .. } => "population_unknown",
            Warning::MedianAboveCap => "median_above_cap",
            Warning::UnstableInterval { .. } => "unstable_interval",
        }
    }

    /// Whether the warning means the estimate must not be read as the action's effect (the
    /// reading leads with it); the others are notes beside a claim.
    pub fn blocks_claim(&self) -> bool {
        matches!(
            self,
            Warning::TooFewRequests { .. }
                | Warning::TooFewTehsils { .. }
                | Warning::DivergingPreTrends { .. }
                | Warning::ComparisonHasAction { .. }
                | Warning::TreatedHasOtherAction { .. }
                | Warning::PlaceboSignificant { .. }
                | Warning::MedianAboveCap
                | Warning::UnstableInterval { .. }
        )
    }
}

/// The groups' trends over the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreTrend {
    /// Baseline periods used.
    pub periods: u32,
    /// Treated slope minus comparison slope, KPI unit per 30 days.
    pub difference_per_30d: Option<f64>,
    /// Lower bound (95 %).
    pub ci_low: Option<f64>,
    /// Upper bound (95 %).
    pub ci_high: Option<f64>,
    /// The interval excludes zero.
    pub diverging: bool,
}

/// The same estimate with a fake start inside the baseline (baseline data only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placebo {
    /// The fake start (halfway through the baseline, on a period boundary).
    pub fake_start: NaiveDate,
    /// Its estimate.
    pub estimate: Option<f64>,
    /// Lower bound (95 %).
    pub ci_low: Option<f64>,
    /// Upper bound (95 %).
    pub ci_high: Option<f64>,
    /// The interval excludes zero.
    pub significant: bool,
}

/// One 30-day period of the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// First day (Pakistan) of the period; periods are counted from the start.
    pub period_start: NaiveDate,
    /// Days of the period with data (the first and last may be partial).
    pub days: f64,
    /// Whether it is after the start.
    pub follow_up: bool,
    /// The action tehsils' value (None when suppressed or empty).
    pub treated: Option<f64>,
    /// The comparison tehsils' value.
    pub comparison: Option<f64>,
    /// Requests (or ratings) behind `treated`.
    pub n_treated: u64,
    /// Requests (or ratings) behind `comparison`.
    pub n_comparison: u64,
}

/// The evaluation of one KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiResult {
    /// Which KPI.
    pub kpi: Kpi,
    /// Its unit (shares are 0–1).
    pub unit: Unit,
    /// Difference in differences: (treated follow-up − treated baseline) − (comparison
    /// follow-up − comparison baseline). None when suppressed or not estimable.
    pub estimate: Option<f64>,
    /// 95 % interval, lower bound.
    pub ci_low: Option<f64>,
    /// 95 % interval, upper bound.
    pub ci_high: Option<f64>,
    /// Requests (ratings for the satisfied share) behind the treated figures, both windows.
    pub n_treated: u64,
    /// Same for the comparison tehsils.
    pub n_comparison: u64,
    /// The four group means (None when suppressed).
    pub values: Table<Option<f64>>,
    /// Requests (ratings) behind each of them.
    pub requests: Table<u64>,
    /// Tehsils with at least one of them.
    pub tehsils: Table<u32>,
    /// How the interval was obtained.
    pub method: Method,
    /// Resamples drawn.
    pub resamples: u32,
    /// The baseline trend check (None with fewer than 3 baseline periods).
    pub pre_trend: Option<PreTrend>,
    /// The fake-start check (None with fewer than 2 baseline periods).
    pub placebo: Option<Placebo>,
    /// Reasons not to read the estimate as an effect.
    pub warnings: Vec<Warning>,
    /// Per 30-day period, both groups, for the chart.
    pub series: Vec<SeriesPoint>,
}

/// The evaluation of an action on every KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Action tehsils used.
    pub treated: Vec<String>,
    /// Comparison tehsils used (treated ones removed).
    pub comparison: Vec<String>,
    /// Baseline as used: first day, and the day after its last (Pakistan dates).
    pub baseline: (NaiveDate, NaiveDate),
    /// Follow-up as used.
    pub follow_up: (NaiveDate, NaiveDate),
    /// Days of baseline with data (later when data begin after the nominal start).
    pub baseline_days: f64,
    /// Days of follow-up with data (shorter when the data end cuts it).
    pub follow_up_days: f64,
    /// The data end.
    pub as_of: DateTime<Utc>,
    /// Seed of the resampling.
    pub seed: u64,
    /// Warnings about the design as a whole (also repeated in each KPI's list).
    pub warnings: Vec<Warning>,
    /// One result per KPI, in `Kpi::ALL` order.
    pub results: Vec<KpiResult>,
}
