//! What a citizen may do with their own report after it is closed: reopen it within the
//! configured window when it is not really fixed, and rate how it was handled (a poor rating
//! reopens it too). The rules live here without I/O; the API checks the proof (the phone
//! number the report was made with) and the stores write the rating and the reopen together.

use crate::catalogue::Catalogue;
use crate::effects::{HistoryEntry, Message, NewMessage};
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::lifecycle::{fresh_deadlines, plan, state_of, Action, ActionWrite, Actor, Refusal};
use crate::messages::{citizen_sms, staff_message, Recipient};
use crate::phone::Phone;
use crate::request::ServiceRequest;
use crate::sla::WorkingHours;
use crate::status::Status;
use chrono::{DateTime, Duration, Utc};

/// A rating at or below this reopens a closed ticket (within the window).
pub const POOR_RATING: u8 = 2;
/// Longest rating comment, in characters.
pub const MAX_COMMENT: usize = 500;

/// Whether a ticket closed at `closed` may still be reopened by its reporter at `now`, with a
/// window of `reopen_days` days.
pub fn within_window(reopen_days: i64, closed: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - closed <= Duration::days(reopen_days)
}

/// A validated rating: 1 (very poor) to 5 (very good), keypad-friendly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating(u8);

impl Rating {
    /// Accepts 1–5.
    pub fn new(value: i64) -> Result<Rating> {
        match u8::try_from(value) {
            Ok(v @ 1..=5) => Ok(Rating(v)),
            _ => Err(Error::field(
                "rating",
                format!("{value} is not a rating; give a whole number from 1 (very poor) to 5 (very good)"),
            )),
        }
    }
    /// The number.
    pub fn value(self) -> u8 {
        self.0
    }
    /// Poor enough to reopen the ticket.
    pub fn is_poor(self) -> bool {
        self.0 <= POOR_RATING
    }
}

/// Trims a rating comment and checks its length (empty is allowed).
pub fn comment(text: Option<&str>) -> Result<Option<String>> {
    let t = text.unwrap_or("").trim();
    let n = t.chars().count();
    if n > MAX_COMMENT {
        return Err(Error::field(
            "comment",
            format!("must be at most {MAX_COMMENT} characters (it has {n})"),
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
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
    /// The voice rating, when the rater added their voice rather than reporting (0: none).
    pub voice_id: i64,
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
    /// The department's inbox message for a poor rating that cannot reopen (the reopen carries
    /// its own).
    pub messages: Vec<NewMessage>,
}

/// The deployment's rules for citizens' actions.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Reference data (department names for the SMS, SLA hours).
    pub catalogue: &'a Catalogue,
    /// Office hours, for a reopened ticket's fresh SLA.
    pub working_hours: &'a WorkingHours,
    /// Days after closing during which the reporter may reopen.
    pub reopen_days: i64,
}

/// The reporter's report and proven number, and the ticket acted on (the original when the
/// report was merged as a duplicate).
#[derive(Debug, Clone, Copy)]
pub struct Proven<'a> {
    /// The report the citizen named.
    pub reporter: &'a ServiceRequest,
    /// The number they proved it with.
    pub phone: &'a Phone,
    /// The language their SMS go out in (the report's, or the one they added their voice in).
    pub lang: Lang,
    /// The voice they added, when they are not the original reporter.
    pub voice_id: Option<i64>,
    /// The ticket acted on.
    pub ticket: &'a ServiceRequest,
}

/// The citizen reopens `p.ticket` because it is not really fixed: checked by the lifecycle
/// rules (closed as resolved, not fixed or not responsible; within the window; a reason).
pub fn reopen(
    policy: Policy<'_>,
    p: Proven<'_>,
    reason: &str,
    now: DateTime<Utc>,
) -> std::result::Result<ActionWrite, Refusal> {
    let reason = reason.trim();
    let action = Action::Reopen {
        reason: reason.to_string(),
    };
    let actor = Actor::Citizen {
        reopen_days: policy.reopen_days,
    };
    plan(&actor, &state_of(p.ticket), &action, now)?;
    Ok(reopen_write(policy, p, reason, now))
}

/// The reopen write for `p.ticket`: fresh SLA, audit rows (the citizen's words stay internal),
/// and an SMS to the reporter in their language. Only for a closing at `p.ticket.closed_at`.
fn reopen_write(policy: Policy<'_>, p: Proven<'_>, why: &str, now: DateTime<Utc>) -> ActionWrite {
    let t = p.ticket;
    let dept = t
        .department
        .as_deref()
        .and_then(|d| policy.catalogue.department(d))
        .map(|d| d.names.get(p.lang).to_string())
        .unwrap_or_default();
    let args = vec![
        ("status", "open".to_string()),
        ("dept", dept),
        ("note", String::new()),
    ];
    let key = format!("reopen:{}:{}", t.id, now.timestamp_micros());
    ActionWrite {
        request_id: t.id,
        from: t.status,
        to: Status::Open,
        department: None,
        duplicate_of: None,
        history: vec![
            HistoryEntry::internal(
                Status::Open,
                "citizen",
                format!("{} → open: reopened by the citizen: {why}", t.status),
            ),
            HistoryEntry::public_message(
                Status::Open,
                "citizen",
                "Reopened: the citizen says the problem is not fixed.",
                Message::new("hist-reopened-citizen", &[]),
            ),
        ],
        messages: std::iter::once(citizen_sms(
            p.reporter,
            &Recipient {
                phone: p.phone.clone(),
                lang: p.lang,
                key: String::new(),
            },
            "sms-status",
            args,
            key,
        ))
        .chain(t.department.as_deref().map(|code| {
            staff_message(
                policy.catalogue,
                t,
                code,
                "staff-reopened",
                vec![("why", why.chars().take(300).collect())],
                format!("staff-reopen:{}:{}", t.id, now.timestamp_micros()),
            )
        }))
        .collect(),
        notify_resolved: false,
        restart_sla: Some(fresh_deadlines(
            policy.catalogue,
            policy.working_hours,
            t,
            now,
        )),
        closed_at: t.closed_at,
    }
}

/// Why a rating cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRatable {
    /// Rejected as spam or abuse.
    Rejected,
    /// Still being worked on.
    NotClosed,
}

