//! Fact blocks: the evidence facts of one district's requests created on one (UTC) day, packed
//! into one value (and the rated ones again with their stars, into another). PostgreSQL answers a row at about 2 µs whatever is in
//! it, so a quarter's 210,000 facts read row by row cost more than the 200 ms a summary may
//! take; read as ninety blocks they cost a copy. The worker's `fact_blocks` job repacks the
//! days whose requests changed, and a reader adds the requests changed since (see
//! `postgres::blocks`), so what is read is always exact.
//!
//! Layout (little-endian): the magic `SFB1`; the strings (a `u16` count, then each a `u16`
//! length and its UTF-8 bytes); the facts (a `u32` count, then each: `i64` id; `u16` string
//! indexes of service, province, district, tehsil (`u16::MAX`: none), channel, priority and
//! status; a flag byte saying which of lat, lon, responded, closed and due follow; the `f64`
//! coordinates and `i64` microsecond times that are there, the creation time always; `u32`
//! reporters and reopen count; a `u32` count of ratings and one byte of stars each).

use crate::evidence::conditions;
use crate::FactQuery;
use chrono::{DateTime, Utc};
use sahulat_domain::error::{Error, Result};
use sahulat_domain::evidence::Fact;
use sahulat_domain::status::{Channel, Priority, Status};
use std::collections::HashMap;

const MAGIC: &[u8; 4] = b"SFB1";
const NONE: u16 = u16::MAX;

/// A block's strings, each once.
#[derive(Default)]
struct Strings<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, u16>,
}

impl<'a> Strings<'a> {
    /// The index of `s`; more than 65,535 distinct strings, or one over 65,535 bytes, cannot
    /// be packed (a day's codes are a few dozen short ones).
    fn of(&mut self, s: &'a str) -> Result<u16> {
        if let Some(&i) = self.index.get(s) {
            return Ok(i);
        }
        let i = u16::try_from(self.list.len())
            .ok()
            .filter(|&i| i != NONE && s.len() <= usize::from(u16::MAX))
            .ok_or_else(|| fault("a day has too many or too long codes to pack"))?;
        self.list.push(s);
        self.index.insert(s, i);
        Ok(i)
    }
}

