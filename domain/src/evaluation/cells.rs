//! What an evaluation reads of a request (`Outcome`), one scan of them into tehsil × 30-day cells of sums and counts (`Agg`), and the
//! calendar of the evaluation (`Geometry`): windows as used, periods counted from the start,
//! days with data in each. Every later step (estimate, resamples, checks, series) adds cells,
//! so 1000 resamples cost O(resamples × tehsils × periods), not O(resamples × requests).

use super::{Design, Group, CAP_DAYS, PERIOD_DAYS};
use crate::evidence::kpi::{answered_at, owed_an_answer};
use crate::evidence::summary::{pk_date, pk_midnight};
use crate::evidence::{Fact, Population};
use crate::status::Status;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// Width of a bin of the days-to-resolve histogram (6 hours).
pub(super) const BIN_DAYS: f64 = 0.25;
/// Bins: 120 of 6 hours up to `CAP_DAYS`, then one for "`CAP_DAYS` or more".
pub(super) const BINS: usize = 121;

/// Sums and counts of one cell (a tehsil and a period, or any sum of such cells). Counts are
/// `f64` so that resampled (weighted) cells add the same way.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Agg {
    /// Requests received (in tehsils with a population figure; for requests per 10,000).
    pub per10k_n: f64,
    /// Residents / 10,000 × days / 30 (the denominator of requests per 10,000 per 30 days).
    pub exposure: f64,
    /// Requests observed for `CAP_DAYS` (they enter days to resolve).
    pub res_n: f64,
    /// Sum of their capped days to resolve.
    pub res_sum: f64,
    /// Their capped days, counted in bins.
    pub hist: [f64; BINS],
    /// Sum of the capped days in each bin.
    pub hist_sum: [f64; BINS],
    /// Requests received less than `CAP_DAYS` before the data end (not yet fully observed).
    pub recent: f64,
    /// Requests due by the data end.
    pub sla_due: f64,
    /// Of them, answered by the due time.
    pub sla_met: f64,
    /// Requests closed at least once.
    pub closed: f64,
    /// Of them, reopened.
    pub reopened: f64,
    /// Ratings.
    pub rated: f64,
    /// Of them, 4 or 5 stars.
    pub satisfied: f64,
}

impl Default for Agg {
    fn default() -> Self {
        Agg {
            per10k_n: 0.0,
            exposure: 0.0,
            res_n: 0.0,
            res_sum: 0.0,
            hist: [0.0; BINS],
            hist_sum: [0.0; BINS],
            recent: 0.0,
            sla_due: 0.0,
            sla_met: 0.0,
            closed: 0.0,
            reopened: 0.0,
            rated: 0.0,
            satisfied: 0.0,
        }
    }
}

impl Agg {
    /// Adds `w` times `o` (w = how often a resample drew the tehsil).
    pub fn add(&mut self, o: &Agg, w: f64) {
        self.per10k_n += w * o.per10k_n;
        self.exposure += w * o.exposure;
        self.res_n += w * o.res_n;
        self.res_sum += w * o.res_sum;
        for b in 0..BINS {
            self.hist[b] += w * o.hist[b];
            self.hist_sum[b] += w * o.hist_sum[b];
        }
        self.recent += w * o.recent;
        self.sla_due += w * o.sla_due;
        self.sla_met += w * o.sla_met;
        self.closed += w * o.closed;
        self.reopened += w * o.reopened;
        self.rated += w * o.rated;
        self.satisfied += w * o.satisfied;
    }
}

/// The calendar of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Geometry {
    /// Midnight (Pakistan) of the start.
    pub start: DateTime<Utc>,
    /// Baseline periods (period `i` < `baseline_periods` is before the start).
    pub baseline_periods: usize,
    /// All periods.
    pub periods: usize,
    /// Days with data of each period.
    pub period_days: Vec<f64>,
    /// First day of each period with data.
    pub period_start: Vec<NaiveDate>,
    /// Data used from here (the baseline start, or the data start if later).
    pub from: DateTime<Utc>,
    /// ... up to here (the follow-up end, or the data end if earlier).
    pub to: DateTime<Utc>,
    /// `from` as a date.
    pub baseline_from: NaiveDate,
    /// The day after the last day of follow-up with data.
    pub follow_up_to: NaiveDate,
    /// Days of baseline with data.
    pub baseline_days: f64,
    /// Days of follow-up with data.
    pub follow_up_days: f64,
}

