//! Open311 API keys: random, shown once, stored only as a SHA-256 hash (they are long random
//! secrets, so a fast hash is enough; passwords get argon2 elsewhere).

use sha2::{Digest, Sha256};

/// A new key: `shl_` and 40 hex characters, with the 8-character prefix stored for display.
pub fn new_api_key(random: [u8; 20]) -> (String, String) {
    let key = format!("shl_{}", hex::encode(random));
    let prefix = key[..8].to_string();
    (key, prefix)
}

/// The hash stored and looked up.
pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}