/// The rating write: the rating row and its internal history entry, plus the reopen when the
/// rating is poor and the ticket was closed within the reopen window.
pub fn rate(
    policy: Policy<'_>,
    p: Proven<'_>,
    rating: Rating,
    comment: Option<String>,
    channel: &str,
    now: DateTime<Utc>,
) -> std::result::Result<RatingWrite, NotRatable> {
    let t = p.ticket;
    let closed_at = match (t.status, t.closed_at) {
        (Status::Resolved | Status::ClosedNotFixed | Status::NotResponsible, Some(c)) => c,
        (Status::Rejected, _) => return Err(NotRatable::Rejected),
        _ => return Err(NotRatable::NotClosed),
    };
    let words = comment
        .as_deref()
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    let reopen =
        (rating.is_poor() && within_window(policy.reopen_days, closed_at, now)).then(|| {
            let why = format!("rated {}/5{words}", rating.value());
            reopen_write(policy, p, &why, now)
        });
    let messages = match (
        rating.is_poor() && reopen.is_none(),
        t.department.as_deref(),
    ) {
        (true, Some(code)) => vec![staff_message(
            policy.catalogue,
            t,
            code,
            "staff-poor-rating",
            vec![("rating", rating.value().to_string())],
            format!("staff-rating:{}:{}", t.id, now.timestamp_micros()),
        )],
        _ => vec![],
    };
    Ok(RatingWrite {
        messages,
        request_id: t.id,
        closed_at,
        reporter_request_id: p.reporter.id,
        voice_id: p.voice_id.unwrap_or(0),
        closed_status: t.status,
        department: t.department.clone(),
        rating: rating.value(),
        comment,
        channel: channel.to_string(),
        entry: HistoryEntry::internal(
            t.status,
            "citizen",
            format!("citizen rated {}/5{words}", rating.value()),
        ),
        reopen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ratings_outside_one_to_five_are_refused_naming_the_field() {
        for bad in [0, 6, -1, 300] {
            let e = Rating::new(bad).unwrap_err().to_string();
            assert!(e.contains("rating"), "{e}");
        }
        assert!(Rating::new(2).unwrap().is_poor());
        assert!(!Rating::new(3).unwrap().is_poor());
    }

    #[test]
    fn the_window_is_counted_from_closing() {
        let closed = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        assert!(within_window(7, closed, closed + Duration::days(7)));
        assert!(!within_window(
            7,
            closed,
            closed + Duration::days(7) + Duration::seconds(1)
        ));
    }

    #[test]
    fn a_long_comment_is_refused_and_a_blank_one_is_none() {
        assert_eq!(comment(Some("   ")).unwrap(), None);
        assert!(comment(Some(&"x".repeat(501))).is_err());
    }
}

#[cfg(test)]
mod decisions {
    use super::*;
    use crate::testing::{reference, request, t0};

    fn closed(id: i64, status: Status, days_ago: i64) -> ServiceRequest {
        let mut r = request(id);
        r.status = status;
        r.closed_at = Some(t0() - Duration::days(days_ago));
        r
    }

    fn policy<'a>(cat: &'a Catalogue, wh: &'a WorkingHours) -> Policy<'a> {
        Policy {
            catalogue: cat,
            working_hours: wh,
            reopen_days: 14,
        }
    }

    #[test]
    fn a_reopen_within_the_window_is_written_for_the_closing_it_saw() {
        let (cat, _, _) = reference();
        let wh = WorkingHours::default();
        let t = closed(1, Status::Resolved, 3);
        let phone = Phone::parse("03001234567").unwrap();
        let p = Proven {
            reporter: &t,
            phone: &phone,
            ticket: &t,
            lang: Lang::En,
            voice_id: None,
        };
        let w = reopen(policy(cat, &wh), p, "  still dry  ", t0()).unwrap();
        assert_eq!((w.from, w.to), (Status::Resolved, Status::Open));
        assert_eq!(w.closed_at, t.closed_at);
        assert!(w.history[0]
            .description
            .ends_with("reopened by the citizen: still dry"));
        assert!(!w.history[0].public && w.history[1].public);
        assert_eq!(w.messages[0].recipient, "+923001234567");
        assert!(w.restart_sla.is_some());
        let late = closed(2, Status::Resolved, 20);
        let p = Proven {
            ticket: &late,
            reporter: &late,
            phone: &phone,
            lang: Lang::En,
            voice_id: None,
        };
        assert_eq!(
            reopen(policy(cat, &wh), p, "still dry", t0()).unwrap_err(),
            Refusal::WindowPassed { days: 14 }
        );
    }

    #[test]
    fn a_poor_rating_reopens_within_the_window_and_a_good_one_never_does() {
        let (cat, _, _) = reference();
        let wh = WorkingHours::default();
        let phone = Phone::parse("03001234567").unwrap();
        let t = closed(3, Status::Resolved, 2);
        let p = Proven {
            reporter: &t,
            phone: &phone,
            ticket: &t,
            lang: Lang::En,
            voice_id: None,
        };
        let poor = Rating::new(1).unwrap();
        let w = rate(policy(cat, &wh), p, poor, Some("leaks".into()), "web", t0()).unwrap();
        assert!(w.reopen.is_some());
        assert_eq!(w.entry.description, "citizen rated 1/5: leaks");
        let good = Rating::new(5).unwrap();
        let w = rate(policy(cat, &wh), p, good, None, "web", t0()).unwrap();
        assert!(w.reopen.is_none());
        let old = closed(4, Status::Resolved, 30);
        let p = Proven {
            reporter: &old,
            phone: &phone,
            ticket: &old,
            lang: Lang::En,
            voice_id: None,
        };
        let w = rate(policy(cat, &wh), p, poor, None, "ussd", t0()).unwrap();
        assert!(
            w.reopen.is_none(),
            "outside the window the rating stands alone"
        );
    }

    #[test]
    fn open_and_rejected_reports_cannot_be_rated() {
        let (cat, _, _) = reference();
        let wh = WorkingHours::default();
        let phone = Phone::parse("03001234567").unwrap();
        let open = request(5);
        let rejected = closed(6, Status::Rejected, 1);
        for (t, why) in [
            (&open, NotRatable::NotClosed),
            (&rejected, NotRatable::Rejected),
        ] {
            let p = Proven {
                reporter: t,
                phone: &phone,
                ticket: t,
                lang: Lang::En,
                voice_id: None,
            };
            let e = rate(
                policy(cat, &wh),
                p,
                Rating::new(3).unwrap(),
                None,
                "api",
                t0(),
            );
            assert_eq!(e.unwrap_err(), why);
        }
    }
}
