//! Local plan input for one district and window: the needs ranked by tehsil × service (volume
//! per 10,000 residents, growth against the window before, the share still without an answer,
//! the median time to an answer, the SDG targets), and the hotspots. For evaluators, groups of
//! fewer than `min_cell` requests are left out of the ranking (counted, not listed) and
//! hotspots are never smaller than `min_cell`.

use super::cells::Cell;
use super::hotspots::{hotspots, Hotspot, Spot};
use super::kpi::{compute, Fact};
use super::population::Population;
use crate::catalogue::Catalogue;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One need: a service in a tehsil.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Need {
    /// 1 = the greatest need.
    pub rank: usize,
    /// Tehsil code (`unknown` for requests placed by district only).
    pub tehsil: String,
    /// Service code.
    pub service: String,
    /// The SDG targets the service speaks to.
    pub sdg_targets: Vec<String>,
    /// Requests received in the window.
    pub received: Cell<u64>,
    /// Per 10,000 residents of the tehsil (unknown where its census unit differs).
    pub per_10k: Cell<f64>,
    /// Received in the window of the same length before.
    pub previous: Cell<u64>,
    /// `(received − previous) ÷ previous`.
    pub growth: Cell<f64>,
    /// Share of the received still without an answer at the end.
    pub unresolved_share: Cell<f64>,
    /// Kaplan–Meier median days to an answer (censoring as in the summaries).
    pub days_to_resolve_median: Cell<f64>,
}

/// The plan input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInput {
    /// Ranked needs.
    pub needs: Vec<Need>,
    /// Groups left out for having fewer than `min_cell` requests (evaluators).
    pub suppressed_groups: usize,
    /// Clusters of requests, largest first.
    pub hotspots: Vec<Hotspot>,
}

/// How to build the plan input.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    /// Window end (exclusive).
    pub to: DateTime<Utc>,
    /// Small-cell threshold (`None`: exact).
    pub min_cell: Option<u64>,
    /// Hotspot radius, metres.
    pub radius_m: f64,
    /// Hotspot minimum size.
    pub min_size: usize,
}

type Key = (String, String);

fn key(f: &Fact) -> Key {
    (
        f.tehsil.clone().unwrap_or_else(|| "unknown".into()),
        f.service.clone(),
    )
}

/// Needs and hotspots from the window's requests (`current`: created in the window) and the
/// window before (`previous`).
pub fn plan(
    current: &[Fact],
    previous: &[Fact],
    spec: &PlanSpec,
    cat: &Catalogue,
    pop: &Population,
) -> PlanInput {
    let mut groups: BTreeMap<Key, Vec<&Fact>> = BTreeMap::new();
    for f in current {
        groups.entry(key(f)).or_default().push(f);
    }
    let mut before: HashMap<Key, u64> = HashMap::new();
    for f in previous {
        *before.entry(key(f)).or_default() += 1;
    }
    let m = spec.min_cell;
    let mut suppressed = 0;
    let mut needs: Vec<(Option<f64>, u64, Need)> = Vec::new();
    for ((tehsil, service), group) in groups {
        let k = compute(&group, &[], &[], spec.to);
        if m.is_some_and(|m| k.received < m) {
            suppressed += 1;
            continue;
        }
        let residents = pop.residents(None, Some(&tehsil)).map(|f| f.population);
        let rate = residents
            .filter(|p| *p > 0)
            .map(|p| k.received as f64 * 10_000.0 / p as f64);
        let prev = before
            .get(&(tehsil.clone(), service.clone()))
            .copied()
            .unwrap_or(0);
        let growth = (prev > 0).then(|| (k.received as f64 - prev as f64) / prev as f64);
        let unresolved = (k.resolve.n > 0).then(|| k.resolve.censored as f64 / k.resolve.n as f64);
        needs.push((
            rate,
            k.received,
            Need {
                rank: 0,
                sdg_targets: cat
                    .service(&service)
                    .map(|s| s.sdg.targets.clone())
                    .unwrap_or_default(),
                tehsil,
                service,
                received: Cell::count(k.received, m),
                per_10k: Cell::new(rate, k.received, m),
                previous: Cell::count(prev, m),
                growth: Cell::new(growth, prev.min(k.received), m),
                unresolved_share: Cell::new(unresolved, k.resolve.n, m),
                days_to_resolve_median: Cell::new(k.resolve.median_days, k.resolve.n, m),
            },
        ));
    }
    // Highest rate first; groups with no comparable population after, by volume.
    needs.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(b.1.cmp(&a.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.1.cmp(&a.1),
    });
    let needs = needs
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, mut n))| {
            n.rank = i + 1;
            n
        })
        .collect();
    let spots: Vec<Spot> = current
        .iter()
        .filter_map(|f| {
            Some(Spot {
                lat: f.lat?,
                lon: f.lon?,
                service: f.service.clone(),
                tehsil: f.tehsil.clone(),
            })
        })
        .collect();
    let min_size = spec.min_size.max(m.map_or(1, |m| m as usize));
    let mut hotspots = hotspots(&spots, spec.radius_m, min_size);
    for h in &mut hotspots {
        for (_, c) in &mut h.services {
            if let Cell::Value(n) = *c {
                *c = Cell::count(n, m);
            }
        }
    }
    PlanInput {
        needs,
        suppressed_groups: suppressed,
        hotspots,
    }
}
