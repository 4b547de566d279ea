//! A retried submission with its Idempotency-Key gets the first answer.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;

use crate::common::*;

async fn a_retried_submission_with_its_key_gets_the_first_answer(db: &TestDb) {
    let api = api(db).await;
    let key = [("Idempotency-Key", "7f1c2a")];
    let first = api.submit(&api.applicant, example_submission(), &key).await;
    let again = api.submit(&api.applicant, example_submission(), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.body["case_id"], again.body["case_id"]);
    assert_eq!(api.store.case_count().await.unwrap(), 1);
}

polku_cases::on_every_database!(
    a_retried_submission_with_its_key_gets_the_first_answer,
    a_retried_submission_with_its_key_gets_the_first_answer,
    with_db
);
