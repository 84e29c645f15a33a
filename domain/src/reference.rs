//! Public request references: nine digits a citizen can type on a keypad, the last one a Damm
//! check digit, so any single mistyped digit and any swap of two neighbouring digits is caught
//! before it reaches the database.

use rand::Rng;
use std::fmt;

const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// Number of digits in a reference, check digit included.
pub const REFERENCE_LEN: usize = 9;

/// The Damm check digit of a string of ASCII digits.
pub fn damm_check_digit(digits: &str) -> u8 {
    digits.bytes().fold(0u8, |interim, b| {
        DAMM[interim as usize][(b - b'0') as usize]
    })
}

/// A valid request reference (nine digits, Damm-checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference(String);

/// Why a typed reference was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Wrong length or a non-digit character.
    #[error("a reference is {REFERENCE_LEN} digits, for example 123 456 785")]
    Shape,
    /// The check digit does not match: a digit was mistyped.
    #[error("this reference has a typing mistake (its check digit does not match); please check the digits")]
    CheckDigit,
}

impl Reference {
    /// Draws a fresh random reference (first digit never 0, so it survives spreadsheets).
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let body: u32 = rng.gen_range(10_000_000..100_000_000);
        Self::from_body(body)
    }

    /// Builds the reference whose first eight digits are `body`.
    pub fn from_body(body: u32) -> Self {
        let body = format!("{body:08}");
        let check = damm_check_digit(&body);
        Reference(format!("{body}{check}"))
    }

    /// Parses what a citizen typed: spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != REFERENCE_LEN || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReferenceError::Shape);
        }
        if damm_check_digit(&digits) != 0 {
            return Err(ReferenceError::CheckDigit);
        }
        Ok(Reference(digits))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped in threes for reading aloud or an SMS: `123 456 785`.
    pub fn grouped(&self) -> String {
        let s = &self.0;
        format!("{} {} {}", &s[0..3], &s[3..6], &s[6..9])
    }
}

/// A stored reference grouped in threes (`123 456 785`); anything that is not a reference is
/// returned as it is.
pub fn grouped(reference: &str) -> String {
    Reference::parse(reference)
        .map(|r| r.grouped())
        .unwrap_or_else(|_| reference.to_string())
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_generated_reference_parses_back_with_spaces() {
        let r = Reference::from_body(12_345_678);
        assert_eq!(Reference::parse(&r.grouped()).unwrap(), r);
    }

    #[test]
    fn letters_and_short_input_are_rejected_as_the_wrong_shape() {
        assert_eq!(Reference::parse("12a456789"), Err(ReferenceError::Shape));
        assert_eq!(Reference::parse("1234"), Err(ReferenceError::Shape));
    }

    proptest! {
        #[test]
        fn any_single_mistyped_digit_is_detected(body in 10_000_000u32..100_000_000, pos in 0usize..9, delta in 1u8..10) {
            let r = Reference::from_body(body);
            let mut bytes = r.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let typed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
        }

        #[test]
        fn any_swap_of_neighbouring_digits_is_detected(body in 10_000_000u32..100_000_000, pos in 0usize..8) {
            let r = Reference::from_body(body);
            let mut bytes = r.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let typed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckDigit));
        }
    }
}
