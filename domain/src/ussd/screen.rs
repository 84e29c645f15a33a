//! Rendering a USSD screen within what a handset shows: at most 182 characters when the text
//! is GSM-7, 80 when it needs UCS-2 (Urdu, Sindhi). Lists are cut into pages (`0` next page,
//! `00` back) numbered across pages, so an answer's number never depends on the page; a title
//! or a typed landmark too long for one screen is cut at a word boundary with an ellipsis.

use super::lists::{self, Item};
use super::menu::{screen, Ask, ScreenId, Source};
use super::{Answers, Note, Shown};
use crate::catalogue::Catalogue;
use crate::i18n::text;
use crate::lang::Lang;
use crate::messages::sms_segments;

/// Most characters of a GSM-7 screen.
pub const GSM_LIMIT: usize = 182;
/// Most characters of a UCS-2 screen.
pub const UCS2_LIMIT: usize = 80;

/// Whether `s` fits one screen, and its size in the units of its encoding.
pub fn fits(s: &str) -> bool {
    let seg = sms_segments(s);
    seg.units <= if seg.gsm7 { GSM_LIMIT } else { UCS2_LIMIT }
}

/// `s` cut at a word boundary (with an ellipsis) so that `wrap(cut)` fits one screen.
pub fn cut_to_fit(s: &str, wrap: impl Fn(&str) -> String) -> String {
    if fits(&wrap(s)) {
        return s.to_string();
    }
    let words: Vec<&str> = s.split(' ').collect();
    for n in (0..words.len()).rev() {
        let head = words[..n].join(" ");
        let ellipsis = if sms_segments(&head).gsm7 {
            "..."
        } else {
            "…"
        };
        let candidate = format!("{head}{ellipsis}");
        if fits(&wrap(&candidate)) {
            return candidate;
        }
    }
    // One long word: cut by characters.
    let chars: Vec<char> = s.chars().collect();
    for n in (0..chars.len()).rev() {
        let candidate: String = chars[..n].iter().collect::<String>() + "…";
        if fits(&wrap(&candidate)) {
            return candidate;
        }
    }
    String::new()
}

/// The text of a final (`END`) screen: the catalogue message, cut to fit if it must be.
pub fn end_text(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let t = text(lang, id, args);
    cut_to_fit(&t, |s| s.to_string())
}

fn option_lines(items: &[Item], first_number: usize) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| format!("{}. {}", first_number + i, it.label))
        .collect()
}

fn nav_lines(lang: Lang, more: bool, back: bool) -> Vec<String> {
    let mut v = vec![];
    if more {
        v.push(format!("0. {}", text(lang, "ussd-next", &[])));
    }
    if back {
        v.push(format!("00. {}", text(lang, "ussd-back", &[])));
    }
    v
}

/// Splits `items` into pages that fit under `title`: the ranges of each page.
pub fn pages(lang: Lang, title: &str, items: &[Item]) -> Vec<std::ops::Range<usize>> {
    let mut out = vec![];
    let mut start = 0;
    while start < items.len() || out.is_empty() {
        let back = !out.is_empty();
        let mut end = start + 1;
        while end < items.len() {
            let more = end + 1 < items.len();
            let mut lines = vec![title.to_string()];
            lines.extend(option_lines(&items[start..=end], start + 1));
            lines.extend(nav_lines(lang, more, back));
            if !fits(&lines.join("\n")) {
                break;
            }
            end += 1;
        }
        out.push(start..end.min(items.len()));
        if end >= items.len() {
            break;
        }
        start = end;
    }
    out
}

