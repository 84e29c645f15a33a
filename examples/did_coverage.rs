//! Coverage of the evaluation's 95 % intervals (issue 12), on simulated histories with a known
//! injected effect on days to resolve. For each seed: simulate the baseline and follow-up with
//! the real generator, turn the history into the facts the store would hold at the data end,
//! evaluate, and check the mean-days interval against the TRUE effect (the mean realized
//! shift of the treated requests that enter the KPI), and, on a second history without an
//! effect, whether the interval wrongly excludes zero.
//!
//! `cargo run --release --example did_coverage -- --histories 200 [--per-day 100]
//!  [--change -3] [--treated CODE,CODE] [--resamples 1000] [--follow-up-wait 0]`
//!
//! `-- --time-requests 1000000` instead times one full evaluation (all KPIs, 1000 resamples)
//! of a simulated history of about that many requests, with the default design and with the
//! action on two tehsils only (the request-level fallback).
#![allow(clippy::print_stdout)] // a command-line report: its table goes to standard output

use chrono::{Duration, NaiveDate};
use sahulat_domain::catalogue::{Catalogue, Sources};
use sahulat_domain::evaluation::sim::{facts, history, trial};
use sahulat_domain::evaluation::{evaluate, Design, Method};
use sahulat_domain::evidence::summary::pk_midnight;
use sahulat_domain::evidence::Population;
use sahulat_domain::simulate::SimSpec;
use std::path::Path;
use std::time::Instant;

