//! SLA due times. Ordinary requests count *working* hours (by default Monday–Saturday,
//! 08:00–16:00 Pakistan time, configurable with `SAHULAT_WORKING_HOURS`); urgent hazards count
//! clock hours, day and night.

use crate::status::Priority;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Utc};

/// Working days and hours in a fixed time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    /// Monday = 0 … Sunday = 6.
    pub days: [bool; 7],
    /// Opening time.
    pub start: NaiveTime,
    /// Closing time (after `start`).
    pub end: NaiveTime,
    /// The offices' time zone (Pakistan: UTC+5, no daylight saving).
    pub offset: FixedOffset,
}

/// The format `SAHULAT_WORKING_HOURS` accepts.
pub const WORKING_HOURS_FORMAT: &str =
    "DAY-DAY HH:MM-HH:MM, e.g. \"mon-sat 08:00-16:00\" or \"mon-fri 09:00-17:00\"";

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            days: [true, true, true, true, true, true, false],
            start: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
            offset: FixedOffset::east_opt(5 * 3600)
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset")),
        }
    }
}

impl WorkingHours {
    /// Parses `mon-sat 08:00-16:00`.
    pub fn parse(s: &str) -> Result<WorkingHours, String> {
        let bad = || format!("{s:?} is not {WORKING_HOURS_FORMAT}");
        let (days, hours) = s.trim().split_once(' ').ok_or_else(bad)?;
        let (d0, d1) = days.split_once('-').ok_or_else(bad)?;
        let idx = |d: &str| {
            DAYS.iter()
                .position(|x| x.eq_ignore_ascii_case(d.trim()))
                .ok_or_else(bad)
        };
        let (a, b) = (idx(d0)?, idx(d1)?);
        let mut set = [false; 7];
        let mut i = a;
        loop {
            set[i] = true;
            if i == b {
                break;
            }
            i = (i + 1) % 7;
        }
        let (h0, h1) = hours.trim().split_once('-').ok_or_else(bad)?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (t(h0)?, t(h1)?);
        if end <= start {
            return Err(bad());
        }
        Ok(WorkingHours {
            days: set,
            start,
            end,
            ..Default::default()
        })
    }

    /// `start` plus `hours` of working time.
    pub fn add_working_hours(&self, start: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
        let mut remaining = Duration::hours(i64::from(hours));
        let mut t = start.with_timezone(&self.offset);
        // Any seven days from any instant hold exactly one week of working time (the offset is
        // fixed), so whole weeks are skipped at once: an office open an hour a week still
        // gets a due time inside its hours, not a clock-time guess after a long walk.
        let daily = (self.end - self.start).max(Duration::zero());
        let weekly = daily * self.days.iter().filter(|d| **d).count() as i32;
        if weekly > Duration::zero() && remaining > weekly {
            let whole = (remaining - Duration::nanoseconds(1)).num_seconds() / weekly.num_seconds();
            t += Duration::weeks(whole);
            remaining -= weekly * whole as i32;
        }
        for _ in 0..3660 {
            let day = t.date_naive();
            let open = self.days[t.weekday().num_days_from_monday() as usize];
            if open {
                let opens = self.at(day, self.start);
                let closes = self.at(day, self.end);
                let begin = if t > opens { t } else { opens };
                if begin < closes {
                    let available = closes - begin;
                    if remaining <= available {
                        return (begin + remaining).with_timezone(&Utc);
                    }
                    remaining -= available;
                }
            }
            t = self.at(day.succ_opt().unwrap_or(day), NaiveTime::MIN);
        }
        (start + Duration::hours(i64::from(hours))).max(start)
    }

    fn at(&self, day: chrono::NaiveDate, time: NaiveTime) -> DateTime<FixedOffset> {
        self.offset
            .from_local_datetime(&day.and_time(time))
            .single()
            .unwrap_or_else(|| self.offset.from_utc_datetime(&day.and_time(time)))
    }
}

/// When a request of `priority` received at `start` should be resolved.
pub fn due_at(
    hours: &WorkingHours,
    start: DateTime<Utc>,
    priority: Priority,
    sla_hours: u32,
) -> DateTime<Utc> {
    match priority {
        Priority::Urgent => start + Duration::hours(i64::from(sla_hours)),
        _ => hours.add_working_hours(start, sla_hours),
    }
}

/// When a department should at least have acknowledged it: a quarter of the SLA, at most one
/// working day (urgent: a quarter of the clock hours, at least one hour).
pub fn acknowledge_by(
    hours: &WorkingHours,
    start: DateTime<Utc>,
    priority: Priority,
    sla_hours: u32,
) -> DateTime<Utc> {
    let quarter = (sla_hours / 4).max(1);
    match priority {
        Priority::Urgent => start + Duration::hours(i64::from(quarter)),
        _ => {
            let day = (hours.end - hours.start).num_hours().max(1) as u32;
            hours.add_working_hours(start, quarter.min(day))
        }
    }
}

/// Highest escalation level.
pub const MAX_ESCALATION: i32 = 3;

/// How many deadlines an open request has missed by `now`: not acknowledged by its
/// acknowledge-by time (1), not resolved by its due time (2), and each further SLA period
/// without resolution (3). Escalation raises the request to this level.
pub fn escalation_target(r: &crate::request::ServiceRequest, now: DateTime<Utc>) -> i32 {
    if !r.status.is_open() {
        return 0;
    }
    let mut level = 0;
    if let Some(ack) = r.ack_due_at {
        let late_ack = match r.acknowledged_at {
            None => now > ack,
            Some(at) => at > ack,
        };
        if late_ack {
            level = 1;
        }
    }
    if let Some(due) = r.sla_due_at {
        if now > due {
            level = level.max(2);
            let start = r.sla_started_at.unwrap_or(r.created_at);
            let span = (due - start).max(Duration::hours(1));
            if now > due + span {
                level = MAX_ESCALATION;
            }
        }
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(5 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_request_on_saturday_afternoon_with_8_working_hours_is_due_monday_afternoon() {
        let wh = WorkingHours::default();
        // Saturday 28 Nov 2026 15:00 PKT: one hour left on Saturday, Sunday closed, 7 hours on Monday.
        assert_eq!(
            wh.add_working_hours(pkt(2026, 11, 28, 15, 0), 8),
            pkt(2026, 11, 30, 15, 0)
        );
    }

    #[test]
    fn a_request_at_night_starts_counting_when_the_office_opens() {
        let wh = WorkingHours::default();
        assert_eq!(
            wh.add_working_hours(pkt(2026, 11, 26, 22, 30), 2),
            pkt(2026, 11, 27, 10, 0)
        );
    }

    #[test]
    fn urgent_requests_count_clock_hours() {
        let wh = WorkingHours::default();
        assert_eq!(
            due_at(&wh, pkt(2026, 11, 28, 23, 0), Priority::Urgent, 6),
            pkt(2026, 11, 29, 5, 0)
        );
    }

    #[test]
    fn working_hours_parse_and_bad_ones_name_the_format() {
        let wh = WorkingHours::parse("mon-fri 09:00-17:00").unwrap();
        assert_eq!(wh.days, [true, true, true, true, true, false, false]);
        assert!(WorkingHours::parse("weekdays")
            .unwrap_err()
            .contains("mon-sat"));
        assert!(WorkingHours::parse("mon-fri 17:00-09:00").is_err());
    }
}
