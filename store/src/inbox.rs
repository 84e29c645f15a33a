//! The staff inbox: the messages the worker addresses to departments and coordinators (a new
//! ticket routed to them, escalations, a citizen's reopen or poor rating) are outbox rows; this
//! reads them for one account and keeps who read which.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::Result;

/// One message in a staff inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// The outbox row.
    pub id: i64,
    /// The ticket it is about.
    pub request_id: Option<i64>,
    /// The ticket's reference.
    pub reference: Option<String>,
    /// `department` or `coordinator`.
    pub recipient_kind: String,
    /// The department code it was addressed to.
    pub recipient: String,
    /// The text.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Whether this account has read it.
    pub read: bool,
}

/// Which staff messages an account receives: those addressed to these department codes, or
/// every staff message (administrators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressees {
    /// Messages to any of these codes.
    Codes(Vec<String>),
    /// Every staff message.
    All,
}

/// The staff inbox.
#[async_trait]
pub trait StaffInbox: Send + Sync {
    /// The newest messages for `to` (unread only when asked), with this account's read marks.
    async fn inbox(
        &self,
        user_id: i64,
        to: &Addressees,
        unread_only: bool,
        limit: u32,
    ) -> Result<Vec<InboxItem>>;
    /// How many messages for `to` this account has not read.
    async fn inbox_unread(&self, user_id: i64, to: &Addressees) -> Result<i64>;
    /// Marks a message read; false when it is not one of `to`'s.
    async fn mark_inbox_read(
        &self,
        user_id: i64,
        message_id: i64,
        to: &Addressees,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}
