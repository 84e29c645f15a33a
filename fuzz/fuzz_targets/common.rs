//! The real reference data, loaded once per fuzzing process.

use sahulat_domain::catalogue::{Catalogue, Sources};
use sahulat_domain::geo::GeoIndex;
use std::sync::OnceLock;

pub fn fixture(rel: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/");
    std::fs::read_to_string(format!("{dir}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn sources() -> Sources {
    Sources {
        districts_geojson: fixture("boundaries/sindh_balochistan_districts.geojson"),
        tehsils_geojson: fixture("boundaries/pilot_tehsils.geojson"),
        place_names_csv: fixture("place_names.csv"),
        services_json: fixture("services.json"),
        departments_json: fixture("departments.json"),
        routing_csv: fixture("routing.csv"),
        templates_json: Some(fixture("response_templates.json")),
    }
}

pub fn reference() -> &'static (Catalogue, GeoIndex) {
    static R: OnceLock<(Catalogue, GeoIndex)> = OnceLock::new();
    R.get_or_init(|| Catalogue::parse(&sources()).expect("the fixtures load"))
}
