//! The staff queue: the caller's tickets (their department's, their district's, or all),
//! filters, sort, counts per status, and the overdue and unassigned counts.

use crate::access::no_evaluators;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::QueryPairs;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use sahulat_domain::status::{Priority, Status, OPEN_STATUSES};
use sahulat_store::{TicketFilter, TicketSort};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A line of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSummary {
    /// Reference.
    pub reference: String,
    /// Service code.
    pub service_code: String,
    /// Status.
    pub status: String,
    /// Priority.
    pub priority: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Due.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Past due and still open.
    pub overdue: bool,
    /// People who reported it.
    pub reporters: i32,
    /// Triage flags.
    pub flags: Vec<String>,
    /// The start of the description.
    pub summary: String,
    /// Received.
    pub created_at: DateTime<Utc>,
}

/// The queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    /// Tickets in scope per status (all, not only this page).
    #[schema(value_type = Object)]
    pub counts: BTreeMap<String, i64>,
    /// Open tickets in scope past their due time.
    pub overdue: i64,
    /// Open tickets in scope that no operating department has yet (at the coordinator's desk
    /// or unrouted): the coordinator's to send on.
    pub unassigned: i64,
    /// This page.
    pub tickets: Vec<TicketSummary>,
}

/// The flags triage sets, which the queue filters by.
pub(crate) const TRIAGE_FLAGS: [&str; 3] = ["category_mismatch", "possible_duplicate", "unrouted"];

/// The coordinator desks of every district (where routing sends what the matrix misses).
pub(crate) fn desks(cat: &sahulat_domain::catalogue::Catalogue) -> Vec<String> {
    cat.departments
        .iter()
        .filter(|d| d.coordinator)
        .map(|d| d.code.clone())
        .collect()
}

/// (overdue, unassigned) counts within `scope`.
pub(crate) async fn attention(
    st: &AppState,
    scope: &sahulat_domain::lifecycle::Scope,
    now: DateTime<Utc>,
) -> Result<(i64, i64), ApiError> {
    let overdue = TicketFilter {
        overdue_at: Some(now),
        ..Default::default()
    };
    let desks = desks(&st.catalogue);
    // A department's own queue holds no unassigned tickets unless it is a coordinator desk.
    let none = matches!(scope, sahulat_domain::lifecycle::Scope::Department { department, .. }
        if !desks.contains(department));
    let unassigned = TicketFilter {
        unassigned_in: Some(desks),
        ..Default::default()
    };
    let count_unassigned = async {
        if none {
            Ok(0)
        } else {
            st.store.count_tickets(scope, &unassigned).await
        }
    };
    Ok(tokio::try_join!(
        st.store.count_tickets(scope, &overdue),
        count_unassigned
    )?)
}

pub(crate) fn filter(
    q: &QueryPairs,
    now: DateTime<Utc>,
    cat: &sahulat_domain::catalogue::Catalogue,
) -> Result<TicketFilter, ApiError> {
    let mut f = TicketFilter {
        limit: 50,
        ..Default::default()
    };
    // By default a queue is the work still to do; `status=all` shows closed tickets too.
    if q.get("status").is_none() {
        f.statuses = OPEN_STATUSES
            .iter()
            .copied()
            .filter(|s| *s != Status::Submitted)
            .collect();
    }
    if let Some(s) = q.get("status").filter(|s| *s != "all") {
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            f.statuses.push(Status::parse(w).ok_or_else(|| {
                ApiError::bad_param(
                    "status",
                    format!("{w:?} is not one of {}", Status::accepted()),
                )
            })?);
        }
    }
    if let Some(p) = q.get("priority") {
        f.priority = Some(Priority::parse(p).ok_or_else(|| {
            ApiError::bad_param(
                "priority",
                format!("{p:?} is not one of {}", Priority::accepted()),
            )
        })?);
    }
    f.service = q.get("service").map(str::to_string);
    f.tehsil = q.get("tehsil").map(str::to_string);
    match q.get("overdue") {
        None | Some("false") => {}
        Some("true") => f.overdue_at = Some(now),
        Some(o) => {
            return Err(ApiError::bad_param(
                "overdue",
                format!("{o:?} is not true or false"),
            ))
        }
    }
    match q.get("unassigned") {
        None | Some("false") => {}
        Some("true") => f.unassigned_in = Some(desks(cat)),
        Some(o) => {
            return Err(ApiError::bad_param(
                "unassigned",
                format!("{o:?} is not true or false"),
            ))
        }
    }
    if let Some(flag) = q.get("flag") {
        if !TRIAGE_FLAGS.contains(&flag) {
            return Err(ApiError::bad_param(
                "flag",
                format!("{flag:?} is not one of {}", TRIAGE_FLAGS.join(", ")),
            ));
        }
        f.flag = Some(flag.to_string());
    }
    f.sort = match q.get("sort") {
        None | Some("due") => TicketSort::Due,
        Some("priority") => TicketSort::Priority,
        Some("newest") => TicketSort::Newest,
        Some(s) => {
            return Err(ApiError::bad_param(
                "sort",
                format!("{s:?} is not due, priority or newest"),
            ))
        }
    };
    let num = |name: &str, max: u32| -> Result<Option<u32>, ApiError> {
        q.get(name)
            .map(|v| {
                v.parse::<u32>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    ApiError::bad_param(name, format!("must be a whole number up to {max}"))
                })
            })
            .transpose()
    };
    f.limit = num("limit", 200)?.unwrap_or(50).max(1);
    f.offset = num("offset", 1_000_000)?.unwrap_or(0);
    Ok(f)
}

