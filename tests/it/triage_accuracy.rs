//! Category accuracy of the triage lexicon on the labelled evaluation set
//! (`fixtures/triage_eval.csv`, written independently of `fixtures/lexicon.json`).
//! Run with `cargo test --test triage_accuracy -- --nocapture` to see the table.

use crate::common;

use std::collections::BTreeMap;

/// Measured when the lexicon was first written (85.0 % overall; en 86.4, roman_ur 86.9,
/// ur 84.3, sd 82.1 — see the README), minus three points: the test fails if a lexicon edit
/// makes triage clearly worse.
const MIN_OVERALL: f64 = 0.82;
const MIN_PER_LANGUAGE: f64 = 0.79;

#[derive(Debug, serde::Deserialize)]
struct Row {
    language: String,
    service: String,
    urgent: bool,
    text: String,
}

#[test]
fn the_lexicon_classifies_the_labelled_complaints_at_least_as_well_as_measured() {
    let lex = common::lexicon();
    let mut reader = csv::Reader::from_path(common::fixtures().join("triage_eval.csv")).unwrap();
    let rows: Vec<Row> = reader.deserialize().collect::<Result<_, _>>().unwrap();
    assert!(rows.len() >= 300);
    let mut by_lang: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let (mut urgent_tp, mut urgent_fp, mut urgent_fn) = (0, 0, 0);
    let mut misses = Vec::new();
    for r in &rows {
        let predicted = lex
            .best(&r.text)
            .map(|b| b.0)
            .unwrap_or_else(|| "other".into());
        let confident = lex.best(&r.text).is_some_and(|b| b.2);
        let e = by_lang.entry(r.language.clone()).or_default();
        e.0 += 1;
        if predicted == r.service {
            e.1 += 1;
        } else {
            misses.push(format!(
                "{} [{}] expected {} got {predicted}: {}",
                r.language, confident, r.service, r.text
            ));
        }
        if confident && predicted == r.service {
            e.2 += 1;
        }
        let input = sahulat_domain::triage::PriorityInput {
            service: &r.service,
            default: sahulat_domain::status::Priority::Normal,
            text: &r.text,
            attributes: &serde_json::json!({}),
            nearby_reports: 0,
        };
        let urgent = sahulat_domain::triage::priority(&lex, &input).0
            == sahulat_domain::status::Priority::Urgent;
        match (urgent, r.urgent) {
            (true, true) => urgent_tp += 1,
            (true, false) => urgent_fp += 1,
            (false, true) => urgent_fn += 1,
            _ => {}
        }
    }
    let total: usize = by_lang.values().map(|v| v.0).sum();
    let right: usize = by_lang.values().map(|v| v.1).sum();
    eprintln!("language   n   top-1 accuracy   confident & right");
    for (lang, (n, ok, conf)) in &by_lang {
        eprintln!(
            "{lang:<9} {n:>3}   {:>6.1}%          {:>6.1}%",
            100.0 * *ok as f64 / *n as f64,
            100.0 * *conf as f64 / *n as f64
        );
    }
    let overall = right as f64 / total as f64;
    eprintln!("all       {total:>3}   {:>6.1}%", 100.0 * overall);
    eprintln!("urgent: {urgent_tp} found, {urgent_fp} false alarms, {urgent_fn} missed");
    for m in misses.iter().take(if std::env::var("SHOW_MISSES").is_ok() {
        usize::MAX
    } else {
        0
    }) {
        eprintln!("  miss: {m}");
    }
    assert!(
        overall >= MIN_OVERALL,
        "overall accuracy {overall:.3} fell below {MIN_OVERALL}"
    );
    for (lang, (n, ok, _)) in &by_lang {
        let acc = *ok as f64 / *n as f64;
        assert!(
            acc >= MIN_PER_LANGUAGE,
            "{lang} accuracy {acc:.3} fell below {MIN_PER_LANGUAGE}"
        );
    }
}
