//! Properties of the USSD path parser: any path is walked without panicking and every screen fits the handset.

use super::*;
use crate::lang::Lang;
use crate::messages::sms_segments;
use crate::reference::Reference;
use crate::testing::reference;
use crate::ussd::menu::{Finish, ScreenId};
use crate::ussd::path::{change, language_of, split, takes_free_text, worth_resuming, Change};
use crate::ussd::screen::{fits, render, GSM_LIMIT, UCS2_LIMIT};
use crate::ussd::{walk, Step};

fn cat() -> &'static crate::catalogue::Catalogue {
    &reference().0
}

/// One keypad input, biased towards what moves through the menu.
fn input() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (1u32..=6).prop_map(|n| n.to_string()),
        3 => (7u32..=25).prop_map(|n| n.to_string()),
        3 => Just("0".to_string()),
        2 => Just("00".to_string()),
        1 => Just(String::new()),
        1 => "[0-9]{1,12}",
        2 => (10_000_000u32..100_000_000).prop_map(|b| Reference::from_body(b).to_string()),
        1 => "[a-z0-9 .,#-]{1,120}",
        1 => "[ا-ی ]{1,90}",
        1 => "\\PC{1,40}",
    ]
}

/// A path starting with a language and usually the report branch.
fn path() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![8 => (1u32..=4).prop_map(|n| n.to_string()), 1 => input()],
        prop_oneof![4 => Just("1".to_string()), 3 => (2u32..=4).prop_map(|n| n.to_string()), 1 => input()],
        proptest::collection::vec(input(), 0..14),
    )
        .prop_map(|(l, m, rest)| {
            let mut v = vec![l, m];
            v.extend(rest);
            v
        })
}

/// The limit check of `ussd/tests.rs`: within the encoding's limit, and GSM-7 in English
/// and Roman Urdu unless the citizen typed something that is not.
fn check_screen(path: &[String], step: &Step) -> Result<(), TestCaseError> {
    let Step::Show(s) = step else {
        return Ok(());
    };
    let text = render(s, cat());
    let seg = sms_segments(&text);
    let limit = if seg.gsm7 { GSM_LIMIT } else { UCS2_LIMIT };
    prop_assert!(
        seg.units <= limit,
        "{:?} ({:?}, {:?}) is {} units, over {}:\n{}",
        path,
        s.screen,
        s.answers.lang,
        seg.units,
        limit,
        text
    );
    prop_assert!(fits(&text));
    let typed_gsm = s
        .answers
        .landmark
        .as_deref()
        .is_none_or(|l| sms_segments(l).gsm7);
    if matches!(s.answers.lang, Lang::En | Lang::RomanUrdu)
        && s.screen != ScreenId::Language
        && typed_gsm
    {
        prop_assert!(seg.gsm7, "{:?} should be GSM-7:\n{}", path, text);
    }
    prop_assert!(
        !text.trim().is_empty(),
        "{:?} renders an empty screen",
        path
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_screen_a_random_path_leads_to_fits_the_handset_limits(p in path()) {
        // Every prefix too: each is a screen the citizen saw on the way.
        for n in 0..=p.len() {
            let step = walk(&p[..n], cat());
            check_screen(&p[..n], &step)?;
            if !matches!(step, Step::Show(_)) {
                break;
            }
        }
    }

    #[test]
    fn a_finished_report_carries_a_pilot_district_its_own_tehsil_and_a_service(p in path()) {
        let step = walk(&p, cat());
        prop_assert_eq!(&step, &walk(&p, cat()), "the same path gives the same step");
        if let Step::Done(Finish::Report, a) = step {
            let d = a.district.as_deref().and_then(|d| cat().district(d));
            prop_assert!(d.is_some_and(|d| d.accepts_requests), "{:?}", a);
            let t = a.tehsil.as_deref().and_then(|t| cat().tehsil(t));
            prop_assert_eq!(t.map(|t| &t.district), a.district.as_ref(), "{:?}", a);
            prop_assert!(a.service.as_deref().and_then(|s| cat().service(s)).is_some(), "{:?}", a);
        }
    }

    #[test]
    fn any_gateway_text_of_digits_and_stars_is_walked_without_panicking_within_the_limits(
        text in "[0-9*]{0,80}|([1-4]\\*){0,1}([0-9]{1,2}\\*){0,20}[0-9]{0,9}",
        previous in proptest::option::of("[0-9*]{0,20}"),
    ) {
        let inputs = split(&text);
        let step = walk(&inputs, cat());
        check_screen(&inputs, &step)?;
        let _ = takes_free_text(&inputs, cat());
        let _ = worth_resuming(&inputs, cat());
        let _ = language_of(&inputs, cat());
        match change(previous.as_deref(), &text) {
            Change::Same => prop_assert_eq!(previous.as_deref(), Some(text.as_str())),
            Change::Added(new) => {
                let prev = previous.clone().unwrap_or_default();
                prop_assert!(
                    text == new || text == format!("{prev}*{new}"),
                    "{:?} + {:?} ≠ {:?}", prev, new, text
                );
            }
            Change::Fresh(all) => prop_assert_eq!(all, inputs),
        }
    }

    #[test]
    fn the_confirm_screen_fits_whatever_landmark_is_typed_in_whatever_language(
        lang in 1u32..=4, d in 1u32..=4, t in 1u32..=8, sv in 1u32..=11, q in 1u32..=5,
        landmark in prop_oneof![
            "[a-zA-Z0-9 .,#/-]{1,160}",
            "[ا-ی ]{1,120}",
            "[a-z ]{1,40}[ا-ی]{1,3}[a-z ]{0,40}",
            "\\PC{1,80}",
            "[a-z]{60,160}",
        ],
    ) {
        let mut p: Vec<String> = [lang, 1, d, t, sv].iter().map(|n| n.to_string()).collect();
        if matches!(walk(&p, cat()), Step::Show(ref s) if s.screen == ScreenId::Question) {
            p.push(q.to_string());
        }
        prop_assume!(matches!(walk(&p, cat()), Step::Show(ref s) if s.screen == ScreenId::Landmark));
        p.push(landmark);
        let step = walk(&p, cat());
        prop_assert!(matches!(step, Step::Show(ref s) if s.screen == ScreenId::Confirm), "{:?}", step);
        check_screen(&p, &step)?;
    }

    #[test]
    fn an_overlong_path_ends_the_session_instead_of_walking_it(
        n in (crate::ussd::MAX_INPUTS + 1)..(crate::ussd::MAX_INPUTS + 200),
        item in input(),
    ) {
        let p = vec![item; n];
        prop_assert_eq!(walk(&p, cat()), Step::TooLong);
    }
}
