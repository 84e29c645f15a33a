//! The multilingual lexicon (English, Urdu script, Roman Urdu, Sindhi) from
//! `fixtures/lexicon.json`, the category check, and the priority decision. Text is folded
//! (case, Arabic-script letter variants, diacritics) so that Urdu and Sindhi spellings of one
//! word meet, and terms match whole words or whole phrases only.

use crate::catalogue::Catalogue;
use crate::status::Priority;
use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Folds text for matching and splits it into words.
pub fn words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'ي' | 'ى' | 'ئ' => 'ی',
            'ك' | 'ڪ' => 'ک',
            'ه' | 'ھ' | 'ۀ' | 'ة' => 'ہ',
            'أ' | 'إ' | 'آ' => 'ا',
            'ؤ' => 'و',
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        folded.push(c);
    }
    folded.split_whitespace().map(str::to_string).collect()
}

fn contains(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[derive(Debug, Deserialize)]
struct RawTerm {
    term: String,
    #[serde(default = "one")]
    weight: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
struct RawHazards {
    #[serde(default)]
    urgent: Vec<RawTerm>,
    #[serde(default)]
    high: Vec<RawTerm>,
}

#[derive(Debug, Deserialize)]
struct RawDuration {
    term: String,
    days: u32,
}

#[derive(Debug, Deserialize)]
struct RawLexicon {
    services: BTreeMap<String, Vec<RawTerm>>,
    hazards: RawHazards,
    #[serde(default)]
    duration: Vec<RawDuration>,
}

/// A compiled term: its folded words and its weight.
type Term = (Vec<String>, u32);

/// The compiled lexicon.
#[derive(Debug, Default)]
pub struct Lexicon {
    services: Vec<(String, Vec<Term>)>,
    urgent: Vec<Vec<String>>,
    high: Vec<Vec<String>>,
    durations: Vec<(Vec<String>, u32)>,
}

/// How sure the category check must be before it acts.
pub const MIN_CONFIDENT_SCORE: u32 = 3;

/// The category check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryCheck {
    /// The filed service fits, or the text says too little to tell.
    Keep,
    /// Filed as `other`, and the text clearly says which service: use it.
    Assign(String),
    /// Filed under one service, but the text clearly says another: flag it for the coordinator.
    Mismatch(String),
}

impl Lexicon {
    /// Compiles the text of `lexicon.json` (`source` names it in errors); every service key
    /// must exist in the catalogue.
    pub fn parse(text: &str, source: &str, cat: &Catalogue) -> anyhow::Result<Lexicon> {
        let raw: RawLexicon =
            serde_json::from_str(text).with_context(|| format!("parsing {source}"))?;
        for code in raw.services.keys() {
            anyhow::ensure!(
                cat.service(code).is_some(),
                "{source}: unknown service {code:?}"
            );
        }
        let compile = |ts: &[RawTerm]| -> Vec<Vec<String>> {
            ts.iter()
                .map(|t| words(&t.term))
                .filter(|w| !w.is_empty())
                .collect()
        };
        Ok(Lexicon {
            services: raw
                .services
                .iter()
                .map(|(code, ts)| {
                    let terms = ts
                        .iter()
                        .map(|t| (words(&t.term), t.weight.clamp(1, 3)))
                        .filter(|(w, _)| !w.is_empty())
                        .collect();
                    (code.clone(), terms)
                })
                .collect(),
            urgent: compile(&raw.hazards.urgent),
            high: compile(&raw.hazards.high),
            durations: raw
                .duration
                .iter()
                .map(|d| (words(&d.term), d.days))
                .filter(|(w, _)| !w.is_empty())
                .collect(),
        })
    }

    /// Score of every service for `text`, highest first (ties by catalogue key order).
    pub fn scores(&self, text: &str) -> Vec<(String, u32)> {
        let ws = words(text);
        let mut out: Vec<(String, u32)> = self
            .services
            .iter()
            .map(|(code, terms)| {
                (
                    code.clone(),
                    terms
                        .iter()
                        .filter(|(t, _)| contains(&ws, t))
                        .map(|(_, w)| *w)
                        .sum(),
                )
            })
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.1));
        out
    }

    /// The most likely service and whether the text makes it clear: a score of at least
    /// `MIN_CONFIDENT_SCORE` and at least twice the runner-up.
    pub fn best(&self, text: &str) -> Option<(String, u32, bool)> {
        let scores = self.scores(text);
        let (code, top) = scores.first().cloned()?;
        if top == 0 {
            return None;
        }
        let second = scores.get(1).map(|s| s.1).unwrap_or(0);
        Some((code, top, top >= MIN_CONFIDENT_SCORE && top >= 2 * second))
    }

    /// Compares the filed service with what the text says.
    pub fn check_category(&self, filed: &str, text: &str) -> CategoryCheck {
        let Some((best, top, confident)) = self.best(text) else {
            return CategoryCheck::Keep;
        };
        if !confident || best == filed {
            return CategoryCheck::Keep;
        }
        if filed == "other" {
            return CategoryCheck::Assign(best);
        }
        let filed_score = self
            .scores(text)
            .into_iter()
            .find(|(c, _)| c == filed)
            .map(|s| s.1)
            .unwrap_or(0);
        if filed_score * 2 <= top {
            CategoryCheck::Mismatch(best)
        } else {
            CategoryCheck::Keep
        }
    }

    /// The longest duration the text mentions, in days.
    pub fn duration_days(&self, text: &str) -> Option<u32> {
        let ws = words(text);
        self.durations
            .iter()
            .filter(|(t, _)| contains(&ws, t))
            .map(|(_, d)| *d)
            .max()
    }

    fn mentions(&self, list: &[Vec<String>], text: &str) -> Option<String> {
        let ws = words(text);
        list.iter().find(|t| contains(&ws, t)).map(|t| t.join(" "))
    }
}

