//! Start-up shared by `sahulat serve`, the tests and the benchmarks: open the store, migrate,
//! load the reference data from `fixtures/` and write it (idempotently) to the database.

use crate::{AppContext, AppState};
use anyhow::Context;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::citizen::Settings;
use sahulat_domain::clock::Clock;
use sahulat_domain::geo::GeoIndex;
use sahulat_domain::ids::IdSource;
use sahulat_domain::store::{ReferenceCounts, Store};
use std::path::Path;
use std::sync::Arc;

/// Reads the fixtures (boundaries, services, departments, routing).
pub fn load_reference(fixtures: &Path) -> anyhow::Result<(Arc<Catalogue>, Arc<GeoIndex>)> {
    let (cat, geo) = Catalogue::load(fixtures)
        .with_context(|| format!("loading reference data from {}", fixtures.display()))?;
    Ok((Arc::new(cat), Arc::new(geo)))
}

/// Migrates the store, writes the reference data and returns the application state.
pub async fn prepare(
    store: Arc<dyn Store>,
    catalogue: Arc<Catalogue>,
    geo: Arc<GeoIndex>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    settings: Settings,
) -> anyhow::Result<(AppState, ReferenceCounts)> {
    store.migrate().await.context("migrating the database")?;
    let counts = store
        .sync_reference(&catalogue, clock.now())
        .await
        .context("writing reference data")?;
    Ok((
        Arc::new(AppContext {
            store,
            catalogue,
            geo,
            clock,
            ids,
            signin_limiter: Default::default(),
            proof_limiter: Default::default(),
            settings,
            photo_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
        }),
        counts,
    ))
}
