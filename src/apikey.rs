//! `sahulat apikey create|list|revoke`: the operator's Open311 API keys. A key is printed once
//! at creation; only its SHA-256 and first characters are stored, so the list can tell keys
//! apart without showing any.

use clap::Subcommand;
use rand::RngCore;
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_store::Store;

/// What `sahulat apikey` does.
#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key; it is printed once and only its hash is stored.
    Create {
        /// Who the key is for (e.g. "Larkana municipal app").
        #[arg(long)]
        label: String,
    },
    /// List every key: id, first characters, created, revoked, label (never the key).
    List,
    /// Revoke a key: Open311 refuses it from then on (403).
    Revoke {
        /// The key's id from `sahulat apikey list`.
        #[arg(long)]
        id: i64,
    },
}

/// Runs one `apikey` command against a migrated store.
pub async fn run(store: &dyn Store, command: ApikeyCommand) -> anyhow::Result<()> {
    match command {
        ApikeyCommand::Create { label } => {
            let label = label.trim();
            anyhow::ensure!(!label.is_empty(), "--label must not be empty");
            let mut random = [0u8; 20];
            rand::rngs::OsRng.fill_bytes(&mut random);
            let (key, prefix) = sahulat_api::new_api_key(random);
            store
                .create_api_key(
                    label,
                    &sahulat_api::hash_api_key(&key),
                    &prefix,
                    SystemClock.now(),
                )
                .await?;
            eprintln!("API key for {label:?} (shown once; only its hash is stored):");
            #[allow(clippy::print_stdout)]
            {
                println!("{key}");
            }
            Ok(())
        }
        ApikeyCommand::List => {
            let keys = store.list_api_keys().await?;
            #[allow(clippy::print_stdout)]
            {
                println!("id\tkey starts\tcreated (UTC)\trevoked (UTC)\tlabel");
                for k in &keys {
                    let revoked = k
                        .revoked_at
                        .map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string());
                    println!(
                        "{}\t{}…\t{}\t{revoked}\t{}",
                        k.id,
                        k.prefix,
                        k.created_at.format("%Y-%m-%d %H:%M"),
                        k.label
                    );
                }
            }
            eprintln!(
                "{} key(s), {} revoked",
                keys.len(),
                keys.iter().filter(|k| k.revoked_at.is_some()).count()
            );
            Ok(())
        }
        ApikeyCommand::Revoke { id } => {
            let keys = store.list_api_keys().await?;
            let Some(key) = keys.iter().find(|k| k.id == id) else {
                anyhow::bail!("--id: there is no API key {id} (`sahulat apikey list` shows them)");
            };
            anyhow::ensure!(
                store.revoke_api_key(id, SystemClock.now()).await?,
                "--id: API key {id} ({:?}) was already revoked",
                key.label
            );
            eprintln!(
                "revoked API key {id} ({:?}, {}…): Open311 refuses it from now on",
                key.label, key.prefix
            );
            Ok(())
        }
    }
}
