//! `sahulat backup --to DIR` and `sahulat restore --from DIR`: the operator's copy of
//! everything a district needs to start again — the database, the data key that unseals the
//! reporters' contact details, and the photos — in one folder with a `MANIFEST` that says what
//! is in it and lets the restore check it. SQLite is copied online (`VACUUM INTO`: one read
//! transaction, writers keep going); PostgreSQL with `pg_dump --format=custom` and restored
//! with `pg_restore`. A restore refuses to overwrite a database or a different key unless
//! told to, checks the copy's checksum and integrity before it replaces anything, and moves
//! the copy into place with a rename.

use anyhow::{bail, ensure, Context};
use chrono::Utc;
use clap::Args;
use sahulat_store::Store;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a backup's parts live.
const DB_FILE: &str = "sahulat.db";
const PG_FILE: &str = "sahulat.pgdump";
const KEY_FILE: &str = "sahulat.key";
const MEDIA: &str = "media";
const MANIFEST: &str = "MANIFEST";

/// `sahulat backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Folder to write (created; must not exist or be empty).
    #[arg(long)]
    pub to: PathBuf,
    /// The photo folder to include.
    #[arg(long, env = "SAHULAT_MEDIA_DIR", default_value = "data/media")]
    pub media_dir: PathBuf,
}

/// `sahulat restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A folder written by `sahulat backup`.
    #[arg(long)]
    pub from: PathBuf,
    /// Where the photos go back.
    #[arg(long, env = "SAHULAT_MEDIA_DIR", default_value = "data/media")]
    pub media_dir: PathBuf,
    /// Replace an existing database (SQLite file, or the PostgreSQL database's contents)
    /// and key file. Stop `sahulat serve` and every worker first.
    #[arg(long)]
    pub force: bool,
}

/// The key as 64 hex characters: the environment's, or the key file's.
fn key_hex(env_key: Option<&str>, key_file: &Path) -> anyhow::Result<String> {
    if let Some(k) = env_key.filter(|k| !k.trim().is_empty()) {
        return Ok(k.trim().to_string());
    }
    let text = std::fs::read_to_string(key_file)
        .with_context(|| format!("reading the key file {}", key_file.display()))?;
    Ok(text.trim().to_string())
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    Ok(std::fs::write(path, text)?)
}

/// Copies the files under `from` into `to` (folders created); returns how many.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    let mut n = 0;
    if !from.exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            n += copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// The SQLite file a `sqlite://` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Points a PostgreSQL client tool at `url` without putting the password on its command line,
/// where every user of the machine could read it (`ps`): the URL goes without the password, the
/// password through the child's `PGPASSWORD`.
fn pg_tool(tool: &str, url: &str) -> anyhow::Result<(Command, String)> {
    let mut cmd = Command::new(tool);
    // libpq accepts URLs the `url` crate does not (an empty host for the local socket): those
    // go through unchanged, as libpq reads them.
    let Ok(mut parsed) = url::Url::parse(url) else {
        return Ok((cmd, url.to_string()));
    };
    if let Some(password) = parsed.password() {
        let password = percent_encoding::percent_decode_str(password)
            .decode_utf8()
            .context("DATABASE_URL: the password is not UTF-8")?;
        cmd.env("PGPASSWORD", password.as_ref());
        parsed
            .set_password(None)
            .map_err(|()| anyhow::anyhow!("DATABASE_URL: cannot remove the password"))?;
    }
    Ok((cmd, parsed.to_string()))
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| {
        format!("{what}: could not run it (install the PostgreSQL client tools, Debian postgresql-client)")
    })?;
    ensure!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

