//! Triage of one new request, decided without I/O: the category check, duplicates among the
//! open requests nearby, priority, routing and SLA, with every reason written to the history
//! and the reporter's confirmation SMS. The worker gathers the inputs (the request, the open
//! requests of the same service nearby, the reporter's phone) and writes the outcome in one
//! transaction; this module only decides.

mod lexicon;

pub use lexicon::{
    priority, words, CategoryCheck, Lexicon, PriorityInput, CLUSTER_HIGH, MIN_CONFIDENT_SCORE,
};

use crate::catalogue::Catalogue;
use crate::effects::{HistoryEntry, Message, NewMessage};
use crate::error::{Error, Result};
use crate::geo::haversine_m;
use crate::messages::{self, pkt_date};
use crate::phone::Phone;
use crate::reference::grouped;
use crate::request::ServiceRequest;
use crate::routing::{self, RouteRule};
use crate::sla::{self, WorkingHours};
use crate::status::{Priority, Status};
use chrono::{DateTime, Duration, Utc};

/// A duplicate closer than this share of the search radius is certain; farther ones are only
/// linked for staff review.
pub const CERTAIN_DUPLICATE_SHARE: f64 = 0.4;

/// The deployment's triage settings.
#[derive(Debug, Clone)]
pub struct TriageConfig {
    /// Radius for duplicate search, metres (`SAHULAT_DUPLICATE_RADIUS_M`, 250).
    pub duplicate_radius_m: f64,
    /// How far back duplicates are searched (`SAHULAT_DUPLICATE_WINDOW_HOURS`, 168).
    pub duplicate_window: Duration,
    /// Office hours for SLA (`SAHULAT_WORKING_HOURS`).
    pub working_hours: WorkingHours,
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            duplicate_radius_m: 250.0,
            duplicate_window: Duration::hours(168),
            working_hours: WorkingHours::default(),
        }
    }
}

impl TriageConfig {
    /// The oldest request a duplicate of `r` may be.
    pub fn duplicates_since(&self, r: &ServiceRequest) -> DateTime<Utc> {
        r.created_at - self.duplicate_window
    }
}

/// The result of triaging one request: what the store writes, conditional on the request
/// still being `submitted`.
#[derive(Debug, Clone)]
pub struct TriageOutcome {
    /// The request.
    pub request_id: i64,
    /// Service after the category check (changed only for requests filed as `other`).
    pub service_code: String,
    /// `open` or `duplicate`.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Responsible department.
    pub department: Option<String>,
    /// Resolve by.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Acknowledge by.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// The original, for a duplicate.
    pub duplicate_of: Option<i64>,
    /// Flags for the coordinator (`category_mismatch:…`, `possible_duplicate:…`, `unrouted`).
    pub flags: Vec<String>,
    /// History to record.
    pub history: Vec<HistoryEntry>,
    /// Messages to queue (with a `notify` job).
    pub messages: Vec<NewMessage>,
}

/// An open request near a new one, as triage compares them: enough to link a duplicate to it,
/// route the duplicate to the same department and count a cluster. The worker reads these
/// for a whole batch of new requests at once, often thousands, so they carry no text,
/// attributes or contact (BENCHMARKS.md, "Worker throughput").
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// Database id.
    pub id: i64,
    /// Public reference.
    pub reference: String,
    /// Service code.
    pub service_code: String,
    /// Status.
    pub status: Status,
    /// Point.
    pub lat: Option<f64>,
    /// Point.
    pub lon: Option<f64>,
    /// Department it is routed to.
    pub department: Option<String>,
    /// Received at.
    pub created_at: DateTime<Utc>,
}

impl From<&ServiceRequest> for Neighbour {
    fn from(r: &ServiceRequest) -> Self {
        Neighbour {
            id: r.id,
            reference: r.reference.clone(),
            service_code: r.service_code.clone(),
            status: r.status,
            lat: r.lat,
            lon: r.lon,
            department: r.department.clone(),
            created_at: r.created_at,
        }
    }
}

