//! The evidence reads through the trait: a window's facts are the requests created in it and
//! the older ones still open at its start or closed after it began (not those closed before);
//! `created_only` keeps the first part, and an evaluation's `Outcome`s are those requests
//! whichever plan reads them; each filter narrows all three parts; the ratings are those of
//! the requests created in the window.

use crate::common::{request_at, RecordingNotifier, TestApp, PLACES};
use chrono::Duration;
use sahulat_domain::evaluation::Outcome;
use sahulat_domain::status::{Channel, Priority};
use sahulat_store::FactQuery;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

const PHONE: &str = "0300 7654321";

/// Resolves `reference` as an officer of `department` signed in for the purpose (`name` must
/// be new: a token signed in days earlier on the test clock has expired).
async fn resolve(app: &TestApp, name: &str, department: &str, reference: &str) {
    let staff = app.signed_in("staff", name, None, Some(department)).await;
    let res = app
        .authed(
            "POST",
            &format!("/api/v1/staff/tickets/{reference}/actions"),
            &staff,
            Some(json!({"action": "resolve", "note": "Valve replaced"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[tokio::test]
async fn a_window_holds_its_requests_and_the_older_ones_open_at_its_start_and_the_filters_narrow_every_part(
) {
    let app = TestApp::new().await;
    let w = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    let start = app.clock_now();
    // Day 0: three water reports in Larkana, far apart, and a road report in Kech.
    let mut early = Vec::new();
    for (i, (lat, lon)) in PLACES[4..7].iter().enumerate() {
        let body = request_at("water-supply", *lat, *lon, &format!("No water {i}"), None);
        early.push(app.create(body).await);
    }
    let (lat, lon) = PLACES[2];
    let kech = app
        .create(request_at("roads", lat, lon, "Pothole", Some(PHONE)))
        .await;
    w.run_until_idle().await.unwrap();
    // Day 1: the first is resolved, before the window opens on day 5.
    app.clock.advance(Duration::days(1));
    resolve(&app, "phed.one", "phed-larkana", &early[0].reference).await;
    // Day 10: the second is resolved inside the window; a new report is made and resolved,
    // and its reporter rates the answer.
    app.clock.advance(Duration::days(9));
    resolve(&app, "phed.two", "phed-larkana", &early[1].reference).await;
    let (lat, lon) = PLACES[4];
    let late = app
        .create(request_at(
            "water-supply",
            lat + 0.05,
            lon,
            "Dry tap",
            Some(PHONE),
        ))
        .await;
    w.run_until_idle().await.unwrap();
    resolve(&app, "phed.three", "phed-larkana", &late.reference).await;
    let res = app
        .post_json(
            &format!("/api/v1/requests/{}/rating", late.reference),
            &json!({"phone": PHONE, "rating": 5}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // The Kech road is mended too, and rated: a rating of another district's request.
    resolve(&app, "cw.kech", "cw-kech", &kech.reference).await;
    let res = app
        .post_json(
            &format!("/api/v1/requests/{}/rating", kech.reference),
            &json!({"phone": PHONE, "rating": 3}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());

    let store = app.store();
    let larkana = FactQuery {
        districts: vec!["PK713".into()],
        tehsil: None,
        services: Vec::new(),
        channel: None,
        priority: None,
        from: start + Duration::days(5),
        to: start + Duration::days(20),
        created_only: false,
    };
    let ids = |facts: Vec<sahulat_domain::evidence::Fact>| -> BTreeSet<i64> {
        facts.iter().map(|f| f.id).collect()
    };
    let read = |q: FactQuery| async move { ids(store.evidence_facts(&q).await.unwrap()) };
    let set = |v: &[i64]| -> BTreeSet<i64> { v.iter().copied().collect() };

    // Created in the window, open at its start, closed after it began; not closed before.
    assert_eq!(
        read(larkana.clone()).await,
        set(&[early[1].id, early[2].id, late.id])
    );
    let facts = store.evidence_facts(&larkana).await.unwrap();
    let second = facts.iter().find(|f| f.id == early[1].id).unwrap();
    assert_eq!(second.service, "water-supply");
    assert_eq!(second.district, "PK713");
    assert_eq!(second.channel, Channel::Api);
    assert_eq!(second.created_at, early[1].created_at);
    assert_eq!(second.closed_at, Some(start + Duration::days(10)));
    assert!(second.sla_due_at.is_some() && second.tehsil.is_some());
    assert_eq!((second.reporters, second.reopen_count), (1, 0));
    let third = facts.iter().find(|f| f.id == early[2].id).unwrap();
    assert_eq!((third.closed_at, third.lat), (None, early[2].lat));

    let only_created = FactQuery {
        created_only: true,
        ..larkana.clone()
    };
    assert_eq!(read(only_created.clone()).await, set(&[late.id]));
    // What an evaluation reads is the same requests, whichever plan the store picks (on
    // SQLite a window over half the history scans the table; one over 1 % of it, an index).
    let as_outcomes = |facts: Vec<sahulat_domain::evidence::Fact>| -> Vec<Outcome> {
        facts.iter().map(Outcome::from).collect()
    };
    for q in [
        only_created.clone(),
        FactQuery {
            from: start + Duration::hours(239),
            ..only_created.clone()
        },
        FactQuery {
            services: vec!["water-supply".into()],
            ..only_created.clone()
        },
    ] {
        let (outcomes, ratings) = store.evaluation_outcomes(&q).await.unwrap();
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            outcomes,
            as_outcomes(store.evidence_facts(&q).await.unwrap())
        );
        assert_eq!(ratings, store.evidence_ratings(&q).await.unwrap());
        assert_eq!(ratings[&late.id], vec![5]);
    }
    let everything = FactQuery {
        districts: vec!["PK713".into(), "PK211".into()],
        from: start,
        ..only_created.clone()
    };
    let (mut outcomes, ratings) = store.evaluation_outcomes(&everything).await.unwrap();
    assert_eq!(ratings, store.evidence_ratings(&everything).await.unwrap());
    outcomes.sort_by_key(|o| o.id);
    let mut facts = as_outcomes(store.evidence_facts(&everything).await.unwrap());
    facts.sort_by_key(|o| o.id);
    assert_eq!(outcomes.len(), 5);
    assert_eq!(outcomes, facts);
    assert_eq!(ratings.len(), 2);
    // Larkana's outcomes span the Kech request's id; its rating is not theirs.
    let larkana_since_start = FactQuery {
        districts: vec!["PK713".into()],
        ..everything
    };
    let (outcomes, ratings) = store
        .evaluation_outcomes(&larkana_since_start)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes.iter().all(|o| o.id != kech.id));
    assert_eq!(ratings.keys().copied().collect::<Vec<_>>(), vec![late.id]);
    let both = FactQuery {
        districts: vec!["PK713".into(), "PK211".into()],
        ..larkana.clone()
    };
    assert_eq!(
        read(both).await,
        set(&[early[1].id, early[2].id, late.id, kech.id])
    );
    let roads = FactQuery {
        services: vec!["roads".into()],
        ..larkana.clone()
    };
    assert!(read(roads).await.is_empty());
    let web = FactQuery {
        channel: Some(Channel::Web),
        ..larkana.clone()
    };
    assert!(read(web).await.is_empty());
    let tehsil = FactQuery {
        tehsil: early[2].tehsil.clone(),
        ..larkana.clone()
    };
    assert_eq!(read(tehsil).await, set(&[early[2].id]));
    let priority = FactQuery {
        priority: Some(early[2].priority),
        ..larkana.clone()
    };
    assert!(read(priority).await.contains(&early[2].id));
    let other = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ]
    .into_iter()
    .find(|p| *p != early[2].priority)
    .unwrap();
    let priority = FactQuery {
        priority: Some(other),
        ..larkana.clone()
    };
    assert!(!read(priority).await.contains(&early[2].id));

    // Ratings: those of the requests created in the window.
    let ratings = store.evidence_ratings(&larkana).await.unwrap();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(ratings[&late.id], vec![5]);
    let before = FactQuery {
        from: start,
        to: start + Duration::days(5),
        ..larkana
    };
    assert!(store.evidence_ratings(&before).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_in_memory_sqlite_database_is_read_in_bulk_like_a_file() {
    // The bulk reads open their own connections; on `sqlite::memory:` they must find the
    // database sqlx made, not a new empty one.
    use crate::common::{reference_data, t0};
    use sahulat_domain::crypto::DataKey;
    use sahulat_domain::ids::RandomIds;
    use sahulat_store::CreateOutcome;

    let key = DataKey::from_bytes([9; 32]);
    let store = sahulat_store::connect("sqlite::memory:", Arc::new(key))
        .await
        .unwrap();
    sahulat_store::prepare(store.as_ref(), &reference_data().catalogue, t0())
        .await
        .unwrap();
    let new = super::new_request("water-supply", 0.0);
    let created = store
        .create_request(
            &new,
            &RandomIds::seeded(3),
            None,
            Arc::new(
                |r: &sahulat_domain::request::ServiceRequest| sahulat_store::StoredResponse {
                    status: 201,
                    body: json!({ "reference": r.reference }),
                },
            ),
            t0(),
        )
        .await
        .unwrap();
    let CreateOutcome::Created(request, _) = created else {
        panic!("no key, no replay");
    };
    let q = FactQuery {
        districts: vec!["PK713".into()],
        tehsil: None,
        services: Vec::new(),
        channel: None,
        priority: None,
        from: t0() - Duration::days(1),
        to: t0() + Duration::days(1),
        created_only: false,
    };
    let facts = store.evidence_facts(&q).await.unwrap();
    assert_eq!(
        facts.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![request.id]
    );
    let (outcomes, ratings) = store.evaluation_outcomes(&q).await.unwrap();
    assert_eq!(outcomes, vec![Outcome::from(&facts[0])]);
    assert!(ratings.is_empty());
}
