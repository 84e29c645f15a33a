//! Properties of phone parsing: every accepted way of writing a Pakistani mobile gives the same E.164.

use super::*;
use crate::phone::Phone;

/// A Pakistani mobile's ten national digits, `3XXXXXXXXX`.
fn national() -> impl Strategy<Value = String> {
    "3[0-9]{9}"
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_accepted_way_of_writing_a_mobile_gives_the_same_e164(
        n in national(),
        form in 0usize..6,
        at in proptest::collection::vec(any::<bool>(), 16),
        seps in proptest::sample::select(vec![" ", "-", " - ", "  ", "."]),
        pad in proptest::sample::select(vec!["", " ", "\t", "  "]),
    ) {
        let written = match form {
            0 => format!("0{n}"),
            1 => format!("+92{n}"),
            2 => format!("92{n}"),
            3 => format!("0092{n}"),
            4 => format!("+92 (0){n}"),
            _ => n.clone(),
        };
        let typed = format!("{pad}{}{pad}", sprinkle(&written, &at, &[seps]));
        let p = Phone::parse(&typed);
        prop_assert!(p.is_ok(), "{:?} refused: {:?}", typed, p);
        let p = p.unwrap();
        prop_assert_eq!(p.e164(), format!("+92{n}"));
    }

    #[test]
    fn any_text_parses_without_panicking_and_what_parses_is_a_mobile_in_e164(
        s in "\\PC{0,20}|[0-9+ ()-]{0,20}|\\+?(00)?(92)?0?3[0-9 -]{7,12}",
    ) {
        if let Ok(p) = Phone::parse(&s) {
            let e = p.e164();
            prop_assert_eq!(e.len(), 13, "{}", e);
            prop_assert!(e.starts_with("+923"), "{}", e);
            prop_assert!(e[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e);
            prop_assert!(p.masked().ends_with(&e[11..]));
            let debug = format!("{p:?}");
            prop_assert!(!debug.contains(&e[4..10]));
        }
    }

    #[test]
    fn a_parsed_phone_parses_back_from_its_e164_to_itself(s in "\\+?(00)?(92)?0?3[0-9]{9}|[0-9+ -]{10,16}") {
        if let Ok(p) = Phone::parse(&s) {
            let again = Phone::parse(p.e164());
            prop_assert_eq!(again, Ok(p.clone()));
            // and from the local form a citizen would read back
            let local = format!("0{}", &p.e164()[3..]);
            prop_assert_eq!(Phone::parse(&local), Ok(p));
        }
    }
}
