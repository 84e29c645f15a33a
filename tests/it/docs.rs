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

#[tokio::test]
async fn the_openapi_document_says_which_operations_need_a_bearer_token_and_that_any_can_fail() {
    let app = crate::common::TestApp::new().await;
    let doc = app.get("/openapi.json").await.json();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let op = |method: &str, path: &str| doc["paths"][path][method].clone();
    // Staff, evidence and evaluation operations require the token; citizens' do not.
    for (method, path) in [
        ("get", "/api/v1/staff/tickets"),
        ("post", "/api/v1/staff/tickets/{reference}/actions"),
        ("get", "/api/v1/summaries"),
        ("post", "/api/v1/actions"),
        ("get", "/api/v1/me"),
    ] {
        assert_eq!(
            op(method, path)["security"][0]["bearer"],
            serde_json::json!([]),
            "{method} {path}"
        );
        // And without one they answer the 401 the document promises.
        let res = if method == "get" {
            app.get(&path.replace("{reference}", "123456789")).await
        } else {
            app.post_json(
                &path.replace("{reference}", "123456789"),
                &serde_json::json!({}),
            )
            .await
        };
        assert_eq!(res.status, 401, "{method} {path}: {}", res.text());
    }
    for (method, path) in [
        ("post", "/api/v1/requests"),
        ("get", "/api/v1/requests/{reference}"),
        ("post", "/api/v1/auth/token"),
        ("get", "/api/v1/open-data/requests"),
    ] {
        assert!(op(method, path)["security"].is_null(), "{method} {path}");
    }
    // Every operation but the health checks can fail inside (500); those that use the
    // database also answer 503 when it is gone (tests/it/pg_outage.rs).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, o) in item.as_object().unwrap() {
            let codes = &o["responses"];
            let health = path == "/healthz" || path == "/readyz";
            assert_eq!(codes["500"].is_null(), health, "500 on {method} {path}");
            let in_memory = health
                || ["/api/v1/services", "/api/v1/districts", "/api/v1/locate"]
                    .contains(&path.as_str());
            assert_eq!(
                codes["503"].is_null(),
                in_memory && path != "/readyz",
                "503 on {method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn the_open311_document_lists_500_everywhere_and_503_where_the_database_is_used() {
    let app = crate::common::TestApp::new().await;
    let doc = app.get("/open311/v2/openapi.json").await.json();
    let responses = |method: &str, path: &str| doc["paths"][path][method]["responses"].clone();
    for (method, path) in [
        ("post", "/open311/v2/requests.{format}"),
        ("get", "/open311/v2/requests.{format}"),
        ("get", "/open311/v2/requests/{service_request_id}.{format}"),
        ("get", "/open311/v2/tokens/{token}.{format}"),
        ("get", "/open311/v2/servicerequestupdates.{format}"),
    ] {
        let r = responses(method, path);
        assert!(
            r["500"].is_object() && r["503"].is_object(),
            "{method} {path}: {r}"
        );
        assert!(
            r["503"]["content"]["text/xml"].is_object(),
            "XML too: {method} {path}"
        );
    }
    for path in [
        "/open311/v2/discovery.{format}",
        "/open311/v2/services.{format}",
        "/open311/v2/services/{service_code}.{format}",
    ] {
        let r = responses("get", path);
        assert!(r["500"].is_object() && r["503"].is_null(), "{path}: {r}");
    }
}
