//! The shape of the code, checked: dependencies point one way between the crates
//! (`sahulat` → `api`, `worker` → `store` → `domain`), `domain` has no database, HTTP or async
//! runtime in it, no two modules of a crate import each other in a circle (a module and its own
//! submodules aside), and no source file is over 600 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `[dependencies]` names of a manifest.
fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                if !name.trim().is_empty() && !name.starts_with('#') {
                    out.insert(name.trim().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn dependencies_point_one_way_and_the_domain_stays_free_of_io_crates() {
    let deps = |c: &str| dependencies(&root().join(c).join("Cargo.toml"));
    let domain = deps("domain");
    for banned in [
        "sqlx",
        "tokio",
        "axum",
        "reqwest",
        "sahulat-store",
        "sahulat-api",
        "sahulat-worker",
    ] {
        assert!(!domain.contains(banned), "domain depends on {banned}");
    }
    let store = deps("store");
    assert!(store.contains("sahulat-domain"));
    for banned in ["axum", "sahulat-api", "sahulat-worker"] {
        assert!(!store.contains(banned), "store depends on {banned}");
    }
    let worker = deps("worker");
    assert!(worker.contains("sahulat-store"));
    assert!(!worker.contains("sahulat-api") && !worker.contains("axum"));
    let api = deps("api");
    assert!(api.contains("sahulat-store"));
    assert!(!api.contains("sahulat-worker"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    for d in [
        "domain/src",
        "store/src",
        "api/src",
        "worker/src",
        "src",
        "tests",
        "examples",
        "benches",
    ] {
        rust_files(&root().join(d), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 600).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over 600 lines: {long:?}");
}

/// Module path of a source file (`a/b.rs` and `a/b/mod.rs` → `a::b`; the crate root → "").
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The source without comments and without trailing `#[cfg(test)] mod … { … }` blocks.
fn code(text: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .get(i + 1)
                .is_some_and(|n| n.trim_start().starts_with("mod ") && n.trim_end().ends_with('{'))
        {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every path a file names, `use` trees expanded (`crate::{a, b::c}` → `crate::a`,
/// `crate::b::c`), as lists of segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head = format!("{prefix}{}", &tree[..open]);
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&head, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(&head, &inner[start..], out);
        } else if !tree.is_empty() {
            out.push(format!("{prefix}{tree}"));
        }
    }
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before_ok = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        let after = &rest[i + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if before_ok {
            expand("", &after[..end], &mut out);
        }
        rest = &after[end.min(after.len())..];
    }
    // Paths used in code without a `use`.
    for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
        if word.starts_with("crate::") || word.starts_with("super::") {
            out.push(word.to_string());
        }
    }
    out.into_iter()
        .map(|p| {
            p.split(" as ")
                .next()
                .unwrap_or("")
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect()
}

/// Module → modules it uses (edges to its own ancestors and descendants left out).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let related = |a: &str, b: &str| {
        a == b
            || b.is_empty()
            || a.is_empty()
            || a.starts_with(&format!("{b}::"))
            || b.starts_with(&format!("{a}::"))
    };
    let mut graph = BTreeMap::new();
    for f in &files {
        let m = module_of(src, f);
        let text = code(&std::fs::read_to_string(f).unwrap());
        let mut edges = BTreeSet::new();
        for p in paths(&text) {
            let mut base: Vec<String> = match p.first().map(String::as_str) {
                Some("crate") => Vec::new(),
                Some("super") => {
                    let mut b: Vec<String> = m.split("::").map(str::to_string).collect();
                    b.pop();
                    b
                }
                _ => continue,
            };
            for seg in p.iter().skip(1) {
                if seg == "super" {
                    base.pop();
                    continue;
                }
                let candidate = if base.is_empty() {
                    seg.clone()
                } else {
                    format!("{}::{seg}", base.join("::"))
                };
                if modules.contains(&candidate) {
                    base.push(seg.clone());
                } else {
                    break;
                }
            }
            let target = base.join("::");
            if !related(&m, &target) {
                edges.insert(target);
            }
        }
        graph.insert(m, edges);
    }
    graph
}

/// The circles in a graph, each as the list of modules on it.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(i) = stack.iter().position(|s| s == n) {
            found.push(stack[i..].to_vec());
            return;
        }
        if done.contains(n) {
            return;
        }
        stack.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            visit(next, graph, stack, done, found);
        }
        stack.pop();
        done.insert(n.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(n, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn the_circle_finder_finds_a_circle_and_nothing_else() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    let ps = paths(
        "use crate::{views::{view, RequestView}, access as acc};\nlet x = super::ticket::detail();",
    );
    assert!(ps.contains(&vec!["crate".into(), "views".into(), "view".into()]));
    assert!(ps.contains(&vec!["crate".into(), "access".into()]));
    assert!(ps.contains(&vec!["super".into(), "ticket".into(), "detail".into()]));
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    for krate in ["domain", "store", "api", "worker"] {
        let graph = module_graph(&root().join(krate).join("src"));
        assert!(graph.len() > 5, "{krate}: {graph:?}");
        let found = cycles(&graph);
        assert!(found.is_empty(), "{krate} has import circles: {found:?}");
    }
}
