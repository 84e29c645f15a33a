//! Intake: storing a validated request with its contact, first history entry and triage job in
//! one transaction, honouring an Idempotency-Key (a retry gets the first answer back).

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::error::{Error, Result};
use sahulat_domain::ids::IdSource;
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::request::{NewServiceRequest, ServiceRequest};
use sahulat_domain::status::{Channel, Status};
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

/// A further reporter of an open request ("this is my problem too").
#[derive(Debug, Clone)]
pub struct NewVoice {
    /// The request.
    pub request_id: i64,
    /// Their mobile number, if they gave one (sealed, like a reporter's).
    pub phone: Option<Phone>,
    /// Without a number: what makes a repeat of the same voice recognisable (the web form's
    /// token), so a double-submitted form counts once.
    pub anonymous_key: Option<String>,
    /// The language their SMS go out in.
    pub language: Lang,
    /// How they reached Sahulat.
    pub channel: Channel,
    /// Internal history entry.
    pub entry: HistoryEntry,
}

/// What became of a voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceOutcome {
    /// Recorded: the request now has `reporters` reporters.
    Added {
        /// The voice's id.
        voice_id: i64,
        /// Reporters now.
        reporters: i32,
    },
    /// This number already reported it or added its voice: nothing written.
    Existing {
        /// Reporters now.
        reporters: i32,
    },
    /// The request is no longer open: nothing written.
    NotOpen,
}

/// One request for a group-commit writer task (SQLite's single writer, PostgreSQL's batches).
pub(crate) struct IntakeCmd {
    pub new: NewServiceRequest,
    /// Candidate references (the first that is free is used).
    pub references: Vec<String>,
    pub token: String,
    pub idempotency: Option<IdempotencyKey>,
    pub render: Render,
    pub now: DateTime<Utc>,
    pub reply: tokio::sync::oneshot::Sender<Result<CreateOutcome>>,
    /// When it was handed over: a writer that cannot reach the database answers 503 within
    /// the acquire timeout counted from here, however long the queue ahead of it was.
    pub queued: std::time::Instant,
}

impl std::fmt::Debug for IntakeCmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeCmd")
            .field("service", &self.new.service_code)
            .finish_non_exhaustive()
    }
}

/// The requests `create_requests` stores, each with the time it was made.
pub type NewRequests<'a> = &'a [(NewServiceRequest, DateTime<Utc>)];

impl IntakeCmd {
    /// A command for one request and the receiver of its answer. The references and the
    /// token are drawn here, so they follow the order commands are made in.
    pub(crate) fn new(
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> (Self, tokio::sync::oneshot::Receiver<Result<CreateOutcome>>) {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let cmd = IntakeCmd {
            new: new.clone(),
            references: crate::sql::candidate_references(ids),
            token: ids.request_token(now),
            idempotency: idempotency.cloned(),
            render,
            now,
            reply,
            queued: std::time::Instant::now(),
        };
        (cmd, answer)
    }

    /// The request as its row reads right after the insert under `id` and `reference`: the
    /// columns the insert leaves to their defaults are a new request's (one reporter, no
    /// department, deadline or flags yet), and the times keep the microseconds the row stores.
    /// A batch insert returns only the ids and references, so that SQLite does not copy every
    /// column of every row back (`create_all`).
    pub(crate) fn submitted(&self, id: i64, reference: String) -> ServiceRequest {
        let new = &self.new;
        let at = self.now.trunc_subsecs(6);
        ServiceRequest {
            id,
            reference,
            token: self.token.clone(),
            service_code: new.service_code.clone(),
            description: new.description.clone(),
            lat: new.lat,
            lon: new.lon,
            address: new.address.clone(),
            province: new.province.clone(),
            district: new.district.clone(),
            tehsil: new.tehsil.clone(),
            channel: new.channel,
            language: new.language,
            status: Status::Submitted,
            priority: new.priority,
            department: None,
            sla_due_at: None,
            duplicate_of: None,
            attributes: new.attributes.clone(),
            media_url: new.media_url.clone(),
            created_at: at,
            updated_at: at,
            closed_at: None,
            sla_started_at: None,
            reporters: 1,
            escalation_level: 0,
            ack_due_at: None,
            acknowledged_at: None,
            triage_flags: Vec::new(),
            filed_service_code: None,
            description_hidden: false,
        }
    }

    /// Hands a request to a writer task and waits for its answer, which comes only after the
    /// batch holding it has committed.
    pub(crate) async fn submit(
        writer: &tokio::sync::mpsc::Sender<IntakeCmd>,
        new: &NewServiceRequest,
        ids: &dyn IdSource,
        idempotency: Option<&IdempotencyKey>,
        render: Render,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome> {
        let (cmd, answer) = Self::new(new, ids, idempotency, render, now);
        writer.send(cmd).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    Error::Unavailable("the intake writer has stopped".into())
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
    /// Stores several validated requests without Idempotency-Keys, in the order given: their
    /// ids and triage jobs follow that order whatever the timing, which a seeded simulation
    /// needs to write the same history run after run. One answer per request, as
    /// `create_request` gives; the outer error means none could be handed over.
    async fn create_requests(
        &self,
        batch: NewRequests<'_>,
        ids: &dyn IdSource,
        render: Render,
    ) -> Result<Vec<Result<CreateOutcome>>>;
    /// Adds a voice to an open request: the reporter count goes up and the number (if any)
    /// gets its SMS; one voice per number, and none for the number that reported it.
    async fn add_voice(&self, voice: &NewVoice, now: DateTime<Utc>) -> Result<VoiceOutcome>;
}
