//! The duplicate search's time window on both backends: every day of the window is read, the
//! window's first moment is kept and the one before it is not, requests received after the
//! asking one (a late triage) are found, and the batched search answers as the single one.

use super::{new_request, stored_at};
use crate::common::TestApp;
use chrono::{DateTime, Duration, Utc};
use sahulat_domain::request::ServiceRequest;
use sahulat_store::NearbyAsk;

fn ask(r: &ServiceRequest, since: DateTime<Utc>) -> NearbyAsk {
    NearbyAsk {
        service: "water-supply".into(),
        lat: r.lat.unwrap(),
        lon: r.lon.unwrap(),
        radius_m: 250.0,
        since,
        exclude: r.id,
    }
}

#[tokio::test]
async fn the_nearby_search_reads_every_day_of_its_window_and_nothing_before_it() {
    let app = TestApp::new().await;
    // The asking request, received late in the evening (UTC), so its window starts late in the
    // evening seven days earlier and its second hour is on the next calendar day.
    let now = app.clock_now();
    let asked_at = (now - Duration::days(10))
        .date_naive()
        .and_hms_opt(22, 30, 0)
        .unwrap()
        .and_utc();
    let since = asked_at - Duration::days(7);
    let mut seed = 100;
    let mut at = |t: DateTime<Utc>, metres: f64| {
        seed += 1;
        (t, metres, seed)
    };
    let plan = [
        at(since - Duration::seconds(1), 10.0),    // a second too old
        at(since, 20.0),                           // the window's first moment
        at(since + Duration::hours(2), 30.0),      // after midnight: the next day
        at(since + Duration::days(3), 40.0),       // mid-window
        at(asked_at - Duration::minutes(5), 50.0), // just before the asking one
        at(asked_at + Duration::days(2), 60.0),    // after it: a late triage still sees it
        at(now, 70.0),                             // today
    ];
    let asking = stored_at(&app, &new_request("water-supply", 0.0), 100, asked_at).await;
    let mut expected = Vec::new();
    for (i, (t, metres, seed)) in plan.iter().enumerate() {
        let r = stored_at(&app, &new_request("water-supply", *metres), *seed, *t).await;
        if i > 0 {
            expected.push(r.id);
        }
    }
    let _other_service = stored_at(&app, &new_request("roads", 5.0), 200, since).await;
    let _too_far = stored_at(&app, &new_request("water-supply", 300.0), 201, since).await;
    let found: Vec<i64> = app
        .store()
        .nearby_open(
            "water-supply",
            asking.lat.unwrap(),
            asking.lon.unwrap(),
            250.0,
            since,
            asking.id,
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(found, expected, "oldest first, the window's days all read");
}

#[tokio::test]
async fn the_batched_nearby_search_answers_each_ask_as_the_single_search_does() {
    let app = TestApp::new().await;
    let now = app.clock_now();
    let mut asks = Vec::new();
    let mut rows = Vec::new();
    for (i, days_ago) in [12i64, 9, 6, 3, 0].into_iter().enumerate() {
        let r = stored_at(
            &app,
            &new_request("water-supply", 20.0 * i as f64),
            300 + i as u64,
            now - Duration::days(days_ago),
        )
        .await;
        rows.push(r);
    }
    for r in &rows {
        asks.push(ask(r, r.created_at - Duration::days(7)));
    }
    // An ask far from all of them, and one of another service.
    asks.push(NearbyAsk {
        lat: rows[0].lat.unwrap() + 0.1,
        ..asks[0].clone()
    });
    asks.push(NearbyAsk {
        service: "roads".into(),
        ..asks[4].clone()
    });
    let many = app.store().nearby_open_many(&asks).await.unwrap();
    assert_eq!(many.len(), asks.len());
    for (a, batch) in asks.iter().zip(&many) {
        let single: Vec<i64> = app
            .store()
            .nearby_open(&a.service, a.lat, a.lon, a.radius_m, a.since, a.exclude)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        let batched: Vec<i64> = batch.iter().map(|n| n.id).collect();
        assert_eq!(batched, single, "{a:?}");
    }
    // The request of 12 days ago sees the ones of 9 and 6 days ago (received after it); the
    // one of today sees those of 6 and 3 days ago; the far ask and the other service, none.
    let ids = |k: &[usize]| k.iter().map(|&i| rows[i].id).collect::<Vec<_>>();
    let of = |i: usize| many[i].iter().map(|n| n.id).collect::<Vec<_>>();
    assert_eq!(of(0), ids(&[1, 2, 3, 4]));
    assert_eq!(of(4), ids(&[2, 3]));
    assert!(of(5).is_empty() && of(6).is_empty());
}
