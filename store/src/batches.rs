//! The worker's batched use cases: read what a batch of triage jobs looks at in a few queries,
//! write a batch's triage outcomes and complete its jobs in one transaction, and record a
//! batch of SMS deliveries at once. Each has a default that does the same thing one item at
//! a time through the single-item methods, so a backend overrides only what it makes faster;
//! the results are the same either way (one test suite runs both).

use crate::{JobQueue, Outbox, RateOutcome, Requests, Tickets};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::citizen::RatingWrite;
use sahulat_domain::error::Result;
use sahulat_domain::escalation::Escalation;
use sahulat_domain::lifecycle::ActionWrite;
use sahulat_domain::request::{Contact, ServiceRequest};
use sahulat_domain::triage::{Neighbour, TriageOutcome};
use std::collections::HashMap;

/// One duplicate search: open requests of `service` within `radius_m` of the point, received
/// since `since`, excluding `exclude` (as `Requests::nearby_open`).
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyAsk {
    /// Service code.
    pub service: String,
    /// Point.
    pub lat: f64,
    /// Point.
    pub lon: f64,
    /// Radius in metres.
    pub radius_m: f64,
    /// Received at or after.
    pub since: DateTime<Utc>,
    /// The request asking.
    pub exclude: i64,
}

/// A delivery attempt to record (as `Outbox::mark_message`).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Outbox id.
    pub id: i64,
    /// Sent.
    pub sent: bool,
    /// Error, when not sent.
    pub error: Option<String>,
    /// Stop retrying.
    pub give_up: bool,
}

/// What a batch of triage writes did, item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriageWritten {
    /// Each outcome was written (its request was still `submitted`).
    pub applied: Vec<bool>,
    /// Each job was completed (the worker still held its lease).
    pub completed: Vec<bool>,
}

/// Batched reads and writes for the worker.
#[async_trait]
pub trait Batches: Requests + Tickets + JobQueue + Outbox + Send + Sync {
    /// The requests with these ids (missing ones left out), in any order.
    async fn requests_by_ids(&self, ids: &[i64]) -> Result<Vec<ServiceRequest>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.request_by_id(*id).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// `Requests::reporters` of each of these requests (the `resolved` job's batch), keyed by
    /// request, every id answered (an empty list for none). Both backends' `reporters` read
    /// through it, so one query serves one request and a batch.
    async fn reporters_many(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<crate::Reporter>>>;

    /// The contact details of these requests (staff-only data, for the worker's messages).
    async fn contacts(&self, ids: &[i64]) -> Result<HashMap<i64, Contact>> {
        let mut out = HashMap::new();
        for id in ids {
            if let Some(c) = self.contact(*id).await? {
                out.insert(*id, c);
            }
        }
        Ok(out)
    }

    /// Each ask's open requests nearby, oldest first (as `nearby_open`), in the slim form
    /// triage compares.
    async fn nearby_open_many(&self, asks: &[NearbyAsk]) -> Result<Vec<Vec<Neighbour>>> {
        let mut out = Vec::with_capacity(asks.len());
        for a in asks {
            let found = self
                .nearby_open(&a.service, a.lat, a.lon, a.radius_m, a.since, a.exclude)
                .await?;
            out.push(found.iter().map(Neighbour::from).collect());
        }
        Ok(out)
    }

    /// Writes each outcome as `apply_triage` does (the first one for a request that appears
    /// twice) and completes `jobs` for `worker` (as `complete`); one transaction where the
    /// backend can.
    async fn apply_triage_batch(
        &self,
        outcomes: &[TriageOutcome],
        jobs: &[i64],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<TriageWritten> {
        let mut w = TriageWritten::default();
        let mut seen = std::collections::HashSet::new();
        for o in outcomes {
            let first = seen.insert(o.request_id);
            w.applied.push(first && self.apply_triage(o, now).await?);
        }
        for job in jobs {
            w.completed.push(self.complete(*job, worker, now).await?);
        }
        Ok(w)
    }

    /// Writes each `(action, at)` as `apply_action` does, in order; one transaction where the
    /// backend can (`sahulat simulate` answers an hour's tickets at once). Each item is still
    /// conditional on the status its decision saw.
    async fn apply_actions(&self, actions: &[(ActionWrite, DateTime<Utc>)]) -> Result<Vec<bool>> {
        let mut out = Vec::with_capacity(actions.len());
        for (w, at) in actions {
            out.push(self.apply_action(w, *at).await?);
        }
        Ok(out)
    }

    /// Writes each `(rating, at)` as `rate` does, in order (a refused reopen writes nothing of
    /// its rating); one transaction where the backend can (`sahulat simulate` writes an hour's
    /// ratings at once).
    async fn rate_many(
        &self,
        ratings: &[(RatingWrite, DateTime<Utc>)],
    ) -> Result<Vec<RateOutcome>> {
        let mut out = Vec::with_capacity(ratings.len());
        for (w, at) in ratings {
            out.push(self.rate(w, *at).await?);
        }
        Ok(out)
    }

    /// Applies each escalation step as `escalate` does (each only if its request is still open
    /// at its `from_level`); one transaction where the backend can. The sweep escalates up to a
    /// page of late tickets at once, and one commit per ticket was most of its cost.
    async fn escalate_many(&self, steps: &[Escalation], now: DateTime<Utc>) -> Result<Vec<bool>> {
        let mut out = Vec::with_capacity(steps.len());
        for e in steps {
            out.push(self.escalate(e, now).await?);
        }
        Ok(out)
    }

    /// Completes `jobs` for `worker` (as `complete`): a triage batch without outcomes, so a
    /// backend that writes batches in one transaction completes them in one too.
    async fn complete_many(
        &self,
        jobs: &[i64],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>> {
        Ok(self
            .apply_triage_batch(&[], jobs, worker, now)
            .await?
            .completed)
    }

    /// Messages sent to each recipient since `since` (as `sent_since`).
    async fn sent_counts(
        &self,
        recipients: &[String],
        since: DateTime<Utc>,
    ) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for r in recipients {
            if !out.contains_key(r) {
                out.insert(r.clone(), self.sent_since(r, since).await?);
            }
        }
        Ok(out)
    }

    /// Records delivery attempts (as `mark_message`, each only while the message is pending).
    async fn mark_messages(&self, deliveries: &[Delivery], now: DateTime<Utc>) -> Result<()> {
        for d in deliveries {
            self.mark_message(d.id, d.sent, d.error.as_deref(), d.give_up, now)
                .await?;
        }
        Ok(())
    }
}