fn secs_days(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_seconds().max(0) as f64 / 86_400.0
}

impl Geometry {
    fn new(design: &Design, data_start: Option<DateTime<Utc>>) -> Geometry {
        let start = pk_midnight(design.start);
        let nominal_from = pk_midnight(design.start - Duration::days(design.baseline_days.into()));
        let nominal_to = pk_midnight(design.start + Duration::days(design.follow_up_days.into()));
        let from = data_start
            .map(|d| pk_midnight(pk_date(d)))
            .map_or(nominal_from, |d| d.max(nominal_from))
            .min(start);
        let to = nominal_to.min(design.as_of).max(start);
        let p = i64::from(design.baseline_days).div_euclid(PERIOD_DAYS)
            + i64::from(design.baseline_days % PERIOD_DAYS as u32 != 0);
        let f = i64::from(design.follow_up_days).div_euclid(PERIOD_DAYS)
            + i64::from(design.follow_up_days % PERIOD_DAYS as u32 != 0);
        let mut period_days = Vec::new();
        let mut period_start = Vec::new();
        for k in -p..f {
            let a = (start + Duration::days(k * PERIOD_DAYS)).max(from);
            let b = (start + Duration::days((k + 1) * PERIOD_DAYS)).min(to);
            period_days.push(if b > a { secs_days(a, b) } else { 0.0 });
            period_start.push(pk_date(a));
        }
        let follow_up_to = if to == nominal_to {
            pk_date(to)
        } else {
            pk_date(to) + Duration::days(1)
        };
        Geometry {
            start,
            baseline_periods: p as usize,
            periods: (p + f) as usize,
            period_days,
            period_start,
            from,
            to,
            baseline_from: pk_date(from),
            follow_up_to,
            baseline_days: secs_days(from, start),
            follow_up_days: secs_days(start, to),
        }
    }

    /// The period a request received at `t` falls in (None outside the data used).
    fn period(&self, t: DateTime<Utc>) -> Option<usize> {
        if t < self.from || t >= self.to {
            return None;
        }
        let day = (t - self.start).num_seconds().div_euclid(86_400);
        let k = day.div_euclid(PERIOD_DAYS) + self.baseline_periods as i64;
        usize::try_from(k).ok().filter(|k| *k < self.periods)
    }
}

/// A tehsil of the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tehsil {
    /// Code.
    pub code: String,
    /// Its group.
    pub group: Group,
    /// Residents, when known.
    pub population: Option<u64>,
    /// Whether any request of it is in the windows (tehsils without are not resampled).
    pub seen: bool,
}

/// The cells of an evaluation: `cells[t * periods + p]`.
#[derive(Debug, Clone)]
pub(super) struct Grid {
    /// The calendar.
    pub geometry: Geometry,
    /// Treated tehsils first, then comparison ones.
    pub tehsils: Vec<Tehsil>,
    /// Tehsil × period.
    pub cells: Vec<Agg>,
}

/// What an evaluation reads of one request: the columns its key figures need and nothing
/// else, so that a million of them are read quickly (the store's `evaluation_outcomes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Row id (to join ratings).
    pub id: i64,
    /// Tehsil code, if known (shared: a million outcomes name twenty tehsils).
    pub tehsil: Option<Arc<str>>,
    /// Status now.
    pub status: Status,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// Closed (the latest closing; `None` while open).
    pub closed_at: Option<DateTime<Utc>>,
    /// Resolve-by time.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Times reopened.
    pub reopen_count: u32,
}

/// The tehsil codes of one read, each allocated once: a million outcomes hold twenty codes,
/// and `Grid::build` recognises a shared code by its address. Used by both stores' reads and by
/// `evaluate`.
#[derive(Debug, Default)]
pub struct Codes(Vec<Arc<str>>);

impl Codes {
    /// The shared copy of `code`.
    pub fn get(&mut self, code: &str) -> Arc<str> {
        if let Some(t) = self.0.iter().find(|t| t.as_ref() == code) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(code);
        self.0.push(t.clone());
        t
    }
}

