//! `apply_actions`, `escalate_many` and `rate_many` write a batch as the items one by one
//! would: each ticket's own guard decides (the status the actor saw, the closing a reopen
//! answers, the escalation level, a closing already rated), a refused item writes nothing, and
//! a ticket named twice is written in order. (SQLite writes a batch of distinct tickets in one
//! statement per shape of update.)

use super::{new_request, stored, triage_of};
use crate::common::TestApp;
use chrono::{DateTime, Duration, Utc};
use sahulat_domain::citizen::RatingWrite;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::escalation::Escalation;
use sahulat_domain::lifecycle::{ActionWrite, SlaRestart};
use sahulat_domain::request::ServiceRequest;
use sahulat_domain::status::{Priority, Status};
use sahulat_store::RateOutcome;

/// A request in Larkana triaged to PHED (`open`).
async fn open_ticket(app: &TestApp, metres_north: f64, seed: u64) -> ServiceRequest {
    let r = stored(app, &new_request("water-supply", metres_north), seed).await;
    assert!(app
        .store()
        .apply_triage(&triage_of(r.id, "Sent to PHED"), app.clock_now())
        .await
        .unwrap());
    app.reload(r.id).await
}

fn action(id: i64, from: Status, to: Status) -> ActionWrite {
    ActionWrite {
        request_id: id,
        from,
        to,
        department: None,
        duplicate_of: None,
        history: vec![HistoryEntry::public(to, "phed", "done")],
        messages: vec![],
        notify_resolved: false,
        restart_sla: None,
        closed_at: None,
    }
}

async fn entries(app: &TestApp, id: i64) -> usize {
    app.store().history(id).await.unwrap().len()
}

#[tokio::test]
async fn a_batch_of_actions_writes_each_ticket_as_alone_and_refuses_only_the_stale_ones() {
    let app = TestApp::new().await;
    let t0 = app.clock_now();
    let (t1, t2) = (t0 + Duration::hours(1), t0 + Duration::hours(2));
    let acked = open_ticket(&app, 0.0, 1).await;
    let resolved = open_ticket(&app, 400.0, 2).await;
    let stale = open_ticket(&app, 800.0, 3).await;
    let referred = open_ticket(&app, 1200.0, 4).await;
    let reopened = open_ticket(&app, 1600.0, 5).await;
    let wrong_closing = open_ticket(&app, 2000.0, 6).await;
    // Two tickets closed first, so that a citizen's reopen can answer their closing.
    let closings: Vec<(ActionWrite, DateTime<Utc>)> = [reopened.id, wrong_closing.id]
        .iter()
        .map(|id| (action(*id, Status::Open, Status::Resolved), t0))
        .collect();
    assert_eq!(
        app.store().apply_actions(&closings).await.unwrap(),
        vec![true, true]
    );
    let before = entries(&app, stale.id).await;

    let mut refer = action(referred.id, Status::Open, Status::Referred);
    refer.department = Some("municipal-corporation-larkana".into());
    let restart = SlaRestart {
        ack_due_at: t2 + Duration::hours(24),
        sla_due_at: t2 + Duration::hours(72),
    };
    let mut reopen = action(reopened.id, Status::Resolved, Status::Open);
    reopen.restart_sla = Some(restart);
    reopen.closed_at = Some(t0);
    let mut late_reopen = action(wrong_closing.id, Status::Resolved, Status::Open);
    late_reopen.restart_sla = Some(restart);
    late_reopen.closed_at = Some(t0 - Duration::days(3));
    let batch = vec![
        (action(acked.id, Status::Open, Status::Acknowledged), t1),
        (action(resolved.id, Status::Open, Status::Resolved), t2),
        (
            action(stale.id, Status::Submitted, Status::Acknowledged),
            t1,
        ),
        (refer, t1),
        (reopen, t2),
        (late_reopen, t2),
    ];
    assert_eq!(
        app.store().apply_actions(&batch).await.unwrap(),
        vec![true, true, false, true, true, false]
    );

    let a = app.reload(acked.id).await;
    assert_eq!(a.status, Status::Acknowledged);
    assert_eq!(a.acknowledged_at, Some(t1));
    assert_eq!(a.closed_at, None);
    let r = app.reload(resolved.id).await;
    assert_eq!(r.status, Status::Resolved);
    assert_eq!(r.closed_at, Some(t2));
    assert_eq!(r.department.as_deref(), Some("phed-larkana"));
    let s = app.reload(stale.id).await;
    assert_eq!((s.status, s.acknowledged_at), (Status::Open, None));
    assert_eq!(entries(&app, stale.id).await, before, "nothing written");
    let f = app.reload(referred.id).await;
    assert_eq!(f.status, Status::Referred);
    assert_eq!(
        f.department.as_deref(),
        Some("municipal-corporation-larkana")
    );
    let o = app.reload(reopened.id).await;
    assert_eq!(o.status, Status::Open);
    assert_eq!(o.closed_at, None);
    assert_eq!(o.sla_started_at, Some(t2), "a fresh SLA from the reopen");
    assert_eq!(o.sla_due_at, Some(restart.sla_due_at));
    assert_eq!(o.ack_due_at, Some(restart.ack_due_at));
    let w = app.reload(wrong_closing.id).await;
    assert_eq!((w.status, w.closed_at), (Status::Resolved, Some(t0)));
    assert_eq!(
        w.sla_started_at, None,
        "a reopen of another closing is refused"
    );
}

