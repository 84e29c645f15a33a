//! The translation catalogues in `domain/i18n/` (Fluent; per language the SMS and staff-page
//! messages and the citizen-page, history and validation messages; compiled into the binary),
//! and `text`, which every user-facing string goes through.

use crate::lang::Lang;
use chrono::{DateTime, FixedOffset, Offset, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

const SOURCES: [(Lang, &str, [&str; 4]); 4] = [
    (
        Lang::En,
        "en",
        [
            include_str!("../i18n/en.ftl"),
            include_str!("../i18n/citizen.en.ftl"),
            include_str!("../i18n/phone.en.ftl"),
            include_str!("../i18n/evaluation.en.ftl"),
        ],
    ),
    (
        Lang::Ur,
        "ur",
        [
            include_str!("../i18n/ur.ftl"),
            include_str!("../i18n/citizen.ur.ftl"),
            include_str!("../i18n/phone.ur.ftl"),
            include_str!("../i18n/evaluation.ur.ftl"),
        ],
    ),
    (
        Lang::Sd,
        "sd",
        [
            include_str!("../i18n/sd.ftl"),
            include_str!("../i18n/citizen.sd.ftl"),
            include_str!("../i18n/phone.sd.ftl"),
            include_str!("../i18n/evaluation.sd.ftl"),
        ],
    ),
    (
        Lang::RomanUrdu,
        "en",
        [
            // Roman Urdu has the texts a keypad phone shows (SMS and USSD); the rest falls
            // back to English.
            "",
            "",
            include_str!("../i18n/phone.ur-Latn.ftl"),
            "",
        ],
    ),
];

fn bundles() -> &'static Vec<(Lang, FluentBundle<FluentResource>)> {
    static BUNDLES: OnceLock<Vec<(Lang, FluentBundle<FluentResource>)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, tag, srcs)| {
                let langid = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                // No Unicode isolation marks: they cost SMS characters and force UCS-2.
                bundle.set_use_isolating(false);
                for src in srcs {
                    let res =
                        FluentResource::try_new((*src).to_string()).unwrap_or_else(|(res, _)| res);
                    let _ = bundle.add_resource(res);
                }
                (*lang, bundle)
            })
            .collect()
    })
}

/// Arguments that are counts (plural selectors) rather than words.
const COUNTS: [&str; 3] = ["days", "count", "minutes"];

/// The message `id` in `lang` with `args` (falls back to English, then to the id itself).
pub fn text(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        // Counts select plural forms, so they go in as numbers.
        match (COUNTS.contains(k), v.parse::<i64>()) {
            (true, Ok(n)) => fargs.set(*k, n),
            _ => fargs.set(*k, v.clone()),
        }
    }
    for try_lang in [lang, Lang::En] {
        let Some((_, bundle)) = bundles().iter().find(|(l, _)| *l == try_lang) else {
            continue;
        };
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = vec![];
            return gsm_friendly(&bundle.format_pattern(pattern, Some(&fargs), &mut errors));
        }
    }
    id.to_string()
}

/// Whether `lang`'s own catalogue has the message `id` (no fallback to English): Roman Urdu
/// names a service on USSD only where it has its own name for it.
pub fn has_own(lang: Lang, id: &str) -> bool {
    bundles()
        .iter()
        .any(|(l, b)| *l == lang && b.has_message(id))
}

/// `28 Nov 14:00` in Pakistan time (UTC+5, no daylight saving), as SMS texts show due times.
pub fn pkt_date(t: DateTime<Utc>) -> String {
    let pkt = FixedOffset::east_opt(5 * 3600).unwrap_or_else(|| Utc.fix());
    t.with_timezone(&pkt).format("%d %b %H:%M").to_string()
}

/// Replaces typographic punctuation that GSM-7 lacks (dashes, curly quotes, ellipsis) with
/// plain equivalents, so an English text is not forced into UCS-2 (70 characters a segment)
/// by one "—" in a department's name.
pub fn gsm_friendly(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            '\u{00A0}' | '\u{2009}' | '\u{202F}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Every message id of every catalogue, for the completeness test.
pub fn ids(lang: Lang) -> Vec<String> {
    let srcs = SOURCES
        .iter()
        .find(|(l, _, _)| *l == lang)
        .map(|s| s.2.join("\n"))
        .unwrap_or_default();
    srcs.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .filter_map(|l| l.split(" = ").next().map(|s| s.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::sms_segments;

    #[test]
    fn every_message_exists_in_all_three_languages() {
        let en = ids(Lang::En);
        assert!(!en.is_empty());
        assert_eq!(ids(Lang::Ur), en);
        assert_eq!(ids(Lang::Sd), en);
    }

    #[test]
    fn roman_urdu_has_every_text_a_keypad_phone_shows() {
        let own = ids(Lang::RomanUrdu);
        let phone: Vec<String> = ids(Lang::En)
            .into_iter()
            .filter(|id| {
                id.starts_with("ussd-")
                    || id.starts_with("smsin-")
                    || id.starts_with("status-")
                    || (id.starts_with("sms-") && id != "sms-escalation")
                    || id == "service-notice"
            })
            .collect();
        let missing: Vec<&String> = phone.iter().filter(|id| !own.contains(id)).collect();
        assert!(missing.is_empty(), "Roman Urdu lacks {missing:?}");
        for id in &own {
            assert!(
                text(Lang::RomanUrdu, id, &[]).is_ascii(),
                "{id} is not plain Latin"
            );
        }
    }

    #[test]
    fn placeables_are_filled_without_isolation_marks() {
        let t = text(Lang::En, "service-notice", &[("ref", "123 456 785".into())]);
        assert_eq!(
            t,
            "Your reference is 123 456 785. Keep it to check the status."
        );
    }

    #[test]
    fn a_dash_in_a_department_name_does_not_force_ucs2() {
        let t = text(
            Lang::En,
            "sms-received",
            &[
                ("ref", "1".into()),
                ("service", "Water".into()),
                ("dept", "QESCO — Turbat".into()),
                ("due", "1 Dec".into()),
            ],
        );
        assert!(sms_segments(&t).gsm7, "{t}");
    }

    #[test]
    fn english_is_gsm7_and_urdu_is_ucs2() {
        assert!(sms_segments("Sahulat 123: ok").gsm7);
        let ur = sms_segments("سہولت");
        assert!(!ur.gsm7);
        assert_eq!(ur.count, 1);
        assert_eq!(sms_segments(&"a".repeat(161)).count, 2);
    }
}
