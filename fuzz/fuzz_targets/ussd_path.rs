//! A USSD gateway's `text` (the session's inputs joined by `*`) and the path stored for the
//! session before it, walked through the real menus; and an inbound SMS read as a command.
//! Nothing may panic, and every screen shown must fit a USSD screen.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use sahulat_domain::ussd::{self, path};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (previous, text) = match text.split_once('\n') {
        Some((p, t)) => (Some(p.to_string()), t.to_string()),
        None => (None, text.to_string()),
    };
    let (cat, _) = common::reference();
    let _ = path::change(previous.as_deref(), &text);
    let inputs = path::split(&text);
    let _ = path::language_of(&inputs, cat);
    let _ = path::takes_free_text(&inputs, cat);
    let _ = path::worth_resuming(&inputs, cat);
    let _ = path::resumed(&inputs, &path::split(previous.as_deref().unwrap_or("")));
    let _ = ussd::walk(&inputs, cat);
    let _ = sahulat_domain::sms_in::read(&text);
});
