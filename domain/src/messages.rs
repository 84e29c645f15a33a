//! SMS texts: the reporter's messages built from the catalogues (`i18n`), and SMS segment
//! arithmetic: GSM-7 fits 160 characters in one segment, anything else (Urdu, Sindhi) is
//! UCS-2 with 70.

pub use crate::i18n::{gsm_friendly, pkt_date, text};

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
        body: text(to.lang, id, &args),
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
