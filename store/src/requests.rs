//! Reading requests: by reference, token or id, filtered lists (Open311 GET), public updates,
//! the full history, the reporters of a problem, open requests nearby (duplicate search) and
//! the sealed contact details (opened only for the staff handling the request).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::crypto::DataKey;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::error::{Error, Result};
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::request::{Contact, RequestUpdate, ServiceRequest};
use sahulat_domain::status::Status;

/// Filters for listing requests (Open311 GET requests).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Only these references.
    pub references: Vec<String>,
    /// Only these services.
    pub service_codes: Vec<String>,
    /// Only these statuses (empty = all).
    pub statuses: Vec<Status>,
    /// Received at or after.
    pub start: Option<DateTime<Utc>>,
    /// Received at or before.
    pub end: Option<DateTime<Utc>>,
    /// Only this district.
    pub district: Option<String>,
    /// Leave out requests rejected as spam or abuse (public lists).
    pub public_only: bool,
    /// At most this many, newest first.
    pub limit: u32,
    /// Skip this many (paging).
    pub offset: u32,
}

/// Filters for public updates (Open311 servicerequestupdates).
#[derive(Debug, Clone, Default)]
pub struct UpdateQuery {
    /// Updates at or after.
    pub start: Option<DateTime<Utc>>,
    /// Updates at or before.
    pub end: Option<DateTime<Utc>>,
    /// Only updates of this request.
    pub reference: Option<String>,
    /// At most this many, oldest first.
    pub limit: u32,
}

/// A stored history entry.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// Id.
    pub id: i64,
    /// The entry.
    pub entry: HistoryEntry,
    /// When.
    pub at: DateTime<Utc>,
}

/// One person who reported a problem.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// Their request.
    pub request_id: i64,
    /// Its reference.
    pub reference: String,
    /// Mobile number in E.164, if given.
    pub phone: Option<String>,
    /// Language code of their request.
    pub language: String,
    /// The voice, when they added their voice rather than report.
    pub voice_id: Option<i64>,
}

/// Reading requests.
#[async_trait]
pub trait Requests: Send + Sync {
    /// A request by its public reference.
    async fn request_by_reference(&self, reference: &str) -> Result<Option<ServiceRequest>>;
    /// A request by its Open311 token.
    async fn request_by_token(&self, token: &str) -> Result<Option<ServiceRequest>>;
    /// A request by internal id.
    async fn request_by_id(&self, id: i64) -> Result<Option<ServiceRequest>>;
    /// Requests matching `q`, newest first.
    async fn list_requests(&self, q: &RequestQuery) -> Result<Vec<ServiceRequest>>;
    /// Public updates matching `q`, oldest first.
    async fn list_updates(&self, q: &UpdateQuery) -> Result<Vec<RequestUpdate>>;
    /// The citizen's contact details (staff handling the request and admins only).
    async fn contact(&self, request_id: i64) -> Result<Option<Contact>>;
    /// Every history entry of a request (internal ones too), oldest first.
    async fn history(&self, request_id: i64) -> Result<Vec<HistoryRow>>;
    /// Everyone who reported this problem: the request itself and every request marked as its
    /// duplicate, with the reporter's phone (if given) and language.
    async fn reporters(&self, request_id: i64) -> Result<Vec<Reporter>>;
    /// Open requests of `service` within `radius_m` metres of the point, received since
    /// `since`, oldest first, excluding `exclude` (bounding box in SQL, exact haversine after).
    async fn nearby_open(
        &self,
        service: &str,
        lat: f64,
        lon: f64,
        radius_m: f64,
        since: DateTime<Utc>,
        exclude: i64,
    ) -> Result<Vec<ServiceRequest>>;
    /// Tickets marked duplicate of this one.
    async fn duplicates_of(&self, request_id: i64) -> Result<Vec<ServiceRequest>>;
    /// Whether `phone` reported this request or added their voice to it.
    async fn reporter_proof(&self, request_id: i64, phone: &Phone) -> Result<ReporterProof>;
}

/// What a phone number is to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReporterProof {
    /// Nobody gave a number for it (no reporter, no voice).
    NoPhoneOnRecord,
    /// Someone's number is on record, but not this one.
    Mismatch,
    /// The number it was reported with.
    Reporter,
    /// The number of a person who added their voice.
    Voice {
        /// The voice.
        id: i64,
        /// The language they added it in (their SMS go out in it).
        language: Lang,
    },
}

/// Opens sealed contact columns.
pub(crate) fn open_contact(
    key: &DataKey,
    phone: Option<String>,
    name: Option<String>,
    email: Option<String>,
) -> Result<Contact> {
    let open = |v: Option<String>| -> Result<Option<String>> {
        v.map(|v| key.open(&v).map_err(Error::Internal)).transpose()
    };
    Ok(Contact {
        phone: open(phone)?.map(Phone::from_e164_unchecked),
        name: open(name)?,
        email: open(email)?,
    })
}