/// Packs `facts` (with their ratings, by request id) into one block.
pub fn encode(facts: &[Fact], ratings: &HashMap<i64, Vec<u8>>) -> Result<Vec<u8>> {
    let mut strings = Strings::default();
    let mut body = Vec::with_capacity(facts.len() * 72);
    for f in facts {
        let codes = [
            strings.of(&f.service)?,
            strings.of(&f.province)?,
            strings.of(&f.district)?,
            match f.tehsil.as_deref() {
                Some(t) => strings.of(t)?,
                None => NONE,
            },
            strings.of(f.channel.as_str())?,
            strings.of(f.priority.as_str())?,
            strings.of(f.status.as_str())?,
        ];
        body.extend_from_slice(&f.id.to_le_bytes());
        for c in codes {
            body.extend_from_slice(&c.to_le_bytes());
        }
        let times = [f.responded_at, f.closed_at, f.sla_due_at];
        let mut flags = u8::from(f.lat.is_some()) | u8::from(f.lon.is_some()) << 1;
        for (i, t) in times.iter().enumerate() {
            flags |= u8::from(t.is_some()) << (2 + i);
        }
        body.push(flags);
        for x in [f.lat, f.lon].into_iter().flatten() {
            body.extend_from_slice(&x.to_le_bytes());
        }
        body.extend_from_slice(&f.created_at.timestamp_micros().to_le_bytes());
        for t in times.into_iter().flatten() {
            body.extend_from_slice(&t.timestamp_micros().to_le_bytes());
        }
        body.extend_from_slice(&f.reporters.to_le_bytes());
        body.extend_from_slice(&f.reopen_count.to_le_bytes());
        let stars = ratings.get(&f.id).map_or(&[][..], Vec::as_slice);
        let n = u32::try_from(stars.len()).map_err(|_| fault("too many ratings to pack"))?;
        body.extend_from_slice(&n.to_le_bytes());
        body.extend_from_slice(stars);
    }
    let mut out = Vec::with_capacity(body.len() + 256);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(strings.list.len() as u16).to_le_bytes());
    for s in &strings.list {
        // `of` let no string over u16::MAX bytes in.
        out.extend_from_slice(&(s.len() as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let n = u32::try_from(facts.len()).map_err(|_| fault("too many facts for one block"))?;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// A cursor over a block's bytes; running out is the store's fault (a damaged block).
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(fault("damaged: it ends early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    fn time(&mut self) -> Result<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.i64()?)
            .ok_or_else(|| fault("damaged: a time is out of range"))
    }
}

fn fault(why: &str) -> Error {
    Error::Internal(anyhow::anyhow!("fact block: {why}"))
}

/// Which of a block's facts a query keeps: created in its window and passing its filter (the
/// same `conditions` the SQL is written from).
pub struct Admit<'q> {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    conditions: Vec<(&'static str, Vec<&'q str>)>,
}

impl<'q> Admit<'q> {
    /// The window and filter of `q`.
    pub fn of(q: &'q FactQuery) -> Admit<'q> {
        Admit {
            from: q.from,
            to: q.to,
            conditions: conditions(q),
        }
    }

    /// Whether `f` is kept.
    pub fn admits(&self, f: &Fact) -> bool {
        f.created_at >= self.from
            && f.created_at < self.to
            && self.keeps("district_code", Some(&f.district))
            && self.keeps("tehsil_code", f.tehsil.as_deref())
            && self.keeps("service_code", Some(&f.service))
            && self.keeps("channel", Some(f.channel.as_str()))
            && self.keeps("priority", Some(f.priority.as_str()))
    }

    fn keeps(&self, column: &str, value: Option<&str>) -> bool {
        self.conditions
            .iter()
            .filter(|(c, _)| *c == column)
            .all(|(_, values)| value.is_some_and(|v| values.contains(&v)))
    }
}

/// One packed fact, borrowed from its block.
pub struct Packed<'b> {
    pub id: i64,
    pub service: &'b str,
    pub province: &'b str,
    pub district: &'b str,
    pub tehsil: Option<&'b str>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub channel: Channel,
    pub priority: Priority,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub sla_due_at: Option<DateTime<Utc>>,
    pub reporters: u32,
    pub reopen_count: u32,
    /// Its ratings' stars (empty in a block packed without them).
    pub stars: &'b [u8],
}

impl Packed<'_> {
    /// The fact, owned.
    pub fn to_fact(&self) -> Fact {
        Fact {
            id: self.id,
            service: self.service.to_owned(),
            province: self.province.to_owned(),
            district: self.district.to_owned(),
            tehsil: self.tehsil.map(str::to_owned),
            lat: self.lat,
            lon: self.lon,
            channel: self.channel,
            priority: self.priority,
            status: self.status,
            created_at: self.created_at,
            responded_at: self.responded_at,
            closed_at: self.closed_at,
            sla_due_at: self.sla_due_at,
            reporters: self.reporters,
            reopen_count: self.reopen_count,
        }
    }
}

/// A block's strings and the enum each stands for (looked up once per block, not per fact).
struct Table<'b> {
    text: Vec<&'b str>,
    channel: Vec<Option<Channel>>,
    priority: Vec<Option<Priority>>,
    status: Vec<Option<Status>>,
}

impl<'b> Table<'b> {
    fn text(&self, i: u16) -> Result<Option<&'b str>> {
        if i == NONE {
            return Ok(None);
        }
        self.text
            .get(usize::from(i))
            .copied()
            .map(Some)
            .ok_or_else(|| fault("damaged: a code index is out of range"))
    }

    fn known(&self, i: u16, what: &str) -> Result<&'b str> {
        self.text(i)?
            .ok_or_else(|| fault(&format!("damaged: the {what} is missing")))
    }

    fn parsed<T: Copy>(list: &[Option<T>], i: u16, what: &str) -> Result<T> {
        list.get(usize::from(i))
            .copied()
            .flatten()
            .ok_or_else(|| fault(&format!("damaged: unknown {what}")))
    }
}

