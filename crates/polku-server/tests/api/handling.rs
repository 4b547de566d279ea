//! A case handler's work: the queue, claiming, deciding (once, with an Idempotency-Key),
//! and an applicant's request for rectification.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use serde_json::{Value, json};

use crate::common::*;

/// The API with two of the applicant's cases worked by the machine: one referred to a
/// person (pay below the threshold), one granted.
async fn worked(db: &TestDb) -> (Api, String, String) {
    let api = api(db).await;
    let referred = api.file(&api.applicant, referred_submission()).await;
    let granted = api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    (api, referred, granted)
}

/// The handler's decision on `case`, without an Idempotency-Key.
async fn decide(api: &Api, case: &str, body: Value) -> Reply {
    api.call(
        "POST",
        &format!("/api/v1/cases/{case}/decision"),
        Some(&api.handler),
        Some(body.to_string().into_bytes()),
        &[],
    )
    .await
}

/// The handler claims `referred`.
async fn claim(api: &Api, referred: &str) {
    let claimed = api
        .call(
            "POST",
            &format!("/api/v1/cases/{referred}/claim"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK);
}

async fn a_referral_carries_no_automated_notice(db: &TestDb) {
    let (api, referred, _) = worked(db).await;
    // A referral is the machine's finding for a person, not an automated decision: it
    // carries no 53 g § notice.
    let read = api
        .call(
            "GET",
            &format!("/api/v1/cases/{referred}?lang=en"),
            Some(&api.applicant),
            None,
            &[],
        )
        .await;
    assert_eq!(read.body["decisions"][0]["outcome"], "refer");
    assert!(
        read.body["decisions"][0]["automated_notice"].is_null(),
        "{:?}",
        read.body
    );
}
polku_cases::on_every_database!(
    referral_notice,
    a_referral_carries_no_automated_notice,
    with_db
);

async fn the_queue_is_the_handlers_in_stated_order_filtered_and_paged(db: &TestDb) {
    let (api, referred, _) = worked(db).await;
    assert_problem(
        &api.call("GET", "/api/v1/queue", Some(&api.applicant), None, &[])
            .await,
        StatusCode::FORBIDDEN,
        None,
    );
    let q = api
        .call(
            "GET",
            "/api/v1/queue?limit=1",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{:?}", q.body);
    assert_eq!(
        q.body["order"],
        "oldest application date first, then the order of arrival"
    );
    assert_eq!(q.body["items"][0]["case_id"], referred.as_str());
    // Filed today, a work-based permit: four months to decide.
    let deadline = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().months(4))
        .unwrap();
    assert_eq!(q.body["items"][0]["deadline"], deadline.to_string());
    let on_deadline = format!("deadline_on_or_before={deadline}");
    let day_before = format!("deadline_on_or_before={}", deadline.yesterday().unwrap());
    for (filter, found) in [
        (on_deadline.as_str(), 1),
        (day_before.as_str(), 0),
        ("matter=fi.residence-permit.employed.extension", 1),
        ("matter=fi.citizenship.application", 0),
    ] {
        let r = api
            .call(
                "GET",
                &format!("/api/v1/queue?{filter}"),
                Some(&api.handler),
                None,
                &[],
            )
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), found, "{filter}");
    }
    for (filter, field) in [
        ("limit=ten", "limit"),
        ("deadline_on_or_before=soon", "deadline_on_or_before"),
        ("matter=fi.no-such-matter", "matter"),
        // No case is ever filed under a monitoring rule set.
        ("matter=fi.monitoring.residence-permit.employed", "matter"),
    ] {
        let r = api
            .call(
                "GET",
                &format!("/api/v1/queue?{filter}"),
                Some(&api.handler),
                None,
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
    let cursor = q.body["next_cursor"].as_str().unwrap().to_owned();
    let q2 = api
        .call(
            "GET",
            &format!("/api/v1/queue?limit=1&cursor={cursor}"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(q2.body["items"].as_array().unwrap().len(), 0);
    assert_problem(
        &api.call(
            "GET",
            "/api/v1/queue?cursor=garbage",
            Some(&api.handler),
            None,
            &[],
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("cursor"),
    );
}
polku_cases::on_every_database!(
    queue,
    the_queue_is_the_handlers_in_stated_order_filtered_and_paged,
    with_db
);

async fn a_handler_decides_only_a_claimed_case_with_an_outcome_and_reasons(db: &TestDb) {
    let (api, referred, _) = worked(db).await;
    assert_problem(
        &decide(
            &api,
            &referred,
            json!({"outcome": "refuse", "reasons": "low pay"}),
        )
        .await,
        StatusCode::CONFLICT,
        None,
    );
    let claimed = api
        .call(
            "POST",
            &format!("/api/v1/cases/{referred}/claim"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK);
    assert_problem(
        &decide(&api, &referred, json!({"outcome": "deny", "reasons": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    );
    assert_problem(
        &decide(&api, &referred, json!({"outcome": "refuse", "reasons": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("reasons"),
    );
}
polku_cases::on_every_database!(
    claimed_decision,
    a_handler_decides_only_a_claimed_case_with_an_outcome_and_reasons,
    with_db
);

async fn a_retried_decision_with_its_key_gets_the_first_answer(db: &TestDb) {
    let (api, referred, granted) = worked(db).await;
    claim(&api, &referred).await;
    // With an Idempotency-Key, a retried decision gets the first answer, not a conflict.
    let refusal = json!({"outcome": "refuse", "reasons": "The pay is below the collective agreement (UlkL 73 §)."});
    let path = format!("/api/v1/cases/{referred}/decision");
    let key = [("Idempotency-Key", "decide-once")];
    let send = |body: Value| {
        let (api, path) = (&api, &path);
        async move {
            api.call(
                "POST",
                path,
                Some(&api.handler),
                Some(body.to_string().into_bytes()),
                &key,
            )
            .await
        }
    };
    let done = send(refusal.clone()).await;
    assert_eq!(done.status, StatusCode::CREATED, "{:?}", done.body);
    let retried = send(refusal.clone()).await;
    assert_eq!(
        (retried.status, &retried.body),
        (StatusCode::CREATED, &done.body)
    );
    assert_eq!(
        api.store
            .decisions(referred.parse().unwrap())
            .await
            .unwrap()
            .len(),
        2,
        "the machine's referral and one person's decision, not two"
    );
    // Without the key, the same request is a conflict: the case is decided.
    assert_problem(
        &decide(&api, &referred, refusal).await,
        StatusCode::CONFLICT,
        None,
    );
    // The key belongs to that request: on another it is refused.
    let other = api
        .call(
            "POST",
            &format!("/api/v1/cases/{granted}/decision"),
            Some(&api.handler),
            Some(
                json!({"outcome": "grant", "reasons": "ok"})
                    .to_string()
                    .into_bytes(),
            ),
            &key,
        )
        .await;
    assert_problem(
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("Idempotency-Key"),
    );
}
polku_cases::on_every_database!(
    idempotent_decision,
    a_retried_decision_with_its_key_gets_the_first_answer,
    with_db
);

async fn an_applicant_asks_to_rectify_only_their_own_decided_case(db: &TestDb) {
    let (api, referred, granted) = worked(db).await;
    // A person refuses the referred case: only the machine's decision is rectified here.
    claim(&api, &referred).await;
    let refused = decide(
        &api,
        &referred,
        json!({"outcome": "refuse", "reasons": "The pay is below the collective agreement (UlkL 73 §)."}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CREATED, "{:?}", refused.body);
    let ask = |token: String, case: String, body: Value| {
        let api = &api;
        async move {
            api.call(
                "POST",
                &format!("/api/v1/cases/{case}/rectification"),
                Some(&token),
                Some(body.to_string().into_bytes()),
                &[],
            )
            .await
        }
    };
    let reason = json!({"reason": "My new employer should be on the permit."});
    assert_problem(
        &ask(api.other_applicant.clone(), granted.clone(), reason.clone()).await,
        StatusCode::NOT_FOUND,
        None,
    );
    assert_problem(
        &ask(api.applicant.clone(), referred.clone(), reason.clone()).await,
        StatusCode::CONFLICT,
        None,
    );
    let r = ask(api.applicant.clone(), granted.clone(), reason).await;
    assert_eq!(
        (r.status, r.body["fee_eur"].as_i64()),
        (StatusCode::CREATED, Some(0)),
        "{:?}",
        r.body
    );
    let q = api
        .call("GET", "/api/v1/queue", Some(&api.handler), None, &[])
        .await;
    assert_eq!(q.body["items"][0]["case_id"], granted.as_str());
    assert_eq!(q.body["items"][0]["state"], "rectification_requested");
}
polku_cases::on_every_database!(
    rectification,
    an_applicant_asks_to_rectify_only_their_own_decided_case,
    with_db
);

async fn the_requests_to_the_applicant_are_read_with_their_answers(db: &TestDb) {
    let (api, referred, _) = worked(db).await;
    claim(&api, &referred).await;
    // The handler asks for evidence through the API's decision (request_evidence).
    let asked = decide(
        &api,
        &referred,
        json!({"outcome": "request_evidence", "reasons": "Send your latest pay slips."}),
    )
    .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
    let uri = format!("/api/v1/cases/{referred}/requests");
    let list = api.call("GET", &uri, Some(&api.applicant), None, &[]).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let r = &list.body[0];
    assert_eq!(r["kind"], "evidence");
    assert_eq!(r["what"], "Send your latest pay slips.");
    assert!(r["asked_by"].as_str().unwrap().starts_with("user:"));
    assert!(r["answered_at"].is_null());
    let due = polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(14))
        .unwrap();
    assert_eq!(r["due"], due.to_string());
    // The applicant answers (in the e-service); the API shows the answer and its file.
    let case = uuid::Uuid::parse_str(&referred).unwrap();
    let request = uuid::Uuid::parse_str(r["id"].as_str().unwrap()).unwrap();
    let applicant = api.store.case(case).await.unwrap().applicant_id;
    api.store
        .answer_request(
            case,
            request,
            &applicant,
            "Attached.",
            vec![polku_cases::Upload {
                file_name: "slips.pdf".into(),
                content: b"%PDF-1.4\n%%EOF\n".to_vec(),
            }],
        )
        .await
        .unwrap();
    let list = api.call("GET", &uri, Some(&api.handler), None, &[]).await;
    let r = &list.body[0];
    assert_eq!(r["answer"], "Attached.");
    assert_eq!(r["attachments"][0]["file_name"], "slips.pdf");
    assert_eq!(r["attachments"][0]["media_type"], "application/pdf");
    // Another applicant's token finds no such case; an analyst reads no cases.
    let theirs = api
        .call("GET", &uri, Some(&api.other_applicant), None, &[])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let analyst = api.call("GET", &uri, Some(&api.analyst), None, &[]).await;
    assert_eq!(analyst.status, StatusCode::FORBIDDEN);
}
polku_cases::on_every_database!(
    requests_read,
    the_requests_to_the_applicant_are_read_with_their_answers,
    with_db
);
