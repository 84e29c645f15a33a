//! The block codec: what goes in comes out, filtered as the SQL would filter it.

use super::*;
use chrono::TimeZone;
use std::collections::HashSet;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, h, m, 7).unwrap() + chrono::Duration::microseconds(123)
}

fn fact(id: i64, tehsil: Option<&str>, service: &str, created: DateTime<Utc>) -> Fact {
    Fact {
        id,
        service: service.into(),
        province: "PK7".into(),
        district: "PK713".into(),
        tehsil: tehsil.map(Into::into),
        lat: Some(27.558_123_456),
        lon: Some(68.212_987_654),
        channel: Channel::Ussd,
        priority: Priority::High,
        status: Status::Resolved,
        created_at: created,
        responded_at: Some(created + chrono::Duration::hours(3)),
        closed_at: Some(created + chrono::Duration::days(4)),
        sla_due_at: Some(created + chrono::Duration::days(5)),
        reporters: 3,
        reopen_count: 1,
    }
}

fn query(from: DateTime<Utc>, to: DateTime<Utc>) -> FactQuery {
    FactQuery {
        districts: vec!["PK713".into()],
        tehsil: None,
        services: Vec::new(),
        channel: None,
        priority: None,
        from,
        to,
        created_only: false,
    }
}

fn all(block: &[u8], q: &FactQuery) -> (Vec<Fact>, HashMap<i64, Vec<u8>>) {
    let (mut facts, mut ratings) = (Vec::new(), HashMap::new());
    decode(
        block,
        &Admit::of(q),
        &HashSet::new(),
        Some(&mut facts),
        &mut ratings,
    )
    .unwrap();
    (facts, ratings)
}

#[test]
fn every_field_and_every_rating_comes_back_as_it_went_in() {
    let mut bare = fact(2, None, "water_supply", at(9, 30));
    (bare.lat, bare.lon) = (None, None);
    (bare.responded_at, bare.closed_at, bare.sla_due_at) = (None, None, None);
    bare.status = Status::Submitted;
    bare.channel = Channel::Web;
    let mut half = fact(3, Some("PK71302"), "drain_blockage", at(10, 0));
    (half.lat, half.closed_at) = (None, None);
    let facts = vec![
        fact(1, Some("PK71301"), "drain_blockage", at(8, 0)),
        bare,
        half,
    ];
    let ratings = HashMap::from([(1, vec![5, 2]), (3, vec![4]), (99, vec![1])]);
    let block = encode(&facts, &ratings).unwrap();
    let (back, stars) = all(&block, &query(at(0, 0), at(23, 0)));
    assert_eq!(back, facts);
    // The rating of a request not in the block is not in it either.
    assert_eq!(stars, HashMap::from([(1, vec![5, 2]), (3, vec![4])]));
}

#[test]
fn only_the_window_and_the_filter_are_kept_and_named_ids_are_skipped() {
    let facts = vec![
        fact(1, Some("PK71301"), "drain_blockage", at(8, 0)),
        fact(2, Some("PK71302"), "drain_blockage", at(9, 0)),
        fact(3, None, "drain_blockage", at(10, 0)),
        fact(4, Some("PK71301"), "water_supply", at(11, 0)),
        fact(5, Some("PK71301"), "drain_blockage", at(12, 0)),
    ];
    let block = encode(&facts, &HashMap::from([(5, vec![3])])).unwrap();
    let ids = |q: &FactQuery, skip: &[i64]| {
        let (mut out, mut ratings) = (Vec::new(), HashMap::new());
        let skip: HashSet<i64> = skip.iter().copied().collect();
        decode(&block, &Admit::of(q), &skip, Some(&mut out), &mut ratings).unwrap();
        (out.iter().map(|f| f.id).collect::<Vec<_>>(), ratings)
    };
    // The window is [from, to): 08:00:07 is in from 08:00:07, 12:00:07 is out at 12:00:07.
    let q = query(at(8, 0), at(12, 0));
    assert_eq!(ids(&q, &[]).0, vec![1, 2, 3, 4]);
    let mut t = q.clone();
    t.tehsil = Some("PK71301".into());
    assert_eq!(
        ids(&t, &[]).0,
        vec![1, 4],
        "no tehsil never matches a tehsil filter"
    );
    let mut s = query(at(0, 0), at(23, 0));
    s.services = vec!["drain_blockage".into()];
    s.tehsil = Some("PK71301".into());
    assert_eq!(ids(&s, &[1]), (vec![5], HashMap::from([(5, vec![3])])));
    let mut c = q.clone();
    c.channel = Some(Channel::Web);
    assert!(ids(&c, &[]).0.is_empty());
    let mut d = q.clone();
    d.districts = vec!["PK211".into(), "PK226".into()];
    assert!(ids(&d, &[]).0.is_empty());
}

#[test]
fn a_damaged_block_is_an_error_not_a_wrong_answer() {
    let block = encode(
        &[fact(1, Some("PK71301"), "drain_blockage", at(8, 0))],
        &HashMap::new(),
    )
    .unwrap();
    let q = query(at(0, 0), at(23, 0));
    let try_decode = |b: &[u8]| {
        let (mut out, mut ratings) = (Vec::new(), HashMap::new());
        decode(
            b,
            &Admit::of(&q),
            &HashSet::new(),
            Some(&mut out),
            &mut ratings,
        )
    };
    assert_eq!(try_decode(&block).unwrap(), 1);
    for cut in [0, 3, 10, block.len() - 1] {
        let e = try_decode(&block[..cut]).unwrap_err().to_string();
        assert!(e.contains("damaged"), "{cut}: {e}");
    }
    let mut longer = block.clone();
    longer.push(0);
    assert!(try_decode(&longer)
        .unwrap_err()
        .to_string()
        .contains("left after"));
    let mut renamed = block.clone();
    renamed[0] = b'X';
    assert!(try_decode(&renamed).is_err());
}

#[test]
fn an_empty_block_holds_no_fact() {
    let block = encode(&[], &HashMap::new()).unwrap();
    assert_eq!(all(&block, &query(at(0, 0), at(23, 0))).0, Vec::new());
}

#[test]
fn hundreds_of_ratings_of_one_request_all_come_back() {
    let stars: Vec<u8> = (0..700).map(|i| (i % 5 + 1) as u8).collect();
    let block = encode(
        &[fact(1, Some("PK71301"), "drain_blockage", at(8, 0))],
        &HashMap::from([(1, stars.clone())]),
    )
    .unwrap();
    assert_eq!(all(&block, &query(at(0, 0), at(23, 0))).1[&1], stars);
}

#[test]
fn a_day_with_more_codes_than_a_block_can_name_is_refused_not_cut() {
    let facts: Vec<Fact> = (0..70_000)
        .map(|i| fact(i, Some("PK71301"), &format!("service-{i}"), at(8, 0)))
        .collect();
    let e = encode(&facts, &HashMap::new()).unwrap_err().to_string();
    assert!(e.contains("too many or too long codes"), "{e}");
}
