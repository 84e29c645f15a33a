//! sqlite: many rows read as one value. sqlx hands each row from SQLite's connection thread
//! to the async side on its own, with a copy of every column (about 11 µs a row, `bulk.rs`),
//! and a ticket has 31 columns; the worker's batch reads (`requests_by_ids`, the outbox's
//! pages) instead ask SQLite for one JSON array of the rows (`json_group_array`), which is one
//! value to hand over and one parse. A ticket's columns are `REQUEST_COLUMNS` in their order,
//! so it reads as `request_from_row` reads it (tested against it in
//! `tests/it/store/intake.rs`).

use super::{parse_ts, time::opt_str_ts, unknown};
use crate::sql::REQUEST_COLUMNS;
use crate::OutboxMessage;
use sahulat_domain::effects::NewMessage;
use sahulat_domain::error::{Error, Result};
use sahulat_domain::lang::Lang;
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Channel, Priority, Status};
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::LazyLock;

/// `SELECT {REQUESTS_JSON} FROM service_requests WHERE …`: one row, one JSON text (NULL when
/// nothing matched). SQLite writes a REAL into JSON with 15 significant digits, which is not
/// always the stored number: the coordinates go as text with 17, which is.
pub(super) static REQUESTS_JSON: LazyLock<String> = LazyLock::new(|| {
    let exact = |c: &str| format!("iif({c} IS NULL, NULL, printf('%!.17g', {c}))");
    let columns = REQUEST_COLUMNS.replacen(
        "lat, lon,",
        &format!("{}, {},", exact("lat"), exact("lon")),
        1,
    );
    assert_ne!(
        columns, REQUEST_COLUMNS,
        "REQUEST_COLUMNS names lat and lon together"
    );
    format!("json_group_array(json_array({columns}) ORDER BY id)")
});

/// The outbox's columns, in the order `OutboxRow` reads them.
pub(super) const OUTBOX_COLUMNS: &str =
    "id, request_id, recipient_kind, recipient, language, body, dedupe_key, state, attempts, last_error";

/// `SELECT {OUTBOX_JSON} FROM (SELECT {OUTBOX_COLUMNS} …)`: the messages as one JSON text,
/// oldest first (NULL when there are none).
pub(super) static OUTBOX_JSON: LazyLock<String> =
    LazyLock::new(|| format!("json_group_array(json_array({OUTBOX_COLUMNS}) ORDER BY id)"));

/// One row of `OUTBOX_JSON`.
#[derive(Debug, Deserialize)]
struct OutboxRow(
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
);

/// The messages of one `OUTBOX_JSON` value (`None`: none).
pub(super) fn outbox_from_json(text: Option<&str>) -> Result<Vec<OutboxMessage>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let rows: Vec<OutboxRow> = serde_json::from_str(text)
        .map_err(|e| Error::Internal(anyhow::anyhow!("messages read as JSON: {e}")))?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.0,
            message: NewMessage {
                request_id: r.1,
                recipient_kind: r.2,
                recipient: r.3,
                language: r.4,
                body: r.5,
                dedupe_key: r.6,
            },
            state: r.7,
            attempts: r.8 as i32,
            last_error: r.9,
        })
        .collect())
}

/// One row of `REQUESTS_JSON`, in `REQUEST_COLUMNS`' order. The text SQLite stores as JSON
/// (`attributes`, `triage_flags`) arrives as a string holding JSON.
#[derive(Debug, Deserialize)]
struct Row<'a>(
    i64,
    String,
    String,
    String,
    String,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<String>,
    String,
    String,
    Option<String>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    Option<String>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    Option<i64>,
    #[serde(borrow)] Cow<'a, str>,
    Option<String>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    i64,
    i64,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Cow<'a, str>,
    Option<String>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
);

/// The requests of one `REQUESTS_JSON` value (`None`: no rows).
pub(super) fn requests_from_json(text: Option<&str>) -> Result<Vec<ServiceRequest>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let rows: Vec<Row<'_>> = serde_json::from_str(text)
        .map_err(|e| Error::Internal(anyhow::anyhow!("requests read as JSON: {e}")))?;
    rows.into_iter()
        .map(|r| {
            let time = |t: Option<Cow<'_, str>>| opt_str_ts(t.as_deref());
            let number = |column: &str, t: Option<Cow<'_, str>>| {
                t.map(|t| t.parse::<f64>().map_err(|_| unknown(column, &t)))
                    .transpose()
            };
            Ok(ServiceRequest {
                id: r.0,
                reference: r.1,
                token: r.2,
                service_code: r.3,
                description: r.4,
                lat: number("lat", r.5)?,
                lon: number("lon", r.6)?,
                address: r.7,
                province: r.8,
                district: r.9,
                tehsil: r.10,
                channel: Channel::parse(&r.11).ok_or_else(|| unknown("channel", &r.11))?,
                language: Lang::parse(&r.12).ok_or_else(|| unknown("language", &r.12))?,
                status: Status::parse(&r.13).ok_or_else(|| unknown("status", &r.13))?,
                priority: Priority::parse(&r.14).ok_or_else(|| unknown("priority", &r.14))?,
                department: r.15,
                sla_due_at: time(r.16)?,
                duplicate_of: r.17,
                attributes: serde_json::from_str(&r.18).unwrap_or_default(),
                media_url: r.19,
                created_at: parse_ts(&r.20)?,
                updated_at: parse_ts(&r.21)?,
                closed_at: time(r.22)?,
                reporters: r.23 as i32,
                escalation_level: r.24 as i32,
                ack_due_at: time(r.25)?,
                acknowledged_at: time(r.26)?,
                triage_flags: serde_json::from_str(&r.27).unwrap_or_default(),
                filed_service_code: r.28,
                sla_started_at: time(r.29)?,
                description_hidden: r.30.is_some(),
            })
        })
        .collect()
}
