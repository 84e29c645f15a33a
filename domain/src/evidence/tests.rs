//! Hand-computed cases for every key figure.

use super::*;
use crate::status::{Channel, Priority, Status};
use crate::testing::{population, reference};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;

fn day(d: i64) -> DateTime<Utc> {
    // Day 0 = 2026-01-01 00:00 UTC (05:00 in Pakistan).
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time")
        + Duration::days(d)
}

fn fact(id: i64, created: i64, status: Status) -> Fact {
    Fact {
        id,
        service: "water-supply".into(),
        province: "PK7".into(),
        district: "PK713".into(),
        tehsil: Some("PK71303".into()),
        lat: Some(27.56),
        lon: Some(68.21),
        channel: Channel::Web,
        priority: Priority::Normal,
        status,
        created_at: day(created),
        responded_at: None,
        closed_at: None,
        sla_due_at: Some(day(created + 3)),
        reporters: 1,
        reopen_count: 0,
    }
}

fn answered(mut f: Fact, responded: i64, closed: i64) -> Fact {
    f.responded_at = Some(day(responded));
    f.closed_at = Some(day(closed));
    f
}

fn spec(by: &str, min_cell: Option<u64>) -> SummarySpec {
    SummarySpec {
        from: day(0),
        to: day(31),
        by: Dimension::parse_list(by).expect("by"),
        min_cell,
        districts: vec!["PK713".into()],
        tehsil: None,
    }
}

fn run(facts: &[Fact], ratings: &HashMap<i64, Vec<u8>>, s: &SummarySpec) -> Vec<Row> {
    summarise(facts, ratings, s, &reference().0, population())
}

#[test]
fn sla_compliance_counts_only_requests_due_by_the_end_of_the_window() {
    let facts = [
        answered(fact(1, 0, Status::Resolved), 0, 2), // due day 3, answered day 2: met
        answered(fact(2, 1, Status::Resolved), 1, 3), // due day 4, answered day 3: met
        answered(fact(3, 2, Status::ClosedNotFixed), 3, 9), // due day 5, answered day 9: missed
        fact(4, 5, Status::Open),                     // due day 8, still open: missed
        fact(5, 29, Status::Open),                    // due day 32, after the end: not yet due
    ];
    let k = &run(&facts, &HashMap::new(), &spec("", None))[0].figures;
    assert_eq!(k.sla_due, Cell::Value(4));
    assert_eq!(k.sla_compliance, Cell::Value(0.5));
    assert_eq!(k.sla_not_yet_due, Cell::Value(1));
}

#[test]
fn a_request_still_open_at_the_end_is_censored_not_dropped() {
    let facts = [
        answered(fact(1, 0, Status::Resolved), 0, 1),
        answered(fact(2, 0, Status::Resolved), 0, 2),
        fact(3, 0, Status::Open), // watched 31 days, no answer
        answered(fact(4, 0, Status::Resolved), 0, 10),
        answered(fact(5, 0, Status::Resolved), 0, 40), // answered after the window: censored
    ];
    let k = &run(&facts, &HashMap::new(), &spec("", None))[0].figures;
    // Times 1, 2, 10 resolved; 31, 31 censored. S(1)=0.8, S(2)=0.6, S(10)=0.4 → median 10.
    // Dropping the two would give a median of 2.
    assert_eq!(k.days_to_resolve_median, Cell::Value(10.0));
    assert_eq!(k.resolve_censored, Cell::Value(2));
    assert_eq!(k.days_to_resolve_p90, Cell::Unknown, "90% never reached");
    // S(30) = 0.4 → 60% answered within 30 days.
    let within = k.resolved_within_30_days.value().expect("watched 31 days");
    assert!((within - 0.6).abs() < 1e-9, "{within}");
}

#[test]
fn duplicates_and_rejected_reports_are_outcomes_but_not_in_times_or_backlog() {
    let mut dup = fact(3, 1, Status::Duplicate);
    dup.closed_at = Some(day(1));
    let facts = [
        answered(fact(1, 0, Status::Resolved), 1, 2),
        fact(2, 0, Status::Open),
        dup,
        fact(4, 0, Status::Rejected),
    ];
    let k = &run(&facts, &HashMap::new(), &spec("", None))[0].figures;
    assert_eq!(k.received, Cell::Value(4));
    assert_eq!(k.resolve_n, Cell::Value(2));
    assert_eq!(k.backlog_at_end, Cell::Value(1));
    assert_eq!(k.duplicate_share, Cell::Value(0.25));
    assert_eq!(k.share_open, Cell::Value(0.25));
    assert_eq!(k.share_rejected, Cell::Value(0.25));
}

#[test]
fn the_backlog_at_the_end_counts_older_requests_still_open() {
    let facts = [
        fact(1, -40, Status::Open), // before the window, still open
        answered(fact(2, -40, Status::Resolved), -40, 5), // closed inside the window
        fact(3, 2, Status::Open),
    ];
    let rows = run(&facts, &HashMap::new(), &spec("", None));
    assert_eq!(rows[0].figures.received, Cell::Value(1));
    assert_eq!(rows[0].figures.backlog_at_end, Cell::Value(2));
}

