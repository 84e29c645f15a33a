//! Sahulat domain: the types, validation rules, geography and decisions that the API, the
//! worker and the CLI share. Pure: no database, no HTTP, no files, no clock of its own. The
//! decisions (`triage::decide`, `lifecycle::decide`, `citizen::reopen`/`rate`,
//! `escalation::decide`) take what the caller looked up and return what the store should write.
//! CPU-heavy but I/O-free pieces live here too: image decoding (`photo`), sealing of personal
//! data (`crypto`), password hashing (`accounts`).

pub mod accounts;
pub mod catalogue;
pub mod citizen;
pub mod clock;
pub mod crypto;
pub mod effects;
pub mod error;
pub mod escalation;
pub mod evaluation;
pub mod evidence;
pub mod geo;
pub mod i18n;
pub mod ids;
pub mod innovation;
pub mod jobs;
pub mod lang;
pub mod lifecycle;
pub mod messages;
pub mod phone;
pub mod photo;
pub mod questions;
pub mod reference;
pub mod request;
pub mod routing;
pub mod simulate;
pub mod sla;
pub mod sms_in;
pub mod status;
pub mod templates;
pub mod triage;
pub mod ussd;
pub mod wire;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

pub use error::{Error, FieldErrors, Result};
