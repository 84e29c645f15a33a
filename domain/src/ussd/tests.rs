use super::lists::{items, LANGS};
use super::menu::{Finish, ScreenId, Source, MENU};
use super::path::{change, resume_screen, resumed, worth_resuming, Change, Resumed};
use super::screen::{end_text, fits, render, GSM_LIMIT, UCS2_LIMIT};
use super::*;
use crate::messages::sms_segments;
use crate::testing::reference;
use std::collections::HashSet;

fn cat() -> &'static Catalogue {
    &reference().0
}

fn inputs(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| s.to_string()).collect()
}

fn shown(path: &[String]) -> Shown {
    match walk(path, cat()) {
        Step::Show(s) => s,
        other => panic!("{path:?} ended: {other:?}"),
    }
}

/// Renders the screen at `path`, checks it against its encoding's limit, and returns it.
fn checked(path: &[String], seen: &mut HashSet<ScreenId>) -> String {
    let s = shown(path);
    seen.insert(s.screen);
    let text = render(&s, cat());
    let seg = sms_segments(&text);
    let limit = if seg.gsm7 { GSM_LIMIT } else { UCS2_LIMIT };
    assert!(
        seg.units <= limit,
        "{path:?} ({:?}) is {} units, over {limit}:\n{text}",
        s.answers.lang,
        seg.units
    );
    if matches!(s.answers.lang, Lang::En | Lang::RomanUrdu) && s.screen != ScreenId::Language {
        assert!(seg.gsm7, "{path:?} should be GSM-7:\n{text}");
    }
    text
}

/// Every page of the list at `path`, each checked; every item's number appears once.
fn every_page(path: &[String], seen: &mut HashSet<ScreenId>) -> usize {
    let s = shown(path);
    let n = screen::shown_items(&s, cat()).len();
    let mut numbers = vec![];
    let mut p = path.to_vec();
    loop {
        let text = checked(&p, seen);
        numbers.extend(
            text.lines()
                .filter_map(|l| l.split_once(". "))
                .filter_map(|(n, _)| n.parse::<usize>().ok())
                .filter(|n| *n > 0),
        );
        let page = shown(&p).page;
        p.push("0".into());
        if shown(&p).page == page {
            break;
        }
    }
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "{path:?}");
    n
}

#[test]
fn every_screen_of_every_menu_fits_its_encoding_in_every_language() {
    let long_landmark = |lang: Lang| {
        match lang {
        Lang::Ur | Lang::Sd => "پرانی مسجد کے پیچھے سرکاری اسکول کے سامنے والی گلی میں بڑے نیم کے درخت کے پاس".to_string(),
        _ => "behind the old mosque opposite the government girls school near the big neem tree by the canal".to_string(),
    }
    };
    let mut seen = HashSet::new();
    let mut screens = 0;
    checked(&[], &mut seen);
    checked(&inputs(&["9"]), &mut seen);
    for (li, lang) in LANGS.iter().enumerate() {
        let l = (li + 1).to_string();
        let base = vec![l.clone()];
        checked(&base, &mut seen);
        checked(&inputs(&[&l, "7"]), &mut seen);
        let districts = every_page(&inputs(&[&l, "1"]), &mut seen);
        assert_eq!(districts, 4, "the four pilot districts");
        for d in 1..=districts {
            let dp = inputs(&[&l, "1", &d.to_string()]);
            let tehsils = every_page(&dp, &mut seen);
            for t in 1..=tehsils {
                let mut tp = dp.clone();
                tp.push(t.to_string());
                let services = every_page(&tp, &mut seen);
                // Every service once per district (the longest tehsil names are all here).
                for sv in 1..=services {
                    let mut sp = tp.clone();
                    sp.push(sv.to_string());
                    let s = shown(&sp);
                    let after_question = if s.screen == ScreenId::Question {
                        let n = every_page(&sp, &mut seen);
                        let mut bad = sp.clone();
                        bad.push("x".into());
                        checked(&bad, &mut seen);
                        let mut v = sp.clone();
                        v.push(n.to_string());
                        v
                    } else {
                        sp.clone()
                    };
                    checked(&after_question, &mut seen);
                    let mut confirm = after_question.clone();
                    confirm.push(long_landmark(*lang));
                    let text = checked(&confirm, &mut seen);
                    assert!(text.contains("1. ") && text.contains("2. "), "{text}");
                    let mut plain = after_question;
                    plain.push("0".into());
                    checked(&plain, &mut seen);
                    plain.push("x".into());
                    checked(&plain, &mut seen);
                    screens += 4;
                    if t > 1 {
                        break;
                    }
                }
            }
        }
        for opt in ["2", "3", "4"] {
            let p = inputs(&[&l, opt]);
            checked(&p, &mut seen);
            checked(&inputs(&[&l, opt, "12345"]), &mut seen);
            checked(&inputs(&[&l, opt, "123456784"]), &mut seen);
        }
        checked(&inputs(&[&l, "3", "123456786"]), &mut seen);
        checked(&inputs(&[&l, "3", "123456786", "9"]), &mut seen);
        checked(&inputs(&[&l, "4", "123456786"]), &mut seen);
        checked(&inputs(&[&l, "4", "123456786", "0"]), &mut seen);
        // The final screens, with the longest arguments they take.
        for id in [
            "ussd-sent",
            "ussd-cancelled",
            "ussd-unknown-ref",
            "ussd-reopened",
            "ussd-rated",
            "ussd-rated-reopened",
            "ussd-not-yours",
            "ussd-no-phone",
            "ussd-not-closed",
            "ussd-window-passed",
            "ussd-already-rated",
            "ussd-not-reopenable",
            "ussd-limit-sessions",
            "ussd-too-long",
            "ussd-error",
        ] {
            let t = end_text(*lang, id, &[("ref", "123 456 785".into())]);
            assert!(fits(&t) && !t.ends_with('…'), "{id} in {lang:?}: {t}");
        }
        let t = end_text(*lang, "ussd-limit-requests", &[("count", "5".into())]);
        assert!(fits(&t) && !t.ends_with('…'), "{t}");
        for invalid in [false, true] {
            assert!(fits(&resume_screen(*lang, invalid)));
        }
    }
    let every: HashSet<ScreenId> = MENU.iter().map(|s| s.id).collect();
    assert_eq!(seen, every, "every screen of the menu was rendered");
    assert!(screens > 500, "{screens}");
}

