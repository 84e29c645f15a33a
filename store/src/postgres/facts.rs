//! postgres: a `FACT_COLUMNS` row read into a `Fact` (the evidence reads and the fact blocks'
//! pass both read them).

use super::*;
use sahulat_domain::evidence::Fact;

/// A `FACT_COLUMNS` row, by position (a lookup by name per column was a fifth of the read).
pub(super) fn fact_from_row(row: &PgRow) -> Result<Fact> {
    let text = |i: usize| -> Result<&str> { row.try_get(i).map_err(db) };
    Ok(Fact {
        id: row.try_get(0).map_err(db)?,
        service: text(1)?.to_owned(),
        province: text(2)?.to_owned(),
        district: text(3)?.to_owned(),
        tehsil: row.try_get(4).map_err(db)?,
        lat: row.try_get(5).map_err(db)?,
        lon: row.try_get(6).map_err(db)?,
        channel: known(row, 7, "channel", Channel::parse)?,
        priority: known(row, 8, "priority", Priority::parse)?,
        status: known(row, 9, "status", Status::parse)?,
        created_at: row.try_get(10).map_err(db)?,
        responded_at: row.try_get(11).map_err(db)?,
        closed_at: row.try_get(12).map_err(db)?,
        sla_due_at: row.try_get(13).map_err(db)?,
        reporters: u32::try_from(row.try_get::<i32, _>(14).map_err(db)?).unwrap_or(1),
        reopen_count: u32::try_from(row.try_get::<i32, _>(15).map_err(db)?).unwrap_or(0),
    })
}

/// An enum column, by position (an unknown code is the store's fault, not the user's).
pub(super) fn known<T>(
    row: &PgRow,
    i: usize,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T> {
    let s: &str = row.try_get(i).map_err(db)?;
    parse(s).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown {what} {s:?} in database")))
}
