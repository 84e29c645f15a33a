//! Sahulat domain: the types, validation rules, geography and storage contract that the API,
//! the worker and the CLI share. Nothing in here knows about HTTP; SQL lives only under `store`.

pub mod accounts;
pub mod catalogue;
pub mod citizen;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod geo;
pub mod ids;
pub mod lang;
pub mod lifecycle;
pub mod messages;
pub mod phone;
pub mod photo;
pub mod reference;
pub mod request;
pub mod routing;
pub mod sla;
pub mod status;
pub mod store;
pub mod templates;
pub mod triage;

pub use error::{Error, FieldErrors, Result};
