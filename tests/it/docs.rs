//! The README is the user's manual: every environment variable the code reads is in it.

use std::collections::BTreeSet;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(std::fs::read_to_string(&p).unwrap());
        }
    }
}

#[test]
fn every_environment_variable_the_code_reads_is_documented_in_the_readme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for d in ["domain/src", "store/src", "api/src", "worker/src", "src"] {
        sources(&root.join(d), &mut texts);
    }
    let mut vars = BTreeSet::new();
    for t in &texts {
        for (i, _) in t.match_indices("\"SAHULAT_") {
            let name: String = t[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            vars.insert(name);
        }
    }
    assert!(vars.len() >= 10, "found {vars:?}");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let missing: Vec<&String> = vars
        .iter()
        .filter(|v| !readme.contains(&format!("`{v}`")))
        .collect();
    assert!(missing.is_empty(), "not in README.md: {missing:?}");
}

#[test]
fn every_error_code_is_in_the_readmes_table_with_its_status() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let missing: Vec<String> = sahulat_api::error::ErrorCode::all()
        .map(|c| format!("| `{}` | {} |", c.as_str(), c.status().as_u16()))
        .filter(|row| !readme.contains(row.as_str()))
        .collect();
    assert!(missing.is_empty(), "README.md lacks the rows {missing:?}");
}

#[tokio::test]
async fn the_openapi_document_lists_every_error_code() {
    let app = crate::common::TestApp::new().await;
    let doc = app.get("/openapi.json").await.json();
    let listed = doc["components"]["schemas"]["ErrorCode"]["enum"].clone();
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap_or_else(|| panic!("no ErrorCode enum in {}", doc["components"]["schemas"]))
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let all: Vec<&str> = sahulat_api::error::ErrorCode::all()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(listed, all);
}
