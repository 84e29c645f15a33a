//! Staff queue page at scale: seeds N open tickets (all routed to PHED Larkana, so one
//! department's queue holds them all; with the database's other N/10 in Quetta), then measures
//! the queue page a PHED engineer opens — bytes on the wire (uncompressed and gzip) and server
//! time (in-process, median and p95 of 50 renders, the default first page of 50 tickets sorted
//! by due time) — and the same for the district coordinator, whose page also counts the
//! district's overdue and unassigned tickets. Release build:
//!
//! `DATABASE_URL=sqlite:///tmp/qb.db cargo run --release --example queue_bench -- 1000`
//! `DATABASE_URL=sqlite:///tmp/qb100k.db cargo run --release --example queue_bench -- 100000`

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use sahulat_api::AppContext;
use sahulat_domain::accounts::{self, NewUser};
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::ids::RandomIds;
use sahulat_domain::request::{RequestDraft, ServiceRequest};
use sahulat_domain::status::{Channel, Priority, Status};
use sahulat_domain::triage::TriageOutcome;
use sahulat_store::{self as store, reference_data, StoredResponse};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "sqlite:///tmp/sahulat-queue-bench.db".into());
    let key = sahulat_domain::crypto::DataKey::from_bytes([9; 32]);
    let store = store::connect(&url, Arc::new(key)).await?;
    let reference = reference_data::load(Path::new("fixtures"))?;
    let (cat, geo) = (reference.catalogue.clone(), reference.geo.clone());
    store::prepare(store.as_ref(), &cat, SystemClock.now()).await?;
    let state = AppContext::new(
        store,
        &reference,
        Arc::new(SystemClock),
        Arc::new(RandomIds::from_entropy()),
        Default::default(),
    );
    let existing = state
        .store
        .ticket_counts(&sahulat_domain::lifecycle::Scope::All)
        .await?
        .iter()
        .map(|c| c.1)
        .sum::<i64>() as usize;
    let t0 = Instant::now();
    let render: store::Render = Arc::new(|_: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::Value::Null,
    });
    let mut tasks = tokio::task::JoinSet::new();
    for i in existing..n {
        let st = state.clone();
        let render = render.clone();
        let (cat, geo) = (cat.clone(), geo.clone());
        tasks.spawn(async move {
            let quetta = i % 11 == 10;
            let (lat, lon) = if quetta {
                (30.18, 66.99)
            } else {
                (
                    27.56 + (i % 97) as f64 * 1e-4,
                    68.21 + (i % 89) as f64 * 1e-4,
                )
            };
            let draft = RequestDraft {
                service_code: Some("water-supply".into()),
                description: Some(format!(
                    "No water in the lane behind house {i} for two days; the line is dry"
                )),
                lat: Some(lat),
                lon: Some(lon),
                phone: Some(format!("0300{:07}", i % 10_000_000)),
                channel: Some(Channel::Api),
                ..Default::default()
            };
            let new = draft.validate(&cat, &geo)?;
            let outcome = st
                .store
                .create_request(&new, st.ids.as_ref(), None, render, SystemClock.now())
                .await?;
            let store::CreateOutcome::Created(r, _) = outcome else {
                anyhow::bail!("replayed")
            };
            let route = sahulat_domain::routing::route(
                &cat,
                &r.district,
                r.tehsil.as_deref(),
                &r.service_code,
            );
            let now = SystemClock.now();
            st.store
                .apply_triage(
                    &TriageOutcome {
                        request_id: r.id,
                        service_code: r.service_code.clone(),
                        status: Status::Open,
                        priority: if i % 7 == 0 {
                            Priority::High
                        } else {
                            Priority::Normal
                        },
                        department: route.department,
                        sla_due_at: Some(now + chrono::Duration::hours(24 + (i % 200) as i64)),
                        ack_due_at: Some(now + chrono::Duration::hours(4)),
                        duplicate_of: None,
                        flags: vec![],
                        history: vec![HistoryEntry::public(Status::Open, "bench", "Sent to PHED")],
                        messages: vec![],
                    },
                    now,
                )
                .await?;
            Ok(())
        });
        while tasks.len() >= 64 {
            tasks.join_next().await.transpose()?.transpose()?;
        }
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    eprintln!(
        "seeded {} tickets in {:.1}s (database now holds {n})",
        n.saturating_sub(existing),
        t0.elapsed().as_secs_f64()
    );

    let router = sahulat_api::router(state.clone());
    for (username, role, district, department) in [
        ("bench.phed", "staff", None, Some("phed-larkana")),
        ("bench.coord", "coordinator", Some("Larkana"), None),
    ] {
        let user = match state.store.user_by_username(username).await? {
            Some(u) => u,
            None => {
                state
                    .store
                    .create_user(
                        &NewUser::new(
                            &cat,
                            username,
                            role,
                            district,
                            department,
                            "bench passphrase",
                        )?,
                        SystemClock.now(),
                    )
                    .await?
            }
        };
        let (token, hash) = accounts::new_token();
        state
            .store
            .create_session(
                &hash,
                user.id,
                "cookie",
                "csrf",
                SystemClock.now() + chrono::Duration::hours(1),
                SystemClock.now(),
            )
            .await?;
        let (plain, gzip, median, p95) = measure(&router, &token).await?;
        eprintln!(
            "{role} queue page at {n} tickets ({}): {plain} bytes ({gzip} gzip); server time median {median:.2} ms, p95 {p95:.2} ms (50 renders)",
            state.store.backend(),
        );
    }
    Ok(())
}

/// Renders the queue 60 times (the first 10 warm up); returns (bytes, gzip bytes, median ms, p95 ms).
async fn measure(router: &axum::Router, token: &str) -> anyhow::Result<(usize, usize, f64, f64)> {
    let mut times = Vec::new();
    let (mut plain, mut gzip) = (0, 0);
    for i in 0..60 {
        let enc = if i % 2 == 0 { "identity" } else { "gzip" };
        let req = Request::get("/staff")
            .header("cookie", format!("sahulat_session={token}"))
            .header("accept-encoding", enc)
            .body(Body::empty())?;
        let start = Instant::now();
        let res = router.clone().oneshot(req).await?;
        anyhow::ensure!(res.status() == 200, "queue answered {}", res.status());
        let bytes = res.into_body().collect().await?.to_bytes().len();
        let took = start.elapsed();
        if i >= 10 {
            times.push(took.as_secs_f64() * 1000.0);
        }
        if enc == "gzip" {
            gzip = bytes
        } else {
            plain = bytes
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((
        plain,
        gzip,
        times[times.len() / 2],
        times[times.len() * 95 / 100],
    ))
}
