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