/// Writes the backup; returns what it wrote, for the operator.
pub async fn backup(
    store: &dyn Store,
    url: &str,
    env_key: Option<&str>,
    key_file: &Path,
    args: &BackupArgs,
) -> anyhow::Result<String> {
    let dir = &args.to;
    if dir.exists() {
        ensure!(
            std::fs::read_dir(dir)?.next().is_none(),
            "--to {}: the folder is not empty; give a new one (backups are never overwritten)",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let requests = store.count_requests().await?;
    let (file, backend) = match store.backend() {
        "sqlite" => {
            let file = dir.join(DB_FILE);
            store
                .snapshot_to(&std::path::absolute(&file)?)
                .await
                .map_err(|e| anyhow::anyhow!("copying the database: {e}"))?;
            (file, "sqlite")
        }
        _ => {
            let file = dir.join(PG_FILE);
            let (mut cmd, url) = pg_tool("pg_dump", url)?;
            run(
                cmd.args(["--format=custom", "--no-owner", "--file"])
                    .arg(&file)
                    .arg(url),
                "pg_dump",
            )?;
            (file, "postgres")
        }
    };
    write_private(&dir.join(KEY_FILE), &key_hex(env_key, key_file)?)?;
    let photos = copy_tree(&args.media_dir, &dir.join(MEDIA))?;
    let manifest = format!(
        "sahulat-backup 1\ncreated {}\nbackend {backend}\nrequests {requests}\nphotos {photos}\nsha256 {}\n",
        Utc::now().to_rfc3339(),
        sha256_file(&file)?
    );
    std::fs::write(dir.join(MANIFEST), &manifest)?;
    Ok(manifest)
}

/// What a manifest says.
struct Manifest {
    backend: String,
    requests: i64,
    sha256: String,
}

fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).with_context(|| {
        format!(
            "--from {}: no MANIFEST; is this a folder `sahulat backup` wrote?",
            dir.display()
        )
    })?;
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k} ")))
            .map(str::to_string)
            .with_context(|| format!("MANIFEST has no {k} line"))
    };
    ensure!(
        text.starts_with("sahulat-backup 1\n"),
        "MANIFEST: not a Sahulat backup of a version this binary reads"
    );
    Ok(Manifest {
        backend: field("backend")?,
        requests: field("requests")?.parse().context("MANIFEST requests")?,
        sha256: field("sha256")?,
    })
}

