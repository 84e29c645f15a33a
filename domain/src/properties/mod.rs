//! Property tests (issue 13, item 5): the reference check digit, phone parsing, the geo
//! lookup, the ticket lifecycle, SLA arithmetic, routing and the USSD path parser, checked on
//! generated inputs against the real reference data of `fixtures/`. Case counts are modest so
//! the whole module runs in seconds in a debug build; failures are not persisted to files.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// `cases` cases, no failure-persistence files.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Inserts a separator from `seps` after the characters marked in `at` (never before the
/// first character, so a leading `+` stays leading).
fn sprinkle(s: &str, at: &[bool], seps: &[&str]) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        out.push(c);
        if at.get(i).copied().unwrap_or(false) {
            out.push_str(seps[i % seps.len()]);
        }
    }
    out
}

mod reference_digits;

mod phones;

mod geo_lookup;

mod lifecycle_model;

mod sla_arithmetic;

mod routing_matrix;

mod ussd_paths;
