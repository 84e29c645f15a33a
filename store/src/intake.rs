//! Intake: storing a validated request with its contact, first history entry and triage job in
//! one transaction, honouring an Idempotency-Key (a retry gets the first answer back).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::Result;
use sahulat_domain::ids::IdSource;
use sahulat_domain::request::{NewServiceRequest, ServiceRequest};
use std::sync::Arc;

/// The first response to a request carrying an Idempotency-Key, replayed on retries.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Response body.
    pub body: serde_json::Value,
}

/// An Idempotency-Key as the store needs it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// Who may reuse it: the channel and client (keys of different clients never collide).
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request body, to tell a retry from a different request.
    pub body_hash: String,
}

/// Builds the response to remember for an Idempotency-Key from the stored request (shared, so
/// a group-commit writer task can call it inside its transaction).
pub type Render = Arc<dyn Fn(&ServiceRequest) -> StoredResponse + Send + Sync>;

/// What `create_request` did.
#[derive(Debug)]
pub enum CreateOutcome {
    /// A new request was stored (with its triage job).
    Created(Box<ServiceRequest>, StoredResponse),
    /// The Idempotency-Key was seen before with the same body: here is the first answer.
    Replayed(StoredResponse),
}

impl CreateOutcome {
    /// The response to send.
    pub fn response(&self) -> &StoredResponse {
        match self {
            CreateOutcome::Created(_, r) | CreateOutcome::Replayed(r) => r,
        }
    }
}

/// History text for a new request.
pub const RECEIVED_NOTE: &str = "Request received";

/// Storing new requests.
#[async_trait]
pub trait Intake: Send + Sync {
    /// Stores a validated request, its contact, its first history entry and its triage job in
    /// one transaction, honouring an Idempotency-Key.
    async fn create_request(
        &self,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome>;
}
