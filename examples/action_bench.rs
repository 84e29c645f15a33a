//! How long one action's full evaluation takes on a large database, in-process: reading the
//! requests of its windows and their ratings, every key figure, 1,000 bootstrap resamples, the
//! pre-trend and placebo checks (`sahulat_api::actions::evaluate_action`, what `sahulat report
//! action` and the action's page run), without the process start and reference loading the
//! command adds. Release build, on a database filled by `sahulat simulate`, with an action
//! created by `sahulat action create`:
//!
//! `DATABASE_URL=sqlite:///tmp/bench/sim.db cargo run --release --example action_bench -- 1 10`

use sahulat_api::actions::{evaluate_action, EvaluationOptions};
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_domain::lang::Lang;
use sahulat_store::{self as store, reference_data};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let id: i64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let url = std::env::var("DATABASE_URL")?;
    let key = sahulat_store::keyfile::load_data_key(
        std::env::var("SAHULAT_DATA_KEY").ok().as_deref(),
        Path::new(&std::env::var("SAHULAT_KEY_FILE").unwrap_or_else(|_| "/tmp/bench/k.key".into())),
    )?;
    let store = store::connect(&url, Arc::new(key)).await?;
    let reference = reference_data::load(Path::new("fixtures"))?;
    let action = store
        .action(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no action {id}"))?;
    let opts = EvaluationOptions {
        baseline_days: None,
        follow_up_days: None,
        comparison: None,
        seed: None,
        resamples: None,
    };
    let mut ms = Vec::new();
    let mut n = 0;
    for i in 0..runs + 2 {
        let t = Instant::now();
        let e = evaluate_action(
            store.as_ref(),
            &reference.catalogue,
            &reference.population,
            &action,
            &opts,
            None,
            Lang::En,
            SystemClock.now(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if i >= 2 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        n = e.results.len();
    }
    // The read alone: every pilot request created from 180 days before the start to now.
    let q = sahulat_store::FactQuery {
        districts: reference
            .catalogue
            .districts
            .iter()
            .filter(|d| d.accepts_requests)
            .map(|d| d.code.clone())
            .collect(),
        tehsil: None,
        services: action.services.clone(),
        channel: None,
        priority: None,
        from: sahulat_domain::evidence::summary::pk_midnight(
            action.start - chrono::Duration::days(180),
        ),
        to: SystemClock.now(),
        created_only: true,
    };
    let mut read_ms = Vec::new();
    let mut read_n = 0;
    for _ in 0..runs.min(5) {
        let t = Instant::now();
        let (outcomes, _) = store.evaluation_outcomes(&q).await?;
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        read_n = outcomes.len();
    }
    read_ms.sort_by(f64::total_cmp);
    eprintln!(
        "reading the {read_n} requests and their ratings alone: median {:.1} ms",
        read_ms[read_ms.len() / 2]
    );
    ms.sort_by(f64::total_cmp);
    eprintln!(
        "backend {} | action {id} \"{}\" | {n} key figures | full evaluation median {:.1} ms, p95 {:.1} ms, min {:.1} ms | {runs} runs after 2 warm-ups",
        store.backend(),
        action.title,
        ms[ms.len() / 2],
        ms[(ms.len() * 95 / 100).min(ms.len() - 1)],
        ms[0]
    );
    Ok(())
}
