//! Fact blocks (PostgreSQL's packed evidence facts, `store/src/blocks.rs`): whatever changed
//! since the last `fact_blocks` pass — a closing, a rating, a new report, a new priority that
//! takes a request out of a filter — a window reads exactly what the table holds, before the
//! first pass, between passes and after one. On SQLite the pass has nothing to do and the same
//! reads must hold.

use crate::common::{request_at, RecordingNotifier, TestApp, PLACES};
use chrono::Duration;
use sahulat_domain::evaluation::Outcome;
use sahulat_domain::evidence::Fact;
use sahulat_domain::status::{Priority, Status};
use sahulat_store::FactQuery;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

const PHONE: &str = "0300 7654321";

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok()
}

/// Passes until one finds nothing to repack. A pass keeps the xmin of its snapshot, and
/// transaction ids are the whole server's: while another test's transaction that began earlier
/// is open, changes committed after it began still count as changed, and the next pass repacks
/// their days again (more work, never a wrong read). Once it ends, a pass must find nothing.
async fn settles(app: &TestApp) {
    for _ in 0..200 {
        let pass = app.store().refresh_fact_blocks().await.unwrap();
        if pass.days == 0 {
            assert_eq!(pass.facts, 0);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("passes kept repacking days that did not change");
}

/// Larkana's requests over `from..to`, no other filter.
fn larkana(
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    created_only: bool,
) -> FactQuery {
    FactQuery {
        districts: vec!["PK713".into()],
        tehsil: None,
        services: Vec::new(),
        channel: None,
        priority: None,
        from,
        to,
        created_only,
    }
}

/// The window's facts (by id) and ratings.
async fn read(app: &TestApp, q: &FactQuery) -> (Vec<Fact>, HashMap<i64, Vec<u8>>) {
    let store = app.store();
    let mut facts = store.evidence_facts(q).await.unwrap();
    facts.sort_by_key(|f| f.id);
    (facts, store.evidence_ratings(q).await.unwrap())
}

/// An evaluation's read of the window (created in it) is the same requests and ratings as the
/// facts' read, whichever path each takes.
async fn outcomes_agree(app: &TestApp, q: &FactQuery) {
    let created = FactQuery {
        created_only: true,
        ..q.clone()
    };
    let (mut outcomes, ratings) = app.store().evaluation_outcomes(&created).await.unwrap();
    outcomes.sort_by_key(|o| o.id);
    let (facts, stars) = read(app, &created).await;
    let expected: Vec<Outcome> = facts.iter().map(Outcome::from).collect();
    assert_eq!(outcomes, expected);
    assert_eq!(ratings, stars);
}

#[tokio::test]
async fn the_packed_facts_and_the_rows_changed_since_read_what_the_table_holds_before_between_and_after_passes(
) {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let start = app.clock_now();
    let mut made = Vec::new();
    for (i, (lat, lon)) in PLACES[4..7].iter().enumerate() {
        let body = request_at(
            "water-supply",
            *lat,
            *lon,
            &format!("No water {i}"),
            Some(PHONE),
        );
        made.push(app.create(body).await);
    }
    w.run_until_idle().await.unwrap();
    let q = larkana(start - Duration::days(1), start + Duration::days(30), false);
    let urgent = FactQuery {
        priority: Some(Priority::Urgent),
        ..q.clone()
    };
    let store = app.store();
    let before = read(&app, &q).await;
    assert_eq!(before.0.len(), 3);

    // The first pass packs the one district-day there is; the reads do not change.
    let pass = store.refresh_fact_blocks().await.unwrap();
    assert_eq!(pass.ran, on_postgres(), "{pass:?}");
    if on_postgres() {
        assert_eq!((pass.days, pass.facts), (1, 3));
    }
    assert_eq!(read(&app, &q).await, before);
    outcomes_agree(&app, &q).await;

    // Changes after the pass: the first resolved, the third made urgent; a pass; then the
    // first rated, the third taken back to normal (its packed copy says urgent), and a new
    // report two days later.
    app.clock.advance(Duration::hours(2));
    let staff = app
        .signed_in("staff", "phed.one", None, Some("phed-larkana"))
        .await;
    let act = |reference: &str, body: serde_json::Value, token: &str| {
        let url = format!("/api/v1/staff/tickets/{reference}/actions");
        let token = token.to_string();
        let app = &app;
        async move {
            let res = app.authed("POST", &url, &token, Some(body)).await;
            assert_eq!(res.status, 200, "{}", res.text());
        }
    };
    act(
        &made[0].reference,
        json!({"action": "resolve", "note": "Valve replaced"}),
        &staff,
    )
    .await;
    let coord = app
        .signed_in("coordinator", "dc.larkana", Some("PK713"), None)
        .await;
    let urgent_now = json!({"action": "reprioritise", "priority": "urgent", "reason": "hospital"});
    act(&made[2].reference, urgent_now, &coord).await;
    let pass = store.refresh_fact_blocks().await.unwrap();
    if on_postgres() {
        assert_eq!((pass.days, pass.facts), (1, 3), "the changed day again");
    }
    assert_eq!(read(&app, &urgent).await.0.len(), 1);
    // The rating alone changes the first request after this pass (its trigger marks it).
    let res = app
        .post_json(
            &format!("/api/v1/requests/{}/rating", made[0].reference),
            &json!({"phone": PHONE, "rating": 4}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let back = json!({"action": "reprioritise", "priority": "normal", "reason": "road open"});
    act(&made[2].reference, back, &coord).await;
    app.clock.advance(Duration::days(2));
    let (lat, lon) = PLACES[4];
    let late = app
        .create(request_at("water-supply", lat + 0.05, lon, "Dry tap", None))
        .await;
    w.run_until_idle().await.unwrap();

    // Between passes: the blocks are stale, the changed rows stand in for them.
    let between = read(&app, &q).await;
    let ids: Vec<i64> = between.0.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec![made[0].id, made[1].id, made[2].id, late.id]);
    let first = &between.0[0];
    assert_eq!(first.status, Status::Resolved);
    assert_eq!(first.closed_at, Some(start + Duration::hours(2)));
    assert_eq!(between.1, HashMap::from([(made[0].id, vec![4])]));
    assert_eq!(between.0[2].priority, Priority::Normal);
    // Its packed copy says urgent; the table says normal: it is not urgent.
    assert!(read(&app, &urgent).await.0.is_empty());
    outcomes_agree(&app, &q).await;
    outcomes_agree(&app, &urgent).await;
    assert_eq!(
        read(
            &app,
            &FactQuery {
                created_only: true,
                ..q.clone()
            }
        )
        .await,
        between
    );

    // After the next pass (two changed days: the first and the new report's), the same.
    let pass = store.refresh_fact_blocks().await.unwrap();
    if on_postgres() {
        assert_eq!((pass.days, pass.facts), (2, 4), "{pass:?}");
    }
    assert_eq!(read(&app, &q).await, between);
    assert!(read(&app, &urgent).await.0.is_empty());
    outcomes_agree(&app, &q).await;
    // A window that cuts a day in two keeps only its part of the day's block.
    let from_late = FactQuery {
        from: late.created_at,
        created_only: true,
        ..q.clone()
    };
    let ids: Vec<i64> = read(&app, &from_late)
        .await
        .0
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ids, vec![late.id]);
    // Nothing changed since: passes come to repack nothing.
    settles(&app).await;
}

#[tokio::test]
async fn the_workers_fact_blocks_job_packs_what_changed_so_the_next_pass_finds_nothing() {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let (lat, lon) = PLACES[4];
    app.create(request_at("water-supply", lat, lon, "No water", None))
        .await;
    w.run_until_idle().await.unwrap();
    w.schedule_fact_blocks().await.unwrap();
    // Scheduled twice, queued once (one at a time, like the sweep).
    w.schedule_fact_blocks().await.unwrap();
    assert_eq!(w.run_until_idle().await.unwrap(), 1);
    let gauges = app.store().gauges().await.unwrap();
    let done = gauges
        .jobs
        .iter()
        .find(|j| j.kind == "fact_blocks" && j.state == "done")
        .map_or(0, |j| j.count);
    assert_eq!(done, 1, "{gauges:?}");
    if on_postgres() {
        // The job's pass packed the report's day and recorded where it read up to.
        let mut db = raw(&app).await;
        let blocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fact_blocks")
            .fetch_one(&mut db)
            .await
            .unwrap();
        let state: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fact_block_state")
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!((blocks, state), (1, 1));
        settles(&app).await;
    } else {
        // SQLite keeps no blocks: the job has nothing to do.
        assert!(!app.store().refresh_fact_blocks().await.unwrap().ran);
    }
}

/// A connection to the test's PostgreSQL database, for what no Sahulat path does: a request
/// moved to another day, or a state left by another server.
async fn raw(app: &TestApp) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(&app.db_url).await.unwrap()
}

#[tokio::test]
async fn a_request_moved_to_another_day_or_a_state_from_another_server_never_reads_twice_or_stale()
{
    if !on_postgres() {
        return; // The blocks, their triggers and their state are PostgreSQL's.
    }
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let start = app.clock_now();
    let mut made = Vec::new();
    for (i, (lat, lon)) in PLACES[4..6].iter().enumerate() {
        let body = request_at("water-supply", *lat, *lon, &format!("No water {i}"), None);
        made.push(app.create(body).await);
    }
    w.run_until_idle().await.unwrap();
    let q = larkana(start - Duration::days(10), start + Duration::days(30), true);
    let store = app.store();
    store.refresh_fact_blocks().await.unwrap();
    let ids = |facts: &[Fact]| {
        facts
            .iter()
            .map(|f| (f.id, f.created_at))
            .collect::<Vec<_>>()
    };

    // Moved three days back by hand: read once, at its new time, before and after a pass.
    let mut db = raw(&app).await;
    sqlx::query(
        "UPDATE service_requests SET created_at = created_at - interval '3 days' WHERE id = $1",
    )
    .bind(made[0].id)
    .execute(&mut db)
    .await
    .unwrap();
    let moved = made[0].created_at - Duration::days(3);
    let expected = vec![(made[0].id, moved), (made[1].id, made[1].created_at)];
    assert_eq!(ids(&read(&app, &q).await.0), expected);
    let pass = store.refresh_fact_blocks().await.unwrap();
    assert_eq!(pass.days, 2, "its new day and the day it left: {pass:?}");
    assert_eq!(ids(&read(&app, &q).await.0), expected);
    settles(&app).await;

    // A restore onto another server: the state and the rows carry xids this one has not
    // reached. A new report must still be read, before and after the next pass.
    for sql in [
        "ALTER TABLE service_requests DISABLE TRIGGER service_requests_changed",
        "UPDATE service_requests SET change_xid = '4000000000000'",
        "ALTER TABLE service_requests ENABLE TRIGGER service_requests_changed",
        "UPDATE fact_block_state SET clean_through = '4000000000000'",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let (lat, lon) = PLACES[6];
    let new = app
        .create(request_at("water-supply", lat, lon, "Dry tap", None))
        .await;
    let mut expected = expected;
    expected.push((new.id, new.created_at));
    assert_eq!(ids(&read(&app, &q).await.0), expected);
    let pass = store.refresh_fact_blocks().await.unwrap();
    assert!(pass.ran && pass.facts == 3, "everything repacked: {pass:?}");
    assert_eq!(ids(&read(&app, &q).await.0), expected);
    let restamped: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_requests WHERE change_xid >= '4000000000000'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(restamped, 0);
    // Then passes come to repack nothing.
    settles(&app).await;
}
