//! The estimator: a KPI's value from a (summed) cell, the 2×2 difference in differences, the
//! fake-start (placebo) version on baseline periods only, and the baseline trend slopes. The
//! same functions serve the point estimate and every resample, so both weigh requests alike
//! (group values are request-weighted: sums over the group's tehsils, then one ratio).

use super::cells::{Agg, Geometry, BINS, BIN_DAYS};
use super::{Kpi, CAP_DAYS};

/// The KPI's value in a cell (None when there is nothing to divide by).
pub(super) fn value(kpi: Kpi, a: &Agg) -> Option<f64> {
    let ratio = |num: f64, den: f64| (den > 0.0).then(|| num / den);
    match kpi {
        Kpi::RequestsPer10k => ratio(a.per10k_n, a.exposure),
        Kpi::MeanDaysToResolve => ratio(a.res_sum, a.res_n),
        Kpi::MedianDaysToResolve => median(a),
        Kpi::SlaCompliance => ratio(a.sla_met, a.sla_due),
        Kpi::ReopenRate => ratio(a.reopened, a.closed),
        Kpi::SatisfiedShare => ratio(a.satisfied, a.rated),
    }
}

/// How many requests (ratings) the KPI's value in a cell rests on.
pub(super) fn n(kpi: Kpi, a: &Agg) -> f64 {
    match kpi {
        Kpi::RequestsPer10k => a.per10k_n,
        Kpi::MeanDaysToResolve | Kpi::MedianDaysToResolve => a.res_n,
        Kpi::SlaCompliance => a.sla_due,
        Kpi::ReopenRate => a.closed,
        Kpi::SatisfiedShare => a.rated,
    }
}

/// The median of the capped days, read off the 6-hour histogram with linear interpolation
/// within the bin that crosses half; `CAP_DAYS` when half or more reach the cap.
pub(super) fn median(a: &Agg) -> Option<f64> {
    let total: f64 = a.hist.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let half = total / 2.0;
    let mut below = 0.0;
    for (b, &c) in a.hist.iter().enumerate().take(BINS - 1) {
        if c > 0.0 && below + c >= half {
            return Some((b as f64 + (half - below) / c) * BIN_DAYS);
        }
        below += c;
    }
    Some(CAP_DAYS)
}

/// The 2×2 estimator: (treated after − treated before) − (comparison after − before).
pub fn did(
    treated_before: f64,
    treated_after: f64,
    comparison_before: f64,
    comparison_after: f64,
) -> f64 {
    (treated_after - treated_before) - (comparison_after - comparison_before)
}

/// Ordinary least-squares slope of `(x, y)` (None with fewer than 3 points).
pub(super) fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The windows of one draw (or of the data), per group (0 = treated, 1 = comparison).
#[derive(Debug, Clone)]
pub(super) struct Windows {
    /// Baseline sums.
    pub baseline: [Agg; 2],
    /// Follow-up sums.
    pub follow_up: [Agg; 2],
    /// Placebo "before" (the first half of the placebo span).
    pub placebo_before: [Agg; 2],
    /// Placebo "after" (the half just before the real start).
    pub placebo_after: [Agg; 2],
    /// Per-period sums, for the trend.
    pub periods: [Vec<Agg>; 2],
}

/// Baseline periods used by the placebo on each side of its fake start: half of the full
/// 30-day periods just before the start (0 when fewer than 2).
pub(super) fn placebo_half(g: &Geometry) -> usize {
    let full = g.period_days[..g.baseline_periods]
        .iter()
        .rev()
        .take_while(|d| **d >= 29.99)
        .count();
    full / 2
}

fn sum(periods: &[Agg]) -> Agg {
    let mut s = Agg::default();
    for p in periods {
        s.add(p, 1.0);
    }
    s
}

impl Windows {
    /// Window sums from per-period group sums.
    pub fn new(g: &Geometry, periods: [Vec<Agg>; 2]) -> Windows {
        let b = g.baseline_periods;
        let h = placebo_half(g);
        let of = |f: &dyn Fn(&[Agg]) -> Agg| [f(&periods[0]), f(&periods[1])];
        Windows {
            baseline: of(&|p| sum(&p[..b])),
            follow_up: of(&|p| sum(&p[b..])),
            placebo_before: of(&|p| sum(&p[b - 2 * h..b - h])),
            placebo_after: of(&|p| sum(&p[b - h..b])),
            periods,
        }
    }

    /// Each group's change across the start: (treated, comparison).
    pub fn changes(&self, kpi: Kpi) -> Option<(f64, f64)> {
        change_pair(kpi, &self.baseline, &self.follow_up)
    }

    /// Each group's change across the fake start.
    pub fn placebo_changes(&self, kpi: Kpi) -> Option<(f64, f64)> {
        change_pair(kpi, &self.placebo_before, &self.placebo_after)
    }

    /// Each group's slope over the baseline periods with data in both groups, per period.
    pub fn slopes(&self, kpi: Kpi, baseline_periods: usize) -> Option<(f64, f64)> {
        let mut t = Vec::new();
        let mut c = Vec::new();
        for p in 0..baseline_periods {
            if let (Some(a), Some(b)) = (
                value(kpi, &self.periods[0][p]),
                value(kpi, &self.periods[1][p]),
            ) {
                t.push((p as f64, a));
                c.push((p as f64, b));
            }
        }
        Some((slope(&t)?, slope(&c)?))
    }
}

fn change_pair(kpi: Kpi, before: &[Agg; 2], after: &[Agg; 2]) -> Option<(f64, f64)> {
    Some((
        value(kpi, &after[0])? - value(kpi, &before[0])?,
        value(kpi, &after[1])? - value(kpi, &before[1])?,
    ))
}
