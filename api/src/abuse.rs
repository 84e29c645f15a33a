//! Abuse limits on anonymous intake: how many reports (and voices and citizen actions) one
//! client address, one phone number and one Open311 API key may send in a window. Fixed-window
//! counters in memory (each process has its own; several API instances each allow the limit),
//! configured with `SAHULAT_LIMIT_PER_ADDRESS`, `SAHULAT_LIMIT_PER_PHONE` and
//! `SAHULAT_LIMIT_PER_API_KEY` as `N/minute`, `N/hour` or `N/day`, or `off` (`intake::admit`
//! applies them). Over a limit the
//! answer is 429 `too_many_requests` with `Retry-After` and the usual envelope; nothing is
//! stored. A phone number is counted by its keyed hash, never kept in clear. The client
//! address is the TCP peer's, or behind a reverse proxy named in `SAHULAT_TRUSTED_PROXY`, the
//! address that proxy put in `X-Forwarded-For` (see `client::ClientIp`). USSD has its own
//! per-number limits (`SAHULAT_USSD_SESSIONS_PER_HOUR`, `SAHULAT_USSD_REQUESTS_PER_DAY`).

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// At most `count` in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// How many.
    pub count: u32,
    /// Per how long.
    pub window: Duration,
}

impl Rate {
    /// `N/minute`, `N/hour`, `N/day`; `off` is `None`. `Err` says what is accepted.
    pub fn parse(var: &str, v: &str) -> anyhow::Result<Option<Rate>> {
        let v = v.trim();
        if v.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || {
            anyhow::anyhow!(
                "{var}={v:?}: accepted: N/minute, N/hour or N/day with N from 1 to 1000000 (e.g. 60/hour), or off"
            )
        };
        let (n, per) = v.split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        anyhow::ensure!((1..=1_000_000).contains(&count), bad());
        let window = match per.trim() {
            "minute" => Duration::minutes(1),
            "hour" => Duration::hours(1),
            "day" => Duration::days(1),
            _ => return Err(bad()),
        };
        Ok(Some(Rate { count, window }))
    }
}

/// The limits a deployment sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbuseLimits {
    /// Per client address (`SAHULAT_LIMIT_PER_ADDRESS`, 300/hour: a mobile carrier may put
    /// many citizens of a town behind one address).
    pub per_address: Option<Rate>,
    /// Per phone number (`SAHULAT_LIMIT_PER_PHONE`, 20/hour).
    pub per_phone: Option<Rate>,
    /// Per Open311 API key (`SAHULAT_LIMIT_PER_API_KEY`, 6000/hour: a partner app forwards
    /// many citizens' reports).
    pub per_api_key: Option<Rate>,
}

impl Default for AbuseLimits {
    fn default() -> Self {
        AbuseLimits {
            per_address: Some(Rate {
                count: 300,
                window: Duration::hours(1),
            }),
            per_phone: Some(Rate {
                count: 20,
                window: Duration::hours(1),
            }),
            per_api_key: Some(Rate {
                count: 6000,
                window: Duration::hours(1),
            }),
        }
    }
}

/// Who is asking, as far as the limits care.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asker<'a> {
    /// The client's address (none in-process).
    pub address: Option<IpAddr>,
    /// The phone number given, as typed (hashed here; one that does not parse is counted as
    /// typed, and validation refuses it anyway).
    pub phone: Option<&'a str>,
    /// The Open311 API key's stored hash.
    pub api_key: Option<&'a str>,
}

/// Counts per key in fixed windows: a write is let through while its keys are under their
/// rate (`peek`) and counted once it stored something (`charge`), so a retry that replays a
/// stored answer, or a form with a mistake, costs nothing.
#[derive(Debug)]
pub struct Counter {
    seen: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
    /// Per process: the phone numbers' hashes in memory cannot be matched to another's.
    salt: [u8; 16],
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            seen: Mutex::default(),
            salt: rand::random(),
        }
    }
}

impl Counter {
    /// A phone number as a key: salted SHA-256, never the number.
    fn phone_key(&self, phone: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(phone.as_bytes());
        format!("p:{}", hex::encode(h.finalize()))
    }

    /// `Err(seconds until the window ends)` when `key` has used up `rate`; counts nothing.
    pub fn peek(&self, key: &str, rate: Rate, now: DateTime<Utc>) -> Result<(), u64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        match seen.get(key) {
            Some((start, n)) if now - *start < rate.window && *n >= rate.count => {
                let left = (*start + rate.window - now).num_seconds().max(1);
                Err(u64::try_from(left).unwrap_or(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts one for `key` (something was stored).
    pub fn charge(&self, key: &str, rate: Rate, now: DateTime<Utc>) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now - *start < rate.window);
        }
        let entry = seen.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= rate.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// The keys and rates that apply to `who` under `limits`.
    pub fn keys(&self, limits: &AbuseLimits, who: Asker<'_>) -> Vec<(String, Rate, &'static str)> {
        let mut out = Vec::new();
        if let (Some(rate), Some(ip)) = (limits.per_address, who.address) {
            out.push((format!("a:{ip}"), rate, "address"));
        }
        if let (Some(rate), Some(phone)) = (limits.per_phone, who.phone) {
            let normal = sahulat_domain::phone::Phone::parse(phone)
                .map(|p| p.e164().to_string())
                .unwrap_or_else(|_| phone.trim().to_string());
            if !normal.is_empty() {
                out.push((self.phone_key(&normal), rate, "phone number"));
            }
        }
        if let (Some(rate), Some(key)) = (limits.per_api_key, who.api_key) {
            out.push((format!("k:{key}"), rate, "API key"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_reads_per_minute_hour_or_day_and_off_and_names_the_variable_when_wrong() {
        assert_eq!(
            Rate::parse("X", "60/hour").unwrap(),
            Some(Rate {
                count: 60,
                window: Duration::hours(1)
            })
        );
        assert_eq!(Rate::parse("X", "off").unwrap(), None);
        let e = Rate::parse("SAHULAT_LIMIT_PER_PHONE", "sixty").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("SAHULAT_LIMIT_PER_PHONE=\"sixty\": accepted: N/minute"));
        assert!(Rate::parse("X", "0/hour").is_err());
        assert!(Rate::parse("X", "5/week").is_err());
    }

    #[test]
    fn the_counter_refuses_over_the_rate_until_the_window_ends_and_keys_are_separate() {
        let c = Counter::default();
        let rate = Rate {
            count: 2,
            window: Duration::minutes(1),
        };
        let t = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(c.peek("a", rate, t).is_ok());
        c.charge("a", rate, t);
        assert!(c.peek("a", rate, t).is_ok());
        c.charge("a", rate, t);
        assert_eq!(c.peek("a", rate, t + Duration::seconds(20)), Err(40));
        assert!(
            c.peek("b", rate, t).is_ok(),
            "another key has its own count"
        );
        assert!(
            c.peek("a", rate, t + Duration::minutes(1)).is_ok(),
            "a new window"
        );
        c.charge("a", rate, t + Duration::minutes(1));
        assert!(
            c.peek("a", rate, t + Duration::minutes(1)).is_ok(),
            "counted afresh"
        );
    }
}
