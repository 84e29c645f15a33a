//! Photos waiting for their report. When the report page goes back and forth (a map tap, a
//! proposed place, a field to correct) the citizen should not have to choose the photo again:
//! the processed photo (already re-encoded, without its metadata) waits here, keyed by the
//! form's token, until the report is sent. In memory, at most `CAPACITY` photos for at most
//! an hour; with several API instances a photo waits on the one that received it (on another
//! the citizen is asked to choose it again).

use sahulat_domain::photo::ProcessedPhoto;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most photos waiting at once (each ~0.5 MB).
pub(crate) const CAPACITY: usize = 64;
/// How long a photo waits.
pub(crate) const TTL: Duration = Duration::from_secs(3600);

/// The waiting photos.
#[derive(Debug, Default)]
pub struct PendingPhotos {
    by_token: Mutex<HashMap<String, (Instant, ProcessedPhoto)>>,
}

impl PendingPhotos {
    /// Keeps `photo` for the form `token` (replacing an earlier one).
    pub(crate) fn put(&self, token: &str, photo: ProcessedPhoto) {
        let mut m = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        m.retain(|_, (at, _)| now.duration_since(*at) < TTL);
        if m.len() >= CAPACITY && !m.contains_key(token) {
            if let Some(oldest) = m
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                m.remove(&oldest);
            }
        }
        m.insert(token.to_string(), (now, photo));
    }
    /// Whether a photo waits for `token`.
    pub(crate) fn has(&self, token: &str) -> bool {
        let m = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        m.get(token).is_some_and(|(at, _)| at.elapsed() < TTL)
    }
    /// Takes the photo waiting for `token`.
    pub(crate) fn take(&self, token: &str) -> Option<ProcessedPhoto> {
        let mut m = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(token)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, p)| p)
    }
}
