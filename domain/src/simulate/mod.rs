//! A synthetic history for demos, load tests and the evaluation of innovative actions: who
//! reports what, where, when and by which channel, and how each request's department answers.
//! Pure and deterministic for a seed; the CLI (`sahulat simulate`) feeds it through the real
//! validation, intake, triage and lifecycle code. Realism, kept simple and stated:
//! - volume per district ∝ its 2023 population, per tehsil ∝ the tehsil's, with ±20 % daily noise;
//! - seasons (Pakistan): water and electricity reports ×1.8 in May–August, drains ×2.5 in the
//!   monsoon (July–September); a mix per province (more water in Balochistan, more drains in
//!   Sindh);
//! - 40 % of points fall within ~300 m of a few fixed spots per tehsil (a market, a low street),
//!   the rest anywhere in the tehsil; 6 % repeat a report of the last three days nearby;
//! - channels: web 45 %, USSD 35 %, Open311 20 %; phones from a pool (some citizens report
//!   again);
//! - answers: first response after a log-normal delay; 75 % resolved, 10 % closed not fixed,
//!   5 % not responsible, 10 % left unanswered; resolution time log-normal around a mean per
//!   service; 8 % of resolutions are reopened a few days later and resolved again; 40 % of
//!   closings are rated, better when faster.
//!
//! `--effect AREA:FROM:KPI:CHANGE` injects a known change for requests in AREA's tehsils from
//! FROM on, in the KPI's own unit: `days_to_resolve` adds CHANGE days to the resolution time,
//! `sla_compliance` moves that share of the late resolutions to before their due time,
//! `requests_per_10k` adds CHANGE requests per 10,000 residents per 30 days.

use crate::catalogue::Catalogue;
use crate::error::{Error, Result};
use crate::evidence::Population;
use crate::geo::GeoIndex;
use crate::status::Channel;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use geo::BoundingRect;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// A KPI an effect changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKpi {
    /// Days to resolve (CHANGE in days, e.g. -3).
    DaysToResolve,
    /// SLA compliance (CHANGE as a share, e.g. +0.10).
    SlaCompliance,
    /// Requests per 10,000 residents per 30 days (e.g. +2).
    RequestsPer10k,
}

/// An injected effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// Tehsil codes.
    pub tehsils: Vec<String>,
    /// From this date (Pakistan) on.
    pub from: NaiveDate,
    /// Which KPI.
    pub kpi: EffectKpi,
    /// By how much, in the KPI's unit.
    pub change: f64,
}

impl Effect {
    /// Parses `AREA:FROM:KPI:CHANGE` (AREA = tehsil codes joined by `+`).
    pub fn parse(s: &str, cat: &Catalogue) -> Result<Effect> {
        let bad = |m: String| Error::field("effect", m);
        let parts: Vec<&str> = s.split(':').collect();
        let [area, from, kpi, change] = parts[..] else {
            return Err(bad(format!("{s:?} is not AREA:FROM:KPI:CHANGE, e.g. PK71303+PK71304:2026-06-01:days_to_resolve:-3")));
        };
        let tehsils: Vec<String> = area.split('+').map(|t| t.trim().to_string()).collect();
        if let Some(t) = tehsils.iter().find(|t| cat.tehsil(t).is_none()) {
            return Err(bad(format!(
                "{t:?} is not a tehsil code of a pilot district"
            )));
        }
        let from = NaiveDate::parse_from_str(from, "%Y-%m-%d")
            .map_err(|_| bad(format!("{from:?} is not a date (YYYY-MM-DD)")))?;
        let kpi = match kpi {
            "days_to_resolve" => EffectKpi::DaysToResolve,
            "sla_compliance" => EffectKpi::SlaCompliance,
            "requests_per_10k" => EffectKpi::RequestsPer10k,
            other => {
                return Err(bad(format!(
                    "{other:?}; accepted: days_to_resolve, sla_compliance, requests_per_10k"
                )))
            }
        };
        let change: f64 = change
            .parse()
            .map_err(|_| bad(format!("{change:?} is not a number")))?;
        if kpi == EffectKpi::SlaCompliance && !(-1.0..=1.0).contains(&change) {
            return Err(bad(
                "an sla_compliance change is a share between -1 and 1".into()
            ));
        }
        Ok(Effect {
            tehsils,
            from,
            kpi,
            change,
        })
    }
}

/// How a simulated request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Resolved.
    Resolved,
    /// Closed, not fixed.
    ClosedNotFixed,
    /// Not responsible.
    NotResponsible,
    /// Never answered.
    Unanswered,
}

