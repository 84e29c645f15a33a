//! Triage decisions without a database: category, duplicates, priority, routing, SLA and the
//! reporter's SMS, from hand-built inputs.

use super::*;
use crate::testing::{reference, request, t0};

fn submitted(id: i64, service: &str, text: &str) -> ServiceRequest {
    let mut r = request(id);
    r.status = Status::Submitted;
    r.service_code = service.into();
    r.description = text.into();
    r.department = None;
    r.sla_due_at = None;
    r.ack_due_at = None;
    r
}

fn run(r: &ServiceRequest, nearby: &[ServiceRequest], phone: Option<&Phone>) -> TriageOutcome {
    let (cat, _, lex) = reference();
    let nearby: Vec<Neighbour> = nearby.iter().map(Neighbour::from).collect();
    decide(
        cat,
        lex,
        &TriageConfig::default(),
        TriageInput {
            request: r,
            nearby: &nearby,
            phone,
        },
    )
    .expect("triage decides")
}

#[test]
fn a_plain_report_is_routed_with_deadlines_and_the_reporter_is_told_where_it_went() {
    let r = submitted(10, "water-supply", "No water in our street since yesterday");
    let phone = Phone::parse("0300 1234567").unwrap();
    let o = run(&r, &[], Some(&phone));
    assert_eq!(o.status, Status::Open);
    assert_eq!(o.department.as_deref(), Some("phed-larkana"));
    let (due, ack) = (o.sla_due_at.unwrap(), o.ack_due_at.unwrap());
    assert!(t0() < ack && ack <= due);
    assert!(o.flags.is_empty(), "{:?}", o.flags);
    // The reporter's SMS, and the department's inbox told of its new ticket.
    assert_eq!(o.messages.len(), 2);
    assert_eq!(o.messages[0].dedupe_key, "received:10");
    assert_eq!(o.messages[0].recipient_kind, "citizen");
    assert_eq!(o.messages[1].recipient_kind, "department");
    assert_eq!(o.messages[1].recipient, "phed-larkana");
    let public: Vec<_> = o.history.iter().filter(|h| h.public).collect();
    assert_eq!(public.len(), 1);
    assert!(public[0].description.starts_with("Sent to "));
    let without_phone = run(&r, &[], None).messages;
    assert_eq!(
        without_phone.len(),
        1,
        "no phone, no SMS: {without_phone:?}"
    );
    assert_eq!(without_phone[0].recipient_kind, "department");
}

#[test]
fn a_report_filed_as_other_gets_the_service_its_words_clearly_name() {
    let (_, _, lex) = reference();
    let r = submitted(
        11,
        "other",
        "Garbage heap not collected, kachra everywhere, trash pile near the school gate",
    );
    let settled = settled_service(lex, &r);
    assert_eq!(settled, "solid-waste");
    let o = run(&r, &[], None);
    assert_eq!(o.service_code, settled);
    assert!(o
        .history
        .iter()
        .any(|h| h.description.starts_with("category set to solid-waste")));
}

#[test]
fn a_nearby_open_report_of_the_same_problem_makes_this_one_its_duplicate() {
    let mut original = request(20);
    original.department = Some("phed-larkana".into());
    let mut r = submitted(21, "water-supply", "No water here either");
    // About 20 m away: well inside 40 % of the 250 m radius.
    r.lat = Some(27.56018);
    let phone = Phone::parse("03009876543").unwrap();
    let o = run(&r, std::slice::from_ref(&original), Some(&phone));
    assert_eq!(o.status, Status::Duplicate);
    assert_eq!(o.duplicate_of, Some(20));
    assert_eq!(o.department.as_deref(), Some("phed-larkana"));
    assert_eq!((o.sla_due_at, o.ack_due_at), (None, None));
    assert!(o.messages[0].body.contains(&grouped(&original.reference)));
}

#[test]
fn a_report_farther_away_is_only_linked_for_staff_review() {
    let original = request(30);
    let mut r = submitted(31, "water-supply", "No water in the lane");
    // About 200 m away: within the radius, beyond 40 % of it.
    r.lat = Some(27.5618);
    let o = run(&r, std::slice::from_ref(&original), None);
    assert_eq!(o.status, Status::Open);
    assert_eq!(o.duplicate_of, None);
    assert_eq!(
        o.flags,
        vec![format!("possible_duplicate:{}", original.reference)]
    );
}

#[test]
fn a_later_report_nearby_never_makes_an_earlier_one_a_duplicate() {
    let later = request(41);
    let r = submitted(40, "water-supply", "No water");
    let o = run(&r, std::slice::from_ref(&later), None);
    assert_eq!(o.status, Status::Open);
    assert!(o.flags.is_empty());
}

#[test]
fn a_hazard_is_urgent_and_counts_clock_hours() {
    let r = submitted(
        50,
        "electricity",
        "Live wire hanging on the street, children play there",
    );
    let o = run(&r, &[], None);
    assert_eq!(o.priority, Priority::Urgent);
    let hours = (o.sla_due_at.unwrap() - t0()).num_hours();
    let (cat, _, _) = reference();
    let expected = cat
        .service("electricity")
        .unwrap()
        .sla_hours
        .for_priority(Priority::Urgent);
    assert_eq!(hours, i64::from(expected), "urgent SLAs run day and night");
    assert!(o
        .history
        .iter()
        .any(|h| h.description.contains("clock hours")));
}

#[test]
fn three_open_reports_nearby_raise_the_priority() {
    let nearby: Vec<ServiceRequest> = (60..63)
        .map(|id| {
            let mut o = request(id);
            o.lat = Some(27.562); // ~220 m: not a duplicate
            o
        })
        .collect();
    let r = submitted(70, "water-supply", "No water");
    let o = run(&r, &nearby, None);
    assert_eq!(o.priority, Priority::High);
}

#[test]
fn a_service_no_routing_row_covers_goes_to_the_coordinators_desk_and_is_flagged() {
    let (cat, _, lex) = reference();
    let routing = cat
        .routing
        .iter()
        .filter(|r| !(r.district == "PK717" && r.service == "roads"))
        .cloned()
        .collect();
    let trimmed = Catalogue::new(
        cat.provinces.clone(),
        cat.districts.clone(),
        cat.tehsils.clone(),
        cat.services.clone(),
        cat.departments.clone(),
        routing,
    )
    .unwrap();
    let mut r = submitted(80, "roads", "Road broken near the bazaar");
    r.district = "PK717".into();
    r.tehsil = None;
    let o = decide(
        &trimmed,
        lex,
        &TriageConfig::default(),
        TriageInput {
            request: &r,
            nearby: &[],
            phone: None,
        },
    )
    .unwrap();
    assert!(o.flags.contains(&"unrouted".to_string()));
    let desk = cat
        .departments
        .iter()
        .find(|d| d.district == "PK717" && d.coordinator)
        .unwrap();
    assert_eq!(o.department.as_deref(), Some(desk.code.as_str()));
    // With the fixtures' own matrix the same report has a department and no flag.
    let o = run(&r, &[], None);
    assert_eq!(o.department.as_deref(), Some("ws-naushahro-feroze"));
    assert!(!o.flags.contains(&"unrouted".to_string()));
}
