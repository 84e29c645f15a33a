//! The items of the menu's lists, drawn from the reference data and named in the session's
//! language: languages (each in itself), the pilot districts, a district's tehsils, the
//! services, and the choices of a service's first multiple-choice question.

use super::menu::Source;
use super::Answers;
use crate::catalogue::{Catalogue, Datatype, Service, ServiceAttribute};
use crate::i18n::{has_own, text};
use crate::lang::Lang;

/// One item of a list: the key stored as the answer and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the answer stores (a code; empty for "skip").
    pub key: String,
    /// What the citizen reads.
    pub label: String,
}

/// The languages a session can choose, in menu order.
pub const LANGS: [Lang; 4] = [Lang::En, Lang::Ur, Lang::Sd, Lang::RomanUrdu];

/// The items of `source` for the answers so far.
pub fn items(source: Source, a: &Answers, cat: &Catalogue) -> Vec<Item> {
    let lang = a.lang;
    match source {
        Source::Languages => LANGS
            .iter()
            .map(|l| Item {
                key: l.code().into(),
                label: text(*l, "ussd-language-name", &[]),
            })
            .collect(),
        Source::Districts => cat
            .served_districts()
            .into_iter()
            .map(|d| Item {
                key: d.code.clone(),
                label: d.names.get(lang).to_string(),
            })
            .collect(),
        Source::Tehsils => {
            let mut v: Vec<Item> = cat
                .tehsils
                .iter()
                .filter(|t| Some(&t.district) == a.district.as_ref())
                .map(|t| Item {
                    key: t.code.clone(),
                    label: t.names.get(lang).to_string(),
                })
                .collect();
            v.sort_by(|x, y| x.label.cmp(&y.label));
            v
        }
        Source::Services => cat
            .services
            .iter()
            .map(|s| Item {
                key: s.code.clone(),
                label: service_label(s, lang),
            })
            .collect(),
        Source::QuestionValues => {
            let Some(q) = a.service.as_deref().and_then(|c| question(cat, c)) else {
                return vec![];
            };
            let mut v: Vec<Item> = q
                .values
                .iter()
                .map(|v| Item {
                    key: v.key.clone(),
                    label: v.name.get(lang).to_string(),
                })
                .collect();
            v.push(Item {
                key: String::new(),
                label: text(lang, "ussd-skip", &[]),
            });
            v
        }
    }
}

/// A service's name on a keypad phone: Roman Urdu has its own names in the catalogue, the
/// other languages use the service's short name.
pub fn service_label(s: &Service, lang: Lang) -> String {
    let id = format!("ussd-service-{}", s.code);
    if lang == Lang::RomanUrdu && has_own(lang, &id) {
        return text(lang, &id, &[]);
    }
    s.names.get(lang).to_string()
}

/// The service's first multiple-choice question, which USSD asks (one answer).
pub fn question<'a>(cat: &'a Catalogue, service: &str) -> Option<&'a ServiceAttribute> {
    cat.service(service)?
        .attributes
        .iter()
        .filter(|a| {
            matches!(
                a.datatype,
                Datatype::Singlevaluelist | Datatype::Multivaluelist
            )
        })
        .min_by_key(|a| a.order)
}

/// The name of the place chosen: "Tehsil, District".
pub fn place(a: &Answers, cat: &Catalogue) -> String {
    let t = a.tehsil.as_deref().and_then(|c| cat.tehsil(c));
    let d = a.district.as_deref().and_then(|c| cat.district(c));
    match (t, d) {
        (Some(t), Some(d)) if t.names.en != d.names.en => {
            let comma = if a.lang.is_rtl() { "، " } else { ", " };
            format!("{}{comma}{}", t.names.get(a.lang), d.names.get(a.lang))
        }
        (Some(t), _) => t.names.get(a.lang).to_string(),
        (None, Some(d)) => d.names.get(a.lang).to_string(),
        (None, None) => String::new(),
    }
}
