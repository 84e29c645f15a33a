//! The Sahulat worker: claims jobs from the `Store` with a lease, runs them outside any
//! transaction, and acknowledges, retries (with exponential backoff) or fails them. One file
//! per kind of job under `jobs/`: `triage` (category, priority, duplicates, routing, SLA),
//! `escalate` (the periodic sweep of overdue tickets), `notify` (delivers the SMS outbox) and
//! `resolved` (tells every reporter of a resolved problem, duplicates included). The decisions
//! are the domain's; handlers gather inputs and write outcomes, and are idempotent: the store's
//! writes are conditional on the state they expect. Never depends on the API.

mod config;
mod context;
mod jobs;
mod runner;
pub mod sms;

pub use config::WorkerConfig;
pub use context::{worker_id, Worker};
pub use runner::backoff;
pub use sms::{HttpSmsNotifier, LogNotifier, Notifier, NotifyError};
