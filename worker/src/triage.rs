//! The `triage` job: category check, duplicates, priority, routing and SLA for one new
//! request, decided by the pure rules in `sahulat_domain` and written in one transaction.

use crate::{JobError, Worker};
use sahulat_domain::lang::Lang;
use sahulat_domain::messages;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::{ServiceRequest, Status};
use sahulat_domain::routing::{self, RouteRule};
use sahulat_domain::sla;
use sahulat_domain::store::{haversine_m, HistoryEntry, Job, NewMessage, TriageOutcome};
use sahulat_domain::triage::{self, CategoryCheck, PriorityInput};

/// A duplicate closer than this share of the search radius is certain; farther ones are only
/// linked for staff review.
pub const CERTAIN_DUPLICATE_SHARE: f64 = 0.4;

fn internal(description: String) -> HistoryEntry {
    HistoryEntry {
        status: Status::Submitted,
        public: false,
        description,
        actor: "triage".into(),
    }
}

fn grouped(reference: &str) -> String {
    Reference::parse(reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| reference.to_string())
}

impl Worker {
    pub(crate) async fn triage(&self, job: &Job) -> Result<(), JobError> {
        let id = job.payload["request_id"]
            .as_i64()
            .ok_or_else(|| JobError::Retry("triage job without request_id".into()))?;
        if !self.config.triage_delay.is_zero() {
            tokio::time::sleep(self.config.triage_delay).await;
        }
        let Some(r) = self.store.request_by_id(id).await? else {
            tracing::warn!(request = id, "triage: request no longer exists");
            return Ok(());
        };
        if r.status != Status::Submitted {
            return Ok(()); // already triaged: a repeated delivery changes nothing
        }
        let outcome = self.decide(&r).await?;
        if !self.store.apply_triage(&outcome, self.clock.now()).await? {
            tracing::info!(
                request = id,
                "triage: request changed meanwhile; nothing written"
            );
        }
        Ok(())
    }

    async fn decide(&self, r: &ServiceRequest) -> Result<TriageOutcome, JobError> {
        let cat = &self.catalogue;
        let text = format!("{} {}", r.description, r.address.as_deref().unwrap_or(""));
        let mut history = Vec::new();
        let mut flags = Vec::new();

        let service_code = match self.lexicon.check_category(&r.service_code, &text) {
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
            .ok_or_else(|| JobError::Retry(format!("unknown service {service_code}")))?;

        let nearby = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => {
                let since = r.created_at - self.config.duplicate_window;
                self.store
                    .nearby_open(
                        &service_code,
                        lat,
                        lon,
                        self.config.duplicate_radius_m,
                        since,
                        r.id,
                    )
                    .await?
            }
            _ => Vec::new(),
        };
        let earlier: Vec<&ServiceRequest> = nearby.iter().filter(|o| o.id < r.id).collect();
        let certain = earlier.iter().find(|o| match (r.lat, r.lon, o.lat, o.lon) {
            (Some(a), Some(b), Some(c), Some(d)) => {
                haversine_m(a, b, c, d) <= self.config.duplicate_radius_m * CERTAIN_DUPLICATE_SHARE
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

        let (priority, reasons) = triage::priority(
            &self.lexicon,
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
        let phone = self.store.contact(r.id).await?.and_then(|c| c.phone);
        let mut messages = Vec::new();
        let (status, sla_due_at, ack_due_at, public) = if let Some(o) = certain {
            let public = HistoryEntry {
                status: Status::Duplicate,
                public: true,
                description: format!("Same problem as {}, already reported nearby; you will be told when it is fixed.", grouped(&o.reference)),
                actor: "triage".into(),
            };
            if let Some(p) = &phone {
                let body = messages::text(
                    lang,
                    "sms-duplicate",
                    &[("ref", reference.clone()), ("orig", grouped(&o.reference))],
                );
                messages.push(citizen_message(r.id, p.e164(), lang, body));
            }
            (Status::Duplicate, None, None, public)
        } else {
            let hours = service.sla_hours.for_priority(priority);
            let due = sla::due_at(&self.config.working_hours, r.created_at, priority, hours);
            let ack =
                sla::acknowledge_by(&self.config.working_hours, r.created_at, priority, hours);
            history.push(internal(format!(
                "due {} ({hours} {} hours for {priority} {service_code})",
                due.to_rfc3339(),
                if priority == sahulat_domain::request::Priority::Urgent {
                    "clock"
                } else {
                    "working"
                }
            )));
            let dept = dept_name
                .as_ref()
                .map(|n| n.get(lang).to_string())
                .unwrap_or_else(|| "the district coordinator".into());
            let public = HistoryEntry {
                status: Status::Open,
                public: true,
                description: format!(
                    "Sent to {}; due by {}.",
                    dept_name
                        .as_ref()
                        .map(|n| n.en.as_str())
                        .unwrap_or("the district coordinator"),
                    pkt_date(due)
                ),
                actor: "triage".into(),
            };
            if let Some(p) = &phone {
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
                messages.push(citizen_message(r.id, p.e164(), lang, body));
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
}

fn citizen_message(request_id: i64, phone: &str, lang: Lang, body: String) -> NewMessage {
    NewMessage {
        request_id: Some(request_id),
        recipient_kind: "citizen".into(),
        recipient: phone.to_string(),
        language: lang.code().into(),
        body,
        dedupe_key: format!("received:{request_id}"),
    }
}

/// `28 Nov` in Pakistan time.
pub(crate) fn pkt_date(t: chrono::DateTime<chrono::Utc>) -> String {
    let pkt = chrono::FixedOffset::east_opt(5 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    t.with_timezone(&pkt).format("%d %b %H:%M").to_string()
}