/// Puts a backup back; the database is checked (checksum, integrity, request count) before
/// anything is replaced. Returns a summary for the operator.
pub async fn restore(
    url: &str,
    env_key: Option<&str>,
    key_file: &Path,
    args: &RestoreArgs,
) -> anyhow::Result<String> {
    let dir = &args.from;
    let m = read_manifest(dir)?;
    let key = std::fs::read_to_string(dir.join(KEY_FILE))
        .with_context(|| format!("{}: the data key is missing", dir.display()))?;
    let key = key.trim().to_string();
    sahulat_domain::crypto::DataKey::from_hex(&key).context("the backup's data key")?;
    if let Some(current) = env_key.filter(|k| !k.trim().is_empty()) {
        ensure!(
            current.trim() == key,
            "SAHULAT_DATA_KEY differs from the backup's key: the restored contact details could not be read. Unset it (the key file is restored) or set it to the backup's key"
        );
    }
    let file = dir.join(if m.backend == "sqlite" {
        DB_FILE
    } else {
        PG_FILE
    });
    ensure!(
        sha256_file(&file)? == m.sha256,
        "{}: the checksum does not match the MANIFEST; the copy is damaged",
        file.display()
    );
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    let backend = if scheme == "sqlite" {
        "sqlite"
    } else {
        "postgres"
    };
    ensure!(
        backend == m.backend,
        "the backup is of a {} database and DATABASE_URL names a {backend} one",
        m.backend
    );
    if key_file.exists() && env_key.is_none_or(|k| k.trim().is_empty()) {
        let existing = std::fs::read_to_string(key_file)?;
        ensure!(
            existing.trim() == key || args.force,
            "{} holds a different data key; pass --force to replace it (the database it unseals is replaced too)",
            key_file.display()
        );
    }
    let restored_key = std::sync::Arc::new(sahulat_domain::crypto::DataKey::from_hex(&key)?);
    if backend == "sqlite" {
        let target = sqlite_path(url).context("DATABASE_URL names no SQLite file")?;
        ensure!(
            !target.exists() || args.force,
            "{} exists; pass --force to replace it (stop `sahulat serve` and workers first)",
            target.display()
        );
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        // Checked in a staging copy next to the target, then renamed over it.
        let staging = target.with_extension("db.restoring");
        std::fs::copy(&file, &staging)
            .with_context(|| format!("copying the database to {}", staging.display()))?;
        let check = sahulat_store::connect(
            &format!("sqlite://{}", staging.display()),
            restored_key.clone(),
        )
        .await?;
        let problems = check.integrity_problems().await?;
        let count = check.count_requests().await?;
        drop(check);
        if !problems.is_empty() || count != m.requests {
            let _ = std::fs::remove_file(&staging);
            bail!(
                "the copy fails its checks ({count} requests against {} in the MANIFEST; {problems:?})",
                m.requests
            );
        }
        for stale in ["db-wal", "db-shm", "db.restoring-wal", "db.restoring-shm"] {
            let _ = std::fs::remove_file(target.with_extension(stale));
        }
        std::fs::rename(&staging, &target)
            .with_context(|| format!("moving the copy to {}", target.display()))?;
    } else {
        if !args.force {
            let existing = sahulat_store::connect(url, restored_key.clone()).await?;
            if let Ok(n) = existing.count_requests().await {
                bail!("the database already holds Sahulat's tables ({n} requests); pass --force to replace its contents (stop `sahulat serve` and workers first)");
            }
        }
        let (mut cmd, bare) = pg_tool("pg_restore", url)?;
        cmd.args(["--no-owner", "--exit-on-error", "--single-transaction"]);
        if args.force {
            cmd.args(["--clean", "--if-exists"]);
        }
        run(cmd.arg("--dbname").arg(bare).arg(&file), "pg_restore")?;
        let check = sahulat_store::connect(url, restored_key.clone()).await?;
        let count = check.count_requests().await?;
        ensure!(
            count == m.requests,
            "restored {} against {} in the MANIFEST",
            counted(count, "request", "requests"),
            m.requests
        );
    }
    if env_key.is_none_or(|k| k.trim().is_empty()) {
        if let Some(parent) = key_file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        write_private(key_file, &key)?;
    }
    let photos = copy_tree(&dir.join(MEDIA), &args.media_dir)?;
    Ok(format!(
        "restored {} ({} database), the data key and {} from {}",
        counted(m.requests, "request", "requests"),
        m.backend,
        counted(photos, "photo file", "photo files"),
        dir.display()
    ))
}

/// "1 request", "3 requests": the operator reads these lines.
fn counted(n: impl Into<i128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_restored_request_is_a_request_and_none_or_several_are_requests() {
        assert_eq!(counted(1i64, "request", "requests"), "1 request");
        assert_eq!(counted(0i64, "request", "requests"), "0 requests");
        assert_eq!(counted(3u64, "photo file", "photo files"), "3 photo files");
    }

    #[test]
    fn pg_dump_gets_the_password_through_its_environment_not_its_command_line() {
        let (cmd, url) = pg_tool(
            "pg_dump",
            "postgres://sahulat:p%40ss+w%2Frd@db.local:5433/sahulat",
        )
        .unwrap();
        assert_eq!(url, "postgres://sahulat@db.local:5433/sahulat");
        let env: Vec<_> = cmd.get_envs().collect();
        assert_eq!(
            env,
            vec![(
                std::ffi::OsStr::new("PGPASSWORD"),
                Some(std::ffi::OsStr::new("p@ss+w/rd"))
            )]
        );
        let (cmd, url) = pg_tool(
            "pg_restore",
            "postgres://sahulat@/sahulat?host=/run/postgresql",
        )
        .unwrap();
        assert_eq!(url, "postgres://sahulat@/sahulat?host=/run/postgresql");
        assert_eq!(cmd.get_envs().count(), 0, "no password, no PGPASSWORD");
        let (_, url) = pg_tool("pg_dump", "postgres://sahulat:secret@localhost/sahulat").unwrap();
        assert_eq!(url, "postgres://sahulat@localhost/sahulat");
    }
}
