//! What a job needs: the store, the reference data, time, SMS delivery and the tunables. Built
//! from the store and the reference data alone, so `sahulat worker` needs nothing of the API.

use crate::config::WorkerConfig;
use crate::sms::Notifier;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::clock::Clock;
use sahulat_domain::triage::Lexicon;
use sahulat_store::reference_data::Reference;
use sahulat_store::Store;
use std::sync::Arc;

/// One worker (a process may run one; many may share a PostgreSQL queue).
#[derive(Debug, Clone)]
pub struct Worker {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Reference data.
    pub catalogue: Arc<Catalogue>,
    /// Triage lexicon.
    pub lexicon: Arc<Lexicon>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// SMS delivery.
    pub notifier: Arc<dyn Notifier>,
    /// Tunables.
    pub config: WorkerConfig,
    /// This worker's lease name.
    pub id: String,
}

impl Worker {
    /// A worker over a migrated store and loaded reference data.
    pub fn new(
        store: Arc<dyn Store>,
        reference: &Reference,
        clock: Arc<dyn Clock>,
        notifier: Arc<dyn Notifier>,
        config: WorkerConfig,
        id: String,
    ) -> Worker {
        Worker {
            store,
            catalogue: reference.catalogue.clone(),
            lexicon: reference.lexicon.clone(),
            clock,
            notifier,
            config,
            id,
        }
    }
}

/// A worker name unique enough for leases: host, process and a random suffix.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{host}-{}-{nanos:x}", std::process::id())
}