#[test]
fn a_report_path_ends_with_every_answer_recorded() {
    // English, report, Larkana district, first tehsil, no water supply, first answer, landmark.
    let larkana = items(Source::Districts, &Answers::default(), cat())
        .iter()
        .position(|i| i.key == "PK713")
        .map(|i| (i + 1).to_string())
        .unwrap();
    let p = inputs(&[
        "1",
        "1",
        &larkana,
        "1",
        "1",
        "2",
        "near the pumping station",
        "1",
    ]);
    match walk(&p, cat()) {
        Step::Done(Finish::Report, a) => {
            assert_eq!(a.district.as_deref(), Some("PK713"));
            assert!(a.tehsil.as_deref().unwrap().starts_with("PK713"));
            assert_eq!(a.service.as_deref(), Some("water-supply"));
            assert_eq!(a.answer, Some(("duration".into(), "days_2_7".into())));
            assert_eq!(a.landmark.as_deref(), Some("near the pumping station"));
        }
        other => panic!("{other:?}"),
    }
    let mut cancel = p.clone();
    *cancel.last_mut().unwrap() = "2".into();
    assert!(matches!(
        walk(&cancel, cat()),
        Step::Done(Finish::Cancel, _)
    ));
}

#[test]
fn a_service_without_a_multiple_choice_question_goes_straight_to_the_landmark() {
    let services = items(Source::Services, &Answers::default(), cat());
    let lights = services
        .iter()
        .position(|s| s.key == "street-lights")
        .unwrap()
        + 1;
    let s = shown(&inputs(&["1", "1", "1", "1", &lights.to_string()]));
    assert_eq!(s.screen, ScreenId::Landmark);
    // Back from the landmark returns to the services, not to a question never shown.
    let back = shown(&inputs(&["1", "1", "1", "1", &lights.to_string(), "00"]));
    assert_eq!(back.screen, ScreenId::Service);
}

#[test]
fn letters_and_numbers_out_of_range_show_the_same_screen_again_with_a_note() {
    for bad in ["x", "5", "-1", "", "1.5", "٣٣"] {
        let s = shown(&inputs(&["1", bad]));
        assert_eq!(s.screen, ScreenId::Main, "{bad:?}");
        assert_eq!(s.note, Some(Note::Invalid));
        assert!(render(&s, cat()).starts_with("Invalid choice."));
    }
    // The next input is read against the same screen.
    assert_eq!(shown(&inputs(&["1", "x", "2"])).screen, ScreenId::TrackRef);
}

