//! Requests arriving together: both backends store a burst in batches (SQLite's single writer,
//! PostgreSQL's batch statements), and every request in a batch must come out whole — its own
//! reference, contact, first history entry and triage job — even when references collide.

use super::{new_request, render};
use crate::common::TestApp;
use futures::future::join_all;
use sahulat_domain::ids::IdSource;
use sahulat_domain::reference::Reference;
use sahulat_domain::request::RequestDraft;
use sahulat_domain::status::Channel;
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

/// SQLite's batch insert answers with the request built from what it inserted (it reads back
/// only the ids and references), and its batch read gets the rows as one JSON text: both must
/// give the row exactly as a read of the one request gives it — to the microsecond, the last
/// digit of a coordinate, every character of the text, and the default of each column the
/// insert leaves out.
#[tokio::test]
async fn each_request_of_a_batch_is_answered_and_read_back_exactly_as_its_own_row_reads() {
    let app = TestApp::new().await;
    let (cat, geo) = crate::common::reference();
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("duration".to_string(), vec!["today".to_string()]);
    attributes.insert("households_affected".to_string(), vec!["12".to_string()]);
    let full = RequestDraft {
        service_code: Some("water-supply".into()),
        description: Some("Tap \"dry\" since morning\nC:\\pipe\tنل خشک ہے".into()),
        // Seventeen significant digits, which JSON written with fifteen would change.
        lat: Some(27.56 + 0.001 / 3.0),
        lon: Some(68.21 + 0.002 / 7.0),
        address: Some("Near the Jinnah Bagh gate".into()),
        phone: Some("0300 7654321".into()),
        name: Some("Amina".into()),
        language: Some("sd".into()),
        attributes,
        channel: Some(Channel::Web),
        ..Default::default()
    }
    .validate(&cat, &geo)
    .expect("valid request");
    // A time with nanoseconds: the row keeps microseconds.
    let at = app.clock_now() + chrono::Duration::nanoseconds(123_456_789);
    let news = vec![
        (full, at),
        (new_request("water-supply", 300.0), at),
        (
            new_request("sewerage-drainage", 600.0),
            at + chrono::Duration::seconds(7),
        ),
    ];
    let ids = sahulat_domain::ids::RandomIds::seeded(41);
    let outcomes = app
        .store()
        .create_requests(&news, &ids, render())
        .await
        .expect("handed over");
    assert_eq!(outcomes.len(), 3);
    let mut ids = Vec::new();
    for outcome in outcomes {
        let CreateOutcome::Created(answered, _) = outcome.expect("stored") else {
            panic!("no key, no replay");
        };
        let read = app.reload(answered.id).await;
        assert_eq!(
            serde_json::to_value(&*answered).unwrap(),
            serde_json::to_value(&read).unwrap(),
            "request {}",
            answered.reference
        );
        assert_eq!(answered.created_at, read.created_at);
        ids.push(answered.id);
    }
    // One triaged, so that its department, deadlines and flags are set.
    let mut triage = super::triage_of(ids[1], "Sent to PHED");
    triage.sla_due_at = Some(at + chrono::Duration::hours(72));
    triage.ack_due_at = Some(at + chrono::Duration::hours(8));
    triage.flags = vec!["possible-duplicate".into()];
    assert!(app.store().apply_triage(&triage, at).await.unwrap());
    let batch = app.store().requests_by_ids(&ids).await.unwrap();
    assert_eq!(batch.len(), 3, "every id read");
    for r in batch {
        let alone = app.reload(r.id).await;
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::to_value(&alone).unwrap(),
            "request {} read in a batch and alone",
            r.reference
        );
        assert_eq!((r.lat, r.lon), (alone.lat, alone.lon));
    }
    let triaged = app.store().requests_by_ids(&ids[1..2]).await.unwrap();
    assert_eq!(
        triaged[0].triage_flags,
        vec!["possible-duplicate".to_string()]
    );
    assert!(triaged[0].sla_due_at.is_some() && triaged[0].ack_due_at.is_some());
    assert!(app
        .store()
        .requests_by_ids(&[i64::MAX])
        .await
        .unwrap()
        .is_empty());
}
