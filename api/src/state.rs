//! What every handler may need, shared by all requests: the store, the reference data, time,
//! references and tokens, the in-memory limiters and the deployment's settings.

use crate::limiter::{ProofLimiter, SignInLimiter};
use crate::settings::Settings;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::clock::Clock;
use sahulat_domain::evidence::Population;
use sahulat_domain::geo::GeoIndex;
use sahulat_domain::ids::IdSource;
use sahulat_domain::triage::Lexicon;
use sahulat_store::reference_data::Reference;
use sahulat_store::Store;
use std::sync::Arc;

/// Everything a handler may need.
#[derive(Debug)]
pub struct AppContext {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Reference data.
    pub catalogue: Arc<Catalogue>,
    /// Boundaries.
    pub geo: Arc<GeoIndex>,
    /// Triage's words (priority and category), which recategorising applies again.
    pub lexicon: Arc<Lexicon>,
    /// Census populations, for rates per 10,000 residents.
    pub population: Arc<Population>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// References and tokens.
    pub ids: Arc<dyn IdSource>,
    /// Sign-in attempts per client address.
    pub signin_limiter: SignInLimiter,
    /// Wrong phone numbers per report on the citizen endpoints.
    pub proof_limiter: ProofLimiter,
    /// Anonymous reports per address, phone number and API key (`abuse`).
    pub abuse_counter: crate::abuse::Counter,
    /// Reopen window, office hours, media folder, public address.
    pub settings: Settings,
    /// Photo decodes allowed at once (one per core): each may hold a few hundred MB.
    pub photo_permits: tokio::sync::Semaphore,
    /// Photos of report forms still being filled in.
    pub pending_photos: crate::web::pending::PendingPhotos,
}

/// Cheaply clonable handle on the context.
pub type AppState = Arc<AppContext>;

impl AppContext {
    /// The API's state over a migrated store (`sahulat_store::prepare`) and loaded reference
    /// data.
    pub fn new(
        store: Arc<dyn Store>,
        reference: &Reference,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        settings: Settings,
    ) -> AppState {
        Arc::new(AppContext {
            store,
            catalogue: reference.catalogue.clone(),
            geo: reference.geo.clone(),
            lexicon: reference.lexicon.clone(),
            population: reference.population.clone(),
            clock,
            ids,
            signin_limiter: Default::default(),
            proof_limiter: Default::default(),
            abuse_counter: Default::default(),
            settings,
            photo_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            pending_photos: Default::default(),
        })
    }
}