/// Calls `each` with every fact of `block` that `admit` keeps and `skip` does not name; returns
/// how many there were.
pub fn walk<'b>(
    block: &'b [u8],
    admit: &Admit<'_>,
    skip: &std::collections::HashSet<i64>,
    mut each: impl FnMut(Packed<'b>),
) -> Result<usize> {
    let mut b = Bytes(block);
    if b.take(4)? != MAGIC {
        return Err(fault("damaged: it does not start with SFB1"));
    }
    let n = usize::from(b.u16()?);
    let mut text = Vec::with_capacity(n);
    for _ in 0..n {
        let len = usize::from(b.u16()?);
        let s =
            std::str::from_utf8(b.take(len)?).map_err(|_| fault("damaged: a code is not UTF-8"))?;
        text.push(s);
    }
    let table = Table {
        channel: text.iter().map(|s| Channel::parse(s)).collect(),
        priority: text.iter().map(|s| Priority::parse(s)).collect(),
        status: text.iter().map(|s| Status::parse(s)).collect(),
        text,
    };
    let count = b.u32()?;
    let mut kept = 0;
    for _ in 0..count {
        let id = b.i64()?;
        let mut codes = [0u16; 7];
        for c in &mut codes {
            *c = b.u16()?;
        }
        let flags = b.u8()?;
        let lat = if flags & 1 != 0 { Some(b.f64()?) } else { None };
        let lon = if flags & 2 != 0 { Some(b.f64()?) } else { None };
        let created_at = b.time()?;
        let mut times = [None; 3];
        for (i, t) in times.iter_mut().enumerate() {
            if flags & (4 << i) != 0 {
                *t = Some(b.time()?);
            }
        }
        let reporters = b.u32()?;
        let reopen_count = b.u32()?;
        let n_stars =
            usize::try_from(b.u32()?).map_err(|_| fault("damaged: a count is too large"))?;
        let stars = b.take(n_stars)?;
        let [service, province, district, tehsil, channel, priority, status] = codes;
        let (service, district, tehsil) = (
            table.known(service, "service")?,
            table.known(district, "district")?,
            table.text(tehsil)?,
        );
        let (channel_s, priority_s) = (
            table.known(channel, "channel")?,
            table.known(priority, "priority")?,
        );
        let admitted = created_at >= admit.from
            && created_at < admit.to
            && admit.keeps("district_code", Some(district))
            && admit.keeps("tehsil_code", tehsil)
            && admit.keeps("service_code", Some(service))
            && admit.keeps("channel", Some(channel_s))
            && admit.keeps("priority", Some(priority_s));
        if !admitted || skip.contains(&id) {
            continue;
        }
        kept += 1;
        each(Packed {
            id,
            service,
            province: table.known(province, "province")?,
            district,
            tehsil,
            lat,
            lon,
            channel: Table::parsed(&table.channel, channel, "channel")?,
            priority: Table::parsed(&table.priority, priority, "priority")?,
            status: Table::parsed(&table.status, status, "status")?,
            created_at,
            responded_at: times[0],
            closed_at: times[1],
            sla_due_at: times[2],
            reporters,
            reopen_count,
            stars,
        });
    }
    if !b.0.is_empty() {
        return Err(fault("damaged: bytes are left after its last fact"));
    }
    Ok(kept)
}

/// Adds the facts of `block` that `admit` keeps and `skip` does not name to `facts` (unless
/// `facts` is `None`: only the ratings are wanted), and their ratings to `ratings`; returns
/// how many facts it kept.
pub fn decode(
    block: &[u8],
    admit: &Admit<'_>,
    skip: &std::collections::HashSet<i64>,
    mut facts: Option<&mut Vec<Fact>>,
    ratings: &mut HashMap<i64, Vec<u8>>,
) -> Result<usize> {
    walk(block, admit, skip, |p| {
        if !p.stars.is_empty() {
            ratings.insert(p.id, p.stars.to_vec());
        }
        if let Some(facts) = facts.as_deref_mut() {
            facts.push(p.to_fact());
        }
    })
}

#[cfg(test)]
mod tests;