/// What triage looks at, gathered by the worker.
#[derive(Debug, Clone, Copy)]
pub struct TriageInput<'a> {
    /// The new request.
    pub request: &'a ServiceRequest,
    /// Open requests of the settled service (`settled_service`) within the radius and
    /// window, oldest first.
    pub nearby: &'a [Neighbour],
    /// The reporter's mobile number, if given.
    pub phone: Option<&'a Phone>,
}

/// The text the category check reads: description and address or landmark.
fn text_of(r: &ServiceRequest) -> String {
    format!("{} {}", r.description, r.address.as_deref().unwrap_or(""))
}

/// The service `decide` will settle on (the filed one, or for `other` the one the text
/// clearly names): the worker searches for duplicates of this service.
pub fn settled_service(lexicon: &Lexicon, r: &ServiceRequest) -> String {
    settled(&category_check(lexicon, r), r)
}

/// What the text of `r` says against its filed service. The worker's batches compute it once
/// per request and hand it to both `settled` and `decide_checked` (scoring a text against
/// the lexicon is a tenth of a batch's decision time, BENCHMARKS.md).
pub fn category_check(lexicon: &Lexicon, r: &ServiceRequest) -> CategoryCheck {
    lexicon.check_category(&r.service_code, &text_of(r))
}

/// The service `decide` settles on, given the category check of `r`.
pub fn settled(check: &CategoryCheck, r: &ServiceRequest) -> String {
    match check {
        CategoryCheck::Assign(s) => s.clone(),
        CategoryCheck::Keep | CategoryCheck::Mismatch(_) => r.service_code.clone(),
    }
}

fn internal(description: String) -> HistoryEntry {
    HistoryEntry::internal(Status::Submitted, "triage", description)
}

/// Decides category, duplicate, priority, department and deadlines for `input.request`.
pub fn decide(
    cat: &Catalogue,
    lexicon: &Lexicon,
    config: &TriageConfig,
    input: TriageInput<'_>,
) -> Result<TriageOutcome> {
    let check = category_check(lexicon, input.request);
    decide_checked(cat, lexicon, config, input, check)
}

