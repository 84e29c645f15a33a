//! Pakistani mobile numbers, normalised to E.164 (`+923001234567`). Status updates go out by
//! SMS, so only mobile numbers (which start with 3 after the country code) are accepted.

use crate::i18n::text;
use crate::lang::Lang;
use std::fmt;

/// A Pakistani mobile number in E.164 form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// What the API says about a number it cannot use.
pub const PHONE_HINT: &str =
    "a Pakistani mobile number such as 0300 1234567, +92 300 1234567 or 0092 300 1234567";

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Letters or stray symbols.
    #[error("contains characters other than digits, spaces, dashes and a leading +; expected {PHONE_HINT}")]
    Characters,
    /// Another country's code.
    #[error("is not a Pakistani number (+92); expected {PHONE_HINT}")]
    NotPakistani,
    /// A landline or a wrong length.
    #[error("is not a valid Pakistani mobile number (10 digits after +92, starting with 3); expected {PHONE_HINT}")]
    NotMobile,
}

impl PhoneError {
    /// The message in `lang` (the citizen pages; `Display` is the API's English).
    pub fn message(&self, lang: Lang) -> String {
        let id = match self {
            PhoneError::Characters => "err-phone-chars",
            PhoneError::NotPakistani => "err-phone-country",
            PhoneError::NotMobile => "err-phone-mobile",
        };
        text(lang, id, &[("hint", text(lang, "phone-hint", &[]))])
    }
}

impl Phone {
    /// Normalises `03xx…`, `3xx…`, `+92…`, `0092…` and `92…` forms.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let trimmed = input.trim();
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => digits.push_str("00"),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(PhoneError::Characters),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("0092") {
            rest.to_string()
        } else if digits.starts_with("00") {
            return Err(PhoneError::NotPakistani);
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest.to_string()
        } else if digits.len() == 12 && digits.starts_with("92") {
            digits[2..].to_string()
        } else {
            digits
        };
        let national = national.strip_prefix('0').unwrap_or(&national);
        if national.len() != 10 || !national.starts_with('3') {
            return Err(PhoneError::NotMobile);
        }
        Ok(Phone(format!("+92{national}")))
    }

    /// The E.164 form.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// Wraps a number already stored in E.164 form.
    pub fn from_e164_unchecked(s: String) -> Phone {
        Phone(s)
    }

    /// For logs: country code and last two digits only.
    pub fn masked(&self) -> String {
        format!("+92******{}", &self.0[self.0.len() - 2..])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_ways_of_writing_a_mobile_number_all_normalise_to_e164() {
        for s in [
            "03001234567",
            "0300-1234567",
            "+92 300 1234567",
            "0092 300 1234567",
            "923001234567",
            "+92 (0)300 1234567",
        ] {
            assert_eq!(Phone::parse(s).unwrap().e164(), "+923001234567", "{s}");
        }
    }

    #[test]
    fn a_british_number_is_refused_as_not_pakistani() {
        assert_eq!(
            Phone::parse("+44 7700 900123"),
            Err(PhoneError::NotPakistani)
        );
        assert_eq!(
            Phone::parse("0044 7700 900123"),
            Err(PhoneError::NotPakistani)
        );
    }

    #[test]
    fn a_quetta_landline_is_refused_because_sms_needs_a_mobile() {
        assert_eq!(Phone::parse("081-2345678"), Err(PhoneError::NotMobile));
    }

    #[test]
    fn letters_are_refused() {
        assert_eq!(Phone::parse("0300-CALLME"), Err(PhoneError::Characters));
    }

    #[test]
    fn debug_output_masks_the_number() {
        let p = Phone::parse("03001234567").unwrap();
        assert!(!format!("{p:?}").contains("1234567"));
    }
}