#[test]
fn the_backlog_of_each_month_is_taken_at_that_months_end() {
    let s = SummarySpec {
        to: day(59),
        ..spec("month", None)
    };
    // Created in January, closed on 10 February: open at the end of January only.
    let facts = [
        answered(fact(1, 3, Status::Resolved), 4, 40),
        fact(2, 35, Status::Open),
    ];
    let rows = run(&facts, &HashMap::new(), &s);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].group["month"], "2026-01");
    assert_eq!(rows[0].figures.backlog_at_end, Cell::Value(1));
    assert_eq!(rows[1].group["month"], "2026-02");
    assert_eq!(
        rows[1].figures.backlog_at_end,
        Cell::Value(1),
        "only the February one"
    );
}

#[test]
fn reopen_rate_outcomes_voices_and_ratings_are_computed_by_hand() {
    let mut reopened = answered(fact(2, 0, Status::Resolved), 0, 5);
    reopened.reopen_count = 1;
    reopened.reporters = 3;
    let facts = [
        answered(fact(1, 0, Status::Resolved), 0, 1),
        reopened,
        answered(fact(3, 0, Status::NotResponsible), 0, 1),
        fact(4, 0, Status::Referred),
    ];
    let ratings = HashMap::from([(1, vec![5]), (2, vec![1, 4]), (3, vec![2])]);
    let k = &run(&facts, &ratings, &spec("", None))[0].figures;
    assert_eq!(
        k.reopen_rate.value().map(|v| (v * 1e6).round()),
        Some(333_333.0)
    );
    assert_eq!(k.share_referred, Cell::Value(0.25));
    assert_eq!(k.share_not_responsible, Cell::Value(0.25));
    assert_eq!(k.voices_per_request, Cell::Value(1.5));
    assert_eq!(k.ratings, Cell::Value(4));
    assert_eq!(k.rating_mean, Cell::Value(3.0));
    assert_eq!(k.satisfied_share, Cell::Value(0.5));
    assert_eq!((k.rating_1, k.rating_3), (Cell::Value(1), Cell::Value(0)));
}

#[test]
fn fewer_than_five_requests_are_suppressed_for_evaluators_and_exact_for_staff() {
    let facts: Vec<Fact> = (1..=4).map(|i| fact(i, 1, Status::Open)).collect();
    let evaluator = &run(&facts, &HashMap::new(), &spec("", Some(5)))[0];
    assert_eq!(evaluator.figures.received, Cell::Suppressed(5));
    assert_eq!(evaluator.per_10k, Cell::Suppressed(5));
    let json = serde_json::to_value(evaluator).expect("json");
    assert_eq!(json["received"], "fewer than 5");
    assert_eq!(json["backlog_at_end"], "fewer than 5");
    let staff = &run(&facts, &HashMap::new(), &spec("", None))[0];
    assert_eq!(staff.figures.received, Cell::Value(4));
    // Five requests are shown, but their three ratings are not.
    let five: Vec<Fact> = (1..=5).map(|i| fact(i, 1, Status::Open)).collect();
    let ratings = HashMap::from([(1, vec![5]), (2, vec![4]), (3, vec![4])]);
    let row = &run(&five, &ratings, &spec("", Some(5)))[0];
    assert_eq!(row.figures.received, Cell::Value(5));
    assert_eq!(row.figures.rating_mean, Cell::Suppressed(5));
}

#[test]
fn a_rate_needs_a_known_comparable_population() {
    let mut quetta = fact(1, 1, Status::Open);
    quetta.district = "PK226".into();
    quetta.province = "PK2".into();
    quetta.tehsil = Some("PK22602".into());
    let larkana = fact(2, 1, Status::Open);
    let rows = run(&[quetta, larkana], &HashMap::new(), &spec("tehsil", None));
    let by: HashMap<&str, &Row> = rows
        .iter()
        .map(|r| (r.group["tehsil"].as_str(), r))
        .collect();
    assert_eq!(
        by["PK22602"].per_10k,
        Cell::Unknown,
        "Quetta City: census unit differs"
    );
    assert_eq!(by["PK22602"].population, None);
    let lk = by["PK71303"]
        .per_10k
        .value()
        .expect("Larkana tehsil is known");
    assert!((lk - 10_000.0 / 873_868.0).abs() < 1e-12, "{lk}");
    // Without a place breakdown the districts in scope are the denominator.
    let all = &run(
        &[fact(3, 1, Status::Open)],
        &HashMap::new(),
        &spec("service", None),
    )[0];
    assert_eq!(all.population, Some(1_784_453));
}

#[test]
fn a_request_counts_under_each_sdg_target_of_its_service() {
    let cat = &reference().0;
    let svc = cat
        .services
        .iter()
        .find(|s| s.sdg.targets.len() > 1)
        .expect("a service with two targets");
    let mut f = fact(1, 1, Status::Open);
    f.service = svc.code.clone();
    let rows = run(&[f], &HashMap::new(), &spec("sdg", None));
    let targets: Vec<&str> = rows.iter().map(|r| r.group["sdg"].as_str()).collect();
    let mut expected: Vec<&str> = svc.sdg.targets.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(targets, expected);
}

