//! Reading a citizen's SMS reply: the command (status, reopen, rate, or anything else → help),
//! the reference and what follows it, and the language to answer in. Commands are understood in
//! English (`STATUS`, `REOPEN`, `RATE`), Roman Urdu (`HALAT`, `DOBARA`, `RAI`), Urdu (`حالت`,
//! `دوبارہ`, `رائے`) and Sindhi (`حالت`, `ٻيهر`, `راءِ`), in any case, with Eastern Arabic
//! digits too; a bare reference asks for the status.

use crate::lang::Lang;
use crate::reference::{Reference, ReferenceError};

/// Most characters of a reopen reason taken from an SMS.
pub const MAX_REASON_CHARS: usize = 500;

/// What an SMS asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The status of a report.
    Status(Result<Reference, ReferenceError>),
    /// Reopen, with what is still wrong (empty when not given).
    Reopen(Result<Reference, ReferenceError>, String),
    /// Rate 1–5 (None when no rating was given).
    Rate(Result<Reference, ReferenceError>, Option<u8>),
    /// Not understood: answer with the help text.
    Help,
}

impl Command {
    /// A short name for the record of inbound messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Status(_) => "status",
            Command::Reopen(..) => "reopen",
            Command::Rate(..) => "rate",
            Command::Help => "help",
        }
    }
}

/// An SMS read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The command.
    pub command: Command,
    /// The digits typed as the reference (to name them back when they are wrong).
    pub typed: String,
    /// The language the words or the script show, if they show one.
    pub lang: Option<Lang>,
}

const SINDHI_LETTERS: &str = "ٻڀٽٿٺڄڃڇڊڌڍڏڙڦڪڱڳڻ۽ٺ";

fn is_arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Western digit for ASCII, Arabic-Indic and Extended Arabic-Indic (Urdu/Sindhi) digits.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        _ => None,
    }
}

