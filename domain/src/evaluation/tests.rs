//! The estimator and its interval against hand-computed cases, reproducibility, suppression,
//! every warning, and the readings in three languages.

use super::bootstrap::{draw_with, interval, quantile, Interval};
use super::cells::Grid;
use super::*;
use crate::evidence::summary::pk_midnight;
use crate::lang::Lang;
use crate::status::{Channel, Priority, Status};
use crate::testing::{population, reference};
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub(super) fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
}

/// Pilot tehsil codes, in catalogue order.
pub(super) fn codes() -> Vec<String> {
    reference()
        .0
        .tehsils
        .iter()
        .map(|t| t.code.clone())
        .collect()
}

/// A request of `tehsil` received `day` days after the start (negative: before), answered
/// after `days` days (None: never).
pub(super) fn fact(id: i64, tehsil: &str, day: f64, days: Option<f64>) -> Fact {
    let created = pk_midnight(start()) + Duration::seconds((day * 86_400.0) as i64);
    let closed = days.map(|d| created + Duration::seconds((d * 86_400.0) as i64));
    Fact {
        id,
        service: "water-supply".into(),
        province: "PK7".into(),
        district: "PK713".into(),
        tehsil: Some(tehsil.into()),
        lat: None,
        lon: None,
        channel: Channel::Web,
        priority: Priority::Normal,
        status: if closed.is_some() {
            Status::Resolved
        } else {
            Status::Open
        },
        created_at: created,
        responded_at: closed,
        closed_at: closed,
        sla_due_at: Some(created + Duration::days(3)),
        reporters: 1,
        reopen_count: 0,
    }
}

pub(super) fn design(treated: &[String], comparison: &[String]) -> Design {
    let mut d = Design::new(
        treated.to_vec(),
        comparison.to_vec(),
        start(),
        pk_midnight(start() + Duration::days(240)),
    );
    d.resamples = 400;
    d
}

pub(super) fn kpi(e: &Evaluation, k: Kpi) -> &KpiResult {
    e.results.iter().find(|r| r.kpi == k).expect("every KPI")
}

/// A history: `per_day` requests a day in each tehsil over both windows, answered after
/// `days(tehsil index, day)` plus noise.
pub(super) fn history(
    tehsils: &[String],
    per_day: usize,
    seed: u64,
    days: impl Fn(usize, f64) -> f64,
) -> Vec<Fact> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    for (t, code) in tehsils.iter().enumerate() {
        for day in -180..180 {
            for _ in 0..per_day {
                let at = f64::from(day) + rng.gen_range(0.3..0.9);
                let y = (days(t, f64::from(day)) + rng.gen_range(-1.0..1.0)).max(0.1);
                out.push(fact(out.len() as i64, code, at, Some(y)));
            }
        }
    }
    out
}

#[test]
fn the_estimator_is_the_difference_of_the_two_changes_in_a_hand_computed_2x2_table() {
    assert_eq!(did(10.0, 7.0, 9.0, 8.5), -2.5);
    let c = codes();
    // Treated: A {4,4,4} and B {8} before (pooled 5; tehsil means would give 6), A {2,2,2}
    // and B {4} after (2.5). Comparison: {6},{6} before (6), {5},{6} after (5.5).
    let rows = [
        (&c[0], -10.0, 4.0),
        (&c[0], -11.0, 4.0),
        (&c[0], -12.0, 4.0),
        (&c[1], -10.0, 8.0),
        (&c[0], 10.0, 2.0),
        (&c[0], 11.0, 2.0),
        (&c[0], 12.0, 2.0),
        (&c[1], 10.0, 4.0),
        (&c[2], -10.0, 6.0),
        (&c[3], -10.0, 6.0),
        (&c[2], 10.0, 5.0),
        (&c[3], 10.0, 6.0),
    ];
    let facts: Vec<Fact> = rows
        .iter()
        .enumerate()
        .map(|(i, (t, day, y))| fact(i as i64, t, *day, Some(*y)))
        .collect();
    let mut d = design(&c[0..2], &c[2..4]);
    d.min_cell = 1;
    let e = evaluate(&d, &facts, &HashMap::new(), population());
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    let v = r.values;
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(close(v.treated_baseline, 5.0), "{v:?}");
    assert!(close(v.treated_follow_up, 2.5), "{v:?}");
    assert!(close(v.comparison_baseline, 6.0), "{v:?}");
    assert!(close(v.comparison_follow_up, 5.5), "{v:?}");
    assert!(close(r.estimate, -2.0), "{:?}", r.estimate);
    assert!(close(estimate_from(&v), -2.0));
    assert_eq!((r.n_treated, r.n_comparison), (8, 4));
    assert_eq!(r.requests.treated_baseline, 4);
    assert_eq!(r.tehsils.treated_follow_up, 2);
    // The median reads the 6-hour histogram: treated before {4,4,4,8} → within 4's bin.
    let m = kpi(&e, Kpi::MedianDaysToResolve);
    assert!(m
        .values
        .treated_baseline
        .is_some_and(|x| (4.0..4.25).contains(&x)));
}

