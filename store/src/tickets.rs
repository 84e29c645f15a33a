//! Tickets: queues scoped by who is asking, counts per status, and every change to a ticket —
//! triage, escalation, lifecycle actions, comments, ratings — written with its audit rows and
//! messages in one transaction, conditional on the state the decision was made on.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::citizen::RatingWrite;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::error::Result;
use sahulat_domain::escalation::Escalation;
use sahulat_domain::lifecycle::{ActionWrite, Reclassify, Scope};
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Priority, Status};
use sahulat_domain::triage::TriageOutcome;

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
    /// Only tickets with this triage flag (`category_mismatch`, `possible_duplicate`,
    /// `unrouted`; a flag's detail after `:` is ignored).
    pub flag: Option<String>,
    /// Order.
    pub sort: TicketSort,
    /// At most this many.
    pub limit: u32,
    /// Skip this many (paging).
    pub offset: u32,
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
    /// Writes a coordinator's correction of service or priority (fresh SLA, escalation level
    /// back to 0) with its history and messages; false if the ticket's status, service or
    /// priority changed meanwhile.
    async fn reclassify(&self, w: &Reclassify, now: DateTime<Utc>) -> Result<bool>;
    /// Adds a comment (internal or public) without changing the status.
    async fn add_comment(
        &self,
        request_id: i64,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Stores a rating, and its reopen, in one transaction.
    async fn rate(&self, w: &RatingWrite, now: DateTime<Utc>) -> Result<RateOutcome>;
    /// A ticket's ratings, oldest first.
    async fn ratings(&self, request_id: i64) -> Result<Vec<StoredRating>>;
    /// Writes a triage outcome, its history, its messages and a `notify` job in one
    /// transaction — only if the request is still `submitted` (returns false otherwise).
    async fn apply_triage(&self, outcome: &TriageOutcome, now: DateTime<Utc>) -> Result<bool>;
    /// Open requests due for a higher escalation level than they have (`sla::escalation_target`:
    /// not acknowledged by the acknowledge-by time, past the due time, a further SLA period
    /// past it). Those already at the level their lateness gives, or at the last level, are
    /// left out: they can go no further now, and would fill every page.
    async fn overdue(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ServiceRequest>>;
    /// Applies one escalation step if the request is still open at `from_level`.
    async fn escalate(&self, e: &Escalation, now: DateTime<Utc>) -> Result<bool>;
    /// Hides (or shows again) a request's description from the public, with its audit
    /// entry; false if it already was so.
    async fn set_description_hidden(
        &self,
        request_id: i64,
        hidden: bool,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<bool>;
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
