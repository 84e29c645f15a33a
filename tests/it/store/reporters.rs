//! `reporters_many` (the `resolved` job's batch) answers for each request what `reporters`
//! answers: the request's own reporter, every request merged into it as a duplicate, and every
//! voice with a number — and an empty list for no such request. (Both backends' `reporters`
//! read through it; the expected reporters are also spelled out.)

use crate::common::{request_at, RecordingNotifier, TestApp};
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::lang::Lang;
use sahulat_domain::phone::Phone;
use sahulat_domain::status::{Channel, Status};
use sahulat_store::{NewVoice, Reporter};
use std::collections::HashMap;
use std::sync::Arc;

fn key(r: &Reporter) -> (i64, String, Option<String>, String, Option<i64>) {
    (
        r.request_id,
        r.reference.clone(),
        r.phone.clone(),
        r.language.clone(),
        r.voice_id,
    )
}

#[tokio::test]
async fn reporters_of_many_requests_are_each_requests_reporters_read_at_once() {
    let app = TestApp::new().await;
    let worker = app.worker_with(Arc::new(RecordingNotifier::default()), "w");
    // An original with a neighbour's duplicate, and a request in Turbat without a number.
    let original = app
        .create(request_at(
            "water-supply",
            27.56,
            68.21,
            "No water in our street",
            Some("03021234567"),
        ))
        .await;
    let duplicate = app
        .create(request_at(
            "water-supply",
            27.5602,
            68.21,
            "No water in our street",
            Some("03027654321"),
        ))
        .await;
    let alone = app
        .create(request_at(
            "water-supply",
            26.0,
            63.05,
            "Pipe burst near the school",
            None,
        ))
        .await;
    worker.run_until_idle().await.unwrap();
    assert_eq!(app.reload(duplicate.id).await.status, Status::Duplicate);
    // A third voice with a number on the original, one without a number on the lone request.
    for (request_id, phone, token) in [
        (original.id, Some("03001112223"), None),
        (alone.id, None, Some("form-token-1")),
    ] {
        let voice = NewVoice {
            request_id,
            phone: phone.map(|p| Phone::parse(p).unwrap()),
            anonymous_key: token.map(Into::into),
            language: Lang::Ur,
            channel: Channel::Web,
            entry: HistoryEntry {
                status: Status::Open,
                public: false,
                description: "another resident reports it too".into(),
                actor: "citizen".into(),
                message: None,
            },
        };
        app.store()
            .add_voice(&voice, app.clock_now())
            .await
            .unwrap();
    }

    let missing = alone.id + 1000;
    let ids = [original.id, duplicate.id, alone.id, missing];
    let many = app.store().reporters_many(&ids).await.unwrap();
    let mut one_by_one = HashMap::new();
    for id in ids {
        one_by_one.insert(id, app.store().reporters(id).await.unwrap());
    }
    for id in ids {
        let a: Vec<_> = many
            .get(&id)
            .expect("every id answered")
            .iter()
            .map(key)
            .collect();
        let b: Vec<_> = one_by_one[&id].iter().map(key).collect();
        assert_eq!(a, b, "request {id}");
    }
    // What the read must have found: three reporters of the original, with their numbers.
    let original_reporters = &many[&original.id];
    assert_eq!(original_reporters.len(), 3, "{original_reporters:#?}");
    assert!(original_reporters.iter().all(|r| r.phone.is_some()));
    let mut who: Vec<(i64, bool)> = original_reporters
        .iter()
        .map(|r| (r.request_id, r.voice_id.is_some()))
        .collect();
    who.sort();
    assert_eq!(
        who,
        vec![
            (original.id, false),
            (original.id, true),
            (duplicate.id, false)
        ],
        "the original's reporter, its voice and the merged duplicate"
    );
    assert_eq!(
        many[&duplicate.id].len(),
        1,
        "a duplicate's own reporter only"
    );
    assert_eq!(
        many[&alone.id].len(),
        1,
        "the voice without a number is not texted"
    );
    assert!(many[&missing].is_empty());
}
