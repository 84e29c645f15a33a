//! Injectable randomness for references and tokens, so tests and simulations can be replayed.

use crate::reference::Reference;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::sync::Mutex;

/// Where new references and tokens come from.
pub trait IdSource: Send + Sync + std::fmt::Debug {
    /// A fresh random request reference.
    fn reference(&self) -> Reference;
    /// A fresh unguessable token (32 hex characters).
    fn token(&self) -> String;
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