impl From<&Fact> for Outcome {
    fn from(f: &Fact) -> Outcome {
        Outcome {
            id: f.id,
            tehsil: f.tehsil.as_deref().map(Arc::from),
            status: f.status,
            created_at: f.created_at,
            closed_at: f.closed_at,
            sla_due_at: f.sla_due_at,
            reopen_count: f.reopen_count,
        }
    }
}

/// The histogram bin of capped days `y`.
pub(super) fn bin(y: f64) -> usize {
    if y >= CAP_DAYS {
        BINS - 1
    } else {
        ((y.max(0.0) / BIN_DAYS) as usize).min(BINS - 2)
    }
}

impl Grid {
    /// Scans the outcomes once (those of the services concerned: the caller filters).
    pub fn build(
        design: &Design,
        facts: &[Outcome],
        ratings: &HashMap<i64, Vec<u8>>,
        pop: &Population,
    ) -> Grid {
        let data_start = facts.iter().map(|f| f.created_at).min();
        let geometry = Geometry::new(design, data_start);
        let mut tehsils: Vec<Tehsil> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (codes, group) in [
            (&design.treated, Group::Treated),
            (&design.comparison, Group::Comparison),
        ] {
            for c in codes {
                if index.contains_key(c.as_str()) {
                    continue;
                }
                index.insert(c.as_str(), tehsils.len());
                tehsils.push(Tehsil {
                    code: c.clone(),
                    group,
                    population: pop.tehsil(c).map(|f| f.population),
                    seen: false,
                });
            }
        }
        let periods = geometry.periods;
        let mut cells = vec![Agg::default(); tehsils.len() * periods];
        let cap = Duration::seconds((CAP_DAYS * 86_400.0) as i64);
        let as_of = design.as_of;
        let mut stars_of = RatingsInOrder::new(facts, ratings);
        let mut tehsil_of = TehsilIndex::new(&index);
        for f in facts {
            let stars = stars_of.of(f.id);
            let Some(t) = tehsil_of.of(f.tehsil.as_ref()) else {
                continue;
            };
            if f.created_at >= as_of {
                continue;
            }
            let Some(p) = geometry.period(f.created_at) else {
                continue;
            };
            tehsils[t].seen = true;
            let known = tehsils[t].population.is_some();
            let a = &mut cells[t * periods + p];
            a.per10k_n += f64::from(u8::from(known));
            for &stars in stars {
                if (1..=5).contains(&stars) {
                    a.rated += 1.0;
                    a.satisfied += f64::from(u8::from(stars >= 4));
                }
            }
            if !owed_an_answer(f.status) {
                continue;
            }
            let answered = answered_at(f.status, f.closed_at).filter(|x| *x <= as_of);
            if f.created_at + cap <= as_of {
                let y = answered
                    .map_or(CAP_DAYS, |x| secs_days(f.created_at, x))
                    .min(CAP_DAYS);
                let b = bin(y);
                a.res_n += 1.0;
                a.res_sum += y;
                a.hist[b] += 1.0;
                a.hist_sum[b] += y;
            } else {
                a.recent += 1.0;
            }
            if let Some(due) = f.sla_due_at.filter(|d| *d <= as_of) {
                a.sla_due += 1.0;
                a.sla_met += f64::from(u8::from(answered.is_some_and(|x| x <= due)));
            }
            if f.closed_at.is_some_and(|c| c <= as_of) || f.reopen_count > 0 {
                a.closed += 1.0;
                a.reopened += f64::from(u8::from(f.reopen_count > 0));
            }
        }
        for (t, tehsil) in tehsils.iter().enumerate() {
            if let Some(residents) = tehsil.population {
                for p in 0..periods {
                    cells[t * periods + p].exposure =
                        residents as f64 / 10_000.0 * geometry.period_days[p] / 30.0;
                }
            }
        }
        Grid {
            geometry,
            tehsils,
            cells,
        }
    }

    /// The cells of tehsil `t`, one per period.
    pub fn of(&self, t: usize) -> &[Agg] {
        let p = self.geometry.periods;
        &self.cells[t * p..(t + 1) * p]
    }

    /// Indices of the tehsils of `group` with requests in the windows (the clusters).
    pub fn members(&self, group: Group) -> Vec<usize> {
        (0..self.tehsils.len())
            .filter(|&t| self.tehsils[t].group == group && self.tehsils[t].seen)
            .collect()
    }

