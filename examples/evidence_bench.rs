//! How long a district's summary and plan input take on a large database, in-process (the
//! store's fact query plus the domain's counting; no HTTP): a quarterly summary of one district
//! broken down by tehsil and month (its facts and ratings read at once, as the API does), and
//! the plan input (ranking + hotspots) of the same quarter. Release build, on a database filled by `sahulat simulate`:
//!
//! `DATABASE_URL=sqlite:///tmp/bench/sim.db cargo run --release --example evidence_bench -- PK713 2026-04-01 2026-06-30`

use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_domain::evidence::{summarise, Ask, Reach};
use sahulat_store::{self as store, reference_data, FactQuery};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let district = args.get(1).cloned().unwrap_or_else(|| "PK713".into());
    let from = args.get(2).cloned().unwrap_or_else(|| "2026-04-01".into());
    let to = args.get(3).cloned().unwrap_or_else(|| "2026-06-30".into());
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let url = std::env::var("DATABASE_URL")?;
    let key = sahulat_store::keyfile::load_data_key(
        std::env::var("SAHULAT_DATA_KEY").ok().as_deref(),
        Path::new(&std::env::var("SAHULAT_KEY_FILE").unwrap_or_else(|_| "/tmp/bench/k.key".into())),
    )?;
    let store = store::connect(&url, Arc::new(key)).await?;
    let reference = reference_data::load(Path::new("fixtures"))?;
    let (cat, pop) = (reference.catalogue.clone(), reference.population.clone());
    let now = SystemClock.now();
    let params: HashMap<&str, &str> = [
        ("district", district.as_str()),
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("by", "tehsil,month"),
    ]
    .into();
    let reach = Reach::all_pilots(Some(5));
    let ask = Ask::parse(|k| params.get(k).copied(), &cat, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .within(&reach, true)
        .map_err(|e| anyhow::anyhow!(e))?;
    let spec = ask.spec(&reach, now);
    let fq = FactQuery::asked(&ask, spec.from, spec.to);
    // PostgreSQL reads packed fact blocks once a pass has run (the worker runs one every 15
    // minutes): run it now, and say what it took (SQLite has none).
    let t = Instant::now();
    let packed = sahulat_store::Housekeeping::refresh_fact_blocks(store.as_ref()).await?;
    if packed.ran {
        eprintln!(
            "fact blocks: {} district-days repacked ({} facts) in {:.1} s",
            packed.days,
            packed.facts,
            t.elapsed().as_secs_f64()
        );
    }
    let (mut summary_ms, mut plan_ms) = (Vec::new(), Vec::new());
    let (mut read_ms, mut count_ms) = (Vec::new(), Vec::new());
    let mut facts_n = 0;
    let mut rows_n = 0;
    for i in 0..runs + 3 {
        // As `GET /api/v1/summaries` does it: the facts and the ratings read at once.
        let t = Instant::now();
        let (facts, ratings) =
            tokio::try_join!(store.evidence_facts(&fq), store.evidence_ratings(&fq))?;
        let read = t.elapsed().as_secs_f64() * 1000.0;
        let rows = summarise(&facts, &ratings, &spec, &cat, &pop);
        let s = t.elapsed().as_secs_f64() * 1000.0;
        if i >= 3 {
            read_ms.push(read);
            count_ms.push(s - read);
        }
        let t = Instant::now();
        let plan = sahulat_api::evidence::build_plan(
            store.as_ref(),
            &cat,
            &pop,
            &ask,
            &reach,
            250.0,
            5,
            now,
        )
        .await?;
        let p = t.elapsed().as_secs_f64() * 1000.0;
        if i >= 3 {
            summary_ms.push(s);
            plan_ms.push(p);
        }
        facts_n = facts.len();
        rows_n = rows.len() + plan.plan.needs.len() + plan.plan.hotspots.len();
    }
    let total: i64 = {
        let all = FactQuery {
            districts: reach.districts.clone(),
            // PostgreSQL timestamps start in 4713 BC; no request is older than 2000.
            from: chrono::DateTime::<chrono::Utc>::from_timestamp(946_684_800, 0).unwrap_or(now),
            to: now,
            ..fq.clone()
        };
        store.evidence_facts(&all).await?.len() as i64
    };
    let (sm, sp) = stats(summary_ms);
    let (pm, pp) = stats(plan_ms);
    let ((rm, _), (am, _)) = (stats(read_ms), stats(count_ms));
    eprintln!(
        "backend {} | {total} requests in the database, {facts_n} facts read for {district} {from}..{to} | summary (by tehsil, month) median {sm:.1} ms p95 {sp:.1} ms (reading the facts and the ratings at once {rm:.1} ms, counting {am:.1} ms) | plan input (ranking + hotspots) median {pm:.1} ms p95 {pp:.1} ms | {runs} runs, {rows_n} rows",
        store.backend()
    );
    Ok(())
}
