//! The storage contract, checked through the `Store` trait alone — the same tests on whichever
//! backend the run uses (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`), so both
//! implementations keep the same promises: conditional writes, unique keys, leases.

mod batched_writes;
mod evidence_reads;
mod fact_blocks;
mod held;
mod intake;
mod nearby;
mod queue;
mod records;
mod reporters;

use crate::common::{reference, TestApp};
use sahulat_domain::effects::{HistoryEntry, NewMessage};
use sahulat_domain::ids::RandomIds;
use sahulat_domain::request::{NewServiceRequest, RequestDraft, ServiceRequest};
use sahulat_domain::status::{Channel, Priority, Status};
use sahulat_domain::triage::TriageOutcome;
use sahulat_store::{CreateOutcome, IdempotencyKey, Render, StoredResponse};
use std::sync::Arc;

/// A validated request in Larkana city, `metres_north` of a fixed point.
pub fn new_request(service: &str, metres_north: f64) -> NewServiceRequest {
    let (cat, geo) = reference();
    RequestDraft {
        service_code: Some(service.into()),
        description: Some("No water in our street for two days".into()),
        lat: Some(27.56 + metres_north / 111_320.0),
        lon: Some(68.21),
        phone: Some("0300 1234567".into()),
        channel: Some(Channel::Api),
        ..Default::default()
    }
    .validate(&cat, &geo)
    .expect("valid request")
}

fn render() -> Render {
    Arc::new(|r: &ServiceRequest| StoredResponse {
        status: 201,
        body: serde_json::json!({ "reference": r.reference }),
    })
}

/// Stores a request straight through the trait; returns the stored row.
pub async fn stored(app: &TestApp, new: &NewServiceRequest, seed: u64) -> ServiceRequest {
    stored_at(app, new, seed, app.clock_now()).await
}

/// Stores a request received at `at`; returns the stored row.
pub async fn stored_at(
    app: &TestApp,
    new: &NewServiceRequest,
    seed: u64,
    at: chrono::DateTime<chrono::Utc>,
) -> ServiceRequest {
    match app
        .store()
        .create_request(new, &RandomIds::seeded(seed), None, render(), at)
        .await
        .unwrap()
    {
        CreateOutcome::Created(r, _) => *r,
        CreateOutcome::Replayed(_) => panic!("no key, no replay"),
    }
}

/// An Idempotency-Key for `body`.
pub fn key(key: &str, body: &str) -> IdempotencyKey {
    IdempotencyKey {
        scope: "api".into(),
        key: key.into(),
        body_hash: body.into(),
    }
}

/// The triage of request `id` to PHED Larkana (`open`), with its history entry and the
/// citizen's confirmation.
pub fn triage_of(id: i64, history: &str) -> TriageOutcome {
    TriageOutcome {
        request_id: id,
        service_code: "water-supply".into(),
        status: Status::Open,
        priority: Priority::Normal,
        department: Some("phed-larkana".into()),
        sla_due_at: None,
        ack_due_at: None,
        duplicate_of: None,
        flags: vec![],
        history: vec![HistoryEntry::public(Status::Open, "triage", history)],
        messages: vec![NewMessage {
            request_id: Some(id),
            recipient_kind: "citizen".into(),
            recipient: "+923001234567".into(),
            language: "en".into(),
            body: "received".into(),
            dedupe_key: format!("received:{id}"),
        }],
    }
}