/// The title of a screen for the answers so far.
fn title(s: &Shown, cat: &Catalogue) -> String {
    let a = &s.answers;
    let lang = a.lang;
    let sc = screen(s.screen);
    match s.screen {
        ScreenId::Question => a
            .service
            .as_deref()
            .and_then(|c| lists::question(cat, c))
            .map(|q| q.description.get(lang).to_string())
            .unwrap_or_default(),
        ScreenId::Confirm => {
            let service = a
                .service
                .as_deref()
                .and_then(|c| cat.service(c))
                .map(|sv| lists::service_label(sv, lang))
                .unwrap_or_default();
            let place = lists::place(a, cat);
            let options = options_of(s, cat).join("\n");
            let with = |landmark: &str| {
                let near = match landmark.is_empty() {
                    true => String::new(),
                    false => text(
                        lang,
                        "ussd-description-near",
                        &[("landmark", landmark.to_string())],
                    ),
                };
                text(
                    lang,
                    sc.title,
                    &[
                        ("service", service.clone()),
                        ("place", place.clone()),
                        ("landmark", near),
                    ],
                )
            };
            let landmark = cut_to_fit(a.landmark.as_deref().unwrap_or(""), |l| {
                format!("{}\n{options}", with(l))
            });
            with(&landmark)
        }
        ScreenId::TrackRef | ScreenId::ReopenRef | ScreenId::RateRef => match s.note {
            Some(Note::RefTypo) => text(lang, "ussd-ref-typo", &[]),
            Some(Note::RefShape) => text(lang, "ussd-ref-shape", &[]),
            _ => text(lang, sc.title, &[]),
        },
        _ => text(lang, sc.title, &[]),
    }
}

fn options_of(s: &Shown, cat: &Catalogue) -> Vec<String> {
    let items = shown_items(s, cat);
    option_lines(&items, 1)
}

/// The items a screen lists (fixed options or a list from the reference data).
pub fn shown_items(s: &Shown, cat: &Catalogue) -> Vec<Item> {
    match screen(s.screen).ask {
        Ask::Options(opts) => opts
            .iter()
            .map(|(id, _)| Item {
                key: (*id).to_string(),
                label: text(s.answers.lang, id, &[]),
            })
            .collect(),
        Ask::List(source, _) => lists::items(source, &s.answers, cat),
        Ask::Text(..) => vec![],
    }
}

/// A screen laid out: its (possibly cut) title, its items and their pages.
struct Layout {
    title: String,
    items: Vec<Item>,
    pages: Vec<std::ops::Range<usize>>,
}

fn layout(s: &Shown, cat: &Catalogue) -> Layout {
    let lang = s.answers.lang;
    let items = shown_items(s, cat);
    let first_page = |t: &str| {
        let mut lines = vec![t.to_string()];
        if let Some(first) = items.first() {
            lines.extend(option_lines(std::slice::from_ref(first), 1));
            lines.extend(nav_lines(lang, items.len() > 1, true));
        }
        lines.join("\n")
    };
    let mut title = title(s, cat);
    if s.note == Some(Note::Invalid) {
        // The note goes above the title when both fit beside a choice; otherwise it takes the
        // title's place.
        let invalid = text(lang, "ussd-invalid", &[]);
        let both = format!("{invalid}\n{title}");
        title = match fits(&first_page(&both)) {
            true => both,
            false => invalid,
        };
    }
    // A long question is cut so that at least one choice and the paging fit beside it.
    let title = cut_to_fit(&title, first_page);
    let pages = match items.is_empty() {
        true => vec![],
        false => pages(lang, &title, &items),
    };
    Layout {
        title,
        items,
        pages,
    }
}

/// The text of a screen that continues the session (`CON`).
pub fn render(s: &Shown, cat: &Catalogue) -> String {
    let lang = s.answers.lang;
    let l = layout(s, cat);
    let mut lines = vec![l.title.clone()];
    if let Some(last) = l.pages.len().checked_sub(1) {
        let page = s.page.min(last);
        let range = l.pages[page].clone();
        lines.extend(option_lines(&l.items[range.clone()], range.start + 1));
        lines.extend(nav_lines(lang, range.end < l.items.len(), page > 0));
    }
    lines.join("\n")
}

/// The number of pages a screen has (1 when it lists nothing).
pub fn page_count(s: &Shown, cat: &Catalogue) -> usize {
    layout(s, cat).pages.len().max(1)
}

/// Whether a list source is empty for these answers (the question screen of a service
/// without multiple-choice questions).
pub fn is_empty(source: Source, a: &Answers, cat: &Catalogue) -> bool {
    lists::items(source, a, cat).is_empty()
}
