//! Held writes (`Store::hold_writes`, `sahulat simulate`'s day per commit): a bulk store that
//! holds reads its own writes at once, a call it refuses leaves the writes before it, and the
//! writes reach other connections when `commit_held` commits them — not before, on SQLite,
//! where the store holds; on PostgreSQL nothing is held and every call commits as it always
//! does. A bulk SQLite store writes without checking foreign keys; it finds what they would
//! have refused when asked (`foreign_key_problems`).

use super::{new_request, stored};
use crate::common::{TestApp, TEST_DATA_KEY};
use sahulat_domain::crypto::DataKey;
use sahulat_domain::effects::HistoryEntry;
use sahulat_domain::status::Status;
use std::sync::Arc;

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok()
}

/// A second store on the test's database, opened as `sahulat simulate` opens it.
async fn bulk_store(app: &TestApp) -> Arc<dyn sahulat_store::Store> {
    sahulat_store::connect_bulk(
        &app.db_url,
        Arc::new(DataKey::from_hex(TEST_DATA_KEY).unwrap()),
    )
    .await
    .expect("open the bulk store")
}

fn hide_entry() -> HistoryEntry {
    HistoryEntry {
        status: Status::Open,
        public: false,
        description: "hidden by moderation".into(),
        actor: "moderator".into(),
        message: None,
    }
}

#[tokio::test]
async fn held_writes_are_read_back_at_once_and_reach_others_only_when_committed() {
    let app = TestApp::new().await;
    let bulk = bulk_store(&app).await;
    bulk.hold_writes().await.unwrap();

    // Written through the bulk store and read back by it before any commit.
    let first = stored_in(&bulk, &app, 1).await;
    let again = bulk.request_by_id(first.id).await.unwrap();
    assert_eq!(again.map(|r| r.reference), Some(first.reference.clone()));

    // Another connection sees nothing yet where the store holds (SQLite).
    let seen = app.store().request_by_id(first.id).await.unwrap();
    assert_eq!(
        seen.is_some(),
        on_postgres(),
        "held writes leaked before the commit"
    );

    bulk.commit_held().await.unwrap();
    let seen = app.store().request_by_id(first.id).await.unwrap();
    assert_eq!(seen.map(|r| r.reference), Some(first.reference));

    // It goes on holding after a commit.
    let second = stored_in(&bulk, &app, 2).await;
    let seen = app.store().request_by_id(second.id).await.unwrap();
    assert_eq!(seen.is_some(), on_postgres());
    bulk.commit_held().await.unwrap();
    assert!(app
        .store()
        .request_by_id(second.id)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_call_that_writes_nothing_and_rolls_back_keeps_the_writes_held_before_it() {
    let app = TestApp::new().await;
    let bulk = bulk_store(&app).await;
    bulk.hold_writes().await.unwrap();
    let kept = stored_in(&bulk, &app, 3).await;

    // Refused (no such request): its transaction is dropped, not committed, having written
    // nothing. Inside the held transaction that must not undo the request stored before it.
    let refused = bulk
        .set_description_hidden(kept.id + 1000, true, &hide_entry(), app.clock_now())
        .await
        .unwrap();
    assert!(!refused);
    // A call that writes, after the refused one, is still held and committed with the rest.
    let hidden = bulk
        .set_description_hidden(kept.id, true, &hide_entry(), app.clock_now())
        .await
        .unwrap();
    assert!(hidden);

    bulk.commit_held().await.unwrap();
    let seen = app.store().request_by_id(kept.id).await.unwrap();
    let seen = seen.expect("the request stored before the refused call was committed");
    assert!(
        seen.description_hidden,
        "the write after the refused call was lost"
    );
}

#[tokio::test]
async fn held_writes_that_are_never_committed_are_lost_whole() {
    let app = TestApp::new().await;
    let id = {
        let bulk = bulk_store(&app).await;
        bulk.hold_writes().await.unwrap();
        let r = stored_in(&bulk, &app, 4).await;
        r.id
        // The store goes away without `commit_held`, as a simulation that crashed would.
    };
    // Let the dropped pool close its connection, which rolls the held transaction back.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let seen = app.store().request_by_id(id).await.unwrap();
    assert_eq!(seen.is_some(), on_postgres(), "an uncommitted day was kept");
    // And the database takes writes again: nothing is left locked.
    let after = stored(&app, &new_request("water-supply", 40.0), 5).await;
    assert!(after.id > 0);
}

#[tokio::test]
async fn a_store_opened_for_real_use_never_holds() {
    let app = TestApp::new().await;
    // The app's own store (`connect`, as `serve` opens it) is asked to hold: it must not, or
    // requests acknowledged to citizens would wait for a commit that real use never makes.
    app.store().hold_writes().await.unwrap();
    let r = stored(&app, &new_request("water-supply", 60.0), 6).await;
    let other = bulk_store(&app).await;
    let seen = other.request_by_id(r.id).await.unwrap();
    assert_eq!(seen.map(|s| s.reference), Some(r.reference));
}

#[tokio::test]
async fn a_bulk_store_names_each_row_whose_reference_names_no_row() {
    let app = TestApp::new().await;
    let kept = stored(&app, &new_request("water-supply", 70.0), 7).await;
    let bulk = bulk_store(&app).await;
    assert_eq!(
        bulk.foreign_key_problems().await.unwrap(),
        Vec::<String>::new()
    );
    if on_postgres() {
        // PostgreSQL checks every write itself: there is nothing to find afterwards.
        return;
    }
    // A history entry for a request that does not exist, written past the checks (as the
    // bulk writer writes).
    use sqlx::{ConnectOptions, Connection};
    let mut raw = app
        .db_url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()
        .unwrap()
        .foreign_keys(false)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO request_updates (request_id, status, is_public, description, actor, created_at) \
         VALUES (?, 'open', 1, 'orphan', 'test', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(kept.id + 1000)
    .execute(&mut raw)
    .await
    .unwrap();
    raw.close().await.unwrap();
    let found = bulk.foreign_key_problems().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("request_updates row ")
            && found[0].ends_with("names no row of service_requests"),
        "{found:?}"
    );
}

/// A request stored through `store` (not the app's own store).
async fn stored_in(
    store: &Arc<dyn sahulat_store::Store>,
    app: &TestApp,
    seed: u64,
) -> sahulat_domain::request::ServiceRequest {
    let ids = sahulat_domain::ids::RandomIds::seeded(seed);
    let render: sahulat_store::Render = Arc::new(|_| sahulat_store::StoredResponse {
        status: 201,
        body: serde_json::Value::Null,
    });
    let new = new_request("water-supply", seed as f64 * 10.0);
    match store
        .create_request(&new, &ids, None, render, app.clock_now())
        .await
        .unwrap()
    {
        sahulat_store::CreateOutcome::Created(r, _) => *r,
        sahulat_store::CreateOutcome::Replayed(_) => panic!("no key, no replay"),
    }
}
