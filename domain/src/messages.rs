//! SMS texts: the reporter's messages built from the catalogues (`i18n`), and SMS segment
//! arithmetic: GSM-7 fits 160 characters in one segment, anything else (Urdu, Sindhi) is
//! UCS-2 with 70.

pub use crate::i18n::{gsm_friendly, pkt_date, text};

use crate::catalogue::Catalogue;
use crate::effects::NewMessage;
use crate::lang::Lang;
use crate::phone::Phone;
use crate::reference::grouped;
use crate::request::ServiceRequest;

/// A citizen who gets a request's SMS: its reporter, or someone who added their voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Their mobile number.
    pub phone: Phone,
    /// The language they asked for.
    pub lang: Lang,
    /// Tells their messages apart in dedupe keys: "" for the reporter, `:v{id}` for a voice.
    pub key: String,
}

impl Recipient {
    /// The reporter of `r`.
    pub fn reporter(r: &ServiceRequest, phone: Phone) -> Recipient {
        Recipient {
            phone,
            lang: r.language,
            key: String::new(),
        }
    }
}

/// An SMS about `r` to `to`, in their language, with the grouped reference as `ref` besides
/// `args`.
pub fn citizen_sms(
    r: &ServiceRequest,
    to: &Recipient,
    id: &str,
    mut args: Vec<(&'static str, String)>,
    dedupe_key: String,
) -> NewMessage {
    args.push(("ref", grouped(&r.reference)));
    NewMessage {
        request_id: Some(r.id),
        recipient_kind: "citizen".into(),
        recipient: to.phone.e164().to_string(),
        language: to.lang.code().into(),
        body: within_budget(to.lang, id, &args),
        dedupe_key,
    }
}

/// The arguments that carry free text (a staff note, a response template): the only parts of
/// an SMS that are ever cut.
const FREE_TEXT: [&str; 3] = ["text", "note", "more"];

/// The message `id` with `args`, its free text cut at a word boundary (with `...`) so
/// that it takes no more segments than the message without it, and never more than one
/// unless the catalogue's fixed words already need more (Urdu and Sindhi texts of more than
/// 70 characters). The reference and the fixed words are never cut.
pub fn within_budget(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let full = text(lang, id, args);
    if !args.iter().any(|(k, _)| FREE_TEXT.contains(k)) {
        return full;
    }
    let emptied: Vec<(&str, String)> = args
        .iter()
        .map(|(k, v)| match FREE_TEXT.contains(k) {
            true => (*k, String::new()),
            false => (*k, v.clone()),
        })
        .collect();
    let budget = sms_segments(&text(lang, id, &emptied)).count.max(1);
    if sms_segments(&full).count <= budget {
        return full;
    }
    let fits = |cut: &str| {
        let a: Vec<(&str, String)> = args
            .iter()
            .map(|(k, v)| match FREE_TEXT.contains(k) {
                true => (*k, cut.to_string()),
                false => (*k, v.clone()),
            })
            .collect();
        let t = text(lang, id, &a);
        (sms_segments(&t).count <= budget).then_some(t)
    };
    let free = args
        .iter()
        .find(|(k, _)| FREE_TEXT.contains(k))
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    // Three dots, not "…": GSM-7 has no ellipsis, and `text` spells it out anyway.
    let ellipsis = "...";
    let words: Vec<&str> = free.split(' ').collect();
    for n in (1..words.len()).rev() {
        if let Some(t) = fits(&format!("{}{ellipsis}", words[..n].join(" "))) {
            return t;
        }
    }
    // One long word, or not even the first word fits: cut by characters.
    let chars: Vec<char> = free.chars().collect();
    for n in (0..chars.len()).rev() {
        let head: String = chars[..n].iter().collect();
        if let Some(t) = fits(&format!("{head}{ellipsis}")) {
            return t;
        }
    }
    text(lang, id, &emptied)
}

/// The sentences a status reply adds after the status word: who has it and, while it is
/// open, when it is due (USSD and SMS).
pub fn status_details(cat: &Catalogue, r: &ServiceRequest, lang: Lang) -> Vec<String> {
    let mut v = vec![];
    if let Some(d) = r.department.as_deref().and_then(|d| cat.department(d)) {
        v.push(text(
            lang,
            "ussd-status-dept",
            &[("dept", d.names.get(lang).to_string())],
        ));
    }
    if let (true, Some(due)) = (r.status.is_open(), r.sla_due_at) {
        v.push(text(lang, "ussd-status-due", &[("due", pkt_date(due))]));
    }
    v
}

/// A message for the staff inbox of department `code` about `r` (its service and place are
/// added as `service` and `place`, its reference as `ref`). Staff messages are written in
/// English, as escalations always were; a coordinator's desk is addressed as `coordinator`.
pub fn staff_message(
    cat: &Catalogue,
    r: &ServiceRequest,
    code: &str,
    id: &str,
    mut args: Vec<(&'static str, String)>,
    dedupe_key: String,
) -> NewMessage {
    let kind = match cat.department(code).is_some_and(|d| d.coordinator) {
        true => "coordinator",
        false => "department",
    };
    let service = cat
        .service(&r.service_code)
        .map(|s| s.names.en.clone())
        .unwrap_or_else(|| r.service_code.clone());
    let place = r
        .tehsil
        .as_deref()
        .and_then(|t| cat.tehsil(t))
        .map(|t| t.names.en.clone())
        .or_else(|| cat.district(&r.district).map(|d| d.names.en.clone()))
        .unwrap_or_default();
    args.extend([
        ("ref", grouped(&r.reference)),
        ("service", service),
        ("place", place),
    ]);
    NewMessage {
        request_id: Some(r.id),
        recipient_kind: kind.into(),
        recipient: code.to_string(),
        language: Lang::En.code().into(),
        body: text(Lang::En, id, &args),
        dedupe_key,
    }
}

const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXT: &str = "^{}\\[~]|€\x0c";

/// How an SMS text is encoded and how many segments it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// GSM 03.38 7-bit (true) or UCS-2.
    pub gsm7: bool,
    /// Length in encoding units (GSM septets or UTF-16 units).
    pub units: usize,
    /// Segments needed.
    pub count: usize,
}

/// Counts SMS segments for `text`.
pub fn sms_segments(text: &str) -> Segments {
    let gsm7 = text
        .chars()
        .all(|c| GSM7.contains(c) || GSM7_EXT.contains(c));
    let (units, single, multi) = if gsm7 {
        (
            text.chars()
                .map(|c| if GSM7_EXT.contains(c) { 2 } else { 1 })
                .sum(),
            160,
            153,
        )
    } else {
        (text.encode_utf16().count(), 70, 67)
    };
    let count = if units <= single {
        1
    } else {
        units.div_ceil(multi)
    };
    Segments { gsm7, units, count }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::request;

    fn update(lang: Lang, note: &str) -> String {
        let r = request(1);
        let to = Recipient {
            phone: Phone::parse("03001234567").unwrap(),
            lang,
            key: String::new(),
        };
        citizen_sms(
            &r,
            &to,
            "sms-update",
            vec![("text", note.into())],
            "k".into(),
        )
        .body
    }

    #[test]
    fn a_long_staff_note_is_cut_at_a_word_boundary_and_the_reference_kept() {
        let note = "The pipeline near the pumping station was replaced and the tank cleaned; \
                    water will come every morning from Monday, and the valve on the main line \
                    was opened again by the lineman after the repair";
        let body = update(Lang::En, note);
        let seg = sms_segments(&body);
        assert_eq!((seg.gsm7, seg.count), (true, 1), "{body}");
        assert!(body.starts_with("Sahulat "), "{body}");
        assert!(body.contains(&grouped(&request(1).reference)), "{body}");
        assert!(body.ends_with("..."), "{body}");
        let kept = body.trim_end_matches("...");
        assert!(
            note.contains(kept.split(": ").nth(1).unwrap()),
            "cut at a word: {body}"
        );
        assert!(!kept.ends_with(' '));
        // Short notes are left whole.
        assert!(update(Lang::En, "Fixed today.").ends_with("Fixed today."));
    }

    #[test]
    fn an_urdu_note_is_cut_to_one_ucs2_segment() {
        let note = "پمپنگ اسٹیشن کے قریب پائپ لائن تبدیل کر دی گئی ہے اور ٹینکی صاف کر دی گئی ہے، پیر سے ہر صبح پانی آئے گا";
        let body = update(Lang::Ur, note);
        let seg = sms_segments(&body);
        assert_eq!((seg.gsm7, seg.count), (false, 1), "{body}");
        // The catalogue's text is made GSM-friendly, so the ellipsis is three dots here too.
        assert!(body.ends_with("..."), "{body}");
    }
}