/// Everything the priority decision looks at.
#[derive(Debug, Clone)]
pub struct PriorityInput<'a> {
    /// Service code.
    pub service: &'a str,
    /// The service's default priority.
    pub default: Priority,
    /// Description (and address/landmark).
    pub text: &'a str,
    /// Answers to service questions.
    pub attributes: &'a serde_json::Value,
    /// Other open reports of the same service nearby.
    pub nearby_reports: usize,
}

/// Reports nearby that make a problem "widespread".
pub const CLUSTER_HIGH: usize = 3;

/// Priority with the reasons, each a short English sentence for the history.
pub fn priority(lex: &Lexicon, input: &PriorityInput<'_>) -> (Priority, Vec<String>) {
    let mut p = input.default;
    let mut reasons = vec![format!("service default: {}", input.default)];
    let mut raise_to = |level: Priority, why: String, p: &mut Priority| {
        if level > *p {
            *p = level;
            reasons.push(why);
        }
    };
    let hazard_answer = input
        .attributes
        .get("hazard")
        .and_then(|v| v.as_str())
        .is_some_and(|v| matches!(v, "yes" | "true"));
    if hazard_answer {
        raise_to(
            Priority::Urgent,
            "the reporter said it is a hazard".into(),
            &mut p,
        );
    }
    if let Some(term) = lex.mentions(&lex.urgent, input.text) {
        raise_to(
            Priority::Urgent,
            format!("hazard mentioned: \"{term}\""),
            &mut p,
        );
    }
    if matches!(input.service, "school-facilities" | "health-facility") {
        raise_to(
            Priority::High,
            "a school or health facility serves many people".into(),
            &mut p,
        );
    } else if let Some(term) = lex.mentions(&lex.high, input.text) {
        raise_to(
            Priority::High,
            format!("affects a facility or many people: \"{term}\""),
            &mut p,
        );
    }
    if input.nearby_reports >= CLUSTER_HIGH {
        raise_to(
            Priority::High,
            format!("{} other open reports nearby", input.nearby_reports),
            &mut p,
        );
    }
    if let Some(days) = lex.duration_days(input.text) {
        if days >= 7 {
            raise_to(
                Priority::High,
                format!("the problem has lasted about {days} days"),
                &mut p,
            );
        } else if days >= 2 {
            raise_to(
                Priority::Normal,
                format!("the problem has lasted about {days} days"),
                &mut p,
            );
        }
    }
    (p, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urdu_and_sindhi_spellings_fold_together() {
        assert_eq!(words("پاڻي نہيں"), words("پاڻی نہیں"));
        assert_eq!(words("ڪچرو"), words("کچرو"));
        assert_eq!(
            words("Gutter, ubal raha hai!"),
            vec!["gutter", "ubal", "raha", "hai"]
        );
    }

    #[test]
    fn terms_match_whole_words_only() {
        assert!(contains(&words("no water here"), &words("water")));
        assert!(!contains(&words("waterproof roof"), &words("water")));
    }
}