#[test]
fn zero_pages_forward_and_double_zero_goes_back() {
    let lang = ["2"]; // Urdu: 80 characters, so the services take several pages.
    let first = shown(&inputs(&[lang[0], "1", "1", "1"]));
    assert_eq!(first.screen, ScreenId::Service);
    let next = shown(&inputs(&[lang[0], "1", "1", "1", "0"]));
    assert_eq!(next.page, 1);
    let text = render(&next, cat());
    assert!(text.contains("00. "), "{text}");
    let back = shown(&inputs(&[lang[0], "1", "1", "1", "0", "00"]));
    assert_eq!(back.page, 0);
    let previous = shown(&inputs(&[lang[0], "1", "1", "1", "00"]));
    assert_eq!(previous.screen, ScreenId::Tehsil);
    // A number from another page is still that item.
    let n = screen::shown_items(&first, cat()).len().to_string();
    let picked = shown(&inputs(&[lang[0], "1", "1", "1", &n]));
    assert_eq!(picked.answers.service.as_deref(), Some("other"));
}

#[test]
fn a_mistyped_reference_is_caught_by_its_check_digit_and_offered_again() {
    let s = shown(&inputs(&["1", "2", "123456784"]));
    assert_eq!(
        (s.screen, s.note),
        (ScreenId::TrackRef, Some(Note::RefTypo))
    );
    assert!(render(&s, cat()).contains("A digit is wrong"));
    let s = shown(&inputs(&["4", "2", "12345"]));
    assert_eq!(s.note, Some(Note::RefShape));
    assert!(render(&s, cat()).contains("9 hindsoon"));
    match walk(&inputs(&["1", "2", "123456784", "123456786"]), cat()) {
        Step::Done(Finish::Track, a) => assert_eq!(a.reference.unwrap().as_str(), "123456786"),
        other => panic!("{other:?}"),
    }
    match walk(&inputs(&["3", "3", "123456786", "2"]), cat()) {
        Step::Done(Finish::Reopen, a) => {
            assert_eq!(a.lang, Lang::Sd);
            assert_eq!(a.reason, Some("ussd-reason-came-back"));
        }
        other => panic!("{other:?}"),
    }
    match walk(&inputs(&["1", "4", "123456786", "4"]), cat()) {
        Step::Done(Finish::Rate, a) => assert_eq!(a.rating, Some(4)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_star_typed_in_a_landmark_stays_in_the_landmark() {
    let before = "1*1*1*1*11";
    assert_eq!(
        change(Some(before), "1*1*1*1*11*house no. 5*lane 2"),
        Change::Added("house no. 5*lane 2".into())
    );
    assert_eq!(change(Some(before), before), Change::Same);
    assert_eq!(change(Some(""), "1"), Change::Added("1".into()));
    assert_eq!(
        change(None, "1*2"),
        Change::Fresh(vec!["1".into(), "2".into()])
    );
    assert_eq!(
        change(Some("1*2"), "1*3"),
        Change::Fresh(vec!["1".into(), "3".into()])
    );
}

#[test]
fn an_unfinished_report_is_offered_again_and_continues_where_it_stopped() {
    let old = inputs(&["2", "1", "1", "2"]);
    assert!(worth_resuming(&old, cat()));
    assert!(
        !worth_resuming(&inputs(&["2", "1"]), cat()),
        "no district yet"
    );
    assert!(
        !worth_resuming(&inputs(&["1", "2"]), cat()),
        "tracking is short"
    );
    assert_eq!(resumed(&old, &[]), Resumed::Ask { invalid: false });
    assert_eq!(
        resumed(&old, &inputs(&["7"])),
        Resumed::Ask { invalid: true }
    );
    let Resumed::Inputs(i) = resumed(&old, &inputs(&["1", "3"])) else {
        panic!()
    };
    assert_eq!(
        shown(&i).answers.service.as_deref(),
        Some(
            items(Source::Services, &Answers::default(), cat())[2]
                .key
                .as_str()
        )
    );
    assert_eq!(
        resumed(&old, &inputs(&["9", "2", "1"])),
        Resumed::Inputs(inputs(&["1"]))
    );
}

#[test]
fn a_path_longer_than_any_honest_session_ends_it() {
    let long: Vec<String> = (0..500).map(|_| "0".to_string()).collect();
    assert_eq!(walk(&long, cat()), Step::TooLong);
    assert_eq!(walk(&["x".repeat(10_000)], cat()), Step::TooLong);
}

#[test]
fn roman_urdu_names_the_services_in_latin_letters() {
    let a = Answers {
        lang: Lang::RomanUrdu,
        ..Default::default()
    };
    let names = items(Source::Services, &a, cat());
    assert_eq!(names.len(), cat().services.len());
    for n in &names {
        assert!(n.label.is_ascii(), "{n:?}");
        assert!(n.label.chars().count() <= 22, "{n:?}");
    }
    assert_eq!(names[0].label, "Pani ki farahami band");
}
