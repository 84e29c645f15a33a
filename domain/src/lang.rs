//! The languages Sahulat speaks: English, Urdu and Sindhi everywhere (Urdu and Sindhi are
//! written right-to-left), and Roman Urdu (Urdu in Latin letters, as keypad phones type and
//! show it) on USSD and in SMS. Where a text has no Roman Urdu version, English is used.

use serde::{Deserialize, Serialize};

/// A user-facing language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Urdu (Arabic script, RTL).
    Ur,
    /// Sindhi (Arabic script, RTL).
    Sd,
    /// Roman Urdu (Urdu in Latin letters; USSD and SMS).
    #[serde(rename = "ur-Latn")]
    RomanUrdu,
}

/// What the API says when a language code is not one of ours.
pub const ACCEPTED_LANGS: &str = "en, ur, sd or ur-Latn (Roman Urdu)";

impl Lang {
    /// The languages of the catalogue and the pages, in catalogue order.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ur, Lang::Sd];

    /// The code: ISO 639-1 (`en`, `ur`, `sd`), or BCP 47 `ur-Latn` for Roman Urdu.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ur => "ur",
            Lang::Sd => "sd",
            Lang::RomanUrdu => "ur-Latn",
        }
    }

    /// Parses `en`, `ur`, `sd`, also with a region (`ur-PK`) or in capitals, and `ur-Latn`.
    pub fn parse(s: &str) -> Option<Lang> {
        if s.trim().eq_ignore_ascii_case("ur-latn") {
            return Some(Lang::RomanUrdu);
        }
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ur" => Some(Lang::Ur),
            "sd" => Some(Lang::Sd),
            _ => None,
        }
    }

    /// Whether pages in this language are laid out right-to-left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Lang::Ur | Lang::Sd)
    }
}

/// A text in each of the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localized {
    /// English.
    pub en: String,
    /// Urdu.
    pub ur: String,
    /// Sindhi.
    pub sd: String,
}

impl Localized {
    /// The text in `lang`, falling back to English when a translation is empty.
    pub fn get(&self, lang: Lang) -> &str {
        let s = match lang {
            Lang::En | Lang::RomanUrdu => &self.en,
            Lang::Ur => &self.ur,
            Lang::Sd => &self.sd,
        };
        if s.is_empty() {
            &self.en
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_and_capitalised_codes_are_understood() {
        assert_eq!(Lang::parse("ur-PK"), Some(Lang::Ur));
        assert_eq!(Lang::parse("SD"), Some(Lang::Sd));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse("ur-Latn"), Some(Lang::RomanUrdu));
        assert_eq!(Lang::RomanUrdu.code(), "ur-Latn");
        assert!(!Lang::RomanUrdu.is_rtl());
    }
}
