//! The one error type of the domain. Every variant maps to exactly one HTTP status in the API,
//! so a rule decided here ("this field is wrong, and this is what is accepted") reaches the
//! citizen's client unchanged.

use std::collections::BTreeMap;

/// Field name → human message naming what is accepted.
pub type FieldErrors = BTreeMap<String, String>;

/// Result alias used across the domain and the stores.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors a domain operation can end with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; each entry names the field and what is accepted.
    #[error("invalid input: {}", summarise(.0))]
    Validation(FieldErrors),
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(String),
    /// An Idempotency-Key was reused with a different body.
    #[error("the Idempotency-Key was already used with a different request body")]
    IdempotencyMismatch,
    /// The caller's credentials are missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// A dependency (the database) is not reachable right now; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else: logged once, never shown to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn summarise(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// A validation error on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut m = FieldErrors::new();
        m.insert(field.into(), message.into());
        Error::Validation(m)
    }
}
