//! Filing, listing, reading and withdrawing: what an applicant does with their own cases.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use serde_json::json;

use crate::common::*;

async fn an_applicant_files_and_reads_the_decision_with_its_explanation(db: &TestDb) {
    let api = api(db).await;
    let filed = api.submit(&api.applicant, example_submission(), &[]).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{:?}", filed.body);
    let id = filed.body["case_id"].as_str().unwrap().to_owned();
    pipeline(&api).run_once().await.unwrap();
    let read = api
        .call(
            "GET",
            &format!("/api/v1/cases/{id}?lang=sv"),
            Some(&api.applicant),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["state"], "decided");
    let d = &read.body["decisions"][0];
    assert_eq!(
        (d["outcome"].as_str(), d["automated"].as_bool()),
        (Some("grant"), Some(true))
    );
    assert!(d["automated_notice"].as_str().unwrap().contains("53 g §"));
    assert_eq!(read.body["permit"]["kind"], "A");
    assert_eq!(read.body["permit"]["legal_basis"], "UlkL 55 §");
    assert!(read.body["permit"]["valid_until"].is_string());
    assert_eq!(d["explanation"]["language"], "sv");
    assert!(
        d["explanation"]["outcome_text"]
            .as_str()
            .unwrap()
            .starts_with("Alla förutsättningar uppfylls")
    );
    // The read is in the use log.
    let chain = api.audit().verify().await.unwrap();
    assert_eq!(
        (chain.rows, chain.first_break),
        (2, None),
        "decision + read"
    );
}

polku_cases::on_every_database!(
    an_applicant_files_and_reads_the_decision_with_its_explanation,
    an_applicant_files_and_reads_the_decision_with_its_explanation,
    with_db
);

async fn an_applicant_lists_their_own_cases_a_page_at_a_time(db: &TestDb) {
    let api = api(db).await;
    let mut filed = Vec::new();
    for _ in 0..3 {
        let r = api.submit(&api.applicant, example_submission(), &[]).await;
        filed.push(r.body["case_id"].as_str().unwrap().to_owned());
    }
    api.submit(&api.other_applicant, example_submission(), &[])
        .await;
    let page = api
        .call(
            "GET",
            "/api/v1/cases?limit=2",
            Some(&api.applicant),
            None,
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    let ids = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&page),
        [filed[2].clone(), filed[1].clone()],
        "newest first"
    );
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = api
        .call(
            "GET",
            &format!("/api/v1/cases?limit=2&cursor={cursor}"),
            Some(&api.applicant),
            None,
            &[],
        )
        .await;
    assert_eq!(ids(&rest), [filed[0].clone()]);
    assert!(rest.body["next_cursor"].is_null());
    let others = api
        .call(
            "GET",
            "/api/v1/cases",
            Some(&api.other_applicant),
            None,
            &[],
        )
        .await;
    assert_eq!(others.body["items"].as_array().unwrap().len(), 1);

    for (uri, field) in [
        ("/api/v1/cases?cursor=nonsense", "cursor"),
        ("/api/v1/cases?limit=0", "limit"),
    ] {
        let r = api.call("GET", uri, Some(&api.applicant), None, &[]).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
    let r = api
        .call("GET", "/api/v1/cases", Some(&api.handler), None, &[])
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    // Three list reads are in the use log, beside nothing else (no decisions yet).
    assert_eq!(api.audit().verify().await.unwrap().rows, 3);
}

polku_cases::on_every_database!(
    an_applicant_lists_their_own_cases_a_page_at_a_time,
    an_applicant_lists_their_own_cases_a_page_at_a_time,
    with_db
);

async fn an_applicant_withdraws_an_open_application_and_the_machine_leaves_it(db: &TestDb) {
    let api = api(db).await;
    let filed = api.submit(&api.applicant, example_submission(), &[]).await;
    let id = filed.body["case_id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/cases/{id}/withdrawal");
    let reason = Some(
        json!({"reason": "I got another permit"})
            .to_string()
            .into_bytes(),
    );

    let r = api
        .call(
            "POST",
            &uri,
            Some(&api.other_applicant),
            reason.clone(),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
    let r = api
        .call("POST", &uri, Some(&api.handler), reason.clone(), &[])
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    let r = api
        .call(
            "POST",
            &uri,
            Some(&api.applicant),
            Some(br#"{"reason": " "}"#.to_vec()),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));

    let r = api
        .call("POST", &uri, Some(&api.applicant), reason.clone(), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["state"], "withdrawn");
    let again = api
        .call("POST", &uri, Some(&api.applicant), reason, &[])
        .await;
    assert_problem(&again, StatusCode::CONFLICT, None);

    pipeline(&api).run_once().await.unwrap();
    let case = api.store.case(id.parse().unwrap()).await.unwrap();
    assert_eq!(case.state, polku_cases::CaseState::Withdrawn);
    assert!(api.store.decisions(case.id).await.unwrap().is_empty());
}

polku_cases::on_every_database!(
    an_applicant_withdraws_an_open_application_and_the_machine_leaves_it,
    an_applicant_withdraws_an_open_application_and_the_machine_leaves_it,
    with_db
);