#[tokio::test]
async fn two_actions_on_one_ticket_in_a_batch_are_written_in_order() {
    let app = TestApp::new().await;
    let t0 = app.clock_now();
    let t = open_ticket(&app, 0.0, 7).await;
    let (t1, t2) = (t0 + Duration::hours(1), t0 + Duration::hours(5));
    let batch = vec![
        (action(t.id, Status::Open, Status::Acknowledged), t1),
        (action(t.id, Status::Acknowledged, Status::Resolved), t2),
    ];
    assert_eq!(
        app.store().apply_actions(&batch).await.unwrap(),
        vec![true, true]
    );
    let r = app.reload(t.id).await;
    assert_eq!(r.status, Status::Resolved);
    assert_eq!(r.acknowledged_at, Some(t1));
    assert_eq!(r.closed_at, Some(t2));
}

fn step(id: i64, from_level: i32, priority: Priority) -> Escalation {
    Escalation {
        request_id: id,
        from_level,
        to_level: from_level + 1,
        priority,
        history: HistoryEntry::internal(Status::Open, "escalation", "late"),
        messages: vec![],
    }
}

#[tokio::test]
async fn escalation_steps_are_written_by_their_level_and_in_order_for_one_ticket() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    let a = open_ticket(&app, 0.0, 8).await;
    let b = open_ticket(&app, 400.0, 9).await;
    let closed = open_ticket(&app, 800.0, 10).await;
    assert_eq!(
        app.store()
            .apply_actions(&[(action(closed.id, Status::Open, Status::Resolved), now)])
            .await
            .unwrap(),
        vec![true]
    );
    // Distinct tickets: one at the level the step expects, one not, one no longer open.
    let batch = vec![
        step(a.id, 0, Priority::High),
        step(b.id, 2, Priority::High),
        step(closed.id, 0, Priority::High),
    ];
    assert_eq!(
        app.store().escalate_many(&batch, now).await.unwrap(),
        vec![true, false, false]
    );
    let ra = app.reload(a.id).await;
    assert_eq!((ra.escalation_level, ra.priority), (1, Priority::High));
    assert_eq!(app.reload(b.id).await.escalation_level, 0);
    assert_eq!(app.reload(closed.id).await.escalation_level, 0);
    // One ticket twice: the second step finds the level the first left.
    let twice = vec![
        step(b.id, 0, Priority::High),
        step(b.id, 1, Priority::Urgent),
    ];
    assert_eq!(
        app.store().escalate_many(&twice, now).await.unwrap(),
        vec![true, true]
    );
    let rb = app.reload(b.id).await;
    assert_eq!((rb.escalation_level, rb.priority), (2, Priority::Urgent));
}

fn rating(t: &ServiceRequest, closed_at: DateTime<Utc>, stars: u8) -> RatingWrite {
    RatingWrite {
        request_id: t.id,
        closed_at,
        reporter_request_id: t.id,
        voice_id: 0,
        closed_status: Status::Resolved,
        department: Some("phed-larkana".into()),
        rating: stars,
        comment: None,
        channel: "web".into(),
        entry: HistoryEntry::internal(Status::Resolved, "citizen", "rated"),
        reopen: None,
        messages: vec![],
    }
}

/// `t` resolved at `at`, as stored afterwards.
async fn resolved(app: &TestApp, t: &ServiceRequest, at: DateTime<Utc>) -> ServiceRequest {
    let done = app
        .store()
        .apply_actions(&[(action(t.id, Status::Open, Status::Resolved), at)])
        .await
        .unwrap();
    assert_eq!(done, vec![true]);
    app.reload(t.id).await
}

