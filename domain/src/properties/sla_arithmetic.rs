//! Properties of SLA arithmetic: due times never before the start, monotone in hours, inside working hours.

use super::*;
use crate::sla::{acknowledge_by, due_at, WorkingHours};
use crate::status::Priority;
use crate::testing::reference;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A start time between 2020 and 2036, to the second, sometimes with nanoseconds.
fn start() -> impl Strategy<Value = DateTime<Utc>> {
    (
        1_577_836_800i64..2_082_758_400,
        prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
    )
        .prop_map(|(s, n)| Utc.timestamp_opt(s, n).single().unwrap())
}

/// Office hours as `SAHULAT_WORKING_HOURS` writes them, with `min_minutes` or more a day.
fn working_hours(min_minutes: u32) -> impl Strategy<Value = WorkingHours> {
    (0usize..7, 0usize..7, 0u32..(24 * 60 - min_minutes))
        .prop_flat_map(move |(d0, d1, open)| {
            (Just((d0, d1, open)), (open + min_minutes)..(24 * 60))
        })
        .prop_map(|((d0, d1, open), close)| {
            let s = format!(
                "{}-{} {:02}:{:02}-{:02}:{:02}",
                DAYS[d0],
                DAYS[d1],
                open / 60,
                open % 60,
                close / 60,
                close % 60
            );
            WorkingHours::parse(&s).unwrap_or_else(|e| panic!("{e}"))
        })
}

fn in_hours(wh: &WorkingHours, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&wh.offset);
    wh.days[local.weekday().num_days_from_monday() as usize]
        && local.time() >= wh.start
        && local.time() <= wh.end
}

fn priority() -> impl Strategy<Value = Priority> {
    proptest::sample::select(Priority::ALL.to_vec())
}

/// Realistic offices: at least two hours on at least one day a week; the catalogue's
/// SLAs are at most 720 hours.
fn realistic() -> impl Strategy<Value = WorkingHours> {
    prop_oneof![Just(WorkingHours::default()), working_hours(120),]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_due_time_is_never_before_its_start_and_urgent_ones_count_clock_hours(
        wh in realistic(), s in start(), p in priority(), hours in 0u32..=720,
    ) {
        let due = due_at(&wh, s, p, hours);
        prop_assert!(due >= s);
        if p == Priority::Urgent {
            prop_assert_eq!(due, s + Duration::hours(i64::from(hours)));
        }
        let ack = acknowledge_by(&wh, s, p, hours);
        prop_assert!(ack >= s);
        if hours >= 1 {
            prop_assert!(ack <= due, "acknowledge by {} after due {}", ack, due);
        }
    }

    #[test]
    fn more_sla_hours_never_give_an_earlier_due_time(
        wh in realistic(), s in start(), p in priority(), a in 0u32..=720, more in 0u32..=720,
    ) {
        let b = (a + more).min(720);
        prop_assert!(due_at(&wh, s, p, a) <= due_at(&wh, s, p, b));
        prop_assert!(acknowledge_by(&wh, s, p, a) <= acknowledge_by(&wh, s, p, b));
    }

    #[test]
    fn working_hours_arithmetic_lands_inside_working_hours_and_adds_up(
        wh in realistic(), s in start(), a in 0u32..=360, b in 1u32..=360,
    ) {
        let t = wh.add_working_hours(s, a);
        prop_assert!(in_hours(&wh, t), "{} + {}h = {} ({:?})", s, a, t, wh);
        prop_assert!(t >= s);
        // Zero hours from a moment the office is open is that moment. (Open means
        // `start <= time < end` here: the code treats closing time as open for a due time
        // that lands on it but as closed for a start, so 0 hours from 16:00 is 08:00 the
        // next working day. Harmless while no SLA is 0 hours.)
        let local = s.with_timezone(&wh.offset);
        let open_now = wh.days[local.weekday().num_days_from_monday() as usize]
            && local.time() >= wh.start
            && local.time() < wh.end;
        if open_now && a == 0 {
            prop_assert_eq!(t, s);
        }
        // Counting a then b working hours is counting a + b.
        prop_assert_eq!(wh.add_working_hours(t, b), wh.add_working_hours(s, a + b));
    }

    #[test]
    fn every_catalogue_sla_is_met_inside_working_hours_for_every_office_week_the_settings_accept(
        wh in working_hours(1), s in start(),
        (service, p) in (any::<proptest::sample::Index>(), priority()),
        more in 1u32..=48,
    ) {
        let cat = &reference().0;
        let hours = service.get(&cat.services).sla_hours.for_priority(p);
        prop_assume!(p != Priority::Urgent);
        let due = due_at(&wh, s, p, hours);
        prop_assert!(
            in_hours(&wh, due),
            "{} + {} working hours under {:?} = {}, outside working hours", s, hours, wh, due
        );
        let later = due_at(&wh, s, p, hours + more);
        prop_assert!(
            due <= later,
            "{} working hours → {}, but {} → {} (under {:?})", hours, due, hours + more, later, wh
        );
    }
}

/// The minimal realistic case the property above finds: an office open one hour a week
/// (`SAHULAT_WORKING_HOURS="fri-fri 09:00-10:00"`, which `WorkingHours::parse` accepts) and
/// the catalogue's longest SLA (roads/schools, low priority: 720 hours). The search in
/// `add_working_hours` gives up after 3,660 days (about 523 such hours) and silently counts
/// clock hours instead: 720 working hours come out 30 calendar days later, at night, and
/// *earlier* than 500 working hours do.
#[test]
fn an_office_open_one_hour_a_week_still_counts_working_hours_for_the_longest_catalogue_sla() {
    let wh = WorkingHours::parse("fri-fri 09:00-10:00").unwrap();
    let s = crate::testing::t0();
    let shorter = wh.add_working_hours(s, 500);
    let longest = wh.add_working_hours(s, 720);
    assert!(
        in_hours(&wh, longest),
        "{s} + 720 working hours = {longest}, outside fri 09:00-10:00 (+05:00)"
    );
    assert!(
        shorter <= longest,
        "500 working hours → {shorter}, but 720 → {longest}"
    );
}
