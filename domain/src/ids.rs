//! Injectable randomness for references and tokens, so tests and simulations can be replayed.

use crate::reference::Reference;
use chrono::{DateTime, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::sync::Mutex;

/// Where new references and tokens come from.
pub trait IdSource: Send + Sync + std::fmt::Debug {
    /// A fresh random request reference.
    fn reference(&self) -> Reference;
    /// A fresh unguessable token (32 hex characters).
    fn token(&self) -> String;
    /// A fresh unguessable token for a request made at `at` (Open311's `token`): 32 hex
    /// characters, the first 8 the second it was made and the other 24 random (96 bits, drawn
    /// as `token` draws them). Tokens are unique and looked up by an index; a fully random one
    /// landed each new entry on a random page of that index, which a long history made a
    /// fifth of the pages a simulated day wrote (BENCHMARKS.md, "The simulator: the pages a
    /// day writes"). In time order new entries go to its last pages.
    fn request_token(&self, at: DateTime<Utc>) -> String {
        let second = u32::try_from(at.timestamp().clamp(0, i64::from(u32::MAX))).unwrap_or(0);
        let random = self.token();
        format!("{second:08x}{}", &random[8..])
    }
}

/// A seeded or OS-seeded random generator behind a mutex.
#[derive(Debug)]
pub struct RandomIds(Mutex<StdRng>);

impl RandomIds {
    /// Seeded from the operating system.
    pub fn from_entropy() -> Self {
        Self(Mutex::new(StdRng::from_entropy()))
    }
    /// Deterministic, for tests.
    pub fn seeded(seed: u64) -> Self {
        Self(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl IdSource for RandomIds {
    fn reference(&self) -> Reference {
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Reference::generate(&mut *rng)
    }
    fn token(&self) -> String {
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let bytes: [u8; 16] = rng.gen();
        hex::encode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::{IdSource, RandomIds};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn a_request_token_is_32_hex_characters_led_by_the_second_it_was_made() {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 9, 30, 0).unwrap();
        let t = RandomIds::seeded(1).request_token(at);
        assert_eq!(t.len(), 32);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(&t[..8], format!("{:08x}", at.timestamp()));
    }

    #[test]
    fn request_tokens_sort_in_the_order_they_were_made_and_never_repeat_within_a_second() {
        let ids = RandomIds::seeded(7);
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let same: Vec<String> = (0..1000).map(|_| ids.request_token(at)).collect();
        let distinct: std::collections::HashSet<&String> = same.iter().collect();
        assert_eq!(distinct.len(), same.len());
        let later = ids.request_token(at + Duration::seconds(1));
        assert!(same.iter().all(|t| *t < later));
    }

    #[test]
    fn a_seeded_source_gives_the_same_tokens_again() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        let (a, b) = (RandomIds::seeded(3), RandomIds::seeded(3));
        assert_eq!(a.request_token(at), b.request_token(at));
        assert_eq!(a.reference(), b.reference());
    }
}
