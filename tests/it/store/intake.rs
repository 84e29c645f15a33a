//! Requests arriving together: both backends store a burst in batches (SQLite's single writer,
//! PostgreSQL's batch statements), and every request in a batch must come out whole — its own
//! reference, contact, first history entry and triage job — even when references collide.

use super::{new_request, render};
use crate::common::TestApp;
use futures::future::join_all;
use sahulat_domain::ids::IdSource;
use sahulat_domain::reference::Reference;
use sahulat_store::CreateOutcome;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

/// One request in three has the same first candidate reference, so all but one of those find
/// it taken (by a request stored earlier, or by another in the same batch) and must fall back
/// to their next candidate; the others' references are all free.
#[derive(Debug, Default)]
struct FirstReferenceShared(AtomicU32);

impl IdSource for FirstReferenceShared {
    fn reference(&self) -> Reference {
        let k = self.0.fetch_add(1, Ordering::SeqCst);
        // Four candidates per request: the first of every third request is the shared one.
        if k % 12 == 0 {
            Reference::from_body(12_345_678)
        } else {
            Reference::from_body(20_000_000 + k)
        }
    }

    fn token(&self) -> String {
        format!("{:032x}", 1_000_000 + self.0.fetch_add(1, Ordering::SeqCst))
    }
}

#[tokio::test]
async fn a_burst_whose_references_collide_stores_every_request_whole_and_once() {
    let app = TestApp::new().await;
    let ids = FirstReferenceShared::default();
    let now = app.clock_now();
    let news: Vec<_> = (0..60)
        .map(|i| new_request("water-supply", 50.0 * i as f64))
        .collect();
    // Two bursts: in the second, the shared reference is already stored.
    let mut outcomes = Vec::new();
    for half in news.chunks(30) {
        outcomes.extend(
            join_all(
                half.iter()
                    .map(|new| app.store().create_request(new, &ids, None, render(), now)),
            )
            .await,
        );
    }
    let shared = Reference::from_body(12_345_678).as_str().to_string();
    let mut references = BTreeSet::new();
    let mut ids_seen = BTreeSet::new();
    for outcome in outcomes {
        let CreateOutcome::Created(r, response) = outcome.expect("every request is stored") else {
            panic!("no key, no replay");
        };
        assert_eq!(
            response.body["reference"],
            r.reference.as_str(),
            "answered with its own row"
        );
        references.insert(r.reference.clone());
        ids_seen.insert(r.id);
        let history = app.store().history(r.id).await.unwrap();
        assert_eq!(
            history.len(),
            1,
            "one first history entry for {}",
            r.reference
        );
        let contact = app
            .store()
            .contact(r.id)
            .await
            .unwrap()
            .expect("contact stored");
        assert_eq!(contact.phone.unwrap().e164(), "+923001234567");
        let read = app
            .store()
            .request_by_reference(&r.reference)
            .await
            .unwrap();
        assert_eq!(read.map(|x| x.id), Some(r.id));
    }
    assert_eq!(references.len(), 60, "sixty distinct references");
    assert!(
        references.contains(&shared),
        "the shared reference went to one request"
    );
    assert_eq!(app.request_count().await, 60);
    let jobs = app.store().jobs("queued", 1000).await.unwrap();
    let job_requests: BTreeSet<i64> = jobs
        .iter()
        .map(|j| j.payload["request_id"].as_i64().unwrap())
        .collect();
    assert_eq!(jobs.len(), 60, "one triage job each");
    assert_eq!(job_requests, ids_seen, "each job names a stored request");
}
