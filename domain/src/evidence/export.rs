//! Summaries as CSV: one row per group, the breakdown's columns first (in the order asked),
//! then the population, the rate and every figure; a suppressed cell reads "fewer than N" and
//! an unknown one is empty, exactly as in the JSON.

use super::cells::SHOWN_COLUMNS;
use super::summary::{Dimension, Row};
use serde_json::Value;

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{:.4}", f)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// The CSV of `rows` broken down by `by`.
pub fn summary_csv(rows: &[Row], by: &[Dimension]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = by.iter().map(|d| d.name()).collect();
    header.extend(["population", "per_10k"]);
    header.extend(SHOWN_COLUMNS);
    w.write_record(&header)?;
    for r in rows {
        let v = serde_json::to_value(r)?;
        let mut rec: Vec<String> = by
            .iter()
            .map(|d| r.group.get(d.name()).cloned().unwrap_or_default())
            .collect();
        rec.push(text(v.get("population")));
        rec.push(text(v.get("per_10k")));
        rec.extend(SHOWN_COLUMNS.iter().map(|c| text(v.get(*c))));
        w.write_record(&rec)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
