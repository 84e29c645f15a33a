//! The `triage` job: gathers what triage looks at (the request, open requests of the same
//! service nearby, the reporter's phone), lets `sahulat_domain::triage::decide` decide, and
//! writes the outcome in one transaction, only if the request is still `submitted`.
//!
//! Claimed triage jobs are taken as a batch: one read of the requests, one of their contacts,
//! one of every duplicate search, a decision per request in claim order, then one write of
//! all outcomes with their jobs' completion. Each decision sees the batch's earlier decisions
//! (a request triaged just before is an open request nearby, or no longer one), so a batch
//! decides exactly what the jobs would have decided one at a time.

use super::JobError;
use crate::context::Worker;
use sahulat_domain::geo::haversine_m;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Status, OPEN_STATUSES};
use sahulat_domain::triage::{self, CategoryCheck, Neighbour, TriageInput, TriageOutcome};
use sahulat_store::{Job, NearbyAsk};
use std::collections::HashMap;

pub(super) async fn run(w: &Worker, id: i64) -> Result<(), JobError> {
    if !w.config.triage_delay.is_zero() {
        tokio::time::sleep(w.config.triage_delay).await;
    }
    let Some(r) = w.store.request_by_id(id).await? else {
        tracing::warn!(request = id, "triage: request no longer exists");
        return Ok(());
    };
    if r.status != Status::Submitted {
        return Ok(()); // already triaged: a repeated delivery changes nothing
    }
    let nearby: Vec<Neighbour> = match ask(w, &r, triage::settled_service(&w.lexicon, &r)) {
        Some(a) => w
            .store
            .nearby_open(&a.service, a.lat, a.lon, a.radius_m, a.since, a.exclude)
            .await?
            .iter()
            .map(Neighbour::from)
            .collect(),
        None => Vec::new(),
    };
    let phone = w.store.contact(r.id).await?.and_then(|c| c.phone);
    let outcome = triage::decide(
        &w.catalogue,
        &w.lexicon,
        &w.config.triage,
        TriageInput {
            request: &r,
            nearby: &nearby,
            phone: phone.as_ref(),
        },
    )?;
    if !w.store.apply_triage(&outcome, w.clock.now()).await? {
        tracing::info!(
            request = id,
            "triage: request changed meanwhile; nothing written"
        );
    }
    Ok(())
}

/// The duplicate search for `r` (none without a point), of the service it settles on.
fn ask(w: &Worker, r: &ServiceRequest, service: String) -> Option<NearbyAsk> {
    let (lat, lon) = (r.lat?, r.lon?);
    Some(NearbyAsk {
        service,
        lat,
        lon,
        radius_m: w.config.triage.duplicate_radius_m,
        since: w.config.triage.duplicates_since(r),
        exclude: r.id,
    })
}

/// `r` as a neighbour after `o` is written.
fn after(r: &ServiceRequest, o: &TriageOutcome) -> Neighbour {
    let mut n = Neighbour::from(r);
    n.service_code = o.service_code.clone();
    n.status = o.status;
    n.department = o.department.clone();
    n
}

/// Whether `o` is one of the open requests `a` asks for.
fn answers(a: &NearbyAsk, o: &Neighbour) -> bool {
    o.id != a.exclude
        && OPEN_STATUSES.contains(&o.status)
        && o.service_code == a.service
        && o.created_at >= a.since
        && matches!((o.lat, o.lon), (Some(lat), Some(lon)) if haversine_m(a.lat, a.lon, lat, lon) <= a.radius_m)
}

/// A triage batch decided but not yet written: what `write` stores, and the decisions the
/// next batch must see while this one is being written.
#[derive(Debug)]
pub(crate) struct Prepared {
    items: Vec<TriageOutcome>,
    complete: Vec<i64>,
    refused: Vec<(i64, Result<(), JobError>)>,
    /// This batch's requests as neighbours after their outcomes are written.
    pub(crate) decided: HashMap<i64, Neighbour>,
}

/// What writing a prepared batch gave: each job's result, and whether every outcome and every
/// completion was written (so a batch decided meanwhile on top of `Prepared::decided` saw what
/// the database now holds).
#[derive(Debug)]
pub(crate) struct Written {
    pub(crate) results: Vec<(i64, Result<(), JobError>)>,
    pub(crate) all_applied: bool,
}

