//! The multilingual lexicon (English, Urdu script, Roman Urdu, Sindhi) from
//! `fixtures/lexicon.json`, the category check, and the priority decision. Text is folded
//! (case, Arabic-script letter variants, diacritics) so that Urdu and Sindhi spellings of one
//! word meet, and terms match whole words or whole phrases only.

use crate::catalogue::Catalogue;
use crate::status::Priority;
use anyhow::Context;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

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

/// A list of terms (each its folded words) indexed by first word, so a text is matched in one
/// pass over its words instead of once per term (thousands of terms, each report a few times).
#[derive(Debug, Default)]
struct Terms {
    words: Vec<Vec<String>>,
    by_first: HashMap<String, Vec<usize>>,
}

impl Terms {
    /// Indexes `words` (empty terms never match).
    fn new(words: Vec<Vec<String>>) -> Terms {
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in words.iter().enumerate() {
            if let Some(first) = t.first() {
                by_first.entry(first.clone()).or_default().push(i);
            }
        }
        Terms { words, by_first }
    }

    /// The positions (in list order, each once) of the terms whole-word phrases of `ws`.
    fn found(&self, ws: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            for &t in self.by_first.get(w).into_iter().flatten() {
                if ws[i..].starts_with(&self.words[t]) {
                    out.push(t);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
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

/// The compiled lexicon.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Service codes in catalogue key order.
    services: Vec<String>,
    /// Every service's terms; `service_terms[i]` is (index into `services`, weight).
    terms: Terms,
    service_terms: Vec<(usize, u32)>,
    urgent: Terms,
    high: Terms,
    durations: Terms,
    /// Days of each `durations` term.
    days: Vec<u32>,
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
        let compile = |ts: &[RawTerm]| -> Terms {
            Terms::new(
                ts.iter()
                    .map(|t| words(&t.term))
                    .filter(|w| !w.is_empty())
                    .collect(),
            )
        };
        let mut service_words = Vec::new();
        let mut service_terms = Vec::new();
        for (i, ts) in raw.services.values().enumerate() {
            for t in ts {
                let w = words(&t.term);
                if !w.is_empty() {
                    service_words.push(w);
                    service_terms.push((i, t.weight.clamp(1, 3)));
                }
            }
        }
        let (duration_words, days): (Vec<Vec<String>>, Vec<u32>) = raw
            .duration
            .iter()
            .map(|d| (words(&d.term), d.days))
            .filter(|(w, _)| !w.is_empty())
            .unzip();
        Ok(Lexicon {
            services: raw.services.keys().cloned().collect(),
            terms: Terms::new(service_words),
            service_terms,
            urgent: compile(&raw.hazards.urgent),
            high: compile(&raw.hazards.high),
            durations: Terms::new(duration_words),
            days,
        })
    }

    /// Score of every service for `text`, highest first (ties by catalogue key order).
    pub fn scores(&self, text: &str) -> Vec<(String, u32)> {
        let mut sums = vec![0u32; self.services.len()];
        for t in self.terms.found(&words(text)) {
            let (service, weight) = self.service_terms[t];
            sums[service] += weight;
        }
        let mut out: Vec<(String, u32)> = self.services.iter().cloned().zip(sums).collect();
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
        self.durations
            .found(&words(text))
            .into_iter()
            .map(|t| self.days[t])
            .max()
    }

    /// The first term of `list` (in lexicon order) that `text` mentions.
    fn mentions(&self, list: &Terms, text: &str) -> Option<String> {
        let first = *list.found(&words(text)).first()?;
        Some(list.words[first].join(" "))
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
        let terms = Terms::new(vec![words("water")]);
        assert_eq!(terms.found(&words("no water here")), vec![0]);
        assert!(terms.found(&words("waterproof roof")).is_empty());
    }

    #[test]
    fn a_phrase_matches_only_its_words_in_order_and_each_term_counts_once() {
        let terms = Terms::new(vec![
            words("no water"),
            words("water"),
            words("gutter ubal"),
        ]);
        assert_eq!(
            terms.found(&words("water, no water, water again")),
            vec![0, 1]
        );
        assert!(terms.found(&words("water no")).iter().all(|t| *t == 1));
        assert_eq!(terms.found(&words("gutter ubal raha hai")), vec![2]);
        assert!(terms.found(&words("ubal gutter")).is_empty());
    }
}
