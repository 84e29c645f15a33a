//! Deployment settings the API reads once at start: the reopen window, office hours, the
//! media folder and the public address. Each from its environment variable (see the README).

use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::citizen::Policy;
use sahulat_domain::lifecycle::REOPEN_DAYS;
use sahulat_domain::sla::WorkingHours;
use std::path::PathBuf;

/// Deployment settings the API needs, read once at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days after closing during which the citizen may reopen (`SAHULAT_REOPEN_DAYS`, 14).
    pub reopen_days: i64,
    /// Office hours for SLA due times of reopened tickets (`SAHULAT_WORKING_HOURS`).
    pub working_hours: WorkingHours,
    /// Where photos are written (`SAHULAT_MEDIA_DIR`, `data/media`).
    pub media_dir: PathBuf,
    /// The address citizens and Open311 clients reach this server at (`SAHULAT_PUBLIC_URL`,
    /// e.g. `https://sahulat.example.pk`), for absolute links such as Open311 `media_url`.
    pub public_url: Option<String>,
    /// A map tile server for the report page's optional street map (`SAHULAT_TILE_URL`, a
    /// Leaflet URL template such as `https://tile.openstreetmap.org/{z}/{x}/{y}.png`); unset:
    /// the page offers only Sahulat's own tap map and loads nothing from elsewhere.
    pub tile_url: Option<String>,
    /// Radius of "already reported nearby" (`SAHULAT_DUPLICATE_RADIUS_M`, 250; the worker's
    /// duplicate radius).
    pub duplicate_radius_m: f64,
    /// How far back "already reported nearby" looks (`SAHULAT_DUPLICATE_WINDOW_HOURS`, 168).
    pub duplicate_window: chrono::Duration,
    /// The secret USSD and SMS gateways put in their callback URL as `?key=`
    /// (`SAHULAT_USSD_KEY`); unset: callbacks are not checked and `serve` warns.
    pub gateway_key: Option<String>,
    /// USSD sessions one number may begin in an hour (`SAHULAT_USSD_SESSIONS_PER_HOUR`, 10).
    pub ussd_sessions_per_hour: i64,
    /// Reports one number may make over USSD in a day (`SAHULAT_USSD_REQUESTS_PER_DAY`, 5).
    pub ussd_requests_per_day: i64,
    /// Figures built on fewer requests are suppressed for evaluators and in exports
    /// (`SAHULAT_MIN_CELL`, 5).
    pub min_cell: i64,
    /// Anonymous intake limits (`SAHULAT_LIMIT_PER_ADDRESS`, `_PER_PHONE`, `_PER_API_KEY`).
    pub abuse: crate::abuse::AbuseLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`SAHULAT_TRUSTED_PROXY`, comma
    /// separated addresses); empty: the TCP peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reopen_days: REOPEN_DAYS,
            working_hours: WorkingHours::default(),
            media_dir: PathBuf::from("data/media"),
            public_url: None,
            tile_url: None,
            duplicate_radius_m: 250.0,
            duplicate_window: chrono::Duration::hours(168),
            gateway_key: None,
            ussd_sessions_per_hour: 10,
            ussd_requests_per_day: 5,
            min_cell: 5,
            abuse: Default::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Settings {
    /// Reads the environment; a malformed value is an error naming the variable.
    pub fn from_env() -> anyhow::Result<Settings> {
        let mut p = Settings::default();
        if let Ok(v) = std::env::var("SAHULAT_REOPEN_DAYS") {
            if !v.trim().is_empty() {
                let days: i64 = v.trim().parse().map_err(|_| {
                    anyhow::anyhow!("SAHULAT_REOPEN_DAYS={v:?} is not a number of days")
                })?;
                anyhow::ensure!(
                    (1..=365).contains(&days),
                    "SAHULAT_REOPEN_DAYS must be between 1 and 365 days"
                );
                p.reopen_days = days;
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_WORKING_HOURS") {
            if !v.trim().is_empty() {
                p.working_hours = WorkingHours::parse(&v)
                    .map_err(|e| anyhow::anyhow!("SAHULAT_WORKING_HOURS: {e}"))?;
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_MEDIA_DIR") {
            if !v.trim().is_empty() {
                p.media_dir = PathBuf::from(v.trim());
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_PUBLIC_URL") {
            let v = v.trim().trim_end_matches('/');
            if !v.is_empty() {
                anyhow::ensure!(
                    (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(char::is_whitespace),
                    "SAHULAT_PUBLIC_URL={v:?} must be an http:// or https:// address, e.g. https://sahulat.example.pk"
                );
                p.public_url = Some(v.to_string());
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_TILE_URL") {
            let v = v.trim();
            if !v.is_empty() {
                anyhow::ensure!(
                    v.starts_with("https://") && v.contains("{z}") && v.contains("{x}") && v.contains("{y}"),
                    "SAHULAT_TILE_URL={v:?} must be an https:// tile URL template with {{z}}, {{x}} and {{y}}"
                );
                p.tile_url = Some(v.to_string());
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_DUPLICATE_RADIUS_M") {
            if !v.trim().is_empty() {
                let m: f64 = v.trim().parse().map_err(|_| {
                    anyhow::anyhow!("SAHULAT_DUPLICATE_RADIUS_M={v:?} is not a number of metres")
                })?;
                anyhow::ensure!(
                    m > 0.0 && m <= 5000.0,
                    "SAHULAT_DUPLICATE_RADIUS_M must be between 1 and 5000 metres"
                );
                p.duplicate_radius_m = m;
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_DUPLICATE_WINDOW_HOURS") {
            if !v.trim().is_empty() {
                let h: i64 = v.trim().parse().map_err(|_| {
                    anyhow::anyhow!("SAHULAT_DUPLICATE_WINDOW_HOURS={v:?} is not a number of hours")
                })?;
                p.duplicate_window = chrono::Duration::hours(h.max(1));
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_USSD_KEY") {
            let v = v.trim();
            if !v.is_empty() {
                anyhow::ensure!(
                    v.len() >= 16 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                    "SAHULAT_USSD_KEY must be at least 16 letters, digits, - or _ (it goes in a URL)"
                );
                p.gateway_key = Some(v.to_string());
            }
        }
        for (var, slot, max) in [
            (
                "SAHULAT_USSD_SESSIONS_PER_HOUR",
                &mut p.ussd_sessions_per_hour,
                1000,
            ),
            (
                "SAHULAT_USSD_REQUESTS_PER_DAY",
                &mut p.ussd_requests_per_day,
                1000,
            ),
            ("SAHULAT_MIN_CELL", &mut p.min_cell, 100),
        ] {
            if let Ok(v) = std::env::var(var) {
                if !v.trim().is_empty() {
                    let n: i64 = v
                        .trim()
                        .parse()
                        .map_err(|_| anyhow::anyhow!("{var}={v:?} is not a whole number"))?;
                    anyhow::ensure!((1..=max).contains(&n), "{var} must be between 1 and {max}");
                    *slot = n;
                }
            }
        }
        for (var, slot) in [
            ("SAHULAT_LIMIT_PER_ADDRESS", &mut p.abuse.per_address),
            ("SAHULAT_LIMIT_PER_PHONE", &mut p.abuse.per_phone),
            ("SAHULAT_LIMIT_PER_API_KEY", &mut p.abuse.per_api_key),
        ] {
            if let Ok(v) = std::env::var(var) {
                if !v.trim().is_empty() {
                    *slot = crate::abuse::Rate::parse(var, &v)?;
                }
            }
        }
        if let Ok(v) = std::env::var("SAHULAT_TRUSTED_PROXY") {
            for a in v.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                p.trusted_proxies.push(a.parse().map_err(|_| {
                    anyhow::anyhow!("SAHULAT_TRUSTED_PROXY: {a:?} is not an IP address (give the proxy's address, e.g. 127.0.0.1; several comma-separated)")
                })?);
            }
        }
        Ok(p)
    }

    /// The tile server's origin (`https://host`), for the Content-Security-Policy.
    pub fn tile_origin(&self) -> Option<String> {
        let url = self.tile_url.as_deref()?;
        let rest = url.strip_prefix("https://")?;
        let host = rest.split('/').next()?;
        Some(format!("https://{host}"))
    }
}

impl Settings {
    /// The rules for citizens' reopen and rating, with this deployment's window and hours.
    pub fn policy<'a>(&'a self, catalogue: &'a Catalogue) -> Policy<'a> {
        Policy {
            catalogue,
            working_hours: &self.working_hours,
            reopen_days: self.reopen_days,
        }
    }
}
