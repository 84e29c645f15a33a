//! One KPI's result from the grid, the point windows and the draws: the 2×2 table with its
//! n, suppression, the interval, the pre-trend and placebo checks, the warnings, the series.

use super::bootstrap::{effective_clusters, interval, Draws, Interval};
use super::cells::{Agg, Grid};
use super::did::{self, n, placebo_half, value, Windows};
use super::{
    Design, Group, Kpi, KpiResult, Method, Placebo, PreTrend, SeriesPoint, Table, Warning, Window,
    CAP_DAYS, MIN_CLUSTERS, PERIOD_DAYS,
};
use chrono::Duration;

/// Share of follow-up requests not yet observed for `CAP_DAYS` above which the days figures
/// carry a censoring warning.
pub(super) const CENSORING_SHARE: f64 = 0.10;
/// Baseline and follow-up may differ by this share of the longer before a warning.
pub(super) const UNBALANCED_SHARE: f64 = 0.10;

/// Warnings that concern the design, whatever the KPI.
pub(super) fn design_warnings(design: &Design, grid: &Grid) -> Vec<Warning> {
    let mut out = Vec::new();
    let (t, c) = (
        grid.members(Group::Treated).len(),
        grid.members(Group::Comparison).len(),
    );
    if t.min(c) < MIN_CLUSTERS {
        out.push(Warning::TooFewTehsils {
            treated: t,
            comparison: c,
            min: MIN_CLUSTERS,
        });
    }
    let g = &grid.geometry;
    let (b, f) = (g.baseline_days, g.follow_up_days);
    if (b - f).abs() > UNBALANCED_SHARE * b.max(f) {
        out.push(Warning::UnbalancedWindows {
            baseline_days: round1(b),
            follow_up_days: round1(f),
        });
    }
    for (group, codes) in [
        (Group::Comparison, grid.comparison_codes()),
        (Group::Treated, grid.treated_codes()),
    ] {
        let mut tehsils: Vec<String> = Vec::new();
        let mut actions: Vec<String> = Vec::new();
        for a in &design.other_actions {
            let same = a.start == design.start && a.tehsils == design.treated;
            let overlaps = a.start < g.follow_up_to && a.end.is_none_or(|e| e >= g.baseline_from);
            if same || !overlaps {
                continue;
            }
            let hit: Vec<&String> = a.tehsils.iter().filter(|t| codes.contains(t)).collect();
            if hit.is_empty() {
                continue;
            }
            actions.push(a.label.clone());
            for h in hit {
                if !tehsils.contains(h) {
                    tehsils.push(h.clone());
                }
            }
        }
        if !tehsils.is_empty() {
            out.push(match group {
                Group::Comparison => Warning::ComparisonHasAction { tehsils, actions },
                Group::Treated => Warning::TreatedHasOtherAction { tehsils, actions },
            });
        }
    }
    out
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn table<T>(f: impl Fn(Group, Window) -> T) -> Table<T> {
    Table {
        treated_baseline: f(Group::Treated, Window::Baseline),
        treated_follow_up: f(Group::Treated, Window::FollowUp),
        comparison_baseline: f(Group::Comparison, Window::Baseline),
        comparison_follow_up: f(Group::Comparison, Window::FollowUp),
    }
}

fn gi(g: Group) -> usize {
    usize::from(g == Group::Comparison)
}

fn window(w: &Windows, g: Group, win: Window) -> &Agg {
    match win {
        Window::Baseline => &w.baseline[gi(g)],
        Window::FollowUp => &w.follow_up[gi(g)],
    }
}

/// The result of one KPI.
pub(super) fn result(
    kpi: Kpi,
    design: &Design,
    grid: &Grid,
    point: &Windows,
    draws: &Draws,
    design_warnings: &[Warning],
) -> KpiResult {
    let k = Kpi::ALL.iter().position(|x| *x == kpi).unwrap_or(0);
    let kd = &draws.kpis[k];
    let g = &grid.geometry;
    let bp = g.baseline_periods;
    let min = design.min_cell as f64;
    let mut warnings: Vec<Warning> = design_warnings.to_vec();
    let requests = table(|gr, win| n(kpi, window(point, gr, win)) as u64);
    let tehsils = table(|gr, win| {
        let range = match win {
            Window::Baseline => 0..bp,
            Window::FollowUp => bp..g.periods,
        };
        (0..grid.tehsils.len())
            .filter(|&t| grid.tehsils[t].group == gr)
            .filter(|&t| grid.of(t)[range.clone()].iter().any(|a| n(kpi, a) > 0.0))
            .count() as u32
    });
    let mut small = false;
    for gr in [Group::Treated, Group::Comparison] {
        for win in [Window::Baseline, Window::FollowUp] {
            if (requests.get(gr, win) as f64) < min {
                small = true;
                warnings.push(Warning::TooFewRequests {
                    group: gr,
                    window: win,
                    min_cell: design.min_cell,
                });
            }
        }
    }
    let raw = table(|gr, win| value(kpi, window(point, gr, win)));
    let values = table(|gr, win| raw.get(gr, win).filter(|_| !small));
    let above_cap = kpi == Kpi::MedianDaysToResolve
        && [raw.treated_baseline, raw.treated_follow_up]
            .into_iter()
            .chain([raw.comparison_baseline, raw.comparison_follow_up])
            .any(|v| v.is_some_and(|v| v >= CAP_DAYS));
    if above_cap && !small {
        warnings.push(Warning::MedianAboveCap);
    }
    if kpi == Kpi::RequestsPer10k {
        let unknown: Vec<String> = grid
            .tehsils
            .iter()
            .filter(|t| t.population.is_none())
            .map(|t| t.code.clone())
            .collect();
        if !unknown.is_empty() {
            warnings.push(Warning::PopulationUnknown { tehsils: unknown });
        }
    }
    if matches!(kpi, Kpi::MeanDaysToResolve | Kpi::MedianDaysToResolve) {
        let f = &point.follow_up;
        let recent = f[0].recent + f[1].recent;
        let all = recent + f[0].res_n + f[1].res_n;
        if all > 0.0 && recent / all >= CENSORING_SHARE {
            warnings.push(Warning::Censoring {
                share: (recent / all * 1000.0).round() / 1000.0,
            });
        }
    }
    // Degrees of freedom per group: effective tehsils − 1 when tehsils are resampled.
    let df = [Group::Treated, Group::Comparison].map(|gr| {
        let i = gi(gr);
        if draws.scale[i] == 1.0 {
            return f64::INFINITY;
        }
        let sizes: Vec<f64> = grid
            .members(gr)
            .iter()
            .map(|&t| grid.of(t).iter().map(|a| n(kpi, a)).sum())
            .collect();
        (effective_clusters(&sizes) - 1.0).max(1.0)
    });
    let changes = point.changes(kpi).filter(|_| !small && !above_cap);
    let estimate = changes.map(|(t, c)| t - c);
    let (mut ci_low, mut ci_high) = (None, None);
    let mut pre_trend = None;
    let mut placebo = None;
    if let Some(pc) = changes.filter(|_| draws.method != Method::None) {
        match interval(pc, &kd.main, draws.scale, df) {
            Interval::Bounds(lo, hi) => (ci_low, ci_high) = (Some(lo), Some(hi)),
            Interval::Unstable(usable) => warnings.push(Warning::UnstableInterval { usable }),
        }
        if let Some(ps) = point.slopes(kpi, bp) {
            let d = ps.0 - ps.1;
            let (lo, hi) = bounds(interval(ps, &kd.slopes, draws.scale, df));
            let diverging = lo.zip(hi).is_some_and(|(l, h)| l > 0.0 || h < 0.0);
            if let (true, Some(l), Some(h)) = (diverging, lo, hi) {
                warnings.push(Warning::DivergingPreTrends {
                    unit: kpi.unit(),
                    difference_per_30d: d,
                    ci_low: l,
                    ci_high: h,
                });
            }
            let periods = (0..bp)
                .filter(|&p| {
                    value(kpi, &point.periods[0][p]).is_some()
                        && value(kpi, &point.periods[1][p]).is_some()
                })
                .count() as u32;
            pre_trend = Some(PreTrend {
                periods,
                difference_per_30d: Some(d),
                ci_low: lo,
                ci_high: hi,
                diverging,
            });
        }
        let h = placebo_half(g);
        if h > 0 {
            let fake_start = design.start - Duration::days(PERIOD_DAYS * h as i64);
            let pp = point.placebo_changes(kpi);
            let (lo, hi) = pp.map_or((None, None), |pp| {
                bounds(interval(pp, &kd.placebo, draws.scale, df))
            });
            let est = pp.map(|(t, c)| t - c);
            let significant = lo.zip(hi).is_some_and(|(l, h)| l > 0.0 || h < 0.0);
            if let (true, Some(e), Some(l), Some(h)) = (significant, est, lo, hi) {
                warnings.push(Warning::PlaceboSignificant {
                    fake_start,
                    unit: kpi.unit(),
                    estimate: e,
                    ci_low: l,
                    ci_high: h,
                });
            }
            placebo = Some(Placebo {
                fake_start,
                estimate: est,
                ci_low: lo,
                ci_high: hi,
                significant,
            });
        }
    }
    let series = (0..g.periods)
        .filter(|&p| g.period_days[p] > 0.0)
        .map(|p| {
            let at = |gr: usize| {
                let a = &point.periods[gr][p];
                let n = n(kpi, a);
                (value(kpi, a).filter(|_| n >= min), n as u64)
            };
            let ((t, nt), (c, nc)) = (at(0), at(1));
            SeriesPoint {
                period_start: g.period_start[p],
                days: round1(g.period_days[p]),
                follow_up: p >= bp,
                treated: t,
                comparison: c,
                n_treated: nt,
                n_comparison: nc,
            }
        })
        .collect();
    KpiResult {
        kpi,
        unit: kpi.unit(),
        estimate,
        ci_low,
        ci_high,
        n_treated: requests.treated_baseline + requests.treated_follow_up,
        n_comparison: requests.comparison_baseline + requests.comparison_follow_up,
        values,
        requests,
        tehsils,
        method: if estimate.is_some() {
            draws.method
        } else {
            Method::None
        },
        resamples: design.resamples,
        pre_trend,
        placebo,
        warnings,
        series,
    }
}

fn bounds(i: Interval) -> (Option<f64>, Option<f64>) {
    match i {
        Interval::Bounds(l, h) => (Some(l), Some(h)),
        Interval::Unstable(_) => (None, None),
    }
}

/// The 2×2 estimate of a KPI from the four group values (for callers holding a table).
pub fn estimate_from(values: &Table<Option<f64>>) -> Option<f64> {
    Some(did::did(
        values.treated_baseline?,
        values.treated_follow_up?,
        values.comparison_baseline?,
        values.comparison_follow_up?,
    ))
}
