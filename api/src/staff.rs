//! The staff JSON API under `/api/v1/staff/`: a scoped queue with filters and counts, the
//! ticket with its full history, lifecycle actions and comments. Who may see or do what is
//! decided in one place (`sahulat_domain::lifecycle`): tickets outside the caller's scope are
//! "not found" (no probing for references), evaluators are refused outright, and the citizen's
//! phone and name reach only the staff handling the ticket and admins.

use crate::actions;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::QueryPairs;
use crate::native::{parse_reference, view, RequestView};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sahulat_domain::accounts::Role;
use sahulat_domain::lifecycle::{Actor, TicketState};
use sahulat_domain::request::{Priority, ServiceRequest, Status};
use sahulat_domain::store::{TicketFilter, TicketSort};
use sahulat_domain::templates;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets", get(queue))
        .route("/staff/tickets/{reference}", get(ticket))
        .route("/staff/tickets/{reference}/actions", post(actions::act))
        .route(
            "/staff/tickets/{reference}/comments",
            post(actions::comment),
        )
}

pub(crate) fn state_of(r: &ServiceRequest) -> TicketState<'_> {
    TicketState {
        status: r.status,
        district: &r.district,
        department: r.department.as_deref(),
        closed_at: r.closed_at,
    }
}

pub(crate) fn no_evaluators(signed: &Signed) -> Result<Actor, ApiError> {
    if signed.user.role == Role::Evaluator {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "evaluators see aggregates only, never individual tickets",
        ));
    }
    Ok(signed.user.actor())
}

/// Loads a ticket the caller may see; anything else is "not found".
pub(crate) async fn visible(
    st: &AppState,
    actor: &Actor,
    reference: &str,
) -> Result<ServiceRequest, ApiError> {
    let reference = parse_reference(reference)?;
    let missing =
        || ApiError::not_found(format!("no ticket {} in your queue", reference.grouped()));
    let r = st
        .store
        .request_by_reference(reference.as_str())
        .await?
        .ok_or_else(missing)?;
    if !actor.can_see(&state_of(&r)) {
        return Err(missing());
    }
    Ok(r)
}

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
        f.statuses = sahulat_domain::store::OPEN_STATUSES
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
    params(("status" = Option<String>, Query, description = "comma list"), ("priority" = Option<String>, Query), ("service" = Option<String>, Query),
        ("tehsil" = Option<String>, Query), ("overdue" = Option<bool>, Query),
        ("unassigned" = Option<bool>, Query, description = "only open tickets at the coordinator's desk or unrouted"), ("sort" = Option<String>, Query, description = "due (default), priority, newest"),
        ("limit" = Option<u32>, Query), ("offset" = Option<u32>, Query)),
    responses((status = 200, body = Queue), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
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

/// A history entry as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// Status after the step.
    pub status: String,
    /// Seen by the citizen.
    pub public: bool,
    /// What happened.
    pub description: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The reporter, for a call back.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    /// E.164 mobile number.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A ticket with everything staff need.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    /// The public record.
    pub ticket: RequestView,
    /// Department code.
    pub department_code: Option<String>,
    /// Triage flags.
    pub flags: Vec<String>,
    /// People who reported it.
    pub reporters: i32,
    /// Escalation level.
    pub escalation_level: i32,
    /// Acknowledge by.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// Full history, internal entries included.
    pub history: Vec<HistoryView>,
    /// References of tickets marked duplicate of this one.
    pub duplicates: Vec<String>,
    /// The reporter (only for the staff handling it and admins).
    pub contact: Option<ContactView>,
    /// Response templates for this ticket's service, with the citizen's text in their language.
    pub templates: Vec<TemplateView>,
    /// The citizen's ratings of each closing, oldest first.
    pub ratings: Vec<RatingEntry>,
    /// Photos, hidden ones included (served under `/staff/media/`).
    pub photos: Vec<crate::photos::StaffPhotoView>,
}

/// A citizen's rating of one closing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingEntry {
    /// 1 (very poor) to 5 (very good).
    pub rating: u8,
    /// The citizen's words.
    pub comment: Option<String>,
    /// How the rated closing ended.
    pub closed_status: String,
    /// Whether the rating reopened the ticket.
    pub reopened: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// A response template offered for a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    /// Send this as `template` with the action.
    pub id: String,
    /// The status it is for (pick the action that leads there).
    pub status: String,
    /// Short label (English, Urdu, Sindhi).
    #[schema(value_type = Object)]
    pub title: serde_json::Value,
    /// What the citizen will read, in the ticket's language.
    pub citizen_text: String,
}

pub(crate) async fn detail(
    st: &AppState,
    actor: &Actor,
    r: &ServiceRequest,
) -> Result<TicketDetail, ApiError> {
    let history = st
        .store
        .history(r.id)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            status: h.entry.status.as_str().into(),
            public: h.entry.public,
            description: h.entry.description,
            actor: h.entry.actor,
            at: h.at,
        })
        .collect();
    let duplicates = st
        .store
        .duplicates_of(r.id)
        .await?
        .into_iter()
        .map(|d| d.reference)
        .collect();
    let contact = if actor.can_see_contact(&state_of(r)) {
        st.store.contact(r.id).await?.map(|c| ContactView {
            phone: c.phone.map(|p| p.e164().to_string()),
            name: c.name,
            email: c.email,
        })
    } else {
        None
    };
    let photos = st
        .store
        .photos(r.id)
        .await?
        .iter()
        .map(crate::photos::staff_view)
        .collect();
    let ratings = st
        .store
        .ratings(r.id)
        .await?
        .into_iter()
        .map(|x| RatingEntry {
            rating: x.rating,
            comment: x.comment,
            closed_status: x.closed_status.as_str().into(),
            reopened: x.reopened,
            at: x.at,
        })
        .collect();
    let lang = r.language;
    let dept = r
        .department
        .as_deref()
        .and_then(|d| st.catalogue.department(d))
        .map(|d| d.names.get(lang).to_string())
        .unwrap_or_default();
    let templates = templates::TEMPLATE_STATUSES
        .iter()
        .flat_map(|&s| templates::for_ticket(&st.catalogue.templates, &r.service_code, s))
        .map(|t| TemplateView {
            id: t.id.clone(),
            status: t.status.as_str().into(),
            title: serde_json::json!({"en": t.title.en, "ur": t.title.ur, "sd": t.title.sd}),
            citizen_text: t.render(lang, &dept),
        })
        .collect();
    Ok(TicketDetail {
        ticket: view(&st.catalogue, r, None),
        department_code: r.department.clone(),
        flags: r.triage_flags.clone(),
        reporters: r.reporters,
        escalation_level: r.escalation_level,
        ack_due_at: r.ack_due_at,
        history,
        duplicates,
        contact,
        templates,
        ratings,
        photos,
    })
}

/// One ticket, with its history, duplicates and (for the staff handling it) the reporter's phone.
#[utoipa::path(get, path = "/api/v1/staff/tickets/{reference}", tag = "staff", params(("reference" = String, Path)),
    responses((status = 200, body = TicketDetail), (status = 401, body = ErrorEnvelope), (status = 404, description = "Unknown or not yours", body = ErrorEnvelope)))]
pub(crate) async fn ticket(
    State(st): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
) -> Result<Json<TicketDetail>, ApiError> {
    let actor = no_evaluators(&signed)?;
    let r = visible(&st, &actor, &reference).await?;
    Ok(Json(detail(&st, &actor, &r).await?))
}