    /// Codes of the action tehsils.
    pub fn treated_codes(&self) -> Vec<String> {
        self.codes(Group::Treated)
    }

    /// Codes of the comparison tehsils (without any that are also treated).
    pub fn comparison_codes(&self) -> Vec<String> {
        self.codes(Group::Comparison)
    }

    fn codes(&self, group: Group) -> Vec<String> {
        self.tehsils
            .iter()
            .filter(|t| t.group == group)
            .map(|t| t.code.clone())
            .collect()
    }

    /// Each group's cells summed per period, tehsil `t` counted `weight(t)` times.
    pub fn group_periods(&self, weight: impl Fn(usize) -> f64) -> [Vec<Agg>; 2] {
        let periods = self.geometry.periods;
        let mut out = [vec![Agg::default(); periods], vec![Agg::default(); periods]];
        for (t, tehsil) in self.tehsils.iter().enumerate() {
            let w = weight(t);
            if w == 0.0 {
                continue;
            }
            let g = usize::from(tehsil.group == Group::Comparison);
            for (sum, cell) in out[g].iter_mut().zip(self.of(t)) {
                sum.add(cell, w);
            }
        }
        out
    }
}

/// The ratings of each outcome, in the order `Grid::build` scans them. When the outcomes come
/// in id order (SQLite's read of most of the table for an action on every service does), the
/// ratings are sorted once and walked alongside them; a look-up in the map per request costs a
/// cache miss at a random place in a large table (about 0.1 µs, a tenth of a second for a
/// million requests), the walk does not. Outcomes in any other order (PostgreSQL's, SQLite's
/// index reads) are looked up.
struct RatingsInOrder<'a> {
    map: &'a HashMap<i64, Vec<u8>>,
    /// Sorted by id, when the outcomes are.
    sorted: Option<Vec<(i64, &'a [u8])>>,
    next: usize,
}

impl<'a> RatingsInOrder<'a> {
    fn new(facts: &[Outcome], map: &'a HashMap<i64, Vec<u8>>) -> Self {
        let sorted = facts.windows(2).all(|w| w[0].id < w[1].id).then(|| {
            let mut v: Vec<(i64, &[u8])> = map.iter().map(|(id, s)| (*id, s.as_slice())).collect();
            v.sort_unstable_by_key(|r| r.0);
            v
        });
        RatingsInOrder {
            map,
            sorted,
            next: 0,
        }
    }

    /// The ratings of request `id` (ids asked in the outcomes' order).
    fn of(&mut self, id: i64) -> &'a [u8] {
        let Some(sorted) = &self.sorted else {
            return self.map.get(&id).map_or(&[], Vec::as_slice);
        };
        while sorted.get(self.next).is_some_and(|r| r.0 < id) {
            self.next += 1;
        }
        match sorted.get(self.next) {
            Some(&(at, stars)) if at == id => stars,
            _ => &[],
        }
    }
}

/// Each outcome's tehsil as its index in the grid. A read shares one `Arc` per tehsil code
/// (`Codes`, in both stores and in `evaluate`), so the code's address is remembered after its
/// first look-up by text; the outcomes are borrowed for the whole build, so no address is
/// freed and reused meanwhile. Past `SEEN` addresses (codes not shared) it looks up by text.
struct TehsilIndex<'a> {
    by_code: &'a HashMap<&'a str, usize>,
    seen: Vec<(usize, Option<usize>)>,
}

/// Addresses remembered (the pilot has 20 tehsils).
const SEEN: usize = 64;

impl<'a> TehsilIndex<'a> {
    fn new(by_code: &'a HashMap<&'a str, usize>) -> Self {
        TehsilIndex {
            by_code,
            seen: Vec::new(),
        }
    }

    fn of(&mut self, code: Option<&Arc<str>>) -> Option<usize> {
        let code = code?;
        let at = code.as_ptr() as usize;
        if let Some(&(_, t)) = self.seen.iter().find(|(p, _)| *p == at) {
            return t;
        }
        let t = self.by_code.get(&**code).copied();
        if self.seen.len() < SEEN {
            self.seen.push((at, t));
        }
        t
    }
}
