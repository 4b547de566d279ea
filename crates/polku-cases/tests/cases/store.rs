//! The store itself: its migrations apply once, a reopened data directory keeps its data,
//! and a database URL it does not support is refused.

use polku_cases::{CaseState, Cases};
use serde_json::json;

use crate::support::{applicant, application};

#[tokio::test]
async fn migrations_apply_once_and_reopening_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = Cases::open_data_dir(dir.path()).await.unwrap();
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    store.close().await;
    let reopened = Cases::open_data_dir(dir.path()).await.unwrap();
    assert_eq!(reopened.case(id).await.unwrap().state, CaseState::Received);
    assert!(matches!(
        Cases::connect("mysql://x").await,
        Err(polku_cases::StoreError::UnsupportedUrl(_))
    ));
}
