//! A per-client limit on sign-in attempts, on top of the per-account lockout: it slows down
//! password spraying across many accounts from one address. Kept in memory (each process has
//! its own window), keyed by the peer address of the TCP connection (never by a header a
//! client can forge; behind a trusted proxy, see `client`).

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Sign-in attempts allowed per client address in one window.
pub const SIGNIN_ATTEMPTS: u32 = 20;
/// The window.
pub fn signin_window() -> Duration {
    Duration::minutes(5)
}

/// When a client's window started, and its attempts in it.
type Window = (DateTime<Utc>, u32);

/// Attempts per client in the current window.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    seen: Mutex<HashMap<Option<IpAddr>, Window>>,
}

impl SignInLimiter {
    /// Counts one attempt; `Err(seconds)` until the window ends when over the limit.
    pub fn attempt(&self, client: Option<IpAddr>, now: DateTime<Utc>) -> Result<(), i64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now - *start < signin_window());
        }
        let entry = seen.entry(client).or_insert((now, 0));
        if now - entry.0 >= signin_window() {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > SIGNIN_ATTEMPTS {
            Err((entry.0 + signin_window() - now).num_seconds().max(1))
        } else {
            Ok(())
        }
    }
}

/// Wrong phone numbers allowed per report in one window before the citizen endpoints pause.
pub const PROOF_FAILURES: u32 = 5;

/// Wrong-proof counts per report, so nobody can try phone numbers against a reference. Keyed
/// by the report, not the client address: mobile carriers put many citizens behind one address.
#[derive(Debug, Default)]
pub struct ProofLimiter {
    seen: Mutex<HashMap<i64, Window>>,
}

impl ProofLimiter {
    fn window() -> Duration {
        Duration::minutes(15)
    }

    /// Counts one try before the phone is compared; `Err(seconds)` while the report is paused.
    /// The try stays counted only if the guard is marked [`ProofTry::wrong`]; a guard dropped
    /// otherwise — the right number, an error, or a client that hung up — takes it back.
    pub fn begin(&self, report: i64, now: DateTime<Utc>) -> Result<ProofTry<'_>, i64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now - *start < Self::window());
        }
        let entry = seen.entry(report).or_insert((now, 0));
        if now - entry.0 >= Self::window() {
            *entry = (now, 0);
        }
        if entry.1 >= PROOF_FAILURES {
            return Err((entry.0 + Self::window() - now).num_seconds().max(1));
        }
        entry.1 += 1;
        Ok(ProofTry {
            limiter: self,
            report,
            window: entry.0,
            wrong: false,
        })
    }
}

/// One counted try; see [`ProofLimiter::begin`].
#[derive(Debug)]
pub struct ProofTry<'a> {
    limiter: &'a ProofLimiter,
    report: i64,
    window: DateTime<Utc>,
    wrong: bool,
}

impl ProofTry<'_> {
    /// The number was wrong: the try stays counted.
    pub fn wrong(mut self) {
        self.wrong = true;
    }
}

impl Drop for ProofTry<'_> {
    fn drop(&mut self) {
        if self.wrong {
            return;
        }
        let mut seen = self.limiter.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Only within the window the try was counted in; an entry back at zero is removed,
        // so the next wrong number starts a full window.
        if let Some(entry) = seen.get_mut(&self.report) {
            if entry.0 == self.window {
                entry.1 = entry.1.saturating_sub(1);
                if entry.1 == 0 {
                    seen.remove(&self.report);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_21st_attempt_in_five_minutes_waits_and_the_next_window_is_free() {
        let l = SignInLimiter::default();
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..SIGNIN_ATTEMPTS {
            assert!(l.attempt(ip, t).is_ok());
        }
        assert!(l.attempt(ip, t + Duration::seconds(10)).is_err());
        assert!(
            l.attempt(Some(IpAddr::from([10, 0, 0, 2])), t).is_ok(),
            "other clients are not affected"
        );
        assert!(l.attempt(ip, t + Duration::minutes(6)).is_ok());
    }

    #[test]
    fn only_wrong_tries_stay_counted_and_a_dropped_try_is_taken_back() {
        let l = ProofLimiter::default();
        let now = Utc::now();
        for _ in 0..10 {
            drop(l.begin(7, now).unwrap()); // right number, error, or hung up
        }
        for _ in 0..PROOF_FAILURES {
            l.begin(7, now).unwrap().wrong();
        }
        assert!(l.begin(7, now).is_err(), "paused after five wrong numbers");
        assert!(l.begin(8, now).is_ok(), "other reports are not");
        assert!(l.begin(7, now + Duration::minutes(16)).is_ok());
    }
}
