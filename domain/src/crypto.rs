//! Personal data at rest. A reporter's phone, name and e-mail are sealed with
//! ChaCha20-Poly1305 before they reach the database, and the phone also gets a keyed hash
//! (HMAC-SHA256) so staff can still find every report from one number without decrypting all
//! of them. The 32-byte key is given as 64 hex characters; reading and creating the key file is
//! the store's job (`sahulat_store::keyfile`).
//! Every process sharing a database (several API instances, workers) must have the same key;
//! losing the key makes the stored contact details unreadable.

use anyhow::{anyhow, bail};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Marks a sealed value (so values written before encryption are still read).
const PREFIX: &str = "v1:";

/// The data key, split into an encryption key and a lookup-hash key.
pub struct DataKey {
    aead: ChaCha20Poly1305,
    mac_key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl DataKey {
    /// From 32 raw bytes.
    pub fn from_bytes(master: [u8; 32]) -> DataKey {
        let enc = derive(&master, b"sahulat personal data encryption v1");
        DataKey {
            aead: ChaCha20Poly1305::new(Key::from_slice(&enc)),
            mac_key: derive(&master, b"sahulat phone lookup v1"),
        }
    }

    /// From 64 hex characters.
    pub fn from_hex(hex_key: &str) -> anyhow::Result<DataKey> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| anyhow!("the data key must be 64 hex characters"))?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow!("the data key must be 64 hex characters (32 bytes)"))?;
        Ok(DataKey::from_bytes(master))
    }

    /// Seals a value: `v1:` + hex(nonce ‖ ciphertext).
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", hex::encode(out))
    }

    /// Opens a sealed value; a value without the prefix is returned as it is (written before
    /// encryption existed).
    pub fn open(&self, stored: &str) -> anyhow::Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = hex::decode(rest).map_err(|_| anyhow!("corrupt sealed value"))?;
        if bytes.len() < 12 + 16 {
            bail!("corrupt sealed value");
        }
        let (nonce, ct) = bytes.split_at(12);
        let pt = self
            .aead
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| {
                anyhow!("sealed value does not open with this key (wrong SAHULAT_DATA_KEY?)")
            })?;
        String::from_utf8(pt).map_err(|_| anyhow!("sealed value is not text"))
    }

    /// The keyed hash used to find reports by phone number.
    pub fn lookup_hash(&self, phone_e164: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes any key length");
        mac.update(phone_e164.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_phone_opens_with_the_key_and_hides_the_number() {
        let k = DataKey::from_bytes([3; 32]);
        let sealed = k.seal("+923001234567");
        assert!(!sealed.contains("3001234567"));
        assert_ne!(sealed, k.seal("+923001234567"), "fresh nonce every time");
        assert_eq!(k.open(&sealed).unwrap(), "+923001234567");
        assert!(
            DataKey::from_bytes([4; 32]).open(&sealed).is_err(),
            "another key cannot open it"
        );
        assert_eq!(
            k.open("+923001234567").unwrap(),
            "+923001234567",
            "legacy plain values still read"
        );
    }

    #[test]
    fn lookup_hashes_are_stable_per_key() {
        let k = DataKey::from_bytes([3; 32]);
        assert_eq!(
            k.lookup_hash("+923001234567"),
            k.lookup_hash("+923001234567")
        );
        assert_ne!(
            k.lookup_hash("+923001234567"),
            DataKey::from_bytes([4; 32]).lookup_hash("+923001234567")
        );
    }
}