/// `decide`, with the request's category check already made (`category_check`).
pub fn decide_checked(
    cat: &Catalogue,
    lexicon: &Lexicon,
    config: &TriageConfig,
    input: TriageInput<'_>,
    check: CategoryCheck,
) -> Result<TriageOutcome> {
    let r = input.request;
    let text = text_of(r);
    let mut history = Vec::new();
    let mut flags = Vec::new();

    let service_code = match check {
        CategoryCheck::Keep => r.service_code.clone(),
        CategoryCheck::Assign(s) => {
            history.push(internal(format!(
                "category set to {s}: the description clearly says so (filed as {})",
                r.service_code
            )));
            s
        }
        CategoryCheck::Mismatch(s) => {
            flags.push(format!("category_mismatch:{s}"));
            history.push(internal(format!(
                "the description suggests {s}, not {}; flagged for the coordinator",
                r.service_code
            )));
            r.service_code.clone()
        }
    };
    let service = cat
        .service(&service_code)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown service {service_code}")))?;

    let nearby = input.nearby;
    let earlier: Vec<&Neighbour> = nearby.iter().filter(|o| o.id < r.id).collect();
    let certain = earlier.iter().find(|o| match (r.lat, r.lon, o.lat, o.lon) {
        (Some(a), Some(b), Some(c), Some(d)) => {
            haversine_m(a, b, c, d) <= config.duplicate_radius_m * CERTAIN_DUPLICATE_SHARE
        }
        _ => false,
    });
    if certain.is_none() {
        if let Some(o) = earlier.first() {
            flags.push(format!("possible_duplicate:{}", o.reference));
            history.push(internal(format!(
                "possibly the same problem as {} nearby; linked for staff review",
                grouped(&o.reference)
            )));
        }
    }

    let (priority, reasons) = priority(
        lexicon,
        &PriorityInput {
            service: &service_code,
            default: service.default_priority,
            text: &text,
            attributes: &r.attributes,
            nearby_reports: nearby.len(),
        },
    );
    history.push(internal(format!(
        "priority {priority}: {}",
        reasons.join("; ")
    )));

    let route = routing::route(cat, &r.district, r.tehsil.as_deref(), &service_code);
    let department = match certain {
        Some(o) => o.department.clone(),
        None => route.department.clone(),
    };
    let dept_name = department
        .as_deref()
        .and_then(|d| cat.department(d))
        .map(|d| d.names.clone());
    match route.rule {
        RouteRule::Tehsil | RouteRule::District if certain.is_none() => {
            history.push(internal(format!(
                "routed to {} by the {} rule{}",
                department.as_deref().unwrap_or("?"),
                if route.rule == RouteRule::Tehsil {
                    "tehsil"
                } else {
                    "district"
                },
                if route.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", route.note)
                }
            )))
        }
        RouteRule::Coordinator if certain.is_none() => {
            flags.push("unrouted".into());
            history.push(internal(format!(
                "{}; sent to the district coordinator's triage desk",
                route.note
            )));
        }
        _ => {}
    }

    let lang = r.language;
    let reference = grouped(&r.reference);
    let mut messages = Vec::new();
    let (status, sla_due_at, ack_due_at, public) = if let Some(o) = certain {
        let public = HistoryEntry::public_message(
            Status::Duplicate,
            "triage",
            format!(
                "Same problem as {}, already reported nearby; you will be told when it is fixed.",
                grouped(&o.reference)
            ),
            Message::new("hist-duplicate", &[("orig", grouped(&o.reference))]),
        );
        if let Some(p) = input.phone {
            let body = messages::text(
                lang,
                "sms-duplicate",
                &[("ref", reference.clone()), ("orig", grouped(&o.reference))],
            );
            messages.push(received_message(r, p, body));
        }
        (Status::Duplicate, None, None, public)
    } else {
        let hours = service.sla_hours.for_priority(priority);
        let wh = &config.working_hours;
        let due = sla::due_at(wh, r.created_at, priority, hours);
        let ack = sla::acknowledge_by(wh, r.created_at, priority, hours);
        history.push(internal(format!(
            "due {} ({hours} {} hours for {priority} {service_code})",
            due.to_rfc3339(),
            if priority == Priority::Urgent {
                "clock"
            } else {
                "working"
            }
        )));
        let dept = dept_name
            .as_ref()
            .map(|n| n.get(lang).to_string())
            .unwrap_or_else(|| "the district coordinator".into());
        let public = HistoryEntry::public_message(
            Status::Open,
            "triage",
            format!(
                "Sent to {}; due by {}.",
                dept_name
                    .as_ref()
                    .map(|n| n.en.as_str())
                    .unwrap_or("the district coordinator"),
                pkt_date(due)
            ),
            Message::new(
                "hist-sent",
                &[
                    ("dept", department.clone().unwrap_or_default()),
                    ("due", due.to_rfc3339()),
                ],
            ),
        );
        if let Some(p) = input.phone {
            let body = messages::text(
                lang,
                "sms-received",
                &[
                    ("ref", reference.clone()),
                    ("service", service.names.get(lang).to_string()),
                    ("dept", dept),
                    ("due", pkt_date(due)),
                ],
            );
            messages.push(received_message(r, p, body));
        }
        if let Some(code) = department.as_deref() {
            let id = match route.rule {
                RouteRule::Coordinator => "staff-unrouted",
                _ => "staff-routed",
            };
            let routed = ServiceRequest {
                service_code: service_code.clone(),
                ..r.clone()
            };
            messages.push(messages::staff_message(
                cat,
                &routed,
                code,
                id,
                vec![("due", pkt_date(due))],
                format!("routed:{}:{code}", r.id),
            ));
        }
        (Status::Open, Some(due), Some(ack), public)
    };
    history.push(public);
    Ok(TriageOutcome {
        request_id: r.id,
        service_code,
        status,
        priority,
        department,
        sla_due_at,
        ack_due_at,
        duplicate_of: certain.map(|o| o.id),
        flags,
        history,
        messages,
    })
}

fn received_message(r: &ServiceRequest, phone: &Phone, body: String) -> NewMessage {
    NewMessage {
        request_id: Some(r.id),
        recipient_kind: "citizen".into(),
        recipient: phone.e164().to_string(),
        language: r.language.code().into(),
        body,
        dedupe_key: format!("received:{}", r.id),
    }
}

#[cfg(test)]
mod tests;
