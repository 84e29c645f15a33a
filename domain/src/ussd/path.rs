//! From a gateway's `text` to the menu's inputs, and resuming an unfinished report.
//!
//! Gateways such as Africa's Talking send every input of the session so far joined by `*`.
//! Knowing the path of the step before, the new input is everything after it — so a `*` typed
//! inside a landmark stays part of the landmark (`takes_free_text`). A path that does not
//! extend the one stored (a session this server has not seen) is split at every `*`.

use super::menu::ScreenId;
use super::screen::{cut_to_fit, fits};
use super::{walk, Step};
use crate::catalogue::Catalogue;
use crate::i18n::text;
use crate::lang::Lang;

/// How a gateway's `text` relates to the path stored for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The same path: a retry of the step already answered.
    Same,
    /// The stored path and one new input.
    Added(String),
    /// A path to take afresh, split at every `*`.
    Fresh(Vec<String>),
}

/// Compares `text` with the `previous` path of the session (None for a session not seen).
pub fn change(previous: Option<&str>, text: &str) -> Change {
    match previous {
        Some(p) if p == text => Change::Same,
        Some("") => Change::Added(text.to_string()),
        Some(p) => match text.strip_prefix(p).and_then(|rest| rest.strip_prefix('*')) {
            Some(new) => Change::Added(new.to_string()),
            None => Change::Fresh(split(text)),
        },
        None => Change::Fresh(split(text)),
    }
}

/// Every input of a path (none for the empty path of the first screen).
pub fn split(text: &str) -> Vec<String> {
    match text.is_empty() {
        true => vec![],
        false => text.split('*').map(str::to_string).collect(),
    }
}

/// Whether the screen the inputs lead to takes free text (the landmark): then everything a
/// gateway's path adds is one input, `*` and all; elsewhere a path that adds several inputs
/// at once (a step the server never received) is split at every `*`.
pub fn takes_free_text(inputs: &[String], cat: &Catalogue) -> bool {
    matches!(walk(inputs, cat), Step::Show(s) if s.screen == ScreenId::Landmark)
}

/// Whether an abandoned session is worth offering again: a report past the district choice.
pub fn worth_resuming(inputs: &[String], cat: &Catalogue) -> bool {
    match walk(inputs, cat) {
        Step::Show(s) => {
            s.answers.district.is_some()
                && matches!(
                    s.screen,
                    ScreenId::Tehsil
                        | ScreenId::Service
                        | ScreenId::Question
                        | ScreenId::Landmark
                        | ScreenId::Confirm
                )
        }
        Step::Done(..) | Step::TooLong => false,
    }
}

/// The language an unfinished session was in.
pub fn language_of(inputs: &[String], cat: &Catalogue) -> Lang {
    match walk(inputs, cat) {
        Step::Show(s) => s.answers.lang,
        Step::Done(_, a) => a.lang,
        Step::TooLong => Lang::En,
    }
}

/// What the first inputs of a session that was offered to resume `offer` lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// Ask again (after an input that was neither yes nor no, `invalid`).
    Ask {
        /// Whether the last input was not understood.
        invalid: bool,
    },
    /// The menu's inputs: the old session's and what followed the answer, or only what followed.
    Inputs(Vec<String>),
}

/// Applies the answer to the offer: `1` continues `offer`, `2` starts again.
pub fn resumed(offer: &[String], raw: &[String]) -> Resumed {
    match raw.iter().position(|i| matches!(i.trim(), "1" | "2")) {
        Some(i) if raw[i].trim() == "1" => {
            Resumed::Inputs(offer.iter().chain(&raw[i + 1..]).cloned().collect())
        }
        Some(i) => Resumed::Inputs(raw[i + 1..].to_vec()),
        None => Resumed::Ask {
            invalid: !raw.is_empty(),
        },
    }
}

/// The offer's screen: continue the unfinished report, or start again.
pub fn resume_screen(lang: Lang, invalid: bool) -> String {
    let body = format!(
        "{}\n1. {}\n2. {}",
        text(lang, "ussd-resume", &[]),
        text(lang, "ussd-resume-yes", &[]),
        text(lang, "ussd-resume-no", &[])
    );
    let note = text(lang, "ussd-invalid", &[]);
    match invalid {
        true if fits(&format!("{note}\n{body}")) => format!("{note}\n{body}"),
        _ => cut_to_fit(&body, |s| s.to_string()),
    }
}
