//! The staff half of the storage contract: ticket queues scoped by who is asking, counts per
//! status, and lifecycle actions written with their audit row and citizen notification in one
//! transaction, conditional on the status the actor saw.

use crate::error::Result;
use crate::lifecycle::Scope;
use crate::request::{Priority, ServiceRequest, Status};
use crate::store::{HistoryEntry, NewMessage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Queue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// Soonest due first (default).
    #[default]
    Due,
    /// Most urgent first, then soonest due.
    Priority,
    /// Newest first.
    Newest,
}

/// Queue filters.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only these statuses (empty: all, closed ones included).
    pub statuses: Vec<Status>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only this service.
    pub service: Option<String>,
    /// Only this tehsil.
    pub tehsil: Option<String>,
    /// Only open tickets past their due time at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only open tickets no operating department has yet: no department, or one of these
    /// coordinator desks (where routing sends what the matrix does not cover).
    pub unassigned_in: Option<Vec<String>>,
    /// Order.
    pub sort: TicketSort,
    /// At most this many.
    pub limit: u32,
    /// Skip this many (paging).
    pub offset: u32,
}

/// One lifecycle action, ready to write.
#[derive(Debug, Clone)]
pub struct ActionWrite {
    /// The ticket.
    pub request_id: i64,
    /// The status the actor saw (the write happens only if it still is).
    pub from: Status,
    /// The status after.
    pub to: Status,
    /// New responsible department (referral).
    pub department: Option<String>,
    /// The original (mark duplicate).
    pub duplicate_of: Option<i64>,
    /// Audit and public history.
    pub history: Vec<HistoryEntry>,
    /// Citizen notifications.
    pub messages: Vec<NewMessage>,
    /// Queue the `resolved` job (tells every reporter).
    pub notify_resolved: bool,
    /// A reopened ticket starts a fresh SLA: new acknowledge-by and due times, escalation
    /// level back to 0, acknowledgement cleared.
    pub restart_sla: Option<SlaRestart>,
    /// Write only if the ticket was closed at exactly this time (a rating reopens the closing
    /// it rated, not a later one).
    pub closed_at: Option<DateTime<Utc>>,
}

/// New deadlines for a reopened ticket.
#[derive(Debug, Clone, Copy)]
pub struct SlaRestart {
    /// Acknowledge by.
    pub ack_due_at: DateTime<Utc>,
    /// Resolve by.
    pub sla_due_at: DateTime<Utc>,
}

/// A citizen's rating of how a closed ticket was handled, with the reopen it causes (if poor
/// and within the window), written together.
#[derive(Debug, Clone)]
pub struct RatingWrite {
    /// The ticket rated.
    pub request_id: i64,
    /// Which closing is rated (one rating per closing and reporter).
    pub closed_at: DateTime<Utc>,
    /// The reporter's own request (the original's, or a duplicate's whose reporter rates).
    pub reporter_request_id: i64,
    /// How it was closed.
    pub closed_status: Status,
    /// The department that closed it.
    pub department: Option<String>,
    /// 1–5.
    pub rating: u8,
    /// The citizen's words (staff-only).
    pub comment: Option<String>,
    /// `web`, `ussd`, `api`.
    pub channel: String,
    /// Internal history entry recording the rating.
    pub entry: HistoryEntry,
    /// The reopen, when the rating is poor and the window still open.
    pub reopen: Option<ActionWrite>,
}

/// What became of a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateOutcome {
    /// Stored (and the ticket reopened, if asked).
    Stored,
    /// This closing was already rated; nothing written.
    AlreadyRated,
    /// The ticket changed meanwhile; nothing written.
    Changed,
}

/// A stored rating.
#[derive(Debug, Clone)]
pub struct StoredRating {
    /// 1–5.
    pub rating: u8,
    /// The citizen's words.
    pub comment: Option<String>,
    /// How the rated closing ended.
    pub closed_status: Status,
    /// Whether it reopened the ticket.
    pub reopened: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// Ticket queues and actions.
#[async_trait]
pub trait Tickets: Send + Sync {
    /// Tickets within `scope` matching `filter`.
    async fn list_tickets(
        &self,
        scope: &Scope,
        filter: &TicketFilter,
    ) -> Result<Vec<ServiceRequest>>;
    /// How many tickets within `scope` match `filter` (order and paging ignored).
    async fn count_tickets(&self, scope: &Scope, filter: &TicketFilter) -> Result<i64>;
    /// Tickets within `scope` per status.
    async fn ticket_counts(&self, scope: &Scope) -> Result<Vec<(Status, i64)>>;
    /// Writes an action; false if the ticket's status changed meanwhile.
    async fn apply_action(&self, w: &ActionWrite, now: DateTime<Utc>) -> Result<bool>;
    /// Adds a comment (internal or public) without changing the status.
    async fn add_comment(
        &self,
        request_id: i64,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Open tickets marked duplicate of this one.
    async fn duplicates_of(&self, request_id: i64) -> Result<Vec<ServiceRequest>>;
    /// Stores a rating, and its reopen, in one transaction.
    async fn rate(&self, w: &RatingWrite, now: DateTime<Utc>) -> Result<RateOutcome>;
    /// A ticket's ratings, oldest first.
    async fn ratings(&self, request_id: i64) -> Result<Vec<StoredRating>>;
}

/// `ORDER BY` for a sort.
pub(crate) fn order_by(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::Due => " ORDER BY sla_due_at, id",
        TicketSort::Priority => {
            " ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, sla_due_at, id"
        }
        TicketSort::Newest => " ORDER BY created_at DESC, id DESC",
    }
}
