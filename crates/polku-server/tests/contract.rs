//! The API's description and the API agree: what `/api/v1/openapi.json` admits the server
//! answers, what it refuses the server refuses (with the status it lists), and what the
//! server sends the document describes. A client generated from the document, or a
//! conformance tool reading it (docs/api-conformance.md), meets no surprise.

mod common;

use axum::http::StatusCode;
use common::*;
use polku_core::testing::TestDb;
use serde_json::Value;

async fn document(api: &Api) -> Value {
    let r = api
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.body
}

/// A case id that is not even text once percent-decoded (`%FF`) names no case: a
/// problem+json 404 as the document lists, not axum's plain-text 400 it does not.
async fn a_case_id_that_is_not_text_is_a_404_problem(db: &TestDb) {
    let api = api(db).await;
    let doc = document(&api).await;
    for (method, suffix, token) in [
        ("GET", "", &api.applicant),
        ("POST", "/claim", &api.handler),
        ("POST", "/decision", &api.handler),
        ("POST", "/withdrawal", &api.applicant),
        ("POST", "/rectification", &api.applicant),
    ] {
        let path = format!("/api/v1/cases/{{id}}{suffix}");
        assert!(
            doc["paths"][&path][method.to_lowercase()]["responses"]["404"].is_object(),
            "{method} {path}"
        );
        let body = (method == "POST").then(|| br#"{"reason": "x"}"#.to_vec());
        for id in ["%FF", "%C3%28", "not-a-uuid"] {
            let uri = format!("/api/v1/cases/{id}{suffix}");
            let r = api.call(method, &uri, Some(token), body.clone(), &[]).await;
            assert_problem(&r, StatusCode::NOT_FOUND, None);
        }
    }
}

polku_core::on_every_database!(
    case_id_not_text,
    a_case_id_that_is_not_text_is_a_404_problem,
    with_db
);
