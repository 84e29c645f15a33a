//! The data key's file. `SAHULAT_DATA_KEY` (64 hex characters) wins; otherwise the key file
//! (`SAHULAT_KEY_FILE`, default `data/sahulat.key`) is read, or created with mode 0600 on first
//! start. Every process sharing a database (API instances, workers) must have the same key.

use anyhow::Context;
use rand::RngCore;
use sahulat_domain::crypto::DataKey;
use std::path::Path;

/// `SAHULAT_DATA_KEY` if set, else the key file (created, mode 0600, if it does not exist).
pub fn load_data_key(env_key: Option<&str>, key_file: &Path) -> anyhow::Result<DataKey> {
    if let Some(k) = env_key.filter(|k| !k.trim().is_empty()) {
        return DataKey::from_hex(k).context("SAHULAT_DATA_KEY");
    }
    if key_file.exists() {
        let text = std::fs::read_to_string(key_file)
            .with_context(|| format!("reading the key file {}", key_file.display()))?;
        return DataKey::from_hex(&text)
            .with_context(|| format!("key file {}", key_file.display()));
    }
    if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut master = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut master);
    write_private(key_file, &hex::encode(master))
        .with_context(|| format!("creating the key file {}", key_file.display()))?;
    tracing::warn!(file = %key_file.display(), "created a new data key for personal data; back it up with the database");
    Ok(DataKey::from_bytes(master))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_with_private_permissions() {
        let dir = std::env::temp_dir().join(format!("sahulat-key-{}", std::process::id()));
        let path = dir.join("k");
        let _ = std::fs::remove_dir_all(&dir);
        let a = load_data_key(None, &path).unwrap();
        let b = load_data_key(None, &path).unwrap();
        assert_eq!(a.lookup_hash("x"), b.lookup_hash("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(DataKey::from_hex("abc").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
