//! Each warning, triggered: too few tehsils, unbalanced windows, diverging pre-trends, a
//! significant placebo, other actions, censoring, unknown population, a median beyond the cap,
//! an unstable interval; and the counting of ratings, SLA and reopens.

use super::bootstrap::{interval, Interval};
use super::tests::{codes, design, history, kpi, start};
use super::*;
use crate::evidence::summary::pk_midnight;
use crate::lang::Lang;
use crate::status::Status;
use crate::testing::population;
use chrono::Duration;

fn codes_of(r: &KpiResult) -> Vec<&'static str> {
    r.warnings.iter().map(Warning::code).collect()
}

#[test]
fn too_few_tehsils_fall_back_to_resampling_requests_with_a_warning() {
    let c = codes();
    let facts = history(&c[0..8], 1, 7, |_, _| 3.0);
    let e = evaluate(
        &design(&c[0..2], &c[2..8]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    assert_eq!(r.method, Method::RequestBootstrap);
    assert!(r.ci_low.is_some());
    assert!(codes_of(r).contains(&"too_few_tehsils"));
    assert!(reading(Lang::En, r).starts_with("Caution: Only 2 action and 6 comparison"));
}

#[test]
fn data_that_begin_late_make_the_windows_unbalanced() {
    let c = codes();
    let mut facts = history(&c[0..8], 1, 8, |_, _| 3.0);
    facts.retain(|f| f.created_at >= pk_midnight(start() - Duration::days(60)));
    let e = evaluate(
        &design(&c[0..4], &c[4..8]),
        &facts,
        &HashMap::new(),
        population(),
    );
    assert!((e.baseline_days - 60.0).abs() < 1e-9);
    assert_eq!(e.baseline.0, start() - Duration::days(60));
    assert!(e.warnings.iter().any(|w| w.code() == "unbalanced_windows"));
    // Requests per 10,000 divides by the days with data, not the nominal window.
    let r = kpi(&e, Kpi::RequestsPer10k);
    let (b, f) = (
        r.values.treated_baseline.expect("b"),
        r.values.treated_follow_up.expect("f"),
    );
    assert!((b / f - 1.0).abs() < 0.05, "{b} vs {f}");
}

#[test]
fn groups_drifting_apart_before_the_start_are_flagged_and_the_reading_leads_with_it() {
    let c = codes();
    let facts = history(
        &c[0..10],
        1,
        9,
        |t, day| {
            if t < 5 {
                6.0 + day / 30.0
            } else {
                6.0
            }
        },
    );
    let e = evaluate(
        &design(&c[0..5], &c[5..10]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    let pt = r.pre_trend.as_ref().expect("pre-trend");
    assert!(pt.diverging && pt.periods == 6, "{pt:?}");
    assert!(pt.difference_per_30d.is_some_and(|d| (d - 1.0).abs() < 0.2));
    assert!(codes_of(r).contains(&"diverging_pre_trends"));
    assert!(reading(Lang::En, r).starts_with("Caution: Before the start"));
}

#[test]
fn a_jump_inside_the_baseline_makes_the_placebo_significant() {
    let c = codes();
    let facts = history(&c[0..10], 1, 10, |t, day| {
        if t < 5 && day >= -90.0 {
            4.0
        } else {
            6.0
        }
    });
    let e = evaluate(
        &design(&c[0..5], &c[5..10]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::MeanDaysToResolve);
    let p = r.placebo.as_ref().expect("placebo");
    assert_eq!(p.fake_start, start() - Duration::days(90));
    assert!(
        p.significant && p.estimate.is_some_and(|x| (x + 2.0).abs() < 0.2),
        "{p:?}"
    );
    assert!(codes_of(r).contains(&"placebo_significant"));
    // Across the real start the treated baseline mixes both levels (mean 5, then 4): −1.
    assert!(
        r.estimate.is_some_and(|x| (x + 1.0).abs() < 0.2),
        "{:?}",
        r.estimate
    );
}

#[test]
fn another_action_in_a_comparison_or_treated_tehsil_is_named() {
    let c = codes();
    let facts = history(&c[0..8], 1, 11, |_, _| 3.0);
    let mut d = design(&c[0..4], &c[4..8]);
    let other = |label: &str, t: &String, from: i64, end: Option<i64>| OtherAction {
        label: label.into(),
        tehsils: vec![t.clone()],
        start: start() + Duration::days(from),
        end: end.map(|e| start() + Duration::days(e)),
    };
    d.other_actions = vec![
        other("desk", &c[5], 30, None),
        other("crew", &c[1], -100, Some(-50)),
        other("old", &c[6], -900, Some(-400)),
        other("later", &c[7], 400, None),
    ];
    let e = evaluate(&d, &facts, &HashMap::new(), population());
    assert!(e.warnings.contains(&Warning::ComparisonHasAction {
        tehsils: vec![c[5].clone()],
        actions: vec!["desk".into()],
    }));
    assert!(e.warnings.contains(&Warning::TreatedHasOtherAction {
        tehsils: vec![c[1].clone()],
        actions: vec!["crew".into()],
    }));
    assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
    let r = kpi(&e, Kpi::SlaCompliance);
    assert!(reading(Lang::En, r).starts_with("Caution: Comparison tehsils"));
}

#[test]
fn a_data_end_at_the_follow_up_end_warns_of_censoring_and_uses_only_observed_requests() {
    let c = codes();
    let facts = history(&c[0..8], 1, 12, |_, _| 3.0);
    let mut d = design(&c[0..4], &c[4..8]);
    d.as_of = pk_midnight(start() + Duration::days(180));
    let e = evaluate(&d, &facts, &HashMap::new(), population());
    for k in [Kpi::MeanDaysToResolve, Kpi::MedianDaysToResolve] {
        let r = kpi(&e, k);
        let share = r.warnings.iter().find_map(|w| match w {
            Warning::Censoring { share } => Some(*share),
            _ => None,
        });
        assert!(
            share.is_some_and(|s| (s - 1.0 / 6.0).abs() < 0.02),
            "{share:?}"
        );
        // 150 of 180 follow-up days are fully observed.
        assert_eq!(r.requests.treated_follow_up, 4 * 150);
    }
    assert!(!codes_of(kpi(&e, Kpi::SlaCompliance)).contains(&"censoring"));
}

#[test]
fn a_tehsil_without_a_population_is_left_out_of_requests_per_10k_and_named() {
    let c = codes();
    let mut tehsils = c[0..8].to_vec();
    tehsils.push("PK99999".into());
    let facts = history(&tehsils, 1, 13, |_, _| 3.0);
    let e = evaluate(
        &design(&c[0..4], &tehsils[4..9]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::RequestsPer10k);
    assert!(r.warnings.contains(&Warning::PopulationUnknown {
        tehsils: vec!["PK99999".into()]
    }));
    assert_eq!(r.requests.comparison_baseline, 4 * 180);
    assert!(!codes_of(kpi(&e, Kpi::MeanDaysToResolve)).contains(&"population_unknown"));
}

#[test]
fn a_median_beyond_the_cap_is_not_estimated() {
    let c = codes();
    let mut facts = history(&c[0..8], 1, 14, |_, _| 3.0);
    for f in facts.iter_mut().filter(|f| f.id % 3 != 0) {
        (f.status, f.closed_at) = (Status::Open, None);
    }
    let e = evaluate(
        &design(&c[0..4], &c[4..8]),
        &facts,
        &HashMap::new(),
        population(),
    );
    let r = kpi(&e, Kpi::MedianDaysToResolve);
    assert_eq!(r.estimate, None);
    assert!(codes_of(r).contains(&"median_above_cap"));
    // The mean still is: never answered counts as the cap.
    let m = kpi(&e, Kpi::MeanDaysToResolve);
    assert!(m
        .values
        .treated_baseline
        .is_some_and(|v| (v - (2.0 * CAP_DAYS + 3.0) / 3.0).abs() < 0.3));
}

#[test]
fn an_interval_from_mostly_empty_resamples_is_withheld() {
    let mut draws = vec![None; 60];
    draws.extend(vec![Some((1.0, 0.5)); 40]);
    assert_eq!(
        interval((1.0, 0.5), &draws, [1.0, 1.0], [f64::INFINITY; 2]),
        Interval::Unstable(0.4)
    );
    let w = Warning::UnstableInterval { usable: 0.4 };
    assert!(warning_text(Lang::En, &w).contains("40%"));
}

#[test]
fn ratings_sla_and_reopens_are_counted_for_the_requests_received_in_each_window() {
    let c = codes();
    let mut facts = history(&c[0..8], 1, 15, |_, _| 2.0);
    let mut ratings = HashMap::new();
    for f in facts.iter_mut() {
        ratings.insert(f.id, vec![if f.id % 4 == 0 { 2 } else { 5 }]);
        f.reopen_count = u32::from(f.id % 10 == 0);
    }
    let e = evaluate(&design(&c[0..4], &c[4..8]), &facts, &ratings, population());
    let sat = kpi(&e, Kpi::SatisfiedShare);
    assert!(sat
        .values
        .treated_baseline
        .is_some_and(|v| (v - 0.75).abs() < 0.01));
    let re = kpi(&e, Kpi::ReopenRate);
    assert!(re
        .values
        .comparison_follow_up
        .is_some_and(|v| (v - 0.1).abs() < 0.01));
    // Answered after 1–3 days with a 3-day due time: most are met.
    let sla = kpi(&e, Kpi::SlaCompliance);
    assert!(sla.values.treated_baseline.is_some_and(|v| v > 0.9));
    assert!(sla.estimate.is_some_and(|x| x.abs() < 0.05));
}