/// Reads and decides a batch without writing it. `carried` are the decisions of a batch still
/// being written (`Prepared::decided`): the database may not show them yet, so they stand in
/// for those requests' rows, as this batch's own earlier decisions do.
pub(crate) async fn prepare(
    w: &Worker,
    jobs: &[(&Job, i64)],
    carried: &HashMap<i64, Neighbour>,
) -> anyhow::Result<Prepared> {
    let ids: Vec<i64> = jobs.iter().map(|(_, id)| *id).collect();
    let requests: HashMap<i64, ServiceRequest> = w
        .store
        .requests_by_ids(&ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let todo: Vec<&ServiceRequest> = {
        let mut seen = std::collections::HashSet::new();
        ids.iter()
            .filter_map(|id| requests.get(id))
            .filter(|r| {
                // A request the batch being written decided is done, as if already triaged.
                r.status == Status::Submitted && !carried.contains_key(&r.id) && seen.insert(r.id)
            })
            .collect()
    };
    let checks: Vec<CategoryCheck> = todo
        .iter()
        .map(|r| triage::category_check(&w.lexicon, r))
        .collect();
    let asks: Vec<Option<NearbyAsk>> = todo
        .iter()
        .zip(&checks)
        .map(|(r, c)| ask(w, r, triage::settled(c, r)))
        .collect();
    let wanted: Vec<NearbyAsk> = asks.iter().flatten().cloned().collect();
    let mut found = w.store.nearby_open_many(&wanted).await?.into_iter();
    let contacts = w
        .store
        .contacts(&todo.iter().map(|r| r.id).collect::<Vec<_>>())
        .await?;
    let mut decided: HashMap<i64, Neighbour> = HashMap::new();
    let mut outcomes: HashMap<i64, TriageOutcome> = HashMap::new();
    let mut refused: HashMap<i64, String> = HashMap::new();
    for ((r, a), check) in todo.iter().zip(&asks).zip(checks) {
        let nearby = match a {
            Some(a) => {
                let mut list: Vec<Neighbour> = found
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|o| !decided.contains_key(&o.id) && !carried.contains_key(&o.id))
                    .collect();
                // `todo` leaves out the carried requests, so no id is in both maps.
                list.extend(
                    carried
                        .values()
                        .chain(decided.values())
                        .filter(|o| answers(a, o))
                        .cloned(),
                );
                list.sort_by_key(|o| (o.created_at, o.id));
                list
            }
            None => Vec::new(),
        };
        let phone = contacts.get(&r.id).and_then(|c| c.phone.as_ref());
        match triage::decide_checked(
            &w.catalogue,
            &w.lexicon,
            &w.config.triage,
            TriageInput {
                request: r,
                nearby: &nearby,
                phone,
            },
            check,
        ) {
            Ok(o) => {
                decided.insert(r.id, after(r, &o));
                outcomes.insert(r.id, o);
            }
            Err(e) => {
                refused.insert(r.id, e.to_string());
            }
        }
    }
    // Write in claim order; the jobs whose requests need nothing are completed with them.
    let mut items: Vec<TriageOutcome> = Vec::new();
    let mut complete: Vec<i64> = Vec::new();
    let mut refused_jobs = Vec::new();
    for (job, id) in jobs {
        if let Some(e) = refused.get(id) {
            refused_jobs.push((job.id, Err(JobError::Retry(e.clone()))));
            continue;
        }
        if let Some(o) = outcomes.remove(id) {
            items.push(o);
        } else if !requests.contains_key(id) {
            tracing::warn!(request = id, "triage: request no longer exists");
        }
        complete.push(job.id);
    }
    Ok(Prepared {
        items,
        complete,
        refused: refused_jobs,
        decided,
    })
}

/// Writes a prepared batch: all outcomes and the jobs' completion in one transaction.
pub(crate) async fn write(w: &Worker, p: Prepared) -> anyhow::Result<Written> {
    let written = w
        .store
        .apply_triage_batch(&p.items, &p.complete, &w.id, w.clock.now())
        .await?;
    for (job, done) in p.complete.iter().zip(&written.completed) {
        if !done {
            tracing::warn!(job, "lease lost before completion; another worker has it");
        }
    }
    let all_applied = written.applied.iter().all(|a| *a) && written.completed.iter().all(|c| *c);
    let mut results = p.refused;
    results.extend(p.complete.iter().map(|job| (*job, Ok(()))));
    Ok(Written {
        results,
        all_applied,
    })
}
