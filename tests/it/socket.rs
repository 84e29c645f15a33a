//! Real sockets: the router behind a TCP listener (compression, streaming a 10 MB body) and the
//! `sahulat serve` binary itself, started the way the README says.

use crate::common;

use common::{larkana_request, TestApp};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw_http(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn responses_are_gzip_compressed_when_the_client_asks() {
    let app = TestApp::new().await;
    let addr = app.spawn_socket().await;
    let res = raw_http(addr, b"GET /open311/v2/services.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").await;
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(
        res.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{res}"
    );
}

#[tokio::test]
async fn a_10_mb_upload_over_a_socket_is_cut_off_with_413() {
    let app = TestApp::new().await;
    let addr = app.spawn_socket().await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let len = 10 * 1024 * 1024;
    let head = format!("POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..(len / chunk.len()) {
        if s.write_all(&chunk).await.is_err() {
            break; // the server may close early; that is fine
        }
    }
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("payload_too_large"), "{text}");
    assert_eq!(app.request_count().await, 0);
}

#[test]
fn the_serve_command_starts_on_an_empty_sqlite_database_and_accepts_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("new/sahulat.db").display()),
        )
        .env("SAHULAT_BIND", format!("127.0.0.1:{port}"))
        .env("SAHULAT_KEY_FILE", dir.path().join("new/sahulat.key"))
        .env_remove("SAHULAT_DATA_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    let start = Instant::now();
    let mut ready = None;
    while start.elapsed() < Duration::from_secs(60) {
        if let Some(r) = get("/readyz").filter(|r| r.starts_with("HTTP/1.1 200")) {
            ready = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let outcome = (|| {
        ready.ok_or("server did not become ready")?;
        let body = larkana_request().to_string();
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|_| "connect")?;
        write!(s, "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).map_err(|_| "write")?;
        let mut out = String::new();
        s.read_to_string(&mut out).map_err(|_| "read")?;
        if !out.starts_with("HTTP/1.1 201") || !out.contains("\"district\":\"PK713\"") {
            return Err("request was not stored in Larkana");
        }
        let services = get("/open311/v2/services.xml").ok_or("services")?;
        if !services.contains("<service_code>water-supply</service_code>") {
            return Err("reference data not loaded");
        }
        Ok(())
    })();
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    outcome.unwrap_or_else(|e| panic!("{e}; stderr: {}", String::from_utf8_lossy(&output.stderr)));
}

#[tokio::test]
async fn apikey_create_prints_a_key_once_that_open311_then_accepts() {
    let app = TestApp::new().await;
    let out = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .args(["apikey", "create", "--label", "Larkana municipal app"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &app.db_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("shl_") && key.len() == 44, "{key}");
    let res = app
        .post_form(
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "roads"),
                ("lat", "27.56"),
                ("long", "68.21"),
                ("description", "Road broken"),
            ],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let empty = Command::new(env!("CARGO_BIN_EXE_sahulat"))
        .args(["apikey", "create", "--label", "  "])
        .env("DATABASE_URL", &app.db_url)
        .env("SAHULAT_DATA_KEY", common::TEST_DATA_KEY)
        .output()
        .unwrap();
    assert!(!empty.status.success());
}

/// Runs `sahulat apikey …` against the app's database: (success, stdout, stderr).
fn apikey(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    app.cli(&[&["apikey"], args].concat())
}

#[tokio::test]
async fn a_revoked_api_key_is_refused_by_open311_while_the_others_keep_working() {
    let app = TestApp::new().await;
    let (ok, first, err) = apikey(&app, &["create", "--label", "Larkana municipal app"]);
    assert!(ok, "{err}");
    let (ok, second, err) = apikey(&app, &["create", "--label", "Kech tanker roster"]);
    assert!(ok, "{err}");
    let (first, second) = (first.trim(), second.trim());
    let post = |key: String| {
        let app = &app;
        async move {
            app.post_form(
                "/open311/v2/requests.json",
                &[
                    ("api_key", key.as_str()),
                    ("service_code", "roads"),
                    ("lat", "27.56"),
                    ("long", "68.21"),
                    ("description", "Road broken near the school"),
                ],
            )
            .await
        }
    };
    let (ok, listed, err) = apikey(&app, &["list"]);
    assert!(ok, "{err}");
    assert!(err.contains("2 key(s), 0 revoked"), "{err}");
    let rows: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(rows[0].starts_with("1\t") && rows[0].ends_with("\tLarkana municipal app"));
    assert!(rows[0].contains(&format!("{}…", &first[..8])), "{listed}");
    assert!(
        !listed.contains(first) && !listed.contains(second),
        "the list never shows a key"
    );

    let (ok, _, err) = apikey(&app, &["revoke", "--id", "1"]);
    assert!(ok && err.contains("revoked API key 1"), "{err}");
    let refused = post(first.to_string()).await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(refused.text().contains("revoked"), "{}", refused.text());
    let accepted = post(second.to_string()).await;
    assert_eq!(accepted.status, 201, "{}", accepted.text());

    let (ok, listed, err) = apikey(&app, &["list"]);
    assert!(ok && err.contains("2 key(s), 1 revoked"), "{err}");
    assert!(
        !listed.lines().nth(1).unwrap().contains("\t-\t"),
        "{listed}"
    );
    assert!(listed.lines().nth(2).unwrap().contains("\t-\t"), "{listed}");
    let (ok, _, err) = apikey(&app, &["revoke", "--id", "1"]);
    assert!(
        !ok && err.contains("--id: API key 1") && err.contains("already revoked"),
        "{err}"
    );
    let (ok, _, err) = apikey(&app, &["revoke", "--id", "9"]);
    assert!(!ok && err.contains("--id: there is no API key 9"), "{err}");
}
