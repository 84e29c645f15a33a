//! The fixture loaders given a damaged file: the first byte picks which file the rest of the
//! input replaces (population of districts or tehsils, the triage lexicon, the routing table,
//! the services, the departments, the place names), the others stay real. A bad file must be
//! an error naming it, never a panic. The catalogue's files are picked less often: each of
//! those runs reloads the real boundaries (tens of milliseconds).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::evidence::Population;
use sahulat_domain::triage::Lexicon;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).to_string();
    let (cat, _) = common::reference();
    match pick % 16 {
        0..=3 => {
            let _ = Population::parse(&text, &common::fixture("population_tehsils.csv"), cat);
        }
        4..=7 => {
            let _ = Population::parse(&common::fixture("population.csv"), &text, cat);
        }
        8..=11 => {
            let _ = Lexicon::parse(&text, "lexicon.json", cat);
        }
        n => {
            // The small files of the catalogue; the boundaries stay real (and slow to load).
            let mut src = common::sources();
            match n {
                12 => src.routing_csv = text,
                13 => src.services_json = text,
                14 => src.departments_json = text,
                _ => src.place_names_csv = text,
            }
            let _ = Catalogue::parse(&src);
        }
    }
});
