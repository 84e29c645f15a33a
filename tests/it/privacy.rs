//! Personal data at rest: the reporter's phone, name and e-mail are sealed in the database,
//! with a keyed hash of the phone for lookups; only the store, with the key, reads them back.

use crate::common;

use common::{larkana_request, TestApp};

async fn raw_contact(url: &str) -> (String, String, String) {
    use sqlx::Connection;
    let sql = "SELECT phone, name, phone_hash FROM request_contacts";
    if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
    }
}

#[tokio::test]
async fn the_phone_and_name_are_stored_sealed_and_read_back_only_through_the_store() {
    let app = TestApp::new().await;
    let r = app.create(larkana_request()).await;
    let (phone, name, hash) = raw_contact(&app.db_url).await;
    assert!(
        phone.starts_with("v1:") && !phone.contains("3001234567"),
        "{phone}"
    );
    assert!(
        name.starts_with("v1:") && !name.contains("Ayesha"),
        "{name}"
    );
    let key = sahulat_domain::crypto::DataKey::from_hex(common::TEST_DATA_KEY).unwrap();
    assert_eq!(hash, key.lookup_hash("+923001234567"));
    let contact = app.store().contact(r.id).await.unwrap().unwrap();
    assert_eq!(contact.phone.unwrap().e164(), "+923001234567");
    assert_eq!(contact.name.as_deref(), Some("Ayesha Bhutto"));
}
