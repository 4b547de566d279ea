//! An idempotency key makes a retried filing safe: the same request again with the same
//! key gets the first case, a key belongs to the user who sent it, and a key reused for
//! another request is refused with nothing written.

use polku_cases::{CaseError, Cases};
use serde_json::json;

use crate::support::{applicant, application};

async fn a_retry_with_the_same_key_gets_the_first_case(store: &Cases) {
    let new = application(json!({}));
    let (first, created) = store
        .submit_once(&new, &applicant(), "user-1", "key-1")
        .await
        .unwrap();
    assert!(created);
    let (again, created) = store
        .submit_once(&new, &applicant(), "user-1", "key-1")
        .await
        .unwrap();
    assert_eq!((again, created), (first, false));
    let (other, created) = store
        .submit_once(&new, &applicant(), "user-2", "key-1")
        .await
        .unwrap();
    assert!(created && other != first, "keys belong to a user");
    assert_eq!(store.case_count().await.unwrap(), 2);
}
polku_cases::on_every_database!(retry, a_retry_with_the_same_key_gets_the_first_case);

async fn a_key_reused_for_another_request_is_refused(store: &Cases) {
    let actor = applicant();
    let first = application(json!({}));
    let (id, created) = store
        .submit_once(&first, &actor, "user-1", "key-1")
        .await
        .unwrap();
    assert!(created);
    // The same request again: the same case.
    assert_eq!(
        store
            .submit_once(&first, &actor, "user-1", "key-1")
            .await
            .unwrap(),
        (id, false)
    );
    // Another body with the same key: refused, nothing written.
    let other = application(json!({"application": {"kind": "first"}}));
    let e = store
        .submit_once(&other, &actor, "user-1", "key-1")
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::KeyReused), "{e}");
    assert_eq!(store.case_count().await.unwrap(), 1);
}
polku_cases::on_every_database!(key_reuse, a_key_reused_for_another_request_is_refused);
