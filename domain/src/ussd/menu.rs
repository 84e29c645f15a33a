//! The USSD menu tree, as data: every screen in one table with its title (a catalogue id), what
//! it asks (fixed options, a list drawn from the reference data, or typed text) and where each
//! answer leads. `walk` follows this table; `screen` renders it; nothing else knows the tree.

/// A screen of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    /// `1 English`, `2 اردو`, `3 سنڌي`, `4 Roman Urdu`.
    Language,
    /// Report, track, reopen, rate.
    Main,
    /// The four pilot districts.
    District,
    /// The district's tehsils (paged).
    Tehsil,
    /// The catalogue's services (paged).
    Service,
    /// The service's first multiple-choice question (skipped when it has none).
    Question,
    /// A landmark typed on the keypad (optional).
    Landmark,
    /// A one-screen summary: send or cancel.
    Confirm,
    /// The reference to track.
    TrackRef,
    /// The reference to reopen.
    ReopenRef,
    /// Why it is not fixed.
    Reason,
    /// The reference to rate.
    RateRef,
    /// 1–5.
    Rating,
}

/// What the menu asks for on a screen.
#[derive(Debug, Clone, Copy)]
pub enum Ask {
    /// Fixed options: each label's catalogue id and where it leads.
    Options(&'static [(&'static str, Next)]),
    /// A list drawn from the reference data (paged), then `Next`.
    List(Source, Next),
    /// Text typed on the keypad, then `Next`.
    Text(Field, Next),
}

/// Where a list's items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The languages, each named in itself.
    Languages,
    /// Districts that accept requests.
    Districts,
    /// The chosen district's tehsils.
    Tehsils,
    /// The catalogue's services.
    Services,
    /// The choices of the service's first multiple-choice question, and "skip".
    QuestionValues,
}

/// What a typed answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Free words; `0` skips.
    Landmark,
    /// A nine-digit reference, check digit verified.
    Reference,
}

/// Where an answer leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Another screen.
    To(ScreenId),
    /// The end of the session: what the API should do.
    Do(Finish),
}

/// What a finished session asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Create the report.
    Report,
    /// Nothing: the citizen cancelled.
    Cancel,
    /// Tell the status.
    Track,
    /// Reopen with the chosen reason.
    Reopen,
    /// Store the rating.
    Rate,
}

/// One screen: its title's catalogue id (the question screen uses the question's own text)
/// and what it asks.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    /// Which screen.
    pub id: ScreenId,
    /// The title's catalogue id.
    pub title: &'static str,
    /// What it asks.
    pub ask: Ask,
}

use Next::{Do, To};
use ScreenId::*;

/// The reasons offered for a reopen, as catalogue ids (the English text is what staff read).
pub const REASONS: [&str; 4] = [
    "ussd-reason-not-fixed",
    "ussd-reason-came-back",
    "ussd-reason-badly",
    "ussd-reason-other",
];

/// The rating labels, 1 to 5.
pub const RATINGS: [&str; 5] = [
    "ussd-rate-1",
    "ussd-rate-2",
    "ussd-rate-3",
    "ussd-rate-4",
    "ussd-rate-5",
];

/// The whole menu.
pub const MENU: &[Screen] = &[
    Screen {
        id: Language,
        title: "ussd-main",
        ask: Ask::List(Source::Languages, To(Main)),
    },
    Screen {
        id: Main,
        title: "ussd-main",
        ask: Ask::Options(&[
            ("ussd-opt-report", To(District)),
            ("ussd-opt-track", To(TrackRef)),
            ("ussd-opt-reopen", To(ReopenRef)),
            ("ussd-opt-rate", To(RateRef)),
        ]),
    },
    Screen {
        id: District,
        title: "ussd-district",
        ask: Ask::List(Source::Districts, To(Tehsil)),
    },
    Screen {
        id: Tehsil,
        title: "ussd-tehsil",
        ask: Ask::List(Source::Tehsils, To(Service)),
    },
    Screen {
        id: Service,
        title: "ussd-service",
        ask: Ask::List(Source::Services, To(Question)),
    },
    Screen {
        id: Question,
        title: "",
        ask: Ask::List(Source::QuestionValues, To(Landmark)),
    },
    Screen {
        id: Landmark,
        title: "ussd-landmark",
        ask: Ask::Text(Field::Landmark, To(Confirm)),
    },
    Screen {
        id: Confirm,
        title: "ussd-confirm",
        ask: Ask::Options(&[
            ("ussd-send", Do(Finish::Report)),
            ("ussd-cancel", Do(Finish::Cancel)),
        ]),
    },
    Screen {
        id: TrackRef,
        title: "ussd-ref-enter",
        ask: Ask::Text(Field::Reference, Do(Finish::Track)),
    },
    Screen {
        id: ReopenRef,
        title: "ussd-ref-enter",
        ask: Ask::Text(Field::Reference, To(Reason)),
    },
    Screen {
        id: Reason,
        title: "ussd-reason",
        ask: Ask::Options(&[
            (REASONS[0], Do(Finish::Reopen)),
            (REASONS[1], Do(Finish::Reopen)),
            (REASONS[2], Do(Finish::Reopen)),
            (REASONS[3], Do(Finish::Reopen)),
        ]),
    },
    Screen {
        id: RateRef,
        title: "ussd-ref-enter",
        ask: Ask::Text(Field::Reference, To(Rating)),
    },
    Screen {
        id: Rating,
        title: "ussd-rating",
        ask: Ask::Options(&[
            (RATINGS[0], Do(Finish::Rate)),
            (RATINGS[1], Do(Finish::Rate)),
            (RATINGS[2], Do(Finish::Rate)),
            (RATINGS[3], Do(Finish::Rate)),
            (RATINGS[4], Do(Finish::Rate)),
        ]),
    },
];

/// The screen `id` of the table.
pub fn screen(id: ScreenId) -> &'static Screen {
    MENU.iter().find(|s| s.id == id).unwrap_or(&MENU[0])
}
