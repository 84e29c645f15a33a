//! What a reader asks of the evidence, checked: the window (Pakistan dates), the places
//! (province, district by P-code or name, tehsil), services or an SDG target, channel,
//! priority and the breakdown. Every refusal names the field and what is accepted. Who may see
//! which districts, and with which small-cell threshold, is the caller's `Reach`.

use super::summary::{pk_date, pk_midnight, Dimension, SummarySpec};
use crate::catalogue::{Catalogue, PILOT_DISTRICTS};
use crate::error::{Error, Result};
use crate::status::{Channel, Priority};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The districts a reader may see and whether they see exact figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// District codes (empty: none).
    pub districts: Vec<String>,
    /// Small-cell threshold, `None` for exact figures.
    pub min_cell: Option<u64>,
}

impl Reach {
    /// Every pilot district, with small cells suppressed below `min_cell` (`None`: exact).
    pub fn all_pilots(min_cell: Option<u64>) -> Reach {
        Reach {
            districts: PILOT_DISTRICTS.iter().map(|d| d.to_string()).collect(),
            min_cell,
        }
    }
}

/// A checked question.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// District codes in scope.
    pub districts: Vec<String>,
    /// Tehsil, if one was named.
    pub tehsil: Option<String>,
    /// Service codes (empty: all).
    pub services: Vec<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Priority.
    pub priority: Option<Priority>,
    /// First day (Pakistan date).
    pub from_date: NaiveDate,
    /// Last day, inclusive.
    pub to_date: NaiveDate,
    /// Breakdown.
    pub by: Vec<Dimension>,
}

/// Days in the default window (the last 90 days).
pub const DEFAULT_DAYS: i64 = 90;
/// The longest window: ten years.
pub const MAX_DAYS: i64 = 3660;

fn date(field: &str, v: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| Error::field(field, format!("{v:?} is not a date; accepted: YYYY-MM-DD")))
}