#[test]
fn periods_are_labelled_as_a_planner_reads_them() {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let label = |p: Period| p.label(p.start_of(d));
    assert_eq!(label(Period::Day), "2026-11-26");
    assert_eq!(label(Period::Week), "2026-W48");
    assert_eq!(label(Period::Month), "2026-11");
    assert_eq!(label(Period::Quarter), "2026-Q4");
    assert_eq!(label(Period::Year), "2026");
}

#[test]
fn an_unknown_breakdown_is_refused_with_the_accepted_words() {
    let e = Dimension::parse_list("district,colour")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("by") && e.contains("colour") && e.contains("quarter"),
        "{e}"
    );
    let e = Dimension::parse_list("month,year").unwrap_err().to_string();
    assert!(e.contains("at most one"), "{e}");
}

fn plan_spec(min_cell: Option<u64>) -> PlanSpec {
    PlanSpec {
        to: day(31),
        min_cell,
        radius_m: 250.0,
        min_size: 5,
    }
}

fn in_tehsil(id: i64, tehsil: &str, service: &str) -> Fact {
    let mut f = fact(id, 1, Status::Open);
    f.tehsil = Some(tehsil.into());
    f.service = service.into();
    f
}

#[test]
fn needs_are_ranked_by_requests_per_ten_thousand_residents_with_growth_and_unresolved_share() {
    let (cat, pop) = (&reference().0, population());
    let mut current = Vec::new();
    // Larkana tehsil (873,868 residents): 10 water reports, 4 answered.
    for i in 0..10 {
        let mut f = in_tehsil(i, "PK71303", "water-supply");
        if i < 4 {
            f.status = Status::Resolved;
            f = answered(f, 1, 3);
        }
        current.push(f);
    }
    // Dokri (257,394): 6 drain reports, a higher rate than Larkana's 10.
    current.extend((10..16).map(|i| in_tehsil(i, "PK71302", "sewerage-drainage")));
    // Ratodero: 2 reports, below the small-cell threshold.
    current.extend((16..18).map(|i| in_tehsil(i, "PK71304", "roads")));
    let previous: Vec<Fact> = (20..25)
        .map(|i| in_tehsil(i, "PK71303", "water-supply"))
        .collect();
    let p = plan(&current, &previous, &plan_spec(Some(5)), cat, pop);
    assert_eq!(
        p.suppressed_groups, 1,
        "Ratodero's two reports are not listed"
    );
    assert_eq!(p.needs.len(), 2);
    let (first, second) = (&p.needs[0], &p.needs[1]);
    assert_eq!((first.rank, first.tehsil.as_str()), (1, "PK71302"));
    let rate = first.per_10k.value().unwrap();
    assert!((rate - 6.0 * 10_000.0 / 257_394.0).abs() < 1e-9);
    assert_eq!(first.sdg_targets, vec!["6.2", "6.3"]);
    assert_eq!(
        first.growth,
        Cell::Suppressed(5),
        "nothing before: no growth to show"
    );
    assert_eq!((second.rank, second.tehsil.as_str()), (2, "PK71303"));
    assert_eq!(second.previous, Cell::Value(5));
    assert_eq!(second.growth, Cell::Value(1.0), "10 against 5: doubled");
    assert_eq!(second.unresolved_share, Cell::Value(0.6));
    // Exact for a coordinator: all three listed.
    assert_eq!(
        plan(&current, &previous, &plan_spec(None), cat, pop)
            .needs
            .len(),
        3
    );
}

#[test]
fn a_tehsil_without_a_comparable_population_is_ranked_after_those_with_one() {
    let (cat, pop) = (&reference().0, population());
    let mut current: Vec<Fact> = (0..50)
        .map(|i| in_tehsil(i, "PK22602", "solid-waste"))
        .collect();
    current.extend((50..55).map(|i| in_tehsil(i, "PK22601", "water-supply")));
    let p = plan(&current, &[], &plan_spec(None), cat, pop);
    assert_eq!(p.needs[0].tehsil, "PK22601");
    assert_eq!(p.needs[1].tehsil, "PK22602");
    assert_eq!(p.needs[1].per_10k, Cell::Unknown);
}

#[test]
fn an_evaluators_hotspots_are_never_smaller_than_the_small_cell_threshold() {
    let (cat, pop) = (&reference().0, population());
    let current: Vec<Fact> = (0..4).map(|i| in_tehsil(i, "PK71303", "roads")).collect();
    let mut spec = plan_spec(Some(5));
    spec.min_size = 2;
    assert!(plan(&current, &[], &spec, cat, pop).hotspots.is_empty());
    spec.min_cell = None;
    let h = plan(&current, &[], &spec, cat, pop).hotspots;
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].count, 4);
}
