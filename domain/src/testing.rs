//! Test support: the real reference data from `fixtures/`, read once (tests may read files;
//! the domain itself does not).

use crate::catalogue::{Catalogue, Sources};
use crate::geo::GeoIndex;
use crate::triage::Lexicon;
use std::path::PathBuf;
use std::sync::OnceLock;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The catalogue, boundaries and lexicon of `fixtures/`.
pub fn reference() -> &'static (Catalogue, GeoIndex, Lexicon) {
    static REF: OnceLock<(Catalogue, GeoIndex, Lexicon)> = OnceLock::new();
    REF.get_or_init(|| {
        let src = Sources {
            districts_geojson: read("boundaries/sindh_balochistan_districts.geojson"),
            tehsils_geojson: read("boundaries/pilot_tehsils.geojson"),
            place_names_csv: read("place_names.csv"),
            services_json: read("services.json"),
            departments_json: read("departments.json"),
            routing_csv: read("routing.csv"),
            templates_json: Some(read("response_templates.json")),
        };
        let (cat, geo) = Catalogue::parse(&src).expect("fixtures parse");
        let lex = Lexicon::parse(&read("lexicon.json"), "lexicon.json", &cat).expect("lexicon");
        (cat, geo, lex)
    })
}

/// The census figures of `fixtures/`.
pub fn population() -> &'static crate::evidence::Population {
    static POP: OnceLock<crate::evidence::Population> = OnceLock::new();
    POP.get_or_init(|| {
        crate::evidence::Population::parse(
            &read("population.csv"),
            &read("population_tehsils.csv"),
            &reference().0,
        )
        .expect("population parses")
    })
}

/// 2026-11-26 09:00 UTC (14:00 in Pakistan), a Thursday.
pub fn t0() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 26, 9, 0, 0)
        .single()
        .expect("valid time")
}

/// A request as the store would return it: water supply in Larkana city, open, with the PHED.
pub fn request(id: i64) -> crate::request::ServiceRequest {
    use crate::lang::Lang;
    use crate::status::{Channel, Priority, Status};
    crate::request::ServiceRequest {
        id,
        reference: crate::reference::Reference::from_body(15_474_500 + id as u32)
            .as_str()
            .to_string(),
        token: format!("token{id}"),
        service_code: "water-supply".into(),
        description: "No water in Sachal Colony".into(),
        lat: Some(27.56),
        lon: Some(68.21),
        address: None,
        province: "PK7".into(),
        district: "PK713".into(),
        tehsil: Some("PK71303".into()),
        channel: Channel::Api,
        language: Lang::En,
        status: Status::Open,
        priority: Priority::Normal,
        department: Some("phed-larkana".into()),
        sla_due_at: Some(t0() + chrono::Duration::hours(48)),
        duplicate_of: None,
        attributes: serde_json::json!({}),
        media_url: None,
        created_at: t0(),
        updated_at: t0(),
        closed_at: None,
        sla_started_at: None,
        reporters: 1,
        escalation_level: 0,
        ack_due_at: Some(t0() + chrono::Duration::hours(8)),
        acknowledged_at: None,
        triage_flags: Vec::new(),
        filed_service_code: None,
        description_hidden: false,
    }
}