impl Ask {
    /// Checks the parameters (`get` returns a parameter's value) for a reader with `reach`,
    /// `now` giving today's date for the default window.
    pub fn parse<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
        cat: &Catalogue,
        now: DateTime<Utc>,
    ) -> Result<Ask> {
        let today = pk_date(now);
        let to_date = get("to")
            .map(|v| date("to", v))
            .transpose()?
            .unwrap_or(today);
        let from_date = get("from")
            .map(|v| date("from", v))
            .transpose()?
            .unwrap_or(to_date - Duration::days(DEFAULT_DAYS - 1));
        if from_date > to_date {
            return Err(Error::field("from", "must be on or before to"));
        }
        if (to_date - from_date).num_days() >= MAX_DAYS {
            return Err(Error::field(
                "from",
                format!("the window may span at most {MAX_DAYS} days"),
            ));
        }
        let pilots = || PILOT_DISTRICTS.iter().map(|d| d.to_string());
        let mut districts: Vec<String> = pilots().collect();
        if let Some(p) = get("province").filter(|v| !v.is_empty()) {
            let prov = cat
                .provinces
                .iter()
                .find(|x| x.code.eq_ignore_ascii_case(p) || x.names.en.eq_ignore_ascii_case(p))
                .ok_or_else(|| {
                    Error::field(
                        "province",
                        format!(
                            "{p:?} is not a province; accepted: PK2 (Balochistan), PK7 (Sindh)"
                        ),
                    )
                })?;
            districts.retain(|d| cat.district(d).is_some_and(|x| x.province == prov.code));
        }
        if let Some(list) = get("district").filter(|v| !v.is_empty()) {
            let mut named = Vec::new();
            for key in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                let d = cat.find_district(key).filter(|d| d.is_pilot).ok_or_else(|| {
                    Error::field(
                        "district",
                        format!("{key:?} is not a pilot district; accepted: PK226 (Quetta), PK211 (Kech), PK713 (Larkana), PK717 (Naushahro Feroze), by P-code or name"),
                    )
                })?;
                named.push(d.code.clone());
            }
            districts.retain(|d| named.contains(d));
        }
        let mut tehsil = None;
        if let Some(t) = get("tehsil").filter(|v| !v.is_empty()) {
            let found = cat
                .tehsils
                .iter()
                .find(|x| x.code.eq_ignore_ascii_case(t) || x.names.en.eq_ignore_ascii_case(t))
                .ok_or_else(|| {
                    Error::field(
                        "tehsil",
                        format!("{t:?} is not a tehsil of a pilot district (by code or name)"),
                    )
                })?;
            districts.retain(|d| *d == found.district);
            tehsil = Some(found.code.clone());
        }
        let mut services: Vec<String> = Vec::new();
        if let Some(s) = get("service").filter(|v| !v.is_empty()) {
            let svc = cat.service(s).ok_or_else(|| {
                let codes: Vec<&str> = cat.services.iter().map(|x| x.code.as_str()).collect();
                Error::field(
                    "service",
                    format!("{s:?} is not a service; accepted: {}", codes.join(", ")),
                )
            })?;
            services.push(svc.code.clone());
        }
        if let Some(t) = get("sdg").filter(|v| !v.is_empty()) {
            let tagged: Vec<String> = cat
                .services
                .iter()
                .filter(|s| s.sdg.targets.iter().any(|x| x == t))
                .map(|s| s.code.clone())
                .collect();
            if tagged.is_empty() {
                let mut all: Vec<&str> = cat
                    .services
                    .iter()
                    .flat_map(|s| s.sdg.targets.iter().map(String::as_str))
                    .collect();
                all.sort_unstable();
                all.dedup();
                return Err(Error::field(
                    "sdg",
                    format!(
                        "{t:?} is not a target any service speaks to; accepted: {}",
                        all.join(", ")
                    ),
                ));
            }
            services = if services.is_empty() {
                tagged
            } else {
                services
                    .into_iter()
                    .filter(|s| tagged.contains(s))
                    .collect()
            };
            if services.is_empty() {
                return Err(Error::field(
                    "sdg",
                    "the service named does not speak to this target",
                ));
            }
        }
        let channel = get("channel")
            .filter(|v| !v.is_empty())
            .map(|c| {
                Channel::parse(c).ok_or_else(|| {
                    Error::field(
                        "channel",
                        format!("{c:?}; accepted: {}", Channel::accepted()),
                    )
                })
            })
            .transpose()?;
        let priority = get("priority")
            .filter(|v| !v.is_empty())
            .map(|p| {
                Priority::parse(p).ok_or_else(|| {
                    Error::field(
                        "priority",
                        format!("{p:?}; accepted: {}", Priority::accepted()),
                    )
                })
            })
            .transpose()?;
        let by = Dimension::parse_list(get("by").unwrap_or(""))?;
        Ok(Ask {
            districts,
            tehsil,
            services,
            channel,
            priority,
            from_date,
            to_date,
            by,
        })
    }

    /// The question narrowed to what a reader may see: without a place named, their districts
    /// among those asked; a district or tehsil named outside their reach is refused (the
    /// message says which districts they may see).
    pub fn within(
        mut self,
        reach: &Reach,
        named_a_place: bool,
    ) -> std::result::Result<Ask, String> {
        let reachable: Vec<String> = self
            .districts
            .iter()
            .filter(|d| reach.districts.contains(d))
            .cloned()
            .collect();
        if reachable.is_empty() || (named_a_place && reachable.len() < self.districts.len()) {
            return Err(format!(
                "you may see the figures of {} only",
                if reach.districts.is_empty() {
                    "no district".to_string()
                } else {
                    reach.districts.join(", ")
                }
            ));
        }
        self.districts = reachable;
        Ok(self)
    }

    /// Window start, midnight Pakistan time.
    pub fn from(&self) -> DateTime<Utc> {
        pk_midnight(self.from_date)
    }

    /// Window end (exclusive): midnight after the last day, or `now` if that is earlier
    /// (events after now are not known yet).
    pub fn to(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        pk_midnight(self.to_date + Duration::days(1)).min(now)
    }

    /// The summary's specification for a reader with `reach`.
    pub fn spec(&self, reach: &Reach, now: DateTime<Utc>) -> SummarySpec {
        SummarySpec {
            from: self.from(),
            to: self.to(now),
            by: self.by.clone(),
            min_cell: reach.min_cell,
            districts: self.districts.clone(),
            tehsil: self.tehsil.clone(),
        }
    }
}
