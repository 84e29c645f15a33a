//! USSD menus for keypad phones, pure: the gateway's path of inputs goes in, the screen to
//! show (or what the finished session asks for) comes out. The path is the source of truth:
//! the same inputs always give the same screen, so a gateway's retry of any step is answered
//! the same way and nothing is decided twice. The tree is data (`menu::MENU`), rendered per
//! language within a handset's limits (`screen`); `path` turns a gateway's `text` into inputs
//! and decides whether an unfinished report is worth resuming.

pub mod lists;
pub mod menu;
pub mod path;
pub mod screen;
#[cfg(test)]
mod tests;

use crate::catalogue::Catalogue;
use crate::lang::Lang;
use crate::reference::{Reference, ReferenceError};
use menu::{screen as screen_of, Ask, Field, Finish, Next, ScreenId, Source};

/// Most inputs one session may hold; a longer path ends the session politely.
pub const MAX_INPUTS: usize = 60;
/// Most characters of a session's path.
pub const MAX_PATH_CHARS: usize = 2000;
/// Most characters kept of a typed landmark.
pub const MAX_LANDMARK_CHARS: usize = 80;

/// What the citizen has chosen so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// The session's language (English until chosen).
    pub lang: Lang,
    /// District P-code.
    pub district: Option<String>,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Service code.
    pub service: Option<String>,
    /// The question answered: (attribute code, value key).
    pub answer: Option<(String, String)>,
    /// The landmark typed.
    pub landmark: Option<String>,
    /// The reference typed (track, reopen, rate).
    pub reference: Option<Reference>,
    /// The reopen reason's catalogue id.
    pub reason: Option<&'static str>,
    /// The rating, 1–5.
    pub rating: Option<u8>,
}

/// Why a screen is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The input was not one of the choices.
    Invalid,
    /// A reference with a mistyped digit.
    RefTypo,
    /// Not nine digits.
    RefShape,
}

/// A screen as the session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Which screen.
    pub screen: ScreenId,
    /// Which page of its list.
    pub page: usize,
    /// The answers so far.
    pub answers: Answers,
    /// Why it is shown again, if it is.
    pub note: Option<Note>,
}

/// Where a session's path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Show this screen and wait for the next input.
    Show(Shown),
    /// The session is over: do this with these answers.
    Done(Finish, Answers),
    /// The path is longer than any honest session.
    TooLong,
}

impl Shown {
    fn at(screen: ScreenId, answers: Answers) -> Shown {
        Shown {
            screen,
            page: 0,
            answers,
            note: None,
        }
    }
}

/// Follows `inputs` from the first screen. `stack` keeps every screen passed, so `00` on a
/// list's first page goes back to the screen before.
pub fn walk(inputs: &[String], cat: &Catalogue) -> Step {
    if inputs.len() > MAX_INPUTS
        || inputs.iter().map(|i| i.len() + 1).sum::<usize>() > MAX_PATH_CHARS
    {
        return Step::TooLong;
    }
    let mut stack = vec![Shown::at(ScreenId::Language, Answers::default())];
    for raw in inputs {
        let input = raw.trim();
        let depth = stack.len();
        let Some(top) = stack.last_mut() else {
            break;
        };
        top.note = None;
        if input == "00" {
            if top.page > 0 {
                top.page -= 1;
            } else if depth > 1 {
                stack.pop();
            } else {
                top.note = Some(Note::Invalid);
            }
            continue;
        }
        match accept(top, input, cat) {
            Accepted::Page(p) => top.page = p,
            Accepted::Again(note) => top.note = Some(note),
            Accepted::Answer(answers, Next::To(next)) => {
                stack.push(enter(next, answers, cat));
            }
            Accepted::Answer(answers, Next::Do(finish)) => return Step::Done(finish, answers),
        }
    }
    match stack.pop() {
        Some(s) => Step::Show(s),
        None => Step::Show(Shown::at(ScreenId::Language, Answers::default())),
    }
}

/// The screen `next`, or the one after it when it would list nothing (a service without a
/// multiple-choice question skips the question).
fn enter(next: ScreenId, answers: Answers, cat: &Catalogue) -> Shown {
    if let Ask::List(source @ Source::QuestionValues, Next::To(after)) = screen_of(next).ask {
        if screen::is_empty(source, &answers, cat) {
            return Shown::at(after, answers);
        }
    }
    Shown::at(next, answers)
}

enum Accepted {
    Page(usize),
    Again(Note),
    Answer(Answers, Next),
}

fn accept(s: &Shown, input: &str, cat: &Catalogue) -> Accepted {
    let mut a = s.answers.clone();
    match screen_of(s.screen).ask {
        Ask::Text(Field::Landmark, next) => {
            let words = crate::request::without_bidi_controls(input)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            a.landmark = match words.as_str() {
                "" | "0" => None,
                w => Some(w.chars().take(MAX_LANDMARK_CHARS).collect()),
            };
            Accepted::Answer(a, next)
        }
        Ask::Text(Field::Reference, next) => match Reference::parse(input) {
            Ok(r) => {
                a.reference = Some(r);
                Accepted::Answer(a, next)
            }
            Err(ReferenceError::CheckDigit) => Accepted::Again(Note::RefTypo),
            Err(ReferenceError::Shape) => Accepted::Again(Note::RefShape),
        },
        Ask::Options(_) | Ask::List(..) => {
            let items = screen::shown_items(s, cat);
            if input == "0" {
                return match s.page + 1 < screen::page_count(s, cat) {
                    true => Accepted::Page(s.page + 1),
                    false => Accepted::Again(Note::Invalid),
                };
            }
            let Some(n) = input
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=items.len()).contains(n))
            else {
                return Accepted::Again(Note::Invalid);
            };
            let key = items[n - 1].key.clone();
            let next = match screen_of(s.screen).ask {
                Ask::Options(opts) => opts[n - 1].1,
                Ask::List(_, next) => next,
                Ask::Text(_, next) => next,
            };
            record(&mut a, s.screen, n, key, cat);
            Accepted::Answer(a, next)
        }
    }
}

fn record(a: &mut Answers, screen: ScreenId, n: usize, key: String, cat: &Catalogue) {
    match screen {
        ScreenId::Language => a.lang = Lang::parse(&key).unwrap_or_default(),
        ScreenId::District => {
            a.district = Some(key);
            a.tehsil = None;
        }
        ScreenId::Tehsil => a.tehsil = Some(key),
        ScreenId::Service => {
            a.service = Some(key);
            a.answer = None;
        }
        ScreenId::Question => {
            a.answer = match key.is_empty() {
                true => None,
                false => a
                    .service
                    .as_deref()
                    .and_then(|c| lists::question(cat, c))
                    .map(|q| (q.code.clone(), key)),
            }
        }
        ScreenId::Reason => a.reason = menu::REASONS.get(n - 1).copied(),
        ScreenId::Rating => a.rating = u8::try_from(n).ok(),
        ScreenId::Main
        | ScreenId::Landmark
        | ScreenId::Confirm
        | ScreenId::TrackRef
        | ScreenId::ReopenRef
        | ScreenId::RateRef => {}
    }
}