/// A word folded for comparison: capitals, no Arabic diacritics or hamza marks, one spelling
/// of the letters Urdu and Sindhi write differently.
fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}'))
        .map(|c| match c {
            'ي' | 'ى' | 'ے' | 'ئ' => 'ی',
            'ك' | 'ڪ' => 'ک',
            'ه' | 'ة' | 'ۂ' | 'ھ' => 'ہ',
            'ء' => 'ی',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Verb {
    Status,
    Reopen,
    Rate,
}

/// The command words, with the language each shows (None: the script tells).
const VERBS: &[(&str, Verb, Option<Lang>)] = &[
    ("STATUS", Verb::Status, Some(Lang::En)),
    ("TRACK", Verb::Status, Some(Lang::En)),
    ("REOPEN", Verb::Reopen, Some(Lang::En)),
    ("RATE", Verb::Rate, Some(Lang::En)),
    ("RATING", Verb::Rate, Some(Lang::En)),
    ("HALAT", Verb::Status, Some(Lang::RomanUrdu)),
    ("HAALAT", Verb::Status, Some(Lang::RomanUrdu)),
    ("DOBARA", Verb::Reopen, Some(Lang::RomanUrdu)),
    ("DUBARA", Verb::Reopen, Some(Lang::RomanUrdu)),
    ("RAI", Verb::Rate, Some(Lang::RomanUrdu)),
    ("RAYE", Verb::Rate, Some(Lang::RomanUrdu)),
    ("RAAE", Verb::Rate, Some(Lang::RomanUrdu)),
    ("حالت", Verb::Status, None),
    ("صورتحال", Verb::Status, None),
    ("دوبارہ", Verb::Reopen, Some(Lang::Ur)),
    ("ٻيهر", Verb::Reopen, Some(Lang::Sd)),
    ("رائے", Verb::Rate, Some(Lang::Ur)),
    ("راءِ", Verb::Rate, Some(Lang::Sd)),
];

fn verb(word: &str) -> Option<(Verb, Option<Lang>)> {
    let w = fold(word.trim_matches(|c: char| c.is_ascii_punctuation() || c == '،' || c == '۔'));
    VERBS
        .iter()
        .find(|(v, _, _)| fold(v) == w)
        .map(|(_, verb, lang)| (*verb, *lang))
}

/// The language of a text's script: Sindhi when it has letters only Sindhi uses, Urdu for other
/// Arabic script, None for Latin.
pub fn script_lang(text: &str) -> Option<Lang> {
    if text.chars().any(|c| SINDHI_LETTERS.contains(c)) {
        return Some(Lang::Sd);
    }
    text.chars().any(is_arabic_script).then_some(Lang::Ur)
}

/// Takes a reference from the start of `rest` (digits, spaces and dashes until nine digits) and
/// returns it with what follows.
fn take_reference(rest: &str) -> (Result<Reference, ReferenceError>, String, String) {
    let mut digits = String::new();
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        if let Some(d) = digit(c) {
            if digits.len() == 9 {
                // A tenth digit belongs to the reference too: it is not nine digits.
                digits.push(d);
                end = i + c.len_utf8();
                break;
            }
            digits.push(d);
            end = i + c.len_utf8();
        } else if (c.is_whitespace() && digits.is_empty())
            || ((c == ' ' || c == '-') && !digits.is_empty() && digits.len() < 9)
        {
            continue;
        } else {
            break;
        }
    }
    let after = rest[end..].trim().to_string();
    (Reference::parse(&digits), after, digits)
}

/// Reads an SMS.
pub fn read(sms: &str) -> Reading {
    let text: String = crate::request::without_bidi_controls(sms)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let script = script_lang(&text);
    let (first, rest) = text.split_once(' ').unwrap_or((text.as_str(), ""));
    let Some((verb, word_lang)) = verb(first) else {
        // A bare reference asks for its status.
        let (r, after, typed) = take_reference(&text);
        return Reading {
            typed,
            command: match (&r, after.is_empty()) {
                (Ok(_), true) => Command::Status(r),
                _ => Command::Help,
            },
            lang: script,
        };
    };
    // An Urdu or Sindhi command word tells the language; an English or Roman Urdu one gives
    // way to the script of the rest (a reason typed in Urdu is answered in Urdu).
    let lang = match word_lang {
        Some(Lang::Ur | Lang::Sd) => word_lang,
        _ => script.or(word_lang),
    };
    let (reference, after, typed) = take_reference(rest);
    let command = match verb {
        Verb::Status => Command::Status(reference),
        Verb::Reopen => Command::Reopen(reference, after.chars().take(MAX_REASON_CHARS).collect()),
        Verb::Rate => {
            let stars = after
                .chars()
                .find_map(digit)
                .and_then(|d| d.to_digit(10))
                .and_then(|d| u8::try_from(d).ok())
                .filter(|d| (1..=5).contains(d));
            Command::Rate(reference, stars)
        }
    };
    Reading {
        command,
        typed,
        lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Result<Reference, ReferenceError> {
        Reference::parse(s)
    }

    #[test]
    fn commands_are_read_in_english_roman_urdu_urdu_and_sindhi() {
        let cases = [
            (
                "STATUS 123456786",
                Command::Status(r("123456786")),
                Some(Lang::En),
            ),
            (
                "status 123 456 786",
                Command::Status(r("123456786")),
                Some(Lang::En),
            ),
            (
                "halat 123456786",
                Command::Status(r("123456786")),
                Some(Lang::RomanUrdu),
            ),
            (
                "حالت ۱۲۳۴۵۶۷۸۶",
                Command::Status(r("123456786")),
                Some(Lang::Ur),
            ),
            ("123-456-786", Command::Status(r("123456786")), None),
            (
                "REOPEN 123456786 still no water",
                Command::Reopen(r("123456786"), "still no water".into()),
                Some(Lang::En),
            ),
            (
                "Dobara 123456786 pani abhi tak nahin aaya",
                Command::Reopen(r("123456786"), "pani abhi tak nahin aaya".into()),
                Some(Lang::RomanUrdu),
            ),
            (
                "دوبارہ 123456786 پانی نہیں آیا",
                Command::Reopen(r("123456786"), "پانی نہیں آیا".into()),
                Some(Lang::Ur),
            ),
            (
                "ٻيهر 123456786 پاڻي نه آيو",
                Command::Reopen(r("123456786"), "پاڻي نه آيو".into()),
                Some(Lang::Sd),
            ),
            (
                "RATE 123456786 4",
                Command::Rate(r("123456786"), Some(4)),
                Some(Lang::En),
            ),
            (
                "rai 123456786 2",
                Command::Rate(r("123456786"), Some(2)),
                Some(Lang::RomanUrdu),
            ),
            (
                "رائے 123456786 ۵",
                Command::Rate(r("123456786"), Some(5)),
                Some(Lang::Ur),
            ),
            (
                "راءِ 123456786 3",
                Command::Rate(r("123456786"), Some(3)),
                Some(Lang::Sd),
            ),
            (
                "RATE 123456786 9",
                Command::Rate(r("123456786"), None),
                Some(Lang::En),
            ),
            (
                "RATE 123456786",
                Command::Rate(r("123456786"), None),
                Some(Lang::En),
            ),
            (
                "STATUS 123456784",
                Command::Status(Err(ReferenceError::CheckDigit)),
                Some(Lang::En),
            ),
            (
                "STATUS 1234567861",
                Command::Status(Err(ReferenceError::Shape)),
                Some(Lang::En),
            ),
            ("hello", Command::Help, None),
            ("شکریہ", Command::Help, Some(Lang::Ur)),
            ("", Command::Help, None),
        ];
        for (sms, command, lang) in cases {
            let got = read(sms);
            assert_eq!(got.command, command, "{sms:?}");
            assert_eq!(got.lang, lang, "{sms:?}");
        }
    }

    #[test]
    fn a_thousand_character_sms_keeps_a_reason_of_bounded_length() {
        let long = format!("REOPEN 123456786 {}", "x".repeat(1000));
        match read(&long).command {
            Command::Reopen(Ok(_), reason) => assert_eq!(reason.chars().count(), MAX_REASON_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
