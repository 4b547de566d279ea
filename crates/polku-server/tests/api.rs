//! The API as a client meets it: authentication, roles, bad input, idempotency, the use log.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use polku_core::testing::TestDb;
use polku_server::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

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
    let chain = api.store.verify_audit().await.unwrap();
    assert_eq!(
        (chain.rows, chain.first_break),
        (2, None),
        "decision + read"
    );
}

async fn nobody_gets_in_without_a_valid_token(db: &TestDb) {
    let api = api(db).await;
    for token in [None, Some("polku_not-a-token")] {
        let r = api.call("GET", "/api/v1/rule-sets", token, None, &[]).await;
        assert_problem(&r, StatusCode::UNAUTHORIZED, None);
    }
    let r = api
        .call("GET", "/api/v1/rule-sets", Some(&api.analyst), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["rule_sets"].as_array().unwrap().len(), 6);
}

async fn someone_elses_case_does_not_exist_for_an_applicant_and_roles_are_checked(db: &TestDb) {
    let api = api(db).await;
    let id = api.file(&api.applicant, example_submission()).await;
    let r = api
        .call(
            "GET",
            &format!("/api/v1/cases/{id}"),
            Some(&api.other_applicant),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
    let r = api
        .call(
            "GET",
            &format!("/api/v1/cases/{id}"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = api
        .call(
            "GET",
            &format!("/api/v1/cases/{id}"),
            Some(&api.analyst),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    let r = api.submit(&api.handler, example_submission(), &[]).await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    let r = api
        .call(
            "GET",
            "/api/v1/cases/not-a-uuid",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
    let r = api
        .call(
            "GET",
            &format!("/api/v1/cases/{id}?lang=de"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("lang"));
}

async fn bad_input_of_every_kind_is_a_4xx_problem_and_writes_nothing(db: &TestDb) {
    let api = api(db).await;
    let post = |body: Vec<u8>| {
        let api = &api;
        async move {
            api.call(
                "POST",
                "/api/v1/applications",
                Some(&api.applicant),
                Some(body),
                &[],
            )
            .await
        }
    };
    let r = post(b"{\"matter\": ".to_vec()).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, None);
    let mut s = example_submission();
    s["matter"] = json!("fi.no-such-matter");
    assert_problem(
        &post(s.to_string().into_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("matter"),
    );
    let mut s = example_submission();
    s["application"]["family"] = json!({"adults": "two"});
    assert_problem(
        &post(s.to_string().into_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("application.family.adults"),
    );
    let mut s = example_submission();
    s.as_object_mut().unwrap().remove("application");
    assert_problem(
        &post(s.to_string().into_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("application"),
    );
    let mut s = example_submission();
    s["application_date"] = json!("1.5.2025");
    assert_problem(
        &post(s.to_string().into_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("application_date"),
    );
    let mut s = example_submission();
    s["priority"] = json!("high");
    assert_problem(
        &post(s.to_string().into_bytes()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("priority"),
    );
    assert_problem(
        &post(b"[1, 2]".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    );
    let huge = format!(
        "{{\"matter\": \"{}\"}}",
        "x".repeat(polku_server::MAX_BODY_BYTES + 1)
    );
    assert_problem(
        &post(huge.into_bytes()).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        None,
    );
    assert_eq!(api.store.case_count().await.unwrap(), 0, "nothing written");
    let r = api
        .call("GET", "/nowhere", Some(&api.applicant), None, &[])
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
}

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

async fn health_and_readiness_answer_without_a_token(db: &TestDb) {
    let api = api(db).await;
    assert_eq!(
        api.call("GET", "/healthz", None, None, &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.call("GET", "/readyz", None, None, &[]).await.status,
        StatusCode::OK
    );
}

async fn a_handler_works_the_queue_and_an_applicant_asks_for_rectification(db: &TestDb) {
    let api = api(db).await;
    let low = referred_submission();
    let referred = api.file(&api.applicant, low).await;
    let granted = api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
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
    let deadline = polku_core::today_in_finland()
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

    let decide = |body: Value| {
        let api = &api;
        let path = format!("/api/v1/cases/{referred}/decision");
        async move {
            api.call(
                "POST",
                &path,
                Some(&api.handler),
                Some(body.to_string().into_bytes()),
                &[],
            )
            .await
        }
    };
    assert_problem(
        &decide(json!({"outcome": "refuse", "reasons": "low pay"})).await,
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
        &decide(json!({"outcome": "deny", "reasons": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
    );
    assert_problem(
        &decide(json!({"outcome": "refuse", "reasons": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("reasons"),
    );
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
    assert_problem(&decide(refusal).await, StatusCode::CONFLICT, None);
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
    assert_eq!(q.body["items"][0]["state"], "rectification_requested");
}

#[tokio::test]
async fn metrics_count_decisions_latency_and_queue_depth() {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    let handle = HANDLE
        .get_or_init(|| polku_server::install_metrics().unwrap())
        .clone();
    let db = TestDb::sqlite().await;
    let mut api = api(&db).await;
    let state = AppState {
        store: api.store.clone(),
        rules: api.rules.clone().into(),
        metrics: Some(handle),
    };
    api.app = router(state.clone());
    api.submit(&api.applicant, example_submission(), &[]).await;
    api.submit(&api.applicant, example_submission(), &[]).await;
    pipeline(&api).run_once().await.unwrap();
    // Not on the public port: only on the operators' address.
    let r = api.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    api.app = polku_server::operator_router(state);
    let r = api.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.body.as_str().unwrap();
    assert!(
        text.contains("polku_decisions_total{outcome=\"grant\",automated=\"true\"}"),
        "{text}"
    );
    assert!(text.contains("polku_pipeline_seconds_bucket"), "{text}");
    assert!(text.contains("polku_jobs{state=\"queued\"} 1"), "{text}");
}

#[tokio::test]
async fn the_api_describes_itself_in_openapi_3_1() {
    let db = TestDb::sqlite().await;
    let api = api(&db).await;
    let r = api
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/applications", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/withdrawal", "post"),
        ("/api/v1/cases/{id}/rectification", "post"),
        ("/api/v1/queue", "get"),
        ("/api/v1/cases/{id}/claim", "post"),
        ("/api/v1/cases/{id}/decision", "post"),
        ("/api/v1/rule-sets", "get"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is not described");
        assert_eq!(op["security"][0]["bearer"], json!([]), "{method} {path}");
        // Every operation documents its errors as problem details.
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.iter().any(|(code, r)| code.starts_with('4')
                && r["content"]["application/problem+json"].is_object()),
            "{method} {path} documents no problem"
        );
    }
    assert_eq!(
        r.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(r.body["components"]["schemas"]["Problem"].is_object());
    let matters = &r.body["components"]["schemas"]["Submission"]["properties"]["matter"]["enum"];
    assert_eq!(matters.as_array().unwrap().len(), 6, "{matters}");
    // What an applicant may send, with the bounds the server enforces.
    let schemas = &r.body["components"]["schemas"];
    assert_eq!(
        schemas["Submission"]["properties"]["application"]["$ref"],
        "#/components/schemas/Application"
    );
    let employment = &schemas["Application"]["properties"]["application"]["properties"]["employment"]
        ["properties"];
    assert_eq!(employment["employer_id"]["pattern"], "^[0-9]{7}-[0-9]$");
    assert_eq!(
        employment["occupational_field"]["pattern"],
        "^ISCO-[0-9]{1,4}$"
    );
    assert!(schemas["Application"]["properties"]["evidence"].is_null());
    assert!(r.body["paths"]["/api/v1/registrations"]["post"].is_object());
}

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
    assert_eq!(api.store.verify_audit().await.unwrap().rows, 3);
}

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
    assert_eq!(case.state, polku_core::CaseState::Withdrawn);
    assert!(api.store.decisions(case.id).await.unwrap().is_empty());
}
/// A control character in a reason — NUL, which PostgreSQL refuses, an escape, a
/// backspace — is a 422 naming the field, and nothing is written; line breaks are text.
async fn a_control_character_in_a_reason_is_refused_naming_the_field(db: &TestDb) {
    let api = api(db).await;
    let low = referred_submission();
    let referred = api.file(&api.applicant, low).await;
    let granted = api.file(&api.applicant, example_submission()).await;
    let open = api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    // The third stays open (received) for the withdrawal.
    p.run_once().await.unwrap();
    p.run_once().await.unwrap();
    let claim = api
        .call(
            "POST",
            &format!("/api/v1/cases/{referred}/claim"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(claim.status, StatusCode::OK, "{:?}", claim.body);

    let bad = [
        "Pay too low\u{0}",
        "\u{1b}[2J",
        "a\u{8}b",
        "\u{7f}",
        "\u{9b}",
    ];
    for text in bad {
        let r = api
            .call(
                "POST",
                &format!("/api/v1/cases/{referred}/decision"),
                Some(&api.handler),
                Some(
                    json!({"outcome": "refuse", "reasons": text})
                        .to_string()
                        .into_bytes(),
                ),
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reasons"));
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("control character")
        );
        for (case, request) in [(&granted, "rectification"), (&open, "withdrawal")] {
            let r = api
                .call(
                    "POST",
                    &format!("/api/v1/cases/{case}/{request}"),
                    Some(&api.applicant),
                    Some(json!({"reason": text}).to_string().into_bytes()),
                    &[],
                )
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("reason"));
        }
    }
    let state = async |id: &str| api.store.case(id.parse().unwrap()).await.unwrap().state;
    assert_eq!(state(&referred).await, polku_core::CaseState::Referred);
    assert_eq!(state(&granted).await, polku_core::CaseState::Decided);
    assert_eq!(state(&open).await, polku_core::CaseState::Received);
    assert_eq!(
        api.store
            .decisions(referred.parse().unwrap())
            .await
            .unwrap()
            .len(),
        1,
        "only the machine's finding"
    );
    let r = api
        .call(
            "POST",
            &format!("/api/v1/cases/{referred}/decision"),
            Some(&api.handler),
            Some(
                json!({"outcome": "refuse", "reasons": "Pay too low:\r\n\t1,000 € a month"})
                    .to_string()
                    .into_bytes(),
            ),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}
/// A body that is not sent as JSON is refused with 415 before anything is read or
/// written: `text/plain` and forms cross sites from any web page without asking.
async fn only_json_bodies_are_read(db: &TestDb) {
    let api = api(db).await;
    let send = async |uri: &str, token: &str, content_type: Option<&str>, body: &Value| {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let req = req.body(Body::from(body.to_string())).unwrap();
        let res = api.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            content_type,
            body: serde_json::from_slice(&bytes).unwrap_or_default(),
        }
    };
    let submission = example_submission();
    for content_type in [
        Some("text/plain"),
        Some("text/plain; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonp"),
        Some("application/+json"),
        None,
    ] {
        let r = send(
            "/api/v1/applications",
            &api.applicant,
            content_type,
            &submission,
        )
        .await;
        assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{content_type:?}: {:?}",
            r.body
        );
    }
    assert_eq!(api.store.case_count().await.unwrap(), 0, "nothing written");
    for content_type in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/vnd.polku.submission+json",
    ] {
        let r = send(
            "/api/v1/applications",
            &api.applicant,
            Some(content_type),
            &submission,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{content_type}: {:?}",
            r.body
        );
    }
    let id = api.file(&api.applicant, example_submission()).await;
    // The other body routes: a handler's decision, a withdrawal, a rectification.
    let reason = json!({"reason": "I got another permit"});
    for (uri, token, body) in [
        (
            format!("/api/v1/cases/{id}/decision"),
            &api.handler,
            json!({"outcome": "grant", "reasons": "ok"}),
        ),
        (
            format!("/api/v1/cases/{id}/withdrawal"),
            &api.applicant,
            reason.clone(),
        ),
        (
            format!("/api/v1/cases/{id}/rectification"),
            &api.applicant,
            reason,
        ),
    ] {
        for content_type in [Some("text/plain"), None] {
            let r = send(&uri, token, content_type, &body).await;
            assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
        }
    }
    assert_eq!(
        api.store.case(id.parse().unwrap()).await.unwrap().state,
        polku_core::CaseState::Received,
        "not withdrawn"
    );
    // A POST without a body needs no type.
    let low = referred_submission();
    let referred = api.file(&api.applicant, low).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/cases/{referred}/claim"))
        .header("authorization", format!("Bearer {}", api.handler))
        .body(Body::empty())
        .unwrap();
    let res = api.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
polku_core::on_every_database!(
    only_json_bodies_are_read,
    only_json_bodies_are_read,
    with_db
);
polku_core::on_every_database!(
    a_control_character_in_a_reason_is_refused_naming_the_field,
    a_control_character_in_a_reason_is_refused_naming_the_field,
    with_db
);
polku_core::on_every_database!(
    an_applicant_files_and_reads_the_decision_with_its_explanation,
    an_applicant_files_and_reads_the_decision_with_its_explanation,
    with_db
);
polku_core::on_every_database!(
    nobody_gets_in_without_a_valid_token,
    nobody_gets_in_without_a_valid_token,
    with_db
);
polku_core::on_every_database!(
    someone_elses_case_does_not_exist_for_an_applicant_and_roles_are_checked,
    someone_elses_case_does_not_exist_for_an_applicant_and_roles_are_checked,
    with_db
);
polku_core::on_every_database!(
    bad_input_of_every_kind_is_a_4xx_problem_and_writes_nothing,
    bad_input_of_every_kind_is_a_4xx_problem_and_writes_nothing,
    with_db
);
polku_core::on_every_database!(
    a_retried_submission_with_its_key_gets_the_first_answer,
    a_retried_submission_with_its_key_gets_the_first_answer,
    with_db
);
polku_core::on_every_database!(
    health_and_readiness_answer_without_a_token,
    health_and_readiness_answer_without_a_token,
    with_db
);
polku_core::on_every_database!(
    a_handler_works_the_queue_and_an_applicant_asks_for_rectification,
    a_handler_works_the_queue_and_an_applicant_asks_for_rectification,
    with_db
);
polku_core::on_every_database!(
    an_applicant_lists_their_own_cases_a_page_at_a_time,
    an_applicant_lists_their_own_cases_a_page_at_a_time,
    with_db
);
polku_core::on_every_database!(
    an_applicant_withdraws_an_open_application_and_the_machine_leaves_it,
    an_applicant_withdraws_an_open_application_and_the_machine_leaves_it,
    with_db
);

/// Another organisation's identity comes from its credentials: a token issued to an X-Road
/// member and subsystem names the caller in the use log; a header that claims another is
/// refused, and a person's token carries no X-Road identity at all.
async fn an_organisations_identity_is_its_credentials_not_its_headers(db: &TestDb) {
    let api = api(db).await;
    let id = api.file(&api.applicant, example_submission()).await;
    let system = api
        .store
        .add_user(
            "Police case system",
            polku_core::Role::CaseHandler,
            Some("Poliisi"),
            None,
        )
        .await
        .unwrap();
    let police = api
        .store
        .create_token_with(
            system,
            "vitja",
            &polku_core::TokenOptions {
                days: Some(30),
                x_road_client: Some("FI/GOV/0245437-2/vitja".into()),
            },
        )
        .await
        .unwrap();
    let uri = format!("/api/v1/cases/{id}");
    let read = |token: String, headers: Vec<(&'static str, &'static str)>| {
        let (api, uri) = (&api, &uri);
        async move { api.call("GET", uri, Some(&token), None, &headers).await }
    };
    // The bound identity, with or without the header, is what the use log records.
    for headers in [
        vec![
            ("X-Road-Client", "FI/GOV/0245437-2/vitja"),
            ("X-Road-Issue", "#42"),
        ],
        vec![("X-Road-Issue", "#43")],
    ] {
        let r = read(police.clone(), headers).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let rows = api
        .store
        .search_audit(&polku_core::AuditQuery {
            log: Some(polku_core::AuditLog::Access),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.x_road_client.as_deref() == Some("FI/GOV/0245437-2/vitja"))
    );
    // Claiming to be another member is refused, and so is any X-Road header on a person's
    // token: nothing read, nothing logged.
    let r = read(
        police.clone(),
        vec![("X-Road-Client", "FI/GOV/0245437-2/supo")],
    )
    .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    for header in ["X-Road-Client", "X-Road-UserId", "X-Road-Issue"] {
        let r = read(
            api.applicant.clone(),
            vec![(header, "FI/GOV/0245437-2/suomifi")],
        )
        .await;
        assert_problem(&r, StatusCode::FORBIDDEN, None);
    }
    assert_eq!(
        api.store
            .audit_count(polku_core::AuditLog::Access)
            .await
            .unwrap(),
        2
    );
    // An applicant's account cannot be given an X-Road identity.
    let applicant = api
        .store
        .add_user(
            "Aino",
            polku_core::Role::Applicant,
            None,
            Some("sim-0000001"),
        )
        .await
        .unwrap();
    assert!(matches!(
        api.store
            .create_token_with(
                applicant,
                "x",
                &polku_core::TokenOptions {
                    days: None,
                    x_road_client: Some("FI/GOV/0245437-2/suomifi".into()),
                },
            )
            .await,
        Err(polku_core::AccessError::ApplicantXRoad)
    ));
}
polku_core::on_every_database!(
    x_road_identity,
    an_organisations_identity_is_its_credentials_not_its_headers,
    with_db
);

/// A token expires, and a revoked one opens nothing.
async fn tokens_expire_and_can_be_revoked(db: &TestDb) {
    let api = api(db).await;
    let user = api
        .store
        .add_user(
            "Hanna",
            polku_core::Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let token = api.store.create_token(user, "laptop").await.unwrap();
    let ok = api
        .call("GET", "/api/v1/queue", Some(&token), None, &[])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let listed = api.store.tokens_of(user).await.unwrap();
    assert_eq!(listed.len(), 1);
    let days = (listed[0].expires_at.unwrap() - listed[0].created_at) / 86_400_000_000;
    assert_eq!(days, polku_core::TOKEN_DAYS);
    assert_eq!(
        api.store
            .revoke_tokens(user, Some(&listed[0].fingerprint[..6]))
            .await
            .unwrap(),
        1
    );
    let r = api
        .call("GET", "/api/v1/queue", Some(&token), None, &[])
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None);
    // One whose day has passed is refused too.
    let old = api.store.create_token(user, "old").await.unwrap();
    db.raw("UPDATE api_tokens SET expires_at = 1 WHERE label = 'old'")
        .await;
    let r = api
        .call("GET", "/api/v1/queue", Some(&old), None, &[])
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None);
}
polku_core::on_every_database!(token_lifetime, tokens_expire_and_can_be_revoked, with_db);