#[test]
fn the_t_quantile_and_the_effective_number_of_tehsils_match_their_tables() {
    use super::bootstrap::{effective_clusters, t975};
    assert_eq!(t975(6.0), 2.447);
    assert!((t975(6.5) - 2.406).abs() < 1e-9);
    assert!((t975(60.0) - 2.000).abs() < 0.001);
    assert!((t975(f64::INFINITY) - 1.96).abs() < 0.001);
    assert_eq!(effective_clusters(&[10.0, 10.0, 10.0, 10.0]), 4.0);
    assert!((effective_clusters(&[30.0, 10.0]) - 1.6).abs() < 1e-9);
}

#[test]
fn quantiles_interpolate_between_order_statistics() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(quantile(&v, 0.0), Some(1.0));
    assert_eq!(quantile(&v, 0.5), Some(3.0));
    assert_eq!(quantile(&v, 0.125), Some(1.5));
    assert_eq!(quantile(&[], 0.5), None);
}

#[test]
fn the_cluster_interval_matches_the_enumerated_bootstrap_distribution_of_three_and_three_tehsils() {
    // One request per tehsil and window: the pooled mean of a resample is the mean of the
    // drawn tehsils, so all 27 × 27 equally likely resamples can be enumerated.
    let c = codes();
    let before = [3.0, 5.0, 10.0, 4.0, 6.0, 7.0];
    let after = [1.0, 4.5, 6.0, 4.0, 5.0, 8.5];
    let mut facts = Vec::new();
    for t in 0..6 {
        facts.push(fact(2 * t as i64, &c[t], -20.0, Some(before[t])));
        facts.push(fact(2 * t as i64 + 1, &c[t], 20.0, Some(after[t])));
    }
    let mut d = design(&c[0..3], &c[3..6]);
    d.min_cell = 1;
    let outcomes: Vec<Outcome> = facts.iter().map(Outcome::from).collect();
    let grid = Grid::build(&d, &outcomes, &HashMap::new(), population());
    let draws = draw_with(&grid, 99, 20_000, 3);
    assert_eq!(draws.method, Method::ClusterBootstrap);
    let k = 1; // mean days to resolve
    assert_eq!(Kpi::ALL[k], Kpi::MeanDaysToResolve);
    let change =
        |ix: &[usize]| ix.iter().map(|&i| after[i] - before[i]).sum::<f64>() / ix.len() as f64;
    let (pt, pc) = (change(&[0, 1, 2]), change(&[3, 4, 5]));
    let s = (1.5f64).sqrt();
    let mut exact = Vec::new();
    for a in 0..27 {
        let ta = [a / 9, a / 3 % 3, a % 3];
        for b in 0..27 {
            let tb = [3 + b / 9, 3 + b / 3 % 3, 3 + b % 3];
            exact.push(s * (change(&ta) - pt) - s * (change(&tb) - pc));
        }
    }
    exact.sort_by(f64::total_cmp);
    let inv = |q: f64| exact[((q * exact.len() as f64).ceil() as usize).saturating_sub(1)];
    let theta = pt - pc;
    let Interval::Bounds(lo, hi) = interval(
        (pt, pc),
        &draws.kpis[k].main,
        draws.scale,
        [f64::INFINITY; 2],
    ) else {
        panic!("an interval");
    };
    // Monte-Carlo tolerance: with 20,000 draws the 2.5 % point lies between the exact 1.5 %
    // and 3.5 % points (±6 standard errors).
    assert!(
        theta + inv(0.015) <= lo && lo <= theta + inv(0.035),
        "{lo} vs {} .. {}",
        theta + inv(0.015),
        theta + inv(0.035)
    );
    assert!(
        theta + inv(0.965) <= hi && hi <= theta + inv(0.985),
        "{hi} vs {} .. {}",
        theta + inv(0.965),
        theta + inv(0.985)
    );
}

