//! Simulated histories (`crate::simulate`) as the store would hold them at a data end, and the
//! TRUE effect an injected `days_to_resolve` change had on the KPI, so the coverage test (and
//! `examples/did_coverage.rs`) can check intervals against the truth without a database.
//!
//! The timeline follows the CLI driver (`src/simulate.rs`): a request answered at
//! `close_after_h`; when reopened (`reopen_after_h` later) it is answered again after as long
//! as the first time (at most 30 days). Not modelled: merged duplicates, referrals, escalation,
//! the delay of triage; the SLA due time is approximated in clock hours of the service's
//! normal-priority SLA.

use super::{evaluate, Design, Kpi, KpiResult, CAP_DAYS};
use crate::catalogue::Catalogue;
use crate::evidence::summary::{pk_date, pk_midnight};
use crate::evidence::{Fact, Population};
use crate::geo::GeoIndex;
use crate::simulate::{Effect, EffectKpi, Outcome, SimRequest, SimSpec, Simulator};
use crate::status::{Priority, Status};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

fn hours(h: f64) -> Duration {
    Duration::seconds((h * 3600.0).round() as i64)
}

/// Hours from the report to the last answer, given the first answer time (the driver's rule).
pub fn final_answer_h(close_after_h: f64, reopen_after_h: Option<f64>) -> f64 {
    match reopen_after_h {
        Some(r) => close_after_h + r + close_after_h.min(24.0 * 30.0),
        None => close_after_h,
    }
}

/// The facts (request id = `first_id` + index) and ratings the store would return at `as_of`.
pub fn facts(
    reqs: &[SimRequest],
    first_id: i64,
    as_of: DateTime<Utc>,
    cat: &Catalogue,
) -> (Vec<Fact>, HashMap<i64, Vec<u8>>) {
    let mut facts = Vec::with_capacity(reqs.len());
    let mut ratings = HashMap::new();
    for (i, r) in reqs.iter().enumerate() {
        let id = first_id + i as i64;
        let district = cat
            .tehsil(&r.tehsil)
            .map(|t| t.district.clone())
            .unwrap_or_default();
        let province = cat
            .district(&district)
            .map(|d| d.province.clone())
            .unwrap_or_default();
        let sla_h = cat
            .service(&r.service)
            .map_or(72, |s| s.sla_hours.for_priority(Priority::Normal));
        let answered = r.outcome != Outcome::Unanswered;
        let responded = (answered && r.at + hours(r.respond_after_h) <= as_of)
            .then(|| r.at + hours(r.respond_after_h));
        let first = r.at + hours(r.close_after_h);
        let reopen_at = r.reopen_after_h.map(|h| first + hours(h));
        let last = r.at + hours(final_answer_h(r.close_after_h, r.reopen_after_h));
        let final_status = match r.outcome {
            Outcome::Resolved => Status::Resolved,
            Outcome::ClosedNotFixed => Status::ClosedNotFixed,
            Outcome::NotResponsible => Status::NotResponsible,
            Outcome::Unanswered => Status::Open,
        };
        let (status, closed_at, reopen_count) = if !answered || first > as_of {
            let s = if responded.is_some() {
                Status::Acknowledged
            } else {
                Status::Open
            };
            (s, None, 0)
        } else if reopen_at.is_some_and(|t| t <= as_of) {
            if last <= as_of {
                (final_status, Some(last), 1)
            } else {
                (Status::Open, None, 1)
            }
        } else {
            (final_status, Some(first), 0)
        };
        if let (Some((stars, h)), Some(c)) = (r.rating, closed_at) {
            let final_close = reopen_count == 1 || r.reopen_after_h.is_none();
            if final_close && c + hours(h) <= as_of {
                ratings.insert(id, vec![stars]);
            }
        }
        facts.push(Fact {
            id,
            service: r.service.clone(),
            province,
            district,
            tehsil: Some(r.tehsil.clone()),
            lat: Some(r.lat),
            lon: Some(r.lon),
            channel: r.channel,
            priority: Priority::Normal,
            status,
            created_at: r.at,
            responded_at: responded,
            closed_at,
            sla_due_at: Some(r.at + Duration::hours(i64::from(sla_h))),
            reporters: 1,
            reopen_count,
        });
    }
    (facts, ratings)
}

