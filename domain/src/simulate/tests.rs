//! The generator's promises: deterministic, points in their tehsils, seasons, effects.
use super::*;
use crate::testing::{population, reference};

fn spec(seed: u64, effects: Vec<Effect>) -> SimSpec {
    SimSpec {
        seed,
        from: NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
        days: 3,
        per_day: 200,
        effects,
    }
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let (cat, geo, _) = reference();
    let run = |seed| {
        let mut s = Simulator::new(spec(seed, vec![]), cat, geo, population());
        (0..3).flat_map(|d| s.day(d)).collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn every_point_lies_in_its_tehsil_and_the_monsoon_brings_drain_reports() {
    let (cat, geo, _) = reference();
    let mut s = Simulator::new(spec(1, vec![]), cat, geo, population());
    let july: Vec<SimRequest> = (0..3).flat_map(|d| s.day(d)).collect();
    assert!(july.len() > 450, "{}", july.len());
    for r in &july {
        let p = geo.locate(r.lat, r.lon).expect("inside a district");
        assert_eq!(p.tehsil.as_deref(), Some(r.tehsil.as_str()));
    }
    let drains = july
        .iter()
        .filter(|r| r.service == "sewerage-drainage")
        .count();
    let mut january = Simulator::new(
        SimSpec {
            from: NaiveDate::from_ymd_opt(2026, 1, 10).expect("date"),
            ..spec(1, vec![])
        },
        cat,
        geo,
        population(),
    );
    let jan = (0..3)
        .flat_map(|d| january.day(d))
        .filter(|r| r.service == "sewerage-drainage")
        .count();
    assert!(drains * 2 > jan * 3, "monsoon {drains} vs January {jan}");
}

#[test]
fn an_effect_makes_resolution_faster_in_its_tehsils_only_from_its_date() {
    let (cat, geo, _) = reference();
    let e = Effect::parse("PK71303+PK71304:2026-07-02:days_to_resolve:-3", cat).expect("effect");
    let mut with = Simulator::new(spec(3, vec![e]), cat, geo, population());
    let mut without = Simulator::new(spec(3, vec![]), cat, geo, population());
    let (a, b): (Vec<_>, Vec<_>) = (
        (0..3).flat_map(|d| with.day(d)).collect(),
        (0..3).flat_map(|d| without.day(d)).collect(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        let inside = ["PK71303", "PK71304"].contains(&x.tehsil.as_str())
            && x.at
                >= crate::evidence::summary::pk_midnight(
                    NaiveDate::from_ymd_opt(2026, 7, 2).expect("d"),
                );
        assert_eq!(x.affected, inside);
        if inside {
            assert!(
                x.close_after_h <= y.close_after_h,
                "{} vs {}",
                x.close_after_h,
                y.close_after_h
            );
        } else {
            assert_eq!(x.close_after_h, y.close_after_h);
        }
    }
    assert!(a.iter().any(|x| x.affected));
}

#[test]
fn the_realized_shift_is_the_true_change_of_the_answer_time_after_the_clamps() {
    let (cat, geo, _) = reference();
    let e = Effect::parse("PK71303+PK71304:2026-07-01:days_to_resolve:-3", cat).expect("effect");
    let mut with = Simulator::new(spec(5, vec![e]), cat, geo, population());
    let mut without = Simulator::new(spec(5, vec![]), cat, geo, population());
    let (a, b): (Vec<_>, Vec<_>) = (
        (0..3).flat_map(|d| with.day(d)).collect(),
        (0..3).flat_map(|d| without.day(d)).collect(),
    );
    let (mut clamped, mut full) = (0, 0);
    for (x, y) in a.iter().zip(&b) {
        // The same draws with and without the effect: the difference is exactly the shift.
        let realized = if x.outcome == Outcome::Unanswered {
            0.0
        } else {
            (x.close_after_h - y.close_after_h) / 24.0
        };
        assert!((x.shift_days - realized).abs() < 1e-9, "{x:?}");
        assert!(x.shift_days <= 0.0 && x.shift_days >= -3.0 - 1e-9);
        if !x.affected {
            assert_eq!(x.shift_days, 0.0);
        }
        if x.affected && x.outcome != Outcome::Unanswered {
            if (x.shift_days + 3.0).abs() < 1e-9 {
                full += 1;
            } else {
                clamped += 1;
            }
        }
    }
    assert!(full > 0 && clamped > 0, "full {full}, clamped {clamped}");
}

#[test]
fn a_malformed_effect_is_refused_naming_what_is_accepted() {
    let (cat, _, _) = reference();
    for (bad, says) in [
        ("PK71303:2026-06-01:days_to_resolve", "AREA:FROM:KPI:CHANGE"),
        ("PK99999:2026-06-01:days_to_resolve:-3", "not a tehsil"),
        ("PK71303:June:days_to_resolve:-3", "YYYY-MM-DD"),
        ("PK71303:2026-06-01:happiness:+1", "requests_per_10k"),
        ("PK71303:2026-06-01:sla_compliance:+5", "between -1 and 1"),
    ] {
        let e = Effect::parse(bad, cat).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
}
