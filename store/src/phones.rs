//! Feature phones: USSD sessions (the gateway's path, replayed on every step, and what each
//! session made) and inbound SMS seen once. The caller's number is kept only as its keyed
//! hash: enough to find their unfinished session and count their use, not to read it back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::Result;
use sahulat_domain::phone::Phone;

/// A USSD session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdSession {
    /// Which adapter it came through (`africastalking`, `generic`).
    pub gateway: String,
    /// The gateway's session id.
    pub session_id: String,
    /// The gateway's `text` at the last step.
    pub path: String,
    /// The inputs of the path (a `*` typed in a landmark stays inside its input).
    pub inputs: Vec<String>,
    /// An unfinished session's inputs offered to resume, until the caller answers.
    pub offer: Option<Vec<String>>,
    /// The answer given to the last step, replayed on a retry.
    pub answer: String,
    /// Whether the last answer ended the session.
    pub ended: bool,
    /// The request the session made.
    pub request_id: Option<i64>,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it last moved.
    pub updated_at: DateTime<Utc>,
}

/// How much one number has used USSD lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UssdUsage {
    /// Sessions begun since the hour's start.
    pub sessions: i64,
    /// Requests made since the day's start.
    pub requests: i64,
}

/// Storage for feature-phone channels.
#[async_trait]
pub trait Phones: Send + Sync {
    /// A session by gateway and id.
    async fn ussd_session(&self, gateway: &str, session_id: &str) -> Result<Option<UssdSession>>;
    /// Creates or updates a session; `phone` is stored as its keyed hash.
    async fn save_ussd_session(&self, s: &UssdSession, phone: &Phone) -> Result<()>;
    /// The newest session of `phone` that did not end, moved since `since`, other than
    /// `except` (the caller's new session).
    async fn unfinished_ussd_session(
        &self,
        phone: &Phone,
        since: DateTime<Utc>,
        except: &str,
    ) -> Result<Option<UssdSession>>;
    /// Marks a session over (resumed in another, or the caller chose to start again).
    async fn end_ussd_session(&self, gateway: &str, session_id: &str) -> Result<()>;
    /// Sessions begun since `sessions_since` and requests made since `requests_since`.
    async fn ussd_usage(
        &self,
        phone: &Phone,
        sessions_since: DateTime<Utc>,
        requests_since: DateTime<Utc>,
    ) -> Result<UssdUsage>;
    /// Forgets sessions that last moved before `before`; how many.
    async fn forget_ussd_sessions(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Records an inbound SMS; false when this gateway's message id was already seen.
    async fn record_inbound_sms(
        &self,
        gateway: &str,
        message_id: &str,
        phone: &Phone,
        command: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}
