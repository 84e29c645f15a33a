//! What a citizen may do with their own report after it is closed: reopen it within the
//! configured window when it is not really fixed, and rate how it was handled (a poor rating
//! reopens it too). The rules live here without I/O; the API checks the proof (the phone
//! number the report was made with) and the stores write the rating and the reopen together.

use crate::error::{Error, Result};
use crate::lifecycle::REOPEN_DAYS;
use crate::sla::WorkingHours;
use chrono::{DateTime, Duration, Utc};
use std::path::PathBuf;

/// A rating at or below this reopens a closed ticket (within the window).
pub const POOR_RATING: u8 = 2;
/// Longest rating comment, in characters.
pub const MAX_COMMENT: usize = 500;

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reopen_days: REOPEN_DAYS,
            working_hours: WorkingHours::default(),
            media_dir: PathBuf::from("data/media"),
            public_url: None,
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
        Ok(p)
    }

    /// Whether a ticket closed at `closed` may still be reopened by its reporter at `now`.
    pub fn within_window(&self, closed: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - closed <= Duration::days(self.reopen_days)
    }
}

/// A validated rating: 1 (very poor) to 5 (very good), keypad-friendly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating(u8);

impl Rating {
    /// Accepts 1–5.
    pub fn new(value: i64) -> Result<Rating> {
        match u8::try_from(value) {
            Ok(v @ 1..=5) => Ok(Rating(v)),
            _ => Err(Error::field(
                "rating",
                format!("{value} is not a rating; give a whole number from 1 (very poor) to 5 (very good)"),
            )),
        }
    }
    /// The number.
    pub fn value(self) -> u8 {
        self.0
    }
    /// Poor enough to reopen the ticket.
    pub fn is_poor(self) -> bool {
        self.0 <= POOR_RATING
    }
}

/// Trims a rating comment and checks its length (empty is allowed).
pub fn comment(text: Option<&str>) -> Result<Option<String>> {
    let t = text.unwrap_or("").trim();
    let n = t.chars().count();
    if n > MAX_COMMENT {
        return Err(Error::field(
            "comment",
            format!("must be at most {MAX_COMMENT} characters (it has {n})"),
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ratings_outside_one_to_five_are_refused_naming_the_field() {
        for bad in [0, 6, -1, 300] {
            let e = Rating::new(bad).unwrap_err().to_string();
            assert!(e.contains("rating"), "{e}");
        }
        assert!(Rating::new(2).unwrap().is_poor());
        assert!(!Rating::new(3).unwrap().is_poor());
    }

    #[test]
    fn the_window_is_counted_from_closing() {
        let closed = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let p = Settings {
            reopen_days: 7,
            ..Settings::default()
        };
        assert!(p.within_window(closed, closed + Duration::days(7)));
        assert!(!p.within_window(closed, closed + Duration::days(7) + Duration::seconds(1)));
    }

    #[test]
    fn a_long_comment_is_refused_and_a_blank_one_is_none() {
        assert_eq!(comment(Some("   ")).unwrap(), None);
        assert!(comment(Some(&"x".repeat(501))).is_err());
    }
}
