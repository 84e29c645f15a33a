//! Reference data: reading `fixtures/` from disk (the domain parses the texts and checks every
//! cross-reference) and writing it to the database idempotently on every start.

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::catalogue::{Catalogue, Sources};
use sahulat_domain::error::Result;
use sahulat_domain::evidence::Population;
use sahulat_domain::geo::{GeoIndex, DISTRICTS_FILE, TEHSILS_FILE};
use sahulat_domain::triage::Lexicon;
use std::path::Path;
use std::sync::Arc;

/// What a reference-data sync wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceCounts {
    /// Provinces.
    pub provinces: usize,
    /// Districts.
    pub districts: usize,
    /// Tehsils.
    pub tehsils: usize,
    /// Active services.
    pub services: usize,
    /// Active departments.
    pub departments: usize,
    /// Routing rows.
    pub routing_rules: usize,
}

/// Writing the reference data.
#[async_trait]
pub trait ReferenceData: Send + Sync {
    /// Writes the reference data idempotently: changed rows are updated, nothing is duplicated,
    /// rows that left the fixtures are deactivated (they may still be referenced).
    async fn sync_reference(&self, cat: &Catalogue, now: DateTime<Utc>) -> Result<ReferenceCounts>;
}

/// The reference data the API and the worker hold in memory.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Districts, tehsils, services, departments, routing, response templates.
    pub catalogue: Arc<Catalogue>,
    /// Boundaries.
    pub geo: Arc<GeoIndex>,
    /// The triage lexicon.
    pub lexicon: Arc<Lexicon>,
    /// Census populations (`population.csv`, `population_tehsils.csv`).
    pub population: Arc<Population>,
}

fn read(dir: &Path, rel: &str) -> anyhow::Result<String> {
    let path = dir.join(rel);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// Reads and checks the reference data in `dir` (normally `fixtures/`).
pub fn load(dir: &Path) -> anyhow::Result<Reference> {
    let templates = dir.join("response_templates.json");
    let src = Sources {
        districts_geojson: read(dir, &format!("boundaries/{DISTRICTS_FILE}"))?,
        tehsils_geojson: read(dir, &format!("boundaries/{TEHSILS_FILE}"))?,
        place_names_csv: read(dir, "place_names.csv")?,
        services_json: read(dir, "services.json")?,
        departments_json: read(dir, "departments.json")?,
        routing_csv: read(dir, "routing.csv")?,
        templates_json: templates
            .exists()
            .then(|| read(dir, "response_templates.json"))
            .transpose()?,
    };
    let (catalogue, geo) = Catalogue::parse(&src)
        .with_context(|| format!("loading reference data from {}", dir.display()))?;
    let lexicon = Lexicon::parse(&read(dir, "lexicon.json")?, "lexicon.json", &catalogue)?;
    let population = Population::parse(
        &read(dir, "population.csv")?,
        &read(dir, "population_tehsils.csv")?,
        &catalogue,
    )?;
    Ok(Reference {
        population: Arc::new(population),
        catalogue: Arc::new(catalogue),
        geo: Arc::new(geo),
        lexicon: Arc::new(lexicon),
    })
}
