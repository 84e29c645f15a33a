//! What a decision asks the store to write besides the ticket's own columns: history entries
//! (the audit trail, some of them shown to the citizen) and messages for the outbox. Decisions
//! build these as plain values; the stores write them in the same transaction as the change.

use crate::catalogue::Catalogue;
use crate::error::{Error, Result};
use crate::i18n::{pkt_date, text};
use crate::lang::Lang;
use crate::status::Status;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A history text kept as a catalogue message id and its arguments, so it is shown in the
/// reader's language: `dept` (a department code) becomes the department's name, `due`
/// (RFC 3339) a Pakistan-time date, `template` a response template rendered for that language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Catalogue id (`hist-sent`), or `template`.
    pub id: String,
    /// Named arguments.
    pub args: Vec<(String, String)>,
}

impl Message {
    /// A message with arguments.
    pub fn new(id: &str, args: &[(&str, String)]) -> Message {
        Message {
            id: id.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn arg(&self, name: &str) -> &str {
        self.args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The text in `lang`.
    pub fn render(&self, cat: &Catalogue, lang: Lang) -> String {
        let dept = |code: &str| {
            cat.department(code)
                .map(|d| d.names.get(lang).to_string())
                .unwrap_or_else(|| text(lang, "dept-coordinator", &[]))
        };
        if self.id == "template" {
            let name = dept(self.arg("dept"));
            return cat
                .templates
                .iter()
                .find(|t| t.id == self.arg("template"))
                .map(|t| t.render(lang, &name))
                .unwrap_or_default();
        }
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| {
                let v = match k.as_str() {
                    "dept" => dept(v),
                    "due" => DateTime::parse_from_rfc3339(v)
                        .map(|t| pkt_date(t.with_timezone(&Utc)))
                        .unwrap_or_else(|_| v.clone()),
                    _ => v.clone(),
                };
                (k.as_str(), v)
            })
            .collect();
        text(lang, &self.id, &args)
    }
}

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
    /// For entries the system writes: the text as a catalogue message, shown in the reader's
    /// language (`description` keeps the English text).
    pub message: Option<Message>,
}

impl HistoryEntry {
    /// An internal (staff-only) entry.
    pub fn internal(status: Status, actor: &str, description: impl Into<String>) -> Self {
        HistoryEntry {
            status,
            public: false,
            description: description.into(),
            actor: actor.to_string(),
            message: None,
        }
    }

    /// A public entry in a person's own words (a staff comment): shown as written.
    pub fn public(status: Status, actor: &str, description: impl Into<String>) -> Self {
        HistoryEntry {
            status,
            public: true,
            description: description.into(),
            actor: actor.to_string(),
            message: None,
        }
    }

    /// A public entry the system writes: `english` for the record, `message` for every
    /// reader's language.
    pub fn public_message(
        status: Status,
        actor: &str,
        english: impl Into<String>,
        message: Message,
    ) -> Self {
        HistoryEntry {
            status,
            public: true,
            description: english.into(),
            actor: actor.to_string(),
            message: Some(message),
        }
    }
}

impl HistoryEntry {
    /// A staff comment: 3 to 2000 characters after trimming; public ones reach the citizen.
    pub fn comment(status: Status, username: &str, words: &str, public: bool) -> Result<Self> {
        let words = words.trim();
        let n = words.chars().count();
        if !(3..=2000).contains(&n) {
            return Err(Error::field(
                "text",
                format!("must be 3 to 2000 characters (it has {n})"),
            ));
        }
        Ok(HistoryEntry {
            status,
            public,
            description: words.to_string(),
            actor: username.to_string(),
            message: None,
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

/// A history text in `lang`: the message when there is one (and the reader is not English),
/// else the words as written.
pub fn history_text(
    cat: &Catalogue,
    lang: Lang,
    description: &str,
    message: Option<&Message>,
) -> String {
    match message {
        Some(m) if lang != Lang::En => m.render(cat, lang),
        _ => description.to_string(),
    }
}

/// The language a history entry is shown in when the reader asked for none: a response
/// template in the citizen's language (it was written for them), everything else as written
/// (English for the system's entries, the staff member's words for comments).
pub fn default_history_lang(message: Option<&Message>, report_lang: Lang) -> Lang {
    match message {
        Some(m) if m.id == "template" => report_lang,
        _ => Lang::En,
    }
}