#[tokio::test]
async fn a_batch_of_ratings_stores_each_once_and_a_refused_reopen_writes_nothing_of_its_rating() {
    let app = TestApp::new().await;
    let t0 = app.clock_now();
    let t1 = t0 + Duration::hours(3);
    let plain = resolved(&app, &open_ticket(&app, 0.0, 11).await, t0).await;
    let again = resolved(&app, &open_ticket(&app, 400.0, 12).await, t0).await;
    let poor = resolved(&app, &open_ticket(&app, 800.0, 13).await, t0).await;
    let stale = resolved(&app, &open_ticket(&app, 1200.0, 14).await, t0).await;
    assert_eq!(
        app.store().rate(&rating(&again, t0, 4), t0).await.unwrap(),
        RateOutcome::Stored
    );
    let restart = SlaRestart {
        ack_due_at: t1 + Duration::hours(24),
        sla_due_at: t1 + Duration::hours(72),
    };
    let reopen_of = |t: &ServiceRequest, closed_at| {
        let mut r = action(t.id, Status::Resolved, Status::Open);
        r.restart_sla = Some(restart);
        r.closed_at = Some(closed_at);
        r
    };
    let mut poor_rating = rating(&poor, t0, 1);
    poor_rating.reopen = Some(reopen_of(&poor, t0));
    // Its reopen names a closing the ticket no longer has.
    let mut stale_rating = rating(&stale, t0, 1);
    stale_rating.reopen = Some(reopen_of(&stale, t0 - Duration::days(2)));
    let before = entries(&app, stale.id).await;
    let batch = vec![
        (rating(&plain, t0, 5), t1),
        (rating(&again, t0, 2), t1),
        (poor_rating, t1),
        (stale_rating, t1),
    ];
    assert_eq!(
        app.store().rate_many(&batch).await.unwrap(),
        vec![
            RateOutcome::Stored,
            RateOutcome::AlreadyRated,
            RateOutcome::Stored,
            RateOutcome::Changed
        ]
    );
    let stars =
        |v: Vec<sahulat_store::StoredRating>| v.iter().map(|r| r.rating).collect::<Vec<_>>();
    assert_eq!(stars(app.store().ratings(plain.id).await.unwrap()), vec![5]);
    assert_eq!(stars(app.store().ratings(again.id).await.unwrap()), vec![4]);
    let p = app.store().ratings(poor.id).await.unwrap();
    assert_eq!(stars(p.clone()), vec![1]);
    assert!(p[0].reopened);
    let reopened = app.reload(poor.id).await;
    assert_eq!(
        (reopened.status, reopened.sla_started_at),
        (Status::Open, Some(t1))
    );
    let history = app.store().history(poor.id).await.unwrap();
    let last: Vec<&str> = history
        .iter()
        .rev()
        .take(2)
        .map(|h| h.entry.actor.as_str())
        .collect();
    assert_eq!(
        last,
        vec!["phed", "citizen"],
        "the rating's entry, then the reopen's"
    );
    assert!(app.store().ratings(stale.id).await.unwrap().is_empty());
    assert_eq!(app.reload(stale.id).await.status, Status::Resolved);
    assert_eq!(entries(&app, stale.id).await, before, "nothing written");
}

#[tokio::test]
async fn one_closing_rated_twice_in_a_batch_keeps_the_first_rating() {
    let app = TestApp::new().await;
    let t0 = app.clock_now();
    let t = resolved(&app, &open_ticket(&app, 0.0, 15).await, t0).await;
    let batch = vec![(rating(&t, t0, 3), t0), (rating(&t, t0, 1), t0)];
    assert_eq!(
        app.store().rate_many(&batch).await.unwrap(),
        vec![RateOutcome::Stored, RateOutcome::AlreadyRated]
    );
    let stored = app.store().ratings(t.id).await.unwrap();
    assert_eq!(stored.iter().map(|r| r.rating).collect::<Vec<_>>(), vec![3]);
}

/// SQLite pads every multi-row statement with NULL rows to the next power of two
/// (`store/src/sqlite/sizes.rs`): the padding must neither read nor write anything.
#[tokio::test]
async fn batches_of_five_and_seven_tickets_read_and_write_each_ticket_exactly_once() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    let mut ids = Vec::new();
    for i in 0..7u64 {
        ids.push(open_ticket(&app, 400.0 * i as f64, 20 + i).await.id);
    }
    for n in [5, 7] {
        let mut read: Vec<i64> = app
            .store()
            .requests_by_ids(&ids[..n])
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect();
        read.sort_unstable();
        assert_eq!(read, ids[..n]);
    }
    let before: Vec<usize> = history_lengths(&app, &ids).await;
    let batch: Vec<(ActionWrite, DateTime<Utc>)> = ids[..5]
        .iter()
        .map(|id| (action(*id, Status::Open, Status::Acknowledged), now))
        .collect();
    assert_eq!(
        app.store().apply_actions(&batch).await.unwrap(),
        vec![true; 5]
    );
    let after: Vec<usize> = history_lengths(&app, &ids).await;
    for (i, id) in ids.iter().enumerate() {
        let acted = i < 5;
        assert_eq!(after[i], before[i] + usize::from(acted), "ticket {id}");
        let want = if acted {
            Status::Acknowledged
        } else {
            Status::Open
        };
        assert_eq!(app.reload(*id).await.status, want, "ticket {id}");
    }
}

async fn history_lengths(app: &TestApp, ids: &[i64]) -> Vec<usize> {
    let mut out = Vec::new();
    for id in ids {
        out.push(entries(app, *id).await);
    }
    out
}