#[test]
fn the_same_seed_gives_the_same_intervals_and_another_seed_other_draws() {
    let c = codes();
    let facts = history(&c[0..10], 1, 4, |t, _| 3.0 + t as f64 * 0.3);
    let d = design(&c[0..5], &c[5..10]);
    let a = evaluate(&d, &facts, &HashMap::new(), population());
    let b = evaluate(&d, &facts, &HashMap::new(), population());
    assert_eq!(a, b);
    let mut d2 = d.clone();
    d2.seed += 1;
    let other = evaluate(&d2, &facts, &HashMap::new(), population());
    let r = |e: &Evaluation| kpi(e, Kpi::MeanDaysToResolve).ci_low;
    assert!(r(&a).is_some());
    assert_ne!(r(&a), r(&other));
    assert_eq!(
        kpi(&a, Kpi::MeanDaysToResolve).estimate,
        kpi(&other, Kpi::MeanDaysToResolve).estimate
    );
}

#[test]
fn a_clear_effect_on_many_tehsils_is_found_with_a_cluster_interval_around_it() {
    let c = codes();
    let facts = history(&c[0..12], 1, 5, |t, day| {
        3.0 + t as f64 * 0.2 - if t < 6 && day >= 0.0 { 2.0 } else { 0.0 }
    });
    let e = evaluate(
        &design(&c[0..6], &c[6..12]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    assert_eq!(r.method, Method::ClusterBootstrap);
    let (est, lo, hi) = (
        r.estimate.expect("estimate"),
        r.ci_low.expect("low"),
        r.ci_high.expect("high"),
    );
    assert!((est + 2.0).abs() < 0.1, "{est}");
    assert!(lo < est && est < hi && hi < 0.0, "{lo} {est} {hi}");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r.series.len() == 12 && r.series.iter().all(|p| p.treated.is_some()));
    let text = reading(Lang::En, r);
    assert!(
        text.starts_with("Mean time to resolve fell by 2.0 days (95% CI"),
        "{text}"
    );
    assert!(
        text.ends_with("more than in the comparison tehsils."),
        "{text}"
    );
    for lang in [Lang::Ur, Lang::Sd] {
        let t = reading(lang, r);
        assert!(t != text && t.contains("95%") && t.contains("2.0"), "{t}");
    }
}

#[test]
fn a_cell_below_the_threshold_withholds_the_estimate_and_says_why() {
    let c = codes();
    let mut facts = history(&c[0..8], 1, 6, |_, _| 3.0);
    // The treated tehsils' follow-up has only 3 requests.
    facts.retain(|f| {
        let treated = c[0..4].contains(f.tehsil.as_ref().expect("tehsil"));
        !(treated && f.created_at >= pk_midnight(start())) || f.id % 200 == 0
    });
    let mut d = design(&c[0..4], &c[4..8]);
    d.min_cell = 10_000;
    let e = evaluate(&d, &facts, &HashMap::new(), population());
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    assert_eq!((r.estimate, r.ci_low, r.method), (None, None, Method::None));
    assert_eq!(r.values.treated_follow_up, None);
    assert!(r.warnings.iter().any(|w| matches!(
        w,
        Warning::TooFewRequests {
            group: Group::Treated,
            window: Window::FollowUp,
            ..
        }
    )));
    let text = reading(Lang::En, r);
    assert!(
        text.contains("no estimate") && text.contains("Fewer than 10000"),
        "{text}"
    );
}

#[test]
fn every_evaluation_message_exists_in_english_urdu_and_sindhi() {
    let en: Vec<String> = crate::i18n::ids(Lang::En)
        .into_iter()
        .filter(|i| i.starts_with("eval-"))
        .collect();
    assert!(en.len() >= 33, "{}", en.len());
    for lang in [Lang::Ur, Lang::Sd] {
        for id in &en {
            assert!(crate::i18n::has_own(lang, id), "{id} missing in {lang:?}");
        }
    }
    for k in Kpi::ALL {
        assert!(en.contains(&format!("eval-kpi-{}", k.as_str().replace('_', "-"))));
        assert_eq!(Kpi::parse(k.as_str()), Some(k));
    }
}

#[test]
fn a_result_serializes_with_the_fields_the_report_promises() {
    let c = codes();
    let facts = history(&c[0..8], 1, 16, |_, _| 3.0);
    let e = evaluate(
        &design(&c[0..4], &c[4..8]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let v = serde_json::to_value(kpi(&e, Kpi::MeanDaysToResolve)).expect("json");
    for key in [
        "kpi",
        "estimate",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_comparison",
        "warnings",
        "method",
        "pre_trend",
        "placebo",
        "series",
        "requests",
        "tehsils",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["kpi"], "mean_days_to_resolve");
    assert_eq!(v["method"], "cluster_bootstrap");
    let w = serde_json::to_value(Warning::Censoring { share: 0.2 }).expect("json");
    assert_eq!(w["code"], "censoring");
}

#[test]
fn ratings_and_tehsils_reach_the_same_cells_whether_the_outcomes_come_in_id_order_or_not() {
    let c = codes();
    let facts = history(&c[0..6], 2, 9, |t, _| 2.0 + t as f64);
    let d = design(&c[0..3], &c[3..6]);
    // Every third request rated: 5 stars, or 2 and then 4 stars; ids past the outcomes too.
    let mut ratings: HashMap<i64, Vec<u8>> = HashMap::new();
    for id in (-6..facts.len() as i64 + 50).step_by(3) {
        ratings.insert(id, if id % 2 == 0 { vec![5] } else { vec![2, 4] });
    }
    let mut in_order: Vec<Outcome> = facts.iter().map(Outcome::from).collect();
    // One shared code per tehsil, as the stores read them.
    let mut shared = Codes::default();
    for o in &mut in_order {
        o.tehsil = o.tehsil.as_deref().map(|t| shared.get(t));
    }
    let shuffled: Vec<Outcome> = in_order.iter().rev().cloned().collect();
    // And in order, but each with its own copy of the code (more addresses than remembered).
    let unshared: Vec<Outcome> = facts.iter().map(Outcome::from).collect();
    let a = Grid::build(&d, &in_order, &ratings, population());
    let b = Grid::build(&d, &shuffled, &ratings, population());
    let c = Grid::build(&d, &unshared, &ratings, population());
    assert_eq!(a.cells, c.cells);
    let total = |g: &Grid, f: fn(&cells::Agg) -> f64| g.cells.iter().map(f).sum::<f64>();
    let ratings_given = ratings
        .iter()
        .filter(|(id, _)| (0..facts.len() as i64).contains(*id))
        .map(|(_, s)| s.len())
        .sum::<usize>();
    assert_eq!(total(&a, |x| x.rated), ratings_given as f64);
    for (x, y) in a.cells.iter().zip(&b.cells) {
        assert_eq!(
            (x.rated, x.satisfied, x.per10k_n),
            (y.rated, y.satisfied, y.per10k_n)
        );
        assert_eq!(
            (x.res_n, x.sla_due, x.closed),
            (y.res_n, y.sla_due, y.closed)
        );
        assert!((x.res_sum - y.res_sum).abs() < 1e-6);
    }
    assert!(
        total(&a, |x| x.satisfied) > 0.0 && total(&a, |x| x.satisfied) < total(&a, |x| x.rated)
    );
    assert_eq!(a.members(Group::Treated), b.members(Group::Treated));
}