/// The change the effect made to this request's capped days to resolve (its final answer,
/// capped at `CAP_DAYS`; never answered counts as the cap): with the effect minus without.
pub fn capped_days_shift(r: &SimRequest) -> f64 {
    if r.outcome == Outcome::Unanswered || r.shift_days == 0.0 {
        return 0.0;
    }
    let y = |close_h: f64| (final_answer_h(close_h, r.reopen_after_h) / 24.0).min(CAP_DAYS);
    y(r.close_after_h) - y(r.close_after_h - r.shift_days * 24.0)
}

/// The true effect on mean days to resolve that `evaluate` estimates: the mean realized change
/// among the treated requests that enter the KPI (received in the follow-up and observed for
/// `CAP_DAYS` by the data end). None when no such request exists.
pub fn true_mean_days_effect(design: &Design, reqs: &[SimRequest]) -> Option<f64> {
    let start = pk_midnight(design.start);
    let end = pk_midnight(design.start + Duration::days(design.follow_up_days.into()));
    let cap = Duration::seconds((CAP_DAYS * 86_400.0) as i64);
    let (mut n, mut sum) = (0u64, 0.0);
    for r in reqs {
        let inside = r.at >= start
            && r.at < end
            && r.at < design.as_of
            && r.at + cap <= design.as_of
            && design.treated.contains(&r.tehsil)
            && (design.services.is_empty() || design.services.contains(&r.service));
        if inside {
            n += 1;
            sum += capped_days_shift(r);
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// One simulated history, day by day.
pub fn history(
    spec: &SimSpec,
    cat: &Catalogue,
    geo: &GeoIndex,
    pop: &Population,
) -> Vec<SimRequest> {
    let mut sim = Simulator::new(spec.clone(), cat, geo, pop);
    (0..spec.days).flat_map(|d| sim.day(d)).collect()
}

/// One history of a coverage study: the truth and what the evaluation said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The true effect on mean days to resolve (`true_mean_days_effect`).
    pub truth: f64,
    /// The evaluation's result for mean days to resolve.
    pub result: KpiResult,
}

/// Simulates a history over the design's windows up to its data end (`per_day` requests a
/// day, `seed`), injects `change` days to resolve in the treated tehsils from the start (none
/// when `change` is 0), and evaluates mean days to resolve.
pub fn trial(
    design: &Design,
    change: f64,
    per_day: u32,
    seed: u64,
    (cat, geo, pop): (&Catalogue, &GeoIndex, &Population),
) -> Trial {
    let from = design.start - Duration::days(design.baseline_days.into());
    let days = (pk_date(design.as_of) - from).num_days().max(0) as u32 + 1;
    let effects = if change == 0.0 {
        Vec::new()
    } else {
        vec![Effect {
            tehsils: design.treated.clone(),
            from: design.start,
            kpi: EffectKpi::DaysToResolve,
            change,
        }]
    };
    let spec = SimSpec {
        seed,
        from,
        days,
        per_day,
        effects,
    };
    let reqs = history(&spec, cat, geo, pop);
    let (facts, ratings) = facts(&reqs, 1, design.as_of, cat);
    let truth = true_mean_days_effect(design, &reqs).unwrap_or(0.0);
    let mut eval = evaluate(design, &facts, &ratings, pop);
    let k = Kpi::ALL
        .iter()
        .position(|k| *k == Kpi::MeanDaysToResolve)
        .unwrap_or(1);
    Trial {
        truth,
        result: eval.results.swap_remove(k),
    }
}