/// One simulated request and its future.
#[derive(Debug, Clone, PartialEq)]
pub struct SimRequest {
    /// When it is reported.
    pub at: DateTime<Utc>,
    /// Service code.
    pub service: String,
    /// Point.
    pub lat: f64,
    /// Point.
    pub lon: f64,
    /// Tehsil code.
    pub tehsil: String,
    /// Channel.
    pub channel: Channel,
    /// Reporter's number (Pakistani mobile).
    pub phone: String,
    /// What they write.
    pub description: String,
    /// Hours until the department first responds (acknowledges).
    pub respond_after_h: f64,
    /// The answer.
    pub outcome: Outcome,
    /// Hours from the report until the answer.
    pub close_after_h: f64,
    /// Hours after the answer until the reporter reopens it (then it is resolved again after
    /// as long again).
    pub reopen_after_h: Option<f64>,
    /// The reporter's rating, and hours after the (last) answer they give it.
    pub rating: Option<(u8, f64)>,
    /// Touched by an effect.
    pub affected: bool,
    /// The change an effect actually made to this request's answer time, in days:
    /// `close_after_h` as drawn with the effects minus what it would have been without them
    /// (after every clamp: times stay ≥ 0.1 day and after the first response), divided by 24.
    /// 0 when no effect touched it and for a request never answered (it is never closed, so no
    /// effect is realized). The evaluation's coverage test reports this TRUE injected change,
    /// not the nominal CHANGE of `--effect`. A reopened request is answered again after as long
    /// again (the driver's rule), so its final closing moves by up to twice this.
    pub shift_days: f64,
}

/// What the simulation is asked for.
#[derive(Debug, Clone)]
pub struct SimSpec {
    /// Seed.
    pub seed: u64,
    /// First day (Pakistan).
    pub from: NaiveDate,
    /// Days.
    pub days: u32,
    /// Mean requests per day over the four districts.
    pub per_day: u32,
    /// Injected effects.
    pub effects: Vec<Effect>,
}

const WORDS: [(&str, &str); 11] = [
    ("water-supply", "No water in our street for three days"),
    ("water-quality", "Tap water is dirty and smells bad"),
    (
        "sewerage-drainage",
        "Drain is blocked and sewage is on the road",
    ),
    ("sanitation-latrine", "Public latrine is broken and locked"),
    ("solid-waste", "Garbage heap not collected near the market"),
    ("electricity", "Power cut since morning, transformer noise"),
    ("street-lights", "Street lights off on our road at night"),
    ("roads", "Big pothole on the main road, rickshaws fall"),
    (
        "school-facilities",
        "Girls school has no drinking water or toilet",
    ),
    (
        "health-facility",
        "Basic health unit closed, no doctor today",
    ),
    ("other", "Problem in our mohalla, please send someone"),
];

/// Mean days to resolve per service (before noise and effects).
fn mean_days(service: &str) -> f64 {
    match service {
        "water-supply" | "electricity" => 3.0,
        "sewerage-drainage" | "solid-waste" => 4.0,
        "street-lights" => 6.0,
        "roads" | "school-facilities" => 12.0,
        _ => 7.0,
    }
}

fn seasonal(service: &str, month: u32, sindh: bool) -> f64 {
    let base = match (service, sindh) {
        ("water-supply", false) => 2.5,
        ("water-supply", true) => 1.6,
        ("sewerage-drainage", true) => 2.0,
        ("sewerage-drainage", false) => 1.0,
        ("solid-waste", _) => 1.6,
        ("electricity", _) => 1.4,
        ("other", _) => 0.4,
        _ => 0.8,
    };
    let summer = matches!(month, 5..=8) && matches!(service, "water-supply" | "electricity");
    let monsoon = matches!(month, 7..=9) && service == "sewerage-drainage";
    base * if summer { 1.8 } else { 1.0 } * if monsoon { 2.5 } else { 1.0 }
}

