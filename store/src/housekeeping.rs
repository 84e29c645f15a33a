//! Housekeeping: what is kept only for a while is pruned by the daily `retention` job, and the
//! figures an operator watches are counted for `/metrics` (from the database, so they are the
//! same whichever process — API or worker — answers).

use crate::JobCount;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::Result;
use std::collections::HashSet;

/// What one retention pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Finished (`done`) jobs; failed ones stay for the operator.
    pub jobs: u64,
    /// SMS to citizens, sent or given up on (they hold the citizen's number); messages to
    /// departments and coordinators are the staff inbox and stay.
    pub citizen_messages: u64,
    /// Expired staff sessions.
    pub sessions: u64,
    /// Stored answers to Idempotency-Keys (a retry after this long makes a new request).
    pub idempotency_keys: u64,
    /// USSD sessions (their inputs and a hash of the number).
    pub ussd_sessions: u64,
    /// Inbound SMS records (kept to recognise a gateway's retry).
    pub sms_inbound: u64,
}

/// What one `fact_blocks` pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactBlocks {
    /// District-days repacked (their requests changed since the last pass).
    pub days: u64,
    /// Facts in them.
    pub facts: u64,
    /// `false` when nothing was done: SQLite, which reads its facts fast enough row by row, or
    /// another pass holding the lock.
    pub ran: bool,
}

/// What `/metrics` reports about the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Jobs by kind and state.
    pub jobs: Vec<JobCount>,
    /// Outbox messages by recipient kind and state.
    pub outbox: Vec<(String, String, i64)>,
    /// Requests stored, by channel and district.
    pub requests: Vec<(String, String, i64)>,
    /// Open requests by escalation level (1 and above).
    pub escalated_open: Vec<(i64, i64)>,
}

/// Housekeeping over the whole database.
#[async_trait]
pub trait Housekeeping: Send + Sync {
    /// Removes what is older than `before` (see [`Pruned`]) and sessions expired by `now`.
    async fn prune(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<Pruned>;
    /// The photo file names the database knows (`<32 hex>.jpg`).
    async fn photo_files(&self) -> Result<HashSet<String>>;
    /// The operator's figures.
    async fn gauges(&self) -> Result<Gauges>;
    /// Whether this process's data key opens the personal data already stored (the newest
    /// reporter's contact details); `true` when there is none yet. A wrong or newly created key
    /// would otherwise be noticed only when staff open a ticket and its contact cannot be read.
    async fn key_opens_stored_data(&self) -> Result<bool>;
    /// Repacks the fact blocks of the district-days whose requests (or their ratings) changed
    /// since the last pass, in one transaction (`blocks`).
    async fn refresh_fact_blocks(&self) -> Result<FactBlocks>;
}