/// The caller's queue: their department's tickets (staff), their district's (coordinators),
/// all (admins); with filters, sort and counts per status.
#[utoipa::path(get, path = "/api/v1/staff/tickets", tag = "staff",
    params(("status" = Option<String>, Query, pattern = "^(?:[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*all[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*|[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:(?:submitted|open|acknowledged|in_progress|referred|resolved|closed_not_fixed|not_responsible|duplicate|rejected)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*)?(?:,[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:(?:submitted|open|acknowledged|in_progress|referred|resolved|closed_not_fixed|not_responsible|duplicate|rejected)[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*)?)*)$", description = "all, or a comma list of submitted, open, acknowledged, in_progress, referred, resolved, closed_not_fixed, not_responsible, duplicate, rejected (default: the open ones)"),
        ("priority" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:low|normal|high|urgent)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "low, normal, high or urgent"),
        ("service" = Option<String>, Query, description = "A service code"),
        ("tehsil" = Option<String>, Query, description = "A tehsil code"),
        ("overdue" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:true|false)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "true: overdue only"),
        ("unassigned" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:true|false)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "true: only open tickets at the coordinator's desk or unrouted"),
        ("flag" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:category_mismatch|possible_duplicate|unrouted)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "only tickets triage flagged: category_mismatch, possible_duplicate or unrouted"),
        ("sort" = Option<String>, Query, pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(?:due|priority|newest)?[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$", description = "due (default), priority, newest"),
        ("limit" = inline(Option<crate::openapi_types::QueueLimit>), Query, description = "At most 200 (default 50; 0 counts as 1)"),
        ("offset" = inline(Option<crate::openapi_types::QueueOffset>), Query, description = "At most 1,000,000")),
    responses((status = 200, body = Queue), (status = 400, description = "A query parameter is malformed or names no known value; `fields` names it", body = ErrorEnvelope), (status = 401, description = "No valid bearer token (`WWW-Authenticate: Bearer`)", body = ErrorEnvelope), (status = 403, description = "Evaluators have no tickets (`forbidden`)", body = ErrorEnvelope)))]
pub(crate) async fn queue(
    State(st): State<AppState>,
    signed: Signed,
    q: QueryPairs,
) -> Result<Json<Queue>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let now = st.clock.now();
    let f = filter(&q, now, &st.catalogue)?;
    let scope = actor.scope();
    let rows = st.store.list_tickets(&scope, &f).await?;
    let (overdue, unassigned) = attention(&st, &scope, now).await?;
    let counts = st
        .store
        .ticket_counts(&scope)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), n))
        .collect();
    let tickets = rows
        .into_iter()
        .map(|r| TicketSummary {
            overdue: r.status.is_open() && r.sla_due_at.is_some_and(|d| d < now),
            summary: r.description.chars().take(140).collect(),
            reference: r.reference,
            service_code: r.service_code,
            status: r.status.as_str().into(),
            priority: r.priority.as_str().into(),
            tehsil: r.tehsil,
            department: r.department,
            sla_due_at: r.sla_due_at,
            reporters: r.reporters,
            flags: r.triage_flags,
            created_at: r.created_at,
        })
        .collect();
    Ok(Json(Queue {
        counts,
        overdue,
        unassigned,
        tickets,
    }))
}
