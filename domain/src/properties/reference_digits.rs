//! Properties of the reference check digit: single-digit mistakes and neighbour swaps are caught.

use super::*;
use crate::reference::{grouped, Reference, ReferenceError, REFERENCE_LEN};

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_single_digit_change_of_a_valid_reference_is_rejected(
        body in 0u32..100_000_000, pos in 0usize..REFERENCE_LEN, delta in 1u8..10,
    ) {
        let r = Reference::from_body(body);
        let mut b = r.as_str().as_bytes().to_vec();
        b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
        let typed = String::from_utf8(b).unwrap();
        prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
    }

    #[test]
    fn every_swap_of_two_adjacent_different_digits_is_rejected(
        body in 0u32..100_000_000, pos in 0usize..REFERENCE_LEN - 1,
    ) {
        let r = Reference::from_body(body);
        let mut b = r.as_str().as_bytes().to_vec();
        prop_assume!(b[pos] != b[pos + 1]);
        b.swap(pos, pos + 1);
        let typed = String::from_utf8(b).unwrap();
        prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
    }

    #[test]
    fn exactly_one_check_digit_completes_any_eight_digit_body(body in 0u32..100_000_000) {
        let valid: Vec<u8> = (0..10u8)
            .filter(|d| Reference::parse(&format!("{body:08}{d}")).is_ok())
            .collect();
        prop_assert_eq!(valid.len(), 1);
        let made = Reference::from_body(body);
        let body8 = format!("{body:08}");
        prop_assert_eq!(&made.as_str()[..8], body8.as_str());
    }

    #[test]
    fn a_reference_survives_grouping_spaces_and_dashes_on_its_way_back(
        body in 0u32..100_000_000,
        at in proptest::collection::vec(any::<bool>(), REFERENCE_LEN),
    ) {
        let r = Reference::from_body(body);
        prop_assert_eq!(Reference::parse(&r.grouped()), Ok(r.clone()));
        prop_assert_eq!(grouped(r.as_str()), r.grouped());
        prop_assert_eq!(r.grouped().replace(' ', ""), r.as_str());
        prop_assert_eq!(r.to_string(), r.as_str());
        let typed = format!(" {} ", sprinkle(r.as_str(), &at, &[" ", "-", "  ", " - "]));
        prop_assert_eq!(Reference::parse(&typed), Ok(r));
    }

    #[test]
    fn any_text_parses_without_panicking_and_only_nine_checked_digits_pass(s in "\\PC{0,24}|[0-9 -]{0,14}") {
        match Reference::parse(&s) {
            Ok(r) => {
                prop_assert_eq!(r.as_str().len(), REFERENCE_LEN);
                prop_assert!(r.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(crate::reference::damm_check_digit(r.as_str()), 0);
            }
            Err(_) => prop_assert_eq!(grouped(&s), s.clone(), "a non-reference is shown as it is"),
        }
    }
}
