//! Sahulat's integration tests: one binary (one link of the whole server instead of one per
//! file), a module per area, one harness (`common`). Every test gets a fresh database: a
//! SQLite temp file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set. `store`
//! exercises the storage contract directly, on whichever backend the run uses.

mod common;

mod abuse;
mod action_pages;
mod actions;

mod backup;
mod browser;
mod browser_action;
mod browser_citizen;
mod browser_evaluate;
mod browser_inbox;
mod citizen;
mod coordinator;
mod docs;
mod evaluate_pages;
mod evidence;
mod fuzz_regressions;
mod geo;
mod idempotency;
mod inbox;
mod layout;
mod native_api;
mod notify;
mod open311;
mod open_data;
mod operations;
mod pages;
mod pg_outage;
mod photos;
mod privacy;
mod recategorise;
mod report_plan;
mod responses;
mod retention;
mod simulate;
mod sms_gateway;
mod sms_in;
mod socket;
mod staff;
mod store;
mod triage_accuracy;
mod ussd;
mod web;
mod worker;
mod worker_batch;
mod worker_loop;
mod worker_process;
