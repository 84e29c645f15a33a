//! What a decision asks the store to write besides the ticket's own columns: history entries
//! (the audit trail, some of them shown to the citizen) and messages for the outbox. Decisions
//! build these as plain values; the stores write them in the same transaction as the change.

use crate::error::{Error, Result};
use crate::status::Status;

/// One history entry to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Status after the step.
    pub status: Status,
    /// Shown to the citizen (and in Open311 updates) or internal.
    pub public: bool,
    /// What was decided and why.
    pub description: String,
    /// Who or what decided (`triage`, `escalation`, a username).
    pub actor: String,
}

impl HistoryEntry {
    /// An internal (staff-only) entry.
    pub fn internal(status: Status, actor: &str, description: impl Into<String>) -> Self {
        HistoryEntry {
            status,
            public: false,
            description: description.into(),
            actor: actor.to_string(),
        }
    }

    /// A public entry (the citizen and Open311 clients see it).
    pub fn public(status: Status, actor: &str, description: impl Into<String>) -> Self {
        HistoryEntry {
            status,
            public: true,
            description: description.into(),
            actor: actor.to_string(),
        }
    }
}

impl HistoryEntry {
    /// A staff comment: 3 to 2000 characters after trimming; public ones reach the citizen.
    pub fn comment(status: Status, username: &str, text: &str, public: bool) -> Result<Self> {
        let text = text.trim();
        let n = text.chars().count();
        if !(3..=2000).contains(&n) {
            return Err(Error::field(
                "text",
                format!("must be 3 to 2000 characters (it has {n})"),
            ));
        }
        Ok(HistoryEntry {
            status,
            public,
            description: text.to_string(),
            actor: username.to_string(),
        })
    }
}

/// A message to queue in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The request it is about.
    pub request_id: Option<i64>,
    /// `citizen`, `department` or `coordinator`.
    pub recipient_kind: String,
    /// E.164 phone (citizens) or department code (staff).
    pub recipient: String,
    /// Language code.
    pub language: String,
    /// Text.
    pub body: String,
    /// Unique per event: the same event never yields two messages.
    pub dedupe_key: String,
}
