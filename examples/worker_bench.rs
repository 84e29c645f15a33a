//! Worker throughput, end to end: stores N requests (mixed services, the four pilot districts,
//! some near-duplicates, every reporter with a phone), then runs the worker until the queue is
//! empty and reports requests triaged and routed per second (triage + confirmation SMS through
//! a no-op gateway). Release build:
//!
//! `DATABASE_URL=sqlite:///tmp/wb.db cargo run --release --example worker_bench -- 2000`
//! `DATABASE_URL=postgres://sahulat:sahulat@127.0.0.1/sahulat_bench cargo run --release --example worker_bench -- 2000 2`
//!
//! The second argument runs that many workers side by side (PostgreSQL shares the queue).

use async_trait::async_trait;
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_domain::ids::{IdSource, RandomIds};
use sahulat_domain::request::{RequestDraft, ServiceRequest};
use sahulat_domain::status::{Channel, Status};
use sahulat_store::{self as store, reference_data, StoredResponse};
use sahulat_worker::{Notifier, NotifyError, Worker, WorkerConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug)]
struct NullGateway;

#[async_trait]
impl Notifier for NullGateway {
    async fn send(&self, _to: &str, _text: &str, _id: &str) -> Result<(), NotifyError> {
        Ok(())
    }
}

const PLACES: [(f64, f64); 5] = [
    (30.18, 66.99),
    (26.0, 63.05),
    (27.56, 68.21),
    (26.84, 68.12),
    (26.66, 68.0),
];
const SERVICES: [&str; 5] = [
    "water-supply",
    "sewerage-drainage",
    "solid-waste",
    "electricity",
    "roads",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let workers: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "sqlite:///tmp/sahulat-worker-bench.db".into());
    let key = sahulat_store::keyfile::load_data_key(
        std::env::var("SAHULAT_DATA_KEY").ok().as_deref(),
        Path::new("/tmp/sahulat-bench.key"),
    )?;
    let store = store::connect(&url, Arc::new(key)).await?;
    let reference = reference_data::load(Path::new("fixtures"))?;
    let (cat, geo) = (reference.catalogue.clone(), reference.geo.clone());
    store::prepare(store.as_ref(), &cat, SystemClock.now()).await?;
    let ids = RandomIds::from_entropy();
    let render: store::Render = Arc::new(|_: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::Value::Null,
    });
    let t0 = Instant::now();
    for i in 0..n {
        let (lat, lon) = PLACES[i % PLACES.len()];
        // Spread points ~ 0–3 km apart; every 7th lands on the previous one's spot (duplicate).
        let k = if i % 7 == 6 { i - 1 } else { i };
        let jitter = (k as f64 * 0.618).fract() * 0.03;
        let draft = RequestDraft {
            service_code: Some(SERVICES[(k / PLACES.len()) % SERVICES.len()].into()),
            description: Some("Problem in our mohalla for three days, please send someone".into()),
            lat: Some(lat + jitter),
            lon: Some(lon + jitter / 2.0),
            phone: Some(format!("0300{:07}", i % 10_000_000)),
            channel: Some(Channel::Api),
            ..Default::default()
        };
        let new = draft.validate(&cat, &geo)?;
        store
            .create_request(
                &new,
                &ids as &dyn IdSource,
                None,
                render.clone(),
                chrono::Utc::now(),
            )
            .await?;
    }
    let stored = t0.elapsed();
    let config = WorkerConfig {
        sms_per_phone_per_hour: 1000,
        ..WorkerConfig::default()
    };
    let t1 = Instant::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let worker = Worker::new(
            store.clone(),
            &reference,
            Arc::new(SystemClock),
            Arc::new(NullGateway),
            config.clone(),
            format!("bench-{w}"),
        );
        handles.push(tokio::spawn(async move { worker.run_until_idle().await }));
    }
    let mut jobs = 0;
    for h in handles {
        jobs += h.await??;
    }
    let took = t1.elapsed();
    let open = store
        .list_requests(&store::RequestQuery {
            statuses: vec![Status::Open, Status::Duplicate],
            limit: u32::MAX / 2,
            ..Default::default()
        })
        .await?
        .len();
    let left = store
        .list_requests(&store::RequestQuery {
            statuses: vec![Status::Submitted],
            limit: 10,
            ..Default::default()
        })
        .await?
        .len();
    eprintln!(
        "backend {} | {n} requests stored in {:.2}s | {workers} worker(s) ran {jobs} jobs in {:.2}s | {:.0} requests triaged+routed per second | triaged total {open}, left submitted {left}",
        store.backend(),
        stored.as_secs_f64(),
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    Ok(())
}
