//! `sahulat backup` and `sahulat restore` on SQLite, as an operator runs them: a backup taken
//! while the database is in use holds the requests, the data key and the photos; restored into
//! a new place it gives back every request with its sealed phone number readable; a damaged
//! copy, an existing database or a different key are refused and leave everything as it was.
//! (PostgreSQL goes through pg_dump/pg_restore; docs/operations.md.)

use crate::common;

use common::{request_at, TestApp};
use std::path::Path;
use std::process::Command;

fn sahulat(
    db_url: &str,
    env_key: Option<&str>,
    key_file: &Path,
    media: &Path,
    args: &[&str],
) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sahulat"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", db_url)
        .env("SAHULAT_KEY_FILE", key_file)
        .env("SAHULAT_MEDIA_DIR", media)
        .env("RUST_LOG", "warn")
        .env_remove("SAHULAT_DATA_KEY");
    if let Some(k) = env_key {
        cmd.env("SAHULAT_DATA_KEY", k);
    }
    let out = cmd.output().expect("run sahulat");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_backup_restores_every_request_its_sealed_phone_and_photos_and_a_damaged_one_is_refused()
{
    let app = TestApp::new().await;
    if !app.db_url.starts_with("sqlite") {
        eprintln!("skipped on PostgreSQL: pg_dump/pg_restore path, see docs/operations.md");
        return;
    }
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = app
            .create(request_at(
                "water-supply",
                27.56 + f64::from(i) * 0.001,
                68.21,
                "No water in our lane for three days",
                Some(&format!("0300 12345{i:02}")),
            ))
            .await;
        ids.push(r.id);
    }
    std::fs::create_dir_all(app.media.path().join("ab")).unwrap();
    std::fs::write(app.media.path().join("ab/photo.jpg"), b"jpeg bytes").unwrap();
    let work = tempfile::tempdir().unwrap();
    let to = work.path().join("backup-1");
    let unused_key = work.path().join("unused.key");
    let (ok, err) = sahulat(
        &app.db_url,
        Some(common::TEST_DATA_KEY),
        &unused_key,
        app.media.path(),
        &["backup", "--to", to.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(
        err.contains("requests 3") && err.contains("photos 1"),
        "{err}"
    );
    for part in [
        "sahulat.db",
        "sahulat.key",
        "MANIFEST",
        "media/ab/photo.jpg",
    ] {
        assert!(to.join(part).exists(), "{part} in the backup");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(to.join("sahulat.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
    }
    // Backups are never written over.
    let (ok, err) = sahulat(
        &app.db_url,
        Some(common::TEST_DATA_KEY),
        &unused_key,
        app.media.path(),
        &["backup", "--to", to.to_str().unwrap()],
    );
    assert!(!ok && err.contains("not empty"), "{err}");

    // Restored elsewhere, with no key in the environment: the key file comes back too.
    let target = work.path().join("new/sahulat.db");
    let url = format!("sqlite://{}", target.display());
    let key_file = work.path().join("new/sahulat.key");
    let media = work.path().join("new/media");
    let (ok, err) = sahulat(
        &url,
        None,
        &key_file,
        &media,
        &["restore", "--from", to.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(err.contains("restored 3 requests"), "{err}");
    assert_eq!(
        std::fs::read(media.join("ab/photo.jpg")).unwrap(),
        b"jpeg bytes"
    );
    let key = sahulat_store::keyfile::load_data_key(None, &key_file).unwrap();
    let restored = sahulat_store::connect(&url, std::sync::Arc::new(key))
        .await
        .unwrap();
    assert_eq!(restored.count_requests().await.unwrap(), 3);
    assert!(restored.integrity_problems().await.unwrap().is_empty());
    for (i, id) in ids.iter().enumerate() {
        let contact = restored.contact(*id).await.unwrap().expect("contact kept");
        let phone = contact.phone.expect("phone unsealed with the restored key");
        assert!(
            phone.e164().ends_with(&format!("12345{i:02}")),
            "{}",
            phone.e164()
        );
    }
    drop(restored);

    // A second restore onto the same place needs --force; without it nothing changes.
    let before = std::fs::read(&target).unwrap();
    let (ok, err) = sahulat(
        &url,
        None,
        &key_file,
        &media,
        &["restore", "--from", to.to_str().unwrap()],
    );
    assert!(!ok && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), before);

    // A damaged copy is refused before anything is replaced.
    let mut bytes = std::fs::read(to.join("sahulat.db")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(to.join("sahulat.db"), &bytes).unwrap();
    let (ok, err) = sahulat(
        &url,
        None,
        &key_file,
        &media,
        &["restore", "--from", to.to_str().unwrap(), "--force"],
    );
    assert!(!ok && err.contains("checksum"), "{err}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "the database in place is untouched"
    );
}

#[tokio::test]
async fn a_missing_key_file_stops_sahulat_instead_of_making_stored_phone_numbers_unreadable() {
    let app = TestApp::new().await;
    let r = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water in our lane for three days",
            Some("0300 1234500"),
        ))
        .await;
    let work = tempfile::tempdir().unwrap();
    // The key file was lost: Sahulat would create a new key there.
    let lost = work.path().join("sahulat.key");
    let (ok, err) = sahulat(&app.db_url, None, &lost, app.media.path(), &["migrate"]);
    assert!(!ok, "started with a new key: {err}");
    assert!(
        err.contains("the data key does not open the personal data already in this database")
            && err.contains("SAHULAT_KEY_FILE"),
        "{err}"
    );
    // Nothing stored was touched, and the right key still opens it.
    let contact = app.store().contact(r.id).await.unwrap().unwrap();
    assert_eq!(contact.phone.unwrap().e164(), "+923001234500");
    let (ok, err) = sahulat(
        &app.db_url,
        Some(common::TEST_DATA_KEY),
        &lost,
        app.media.path(),
        &["migrate"],
    );
    assert!(ok, "{err}");
}
