//! The outbox: citizen SMS and staff messages, queued in the same transaction as the change
//! they announce (with a `notify` job), each with a unique `dedupe_key` so no event is ever
//! sent twice, and delivered by the worker's `notify` job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::effects::NewMessage;
use sahulat_domain::error::Result;

/// A queued message.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// Id.
    pub id: i64,
    /// The message.
    pub message: NewMessage,
    /// pending | sent | failed.
    pub state: String,
    /// Delivery tries.
    pub attempts: i32,
    /// Last delivery error.
    pub last_error: Option<String>,
}

/// The outbox.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Messages waiting to be sent with an id above `after`, oldest first (a page: the next
    /// one starts after the last id seen, so messages held back do not block the rest).
    async fn pending_messages(&self, after: i64, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// Records a delivery attempt: sent, or failed with an error (`give_up` stops retries).
    async fn mark_message(
        &self,
        id: i64,
        sent: bool,
        error: Option<&str>,
        give_up: bool,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Messages sent to `recipient` since `since` (for the per-phone rate).
    async fn sent_since(&self, recipient: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Outbox rows (any state when `state` is None), oldest first.
    async fn outbox(&self, state: Option<&str>, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// Queues messages (and a `notify` job) outside any other change; repeated keys are ignored.
    async fn queue_messages(&self, messages: &[NewMessage], now: DateTime<Utc>) -> Result<()>;
}