/// Seven tehsils from all four districts, so the action group's mix of provinces (and so of
/// services and seasons) resembles the comparison group's.
const DEFAULT_TREATED: &str = "PK22603,PK21103,PK21105,PK71302,PK71304,PK71702,PK71704";

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let histories: u64 = arg(&args, "--histories").map_or(Ok(200), |s| s.parse())?;
    let per_day: u32 = arg(&args, "--per-day").map_or(Ok(100), |s| s.parse())?;
    let change: f64 = arg(&args, "--change").map_or(Ok(-3.0), |s| s.parse())?;
    let resamples: u32 = arg(&args, "--resamples").map_or(Ok(1000), |s| s.parse())?;
    let wait: i64 = arg(&args, "--follow-up-wait").map_or(Ok(0), |s| s.parse())?;
    let treated: Vec<String> = arg(&args, "--treated")
        .unwrap_or_else(|| DEFAULT_TREATED.into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();

    let dir = Path::new("fixtures");
    let read = |rel: &str| std::fs::read_to_string(dir.join(rel));
    let (cat, geo) = Catalogue::parse(&Sources {
        districts_geojson: read("boundaries/sindh_balochistan_districts.geojson")?,
        tehsils_geojson: read("boundaries/pilot_tehsils.geojson")?,
        place_names_csv: read("place_names.csv")?,
        services_json: read("services.json")?,
        departments_json: read("departments.json")?,
        routing_csv: read("routing.csv")?,
        templates_json: read("response_templates.json").ok(),
    })?;
    let pop = Population::parse(
        &read("population.csv")?,
        &read("population_tehsils.csv")?,
        &cat,
    )?;
    let comparison: Vec<String> = cat
        .tehsils
        .iter()
        .map(|t| t.code.clone())
        .filter(|c| !treated.contains(c))
        .collect();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    let mut design = Design::new(treated.clone(), comparison, start, pk_midnight(start));
    design.as_of = pk_midnight(start + Duration::days(i64::from(design.follow_up_days) + wait));
    design.resamples = resamples;
    println!(
        "design: {} treated tehsils ({}), {} comparison; start {start}; windows {}+{} days; \
         data end {} days after the follow-up; {per_day} requests/day; {resamples} resamples; \
         injected change {change} days",
        design.treated.len(),
        design.treated.join(","),
        design.comparison.len(),
        design.baseline_days,
        design.follow_up_days,
        wait
    );
    if let Some(n) = arg(&args, "--time-requests") {
        let n: u64 = n.parse()?;
        let from = start - Duration::days(i64::from(design.baseline_days));
        let days = design.baseline_days + design.follow_up_days;
        let spec = SimSpec {
            seed: 1,
            from,
            days,
            per_day: (n / u64::from(days)).max(1) as u32,
            effects: Vec::new(),
        };
        let t = Instant::now();
        let reqs = history(&spec, &cat, &geo, &pop);
        let (facts, ratings) = facts(&reqs, 1, design.as_of, &cat);
        println!(
            "{} requests simulated in {:.1} s",
            facts.len(),
            t.elapsed().as_secs_f64()
        );
        let mut two = design.clone();
        two.treated = vec!["PK71303".into(), "PK71304".into()];
        two.comparison = cat
            .tehsils
            .iter()
            .map(|t| t.code.clone())
            .filter(|c| !two.treated.contains(c))
            .collect();
        for (label, d) in [("7 treated tehsils", &design), ("2 treated tehsils", &two)] {
            for _ in 0..3 {
                let t = Instant::now();
                let e = evaluate(d, &facts, &ratings, &pop);
                println!(
                    "{label}: evaluation of {} KPIs with {} resamples ({:?}) in {:.3} s",
                    e.results.len(),
                    d.resamples,
                    e.results[0].method,
                    t.elapsed().as_secs_f64()
                );
            }
        }
        return Ok(());
    }
    let refs = (&cat, &geo, &pop);
    let t0 = Instant::now();
    let (mut covered, mut false_pos, mut n_eff, mut n_null) = (0u64, 0u64, 0u64, 0u64);
    let (mut width, mut bias, mut truth_sum, mut null_width) = (0.0, 0.0, 0.0, 0.0);
    let mut methods = std::collections::BTreeMap::new();
    let mut eval_secs = 0.0;
    for h in 0..histories {
        let seed = 1_000 + h;
        design.seed = seed;
        let e = Instant::now();
        let with = trial(&design, change, per_day, seed, refs);
        let without = trial(&design, 0.0, per_day, seed + 1_000_000, refs);
        eval_secs += e.elapsed().as_secs_f64();
        *methods
            .entry(format!("{:?}", with.result.method))
            .or_insert(0u64) += 1;
        if let (Some(est), Some(lo), Some(hi)) = (
            with.result.estimate,
            with.result.ci_low,
            with.result.ci_high,
        ) {
            n_eff += 1;
            covered += u64::from(lo <= with.truth && with.truth <= hi);
            width += hi - lo;
            bias += est - with.truth;
            truth_sum += with.truth;
        }
        if let (Some(lo), Some(hi)) = (without.result.ci_low, without.result.ci_high) {
            n_null += 1;
            false_pos += u64::from(lo > 0.0 || hi < 0.0);
            null_width += hi - lo;
        }
        if (h + 1) % 20 == 0 {
            println!(
                "  {} histories: coverage {:.1} %, false positives {:.1} %",
                h + 1,
                100.0 * covered as f64 / n_eff.max(1) as f64,
                100.0 * false_pos as f64 / n_null.max(1) as f64
            );
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    println!("histories with an interval: {n_eff} with effect, {n_null} without");
    println!(
        "methods: {methods:?} (cluster = {:?})",
        Method::ClusterBootstrap
    );
    println!(
        "coverage of the true effect: {:.1} % ({covered}/{n_eff})",
        pct(covered, n_eff)
    );
    println!(
        "false positives without an effect: {:.1} % ({false_pos}/{n_null})",
        pct(false_pos, n_null)
    );
    println!(
        "mean true effect {:.3} days; mean estimate − truth {:+.3} days",
        truth_sum / n_eff.max(1) as f64,
        bias / n_eff.max(1) as f64
    );
    println!(
        "mean interval width: {:.3} days with effect, {:.3} days without",
        width / n_eff.max(1) as f64,
        null_width / n_null.max(1) as f64
    );
    println!(
        "run time: {secs:.1} s for {} histories ({:.2} s each, simulation included)",
        2 * histories,
        eval_secs / (2 * histories).max(1) as f64
    );
    Ok(())
}