/// Log-normal with the given mean (σ of the log 0.8).
fn lognormal(rng: &mut StdRng, mean: f64) -> f64 {
    let sigma: f64 = 0.8;
    let mu = mean.max(0.01).ln() - sigma * sigma / 2.0;
    // Box–Muller.
    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (mu + sigma * z).exp()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0.0..total.max(f64::MIN_POSITIVE));
    for (t, w) in items {
        if x < *w {
            return t;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// The generator: call `day` for each day in turn.
#[derive(Debug)]
pub struct Simulator<'a> {
    spec: SimSpec,
    cat: &'a Catalogue,
    geo: &'a GeoIndex,
    rng: StdRng,
    tehsils: Vec<(String, f64)>,
    spots: HashMap<String, Vec<(f64, f64)>>,
    recent: Vec<SimRequest>,
}

impl<'a> Simulator<'a> {
    /// A generator over the pilot tehsils, weighted by population.
    pub fn new(spec: SimSpec, cat: &'a Catalogue, geo: &'a GeoIndex, pop: &Population) -> Self {
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let mut tehsils = Vec::new();
        let mut spots = HashMap::new();
        for t in &cat.tehsils {
            // Quetta's City and Saddar 2023 units are smaller than their polygons: the 2017
            // figure of the unit is a fair weight for where people live.
            let w = pop
                .tehsil(&t.code)
                .map_or(50_000.0, |f| f.population as f64);
            tehsils.push((t.code.clone(), w));
            let centres: Vec<(f64, f64)> = (0..3)
                .filter_map(|_| point_in(&mut rng, geo, &t.code))
                .collect();
            spots.insert(t.code.clone(), centres);
        }
        Simulator {
            spec,
            cat,
            geo,
            rng,
            tehsils,
            spots,
            recent: Vec::new(),
        }
    }

    /// The requests of day `d` (0-based), in time order.
    pub fn day(&mut self, d: u32) -> Vec<SimRequest> {
        let date = self.spec.from + Duration::days(i64::from(d));
        let midnight = crate::evidence::summary::pk_midnight(date);
        let noise = self.rng.gen_range(0.8..1.2);
        let n = (f64::from(self.spec.per_day) * noise).round() as u32;
        let mut out: Vec<SimRequest> = Vec::with_capacity(n as usize + 8);
        let mut extra: Vec<String> = Vec::new();
        for e in self
            .spec
            .effects
            .iter()
            .filter(|e| e.kpi == EffectKpi::RequestsPer10k && date >= e.from)
        {
            for t in &e.tehsils {
                let residents = self
                    .tehsils
                    .iter()
                    .find(|(c, _)| c == t)
                    .map_or(0.0, |x| x.1);
                let mean = e.change * residents / 10_000.0 / 30.0;
                let k = mean.floor() as u32
                    + u32::from(self.rng.gen_bool((mean.fract()).clamp(0.0, 1.0)));
                extra.extend((0..k).map(|_| t.clone()));
            }
        }
        let picks: Vec<(String, bool)> = (0..n)
            .map(|_| (pick(&mut self.rng, &self.tehsils).clone(), false))
            .chain(extra.into_iter().map(|t| (t, true)))
            .collect();
        for (tehsil, extra) in picks {
            // Daytime: 07:00–22:00 Pakistan time.
            let at = midnight + Duration::seconds(self.rng.gen_range(7 * 3600..22 * 3600));
            if let Some(mut r) = self.request(&tehsil, at, date) {
                r.affected |= extra;
                out.push(r);
            }
        }
        out.sort_by_key(|r| r.at);
        self.recent.retain(|r| r.at > midnight - Duration::days(3));
        self.recent.extend(out.iter().cloned());
        out
    }

    fn request(&mut self, tehsil: &str, at: DateTime<Utc>, date: NaiveDate) -> Option<SimRequest> {
        let rng = &mut self.rng;
        let district = &self.cat.tehsil(tehsil)?.district;
        let sindh = self
            .cat
            .district(district)
            .is_some_and(|d| d.province == "PK7");
        // A repeat of a recent report nearby (a duplicate the worker should merge).
        if rng.gen_bool(0.06) {
            let same: Vec<&SimRequest> =
                self.recent.iter().filter(|r| r.tehsil == tehsil).collect();
            if !same.is_empty() {
                let o = same[rng.gen_range(0..same.len())].clone();
                let near = (
                    o.lat + rng.gen_range(-0.0003..0.0003),
                    o.lon + rng.gen_range(-0.0003..0.0003),
                );
                let (lat, lon) = if inside(self.geo, tehsil, near) {
                    near
                } else {
                    (o.lat, o.lon)
                };
                let again = SimRequest {
                    at,
                    lat,
                    lon,
                    phone: phone(rng),
                    ..o
                };
                return Some(self.answer(again, date));
            }
        }
        let services: Vec<(&str, f64)> = WORDS
            .iter()
            .map(|(s, _)| (*s, seasonal(s, date.month(), sindh)))
            .collect();
        let service = *pick(rng, &services);
        let (lat, lon) = match self
            .spots
            .get(tehsil)
            .filter(|s| !s.is_empty() && rng.gen_bool(0.4))
        {
            Some(s) => {
                let (clat, clon) = s[rng.gen_range(0..s.len())];
                let p = (
                    clat + rng.gen_range(-0.0025..0.0025),
                    clon + rng.gen_range(-0.0025..0.0025),
                );
                if inside(self.geo, tehsil, p) {
                    p
                } else {
                    (clat, clon)
                }
            }
            None => point_in(rng, self.geo, tehsil)?,
        };
        let channel = *pick(
            rng,
            &[
                (Channel::Web, 0.45),
                (Channel::Ussd, 0.35),
                (Channel::Open311, 0.2),
            ],
        );
        let description = WORDS
            .iter()
            .find(|(s, _)| *s == service)
            .map_or("", |w| w.1)
            .to_string();
        let r = SimRequest {
            at,
            service: service.to_string(),
            lat,
            lon,
            tehsil: tehsil.to_string(),
            channel,
            phone: phone(rng),
            description,
            respond_after_h: 0.0,
            outcome: Outcome::Unanswered,
            close_after_h: 0.0,
            reopen_after_h: None,
            rating: None,
            affected: false,
            shift_days: 0.0,
        };
        Some(self.answer(r, date))
    }

    /// Draws how the department answers `r`, with the effects that apply.
    fn answer(&mut self, mut r: SimRequest, date: NaiveDate) -> SimRequest {
        let rng = &mut self.rng;
        let applies: Vec<&Effect> = self
            .spec
            .effects
            .iter()
            .filter(|e| date >= e.from && e.tehsils.contains(&r.tehsil))
            .collect();
        r.respond_after_h = lognormal(rng, 10.0);
        r.outcome = *pick(
            rng,
            &[
                (Outcome::Resolved, 0.75),
                (Outcome::ClosedNotFixed, 0.10),
                (Outcome::NotResponsible, 0.05),
                (Outcome::Unanswered, 0.10),
            ],
        );
        let drawn = lognormal(rng, mean_days(&r.service));
        let mut days = drawn;
        for e in &applies {
            match e.kpi {
                EffectKpi::DaysToResolve => {
                    days = (days + e.change).max(0.1);
                    r.affected = true;
                }
                EffectKpi::SlaCompliance => {
                    // Move that share of slow answers inside a day: the SLA of every service is
                    // at least a day, so they are met.
                    r.affected = true;
                    if e.change > 0.0 && days > 1.0 && rng.gen_bool(e.change.min(1.0)) {
                        days = rng.gen_range(0.2..1.0);
                    } else if e.change < 0.0 && days <= 1.0 && rng.gen_bool((-e.change).min(1.0)) {
                        days += mean_days(&r.service) * 2.0;
                    }
                }
                EffectKpi::RequestsPer10k => {}
            }
        }
        r.close_after_h = (days * 24.0).max(r.respond_after_h + 0.5);
        let without = (drawn * 24.0).max(r.respond_after_h + 0.5);
        r.shift_days = if r.outcome == Outcome::Unanswered {
            0.0
        } else {
            (r.close_after_h - without) / 24.0
        };
        if r.outcome == Outcome::Resolved && rng.gen_bool(0.08) {
            r.reopen_after_h = Some(rng.gen_range(12.0..96.0));
        }
        if r.outcome != Outcome::Unanswered && rng.gen_bool(0.4) {
            let fast = days < mean_days(&r.service);
            let stars = *pick(
                rng,
                &if fast {
                    [(5u8, 0.45), (4, 0.3), (3, 0.15), (2, 0.05), (1, 0.05)]
                } else {
                    [(5u8, 0.1), (4, 0.2), (3, 0.3), (2, 0.2), (1, 0.2)]
                },
            );
            r.rating = Some((stars, rng.gen_range(1.0..48.0)));
        }
        r
    }
}

fn phone(rng: &mut StdRng) -> String {
    // A pool of 200,000 numbers: some citizens report more than once.
    format!(
        "03{:02}{:07}",
        rng.gen_range(0..50),
        rng.gen_range(0..200_000) * 37 % 10_000_000
    )
}

fn inside(geo: &GeoIndex, tehsil: &str, (lat, lon): (f64, f64)) -> bool {
    geo.locate(lat, lon).and_then(|p| p.tehsil).as_deref() == Some(tehsil)
}

/// A uniform point inside a tehsil (rejection sampling in its bounding box).
fn point_in(rng: &mut StdRng, geo: &GeoIndex, tehsil: &str) -> Option<(f64, f64)> {
    let r = geo.tehsil(tehsil)?.shape.bounding_rect()?;
    for _ in 0..200 {
        let (lon, lat) = (
            rng.gen_range(r.min().x..r.max().x),
            rng.gen_range(r.min().y..r.max().y),
        );
        let p = ((lat * 1e5).round() / 1e5, (lon * 1e5).round() / 1e5);
        if inside(geo, tehsil, p) {
            return Some(p);
        }
    }
    None
}

#[cfg(test)]
mod tests;
