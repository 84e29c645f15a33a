//! The seeded resampling behind every interval. Requests within a tehsil share a department,
//! its staff, its roads and its weather, so they are not independent: the unit resampled is
//! the tehsil (cluster bootstrap), separately within the action and comparison groups, each
//! drawn tehsil bringing its baseline and follow-up together. A group with fewer than
//! `MIN_CLUSTERS` tehsils cannot be resampled that way; its requests are resampled within
//! each tehsil and period instead (Poisson weights, i.e. a request-level bootstrap stratified
//! by tehsil), which ignores tehsil-wide shocks and is flagged. Every draw is summarized as
//! per-KPI pairs (treated change, comparison change), so the 6 KPIs share one set of draws.

use super::cells::{Agg, Grid, BINS};
use super::did::Windows;
use super::{Group, Kpi, Method, MIN_CLUSTERS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One KPI's draws: per resample, the (treated, comparison) changes of the main estimate, of
/// the placebo, and the baseline slopes (None when a drawn cell was empty).
#[derive(Debug, Clone, Default)]
pub(super) struct KpiDraws {
    /// Changes across the start.
    pub main: Vec<Option<(f64, f64)>>,
    /// Changes across the fake start.
    pub placebo: Vec<Option<(f64, f64)>>,
    /// Baseline slopes.
    pub slopes: Vec<Option<(f64, f64)>>,
}

/// All draws of an evaluation.
#[derive(Debug, Clone)]
pub(super) struct Draws {
    /// The scheme used.
    pub method: Method,
    /// Per group, the factor applied to the draws' deviations: √(G/(G−1)) for a group whose
    /// tehsils are resampled (the bootstrap variance of a sum over G clusters is (G−1)/G of the
    /// unbiased one), 1 for a request-resampled group.
    pub scale: [f64; 2],
    /// Per KPI, in `Kpi::ALL` order.
    pub kpis: Vec<KpiDraws>,
}

/// Draws `resamples` resamples of the grid with `seed`.
pub(super) fn draw(grid: &Grid, seed: u64, resamples: u32) -> Draws {
    draw_with(grid, seed, resamples, MIN_CLUSTERS)
}

/// `draw` with the cluster threshold as a parameter (tests enumerate tiny designs).
pub(super) fn draw_with(grid: &Grid, seed: u64, resamples: u32, min_clusters: usize) -> Draws {
    let mut rng = StdRng::seed_from_u64(seed);
    let members = [
        grid.members(Group::Treated),
        grid.members(Group::Comparison),
    ];
    let clusters = [members[0].len(), members[1].len()];
    let by_cluster = [clusters[0] >= min_clusters, clusters[1] >= min_clusters];
    let method = match (clusters[0].min(clusters[1]), by_cluster) {
        (0, _) => Method::None,
        (_, [true, true]) => Method::ClusterBootstrap,
        _ => Method::RequestBootstrap,
    };
    let scale = [0, 1].map(|g| {
        let n = clusters[g] as f64;
        if by_cluster[g] && n > 1.0 {
            (n / (n - 1.0)).sqrt()
        } else {
            1.0
        }
    });
    let mut kpis = vec![KpiDraws::default(); Kpi::ALL.len()];
    if method == Method::None {
        return Draws {
            method,
            scale,
            kpis,
        };
    }
    let periods = grid.geometry.periods;
    let bp = grid.geometry.baseline_periods;
    let mut weight = vec![0.0; grid.tehsils.len()];
    for _ in 0..resamples {
        weight.iter_mut().for_each(|w| *w = 0.0);
        for g in 0..2 {
            if by_cluster[g] {
                for _ in 0..clusters[g] {
                    weight[members[g][rng.gen_range(0..clusters[g])]] += 1.0;
                }
            }
        }
        let mut sums = grid.group_periods(|t| weight[t]);
        for g in 0..2 {
            if by_cluster[g] {
                continue;
            }
            for &t in &members[g] {
                for (sum, cell) in sums[g].iter_mut().zip(grid.of(t)) {
                    add_poisson(sum, cell, &mut rng);
                }
            }
        }
        debug_assert_eq!(sums[0].len(), periods);
        let w = Windows::new(&grid.geometry, sums);
        for (k, kpi) in Kpi::ALL.iter().enumerate() {
            kpis[k].main.push(w.changes(*kpi));
            kpis[k].placebo.push(w.placebo_changes(*kpi));
            kpis[k].slopes.push(w.slopes(*kpi, bp));
        }
    }
    Draws {
        method,
        scale,
        kpis,
    }
}

/// A Poisson(λ) draw: inversion for small λ, the normal approximation (rounded, ≥ 0) above 30,
/// where it is accurate to well under one request.
pub(super) fn poisson(rng: &mut StdRng, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    if lambda > 30.0 {
        let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        return (lambda + lambda.sqrt() * z).round().max(0.0);
    }
    let mut p = (-lambda).exp();
    let mut cdf = p;
    let u: f64 = rng.gen();
    let mut k = 0.0;
    while u > cdf && k < 1000.0 {
        k += 1.0;
        p *= lambda / k;
        cdf += p;
    }
    k
}

/// Adds a request-level resample of `cell` to `sum`: every request weighed by an independent
/// Poisson(1) count, i.e. each category's count drawn as Poisson(its count). Days keep the
/// mean of their 6-hour bin.
fn add_poisson(sum: &mut Agg, cell: &Agg, rng: &mut StdRng) {
    let two = |rng: &mut StdRng, part: f64, whole: f64| {
        let a = poisson(rng, part);
        (a, a + poisson(rng, whole - part))
    };
    sum.per10k_n += poisson(rng, cell.per10k_n);
    sum.exposure += cell.exposure;
    for b in 0..BINS {
        let c = cell.hist[b];
        if c > 0.0 {
            let k = poisson(rng, c);
            let s = k * cell.hist_sum[b] / c;
            sum.hist[b] += k;
            sum.hist_sum[b] += s;
            sum.res_n += k;
            sum.res_sum += s;
        }
    }
    sum.recent += cell.recent;
    let (met, due) = two(rng, cell.sla_met, cell.sla_due);
    sum.sla_met += met;
    sum.sla_due += due;
    let (re, closed) = two(rng, cell.reopened, cell.closed);
    sum.reopened += re;
    sum.closed += closed;
    let (sat, rated) = two(rng, cell.satisfied, cell.rated);
    sum.satisfied += sat;
    sum.rated += rated;
}

/// The `q` quantile of sorted values, linear between order statistics (Hyndman–Fan type 7).
pub(super) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// What a 95 % interval came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Interval {
    /// The bounds.
    Bounds(f64, f64),
    /// Fewer than half the resamples were usable (share usable).
    Unstable(f64),
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (table to 30, linear in
/// between; the Cornish–Fisher expansion above; the normal 1.96 at infinity).
pub(super) fn t975(df: f64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    const Z: f64 = 1.959_964;
    if !df.is_finite() || df > 30.0 {
        let v = if df.is_finite() { df } else { f64::INFINITY };
        return Z
            + (Z.powi(3) + Z) / (4.0 * v)
            + (5.0 * Z.powi(5) + 16.0 * Z.powi(3) + 3.0 * Z) / (96.0 * v * v);
    }
    let d = df.max(1.0);
    let lo = d.floor() as usize;
    let hi = (lo + 1).min(30);
    let f = d - lo as f64;
    TABLE[lo - 1] + f * (TABLE[hi - 1] - TABLE[lo - 1])
}

/// Kish's effective number of clusters of a group whose tehsils hold `n` requests each:
/// (Σn)² / Σn² (G when equal, fewer when a few large tehsils dominate a request-weighted mean).
pub(super) fn effective_clusters(n: &[f64]) -> f64 {
    let s: f64 = n.iter().sum();
    let q: f64 = n.iter().map(|x| x * x).sum();
    if q > 0.0 {
        s * s / q
    } else {
        0.0
    }
}

/// The 95 % interval of `treated − comparison` around the point estimate `point`: each draw's
/// deviation from the point, group by group, scaled by `scale` (√(G/(G−1))), then by
/// t(df)/1.96 where df is the Welch–Satterthwaite combination of the groups' degrees of
/// freedom `df` (effective clusters − 1; infinite for a request-resampled group), and
/// recentred; the bounds are the 2.5 % and 97.5 % points of the scaled deviations.
pub(super) fn interval(
    point: (f64, f64),
    draws: &[Option<(f64, f64)>],
    scale: [f64; 2],
    df: [f64; 2],
) -> Interval {
    let pairs: Vec<(f64, f64)> = draws
        .iter()
        .flatten()
        .map(|(t, c)| (scale[0] * (t - point.0), scale[1] * (c - point.1)))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let usable = pairs.len() as f64 / draws.len().max(1) as f64;
    if pairs.is_empty() || usable < 0.5 {
        return Interval::Unstable(usable);
    }
    let var = |f: &dyn Fn(&(f64, f64)) -> f64| {
        let m = pairs.iter().map(f).sum::<f64>() / pairs.len() as f64;
        pairs.iter().map(|p| (f(p) - m).powi(2)).sum::<f64>() / pairs.len() as f64
    };
    let (vt, vc) = (var(&|p| p.0), var(&|p| p.1));
    let part = |v: f64, d: f64| {
        if d.is_finite() && d > 0.0 {
            v * v / d
        } else {
            0.0
        }
    };
    let denom = part(vt, df[0]) + part(vc, df[1]);
    let welch = if denom > 0.0 {
        (vt + vc).powi(2) / denom
    } else {
        f64::INFINITY
    };
    let factor = t975(welch) / t975(f64::INFINITY);
    let mut dev: Vec<f64> = pairs.iter().map(|(a, b)| factor * (a - b)).collect();
    dev.sort_by(f64::total_cmp);
    let theta = point.0 - point.1;
    match (quantile(&dev, 0.025), quantile(&dev, 0.975)) {
        (Some(lo), Some(hi)) => Interval::Bounds(theta + lo, theta + hi),
        _ => Interval::Unstable(usable),
    }
}
