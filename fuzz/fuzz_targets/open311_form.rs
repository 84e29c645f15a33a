//! An Open311 `POST requests` form body, as any client could send it: parsed the way the
//! server parses it (urlencoded pairs, values trimmed, empty ones dropped), mapped to a draft
//! the way the Open311 handler maps it (`lat`/`long`, `attribute[CODE]`), and validated against
//! the real catalogue and boundaries. Nothing may panic; a bad form is an error.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use sahulat_domain::request::RequestDraft;
use sahulat_domain::status::Channel;

fuzz_target!(|data: &[u8]| {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut draft = RequestDraft {
        service_code: get("service_code"),
        description: get("description"),
        lat: get("lat").and_then(|v| v.parse().ok()),
        lon: get("long").and_then(|v| v.parse().ok()),
        address: get("address_string"),
        phone: get("phone"),
        name: get("first_name"),
        email: get("email"),
        language: get("locale"),
        media_url: get("media_url"),
        channel: Some(Channel::Open311),
        ..Default::default()
    };
    for (k, v) in &pairs {
        if let Some(code) = k.strip_prefix("attribute[").and_then(|r| r.strip_suffix(']')) {
            draft
                .attributes
                .entry(code.to_string())
                .or_default()
                .push(v.clone());
        }
    }
    let (cat, geo) = common::reference();
    let _ = draft.validate(cat, geo);
});
