//! Accounts: roles and their scope, username and password rules, argon2id password hashes
//! (OWASP parameters: 19 MiB memory, 2 iterations, 1 lane — the `argon2` crate's defaults),
//! and the sign-in lockout. Session tokens are random and stored only as SHA-256 hashes.

use crate::catalogue::Catalogue;
use crate::error::{Error, FieldErrors, Result};
use crate::lifecycle::Actor;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// Everything in one district.
    Coordinator,
    /// One department's tickets in one district.
    Staff,
    /// Aggregates only, never personal data.
    Evaluator,
}

impl Role {
    /// Parses `admin`, `coordinator`, `staff`, `evaluator`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "staff" => Some(Role::Staff),
            "evaluator" => Some(Role::Evaluator),
            _ => None,
        }
    }
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Staff => "staff",
            Role::Evaluator => "evaluator",
        }
    }
}

/// A stored account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// District (coordinators and staff).
    pub district: Option<String>,
    /// Department (staff).
    pub department: Option<String>,
    /// Can sign in.
    pub active: bool,
    /// Failed sign-ins in a row.
    #[serde(skip)]
    pub failed_logins: i32,
    /// Locked until, after too many failures.
    #[serde(skip)]
    pub locked_until: Option<DateTime<Utc>>,
    /// The argon2 PHC string.
    #[serde(skip)]
    pub password_hash: String,
}

impl User {
    /// The lifecycle actor this account acts as.
    pub fn actor(&self) -> Actor {
        match self.role {
            Role::Admin => Actor::Admin,
            Role::Coordinator => Actor::Coordinator {
                district: self.district.clone().unwrap_or_default(),
            },
            Role::Staff => Actor::Staff {
                district: self.district.clone().unwrap_or_default(),
                department: self.department.clone().unwrap_or_default(),
            },
            Role::Evaluator => Actor::Evaluator,
        }
    }
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name (lower case).
    pub username: String,
    /// Role.
    pub role: Role,
    /// District P-code.
    pub district: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// argon2 PHC string.
    pub password_hash: String,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed sign-ins in a row before the account is locked.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a lock lasts.
pub fn lock_duration() -> Duration {
    Duration::minutes(15)
}

/// Checks a password against the policy.
pub fn check_password(password: &str) -> std::result::Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters (it has {n})"
        ));
    }
    if n > 256 {
        return Err("must be at most 256 characters".into());
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| Error::Internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A PHC string that never matches, verified against for unknown usernames so that the answer
/// takes as long as for a real account (no user enumeration by timing).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password, never matches").unwrap_or_default())
}

/// A new random session token (shown to the client once) and its stored hash.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl NewUser {
    /// Validates the fields and hashes the password.
    pub fn new(
        cat: &Catalogue,
        username: &str,
        role: &str,
        district: Option<&str>,
        department: Option<&str>,
        password: &str,
    ) -> Result<NewUser> {
        let mut errors = FieldErrors::new();
        let username = username.trim().to_ascii_lowercase();
        if username.len() < 3
            || username.len() > 40
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            errors.insert(
                "username".into(),
                "must be 3 to 40 characters: letters, digits, '.', '_' or '-'".into(),
            );
        }
        let role = Role::parse(role);
        if role.is_none() {
            errors.insert(
                "role".into(),
                "must be one of admin, coordinator, staff, evaluator".into(),
            );
        }
        let district = district
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|d| match cat.find_district(d) {
                Some(d) => Some(d.code.clone()),
                None => {
                    errors.insert("district".into(), format!("unknown district {d:?}"));
                    None
                }
            });
        let department = department
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|d| match cat.department(d) {
                Some(dep) => Some(dep.clone()),
                None => {
                    errors.insert(
                        "department".into(),
                        format!("unknown department {d:?}; see fixtures/departments.json"),
                    );
                    None
                }
            });
        match role {
            Some(Role::Coordinator) if district.is_none() => {
                errors
                    .entry("district".into())
                    .or_insert_with(|| "a coordinator needs --district".into());
            }
            Some(Role::Staff) if department.is_none() => {
                errors
                    .entry("department".into())
                    .or_insert_with(|| "a staff account needs --department".into());
            }
            _ => {}
        }
        // Staff: the district is the department's; a different one given explicitly is an error.
        let district = match (&role, &department, district) {
            (Some(Role::Staff), Some(dep), Some(d)) if d != dep.district => {
                errors.insert(
                    "district".into(),
                    format!("department {} is in {}, not {d}", dep.code, dep.district),
                );
                None
            }
            (Some(Role::Staff), Some(dep), _) => Some(dep.district.clone()),
            (Some(Role::Admin | Role::Evaluator), _, _) => None,
            (_, _, d) => d,
        };
        if let Err(e) = check_password(password) {
            errors.insert("password".into(), e);
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let role = role.ok_or_else(|| Error::Internal(anyhow::anyhow!("role checked above")))?;
        Ok(NewUser {
            username,
            role,
            district,
            department: if role == Role::Staff {
                department.map(|d| d.code)
            } else {
                None
            },
            password_hash: hash_password(password)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_only_the_right_password() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", dummy_hash()));
    }

    #[test]
    fn short_passwords_are_refused_with_the_minimum_named() {
        assert!(check_password("short").unwrap_err().contains("at least 10"));
    }

    #[test]
    fn token_hashes_are_stable_and_tokens_differ() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), ha);
    }
}
