//! Bad input of every kind is a 4xx problem that names the field and writes nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use polku_cases::testing::TestDb;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

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
    // A monitoring rule set is published and loaded, but no one files it: refused like an
    // unknown matter.
    let monitoring = "fi.monitoring.residence-permit.employed";
    assert!(
        api.rules
            .get(monitoring)
            .is_some_and(|rs| rs.is_monitoring())
    );
    let mut s = example_submission();
    s["matter"] = json!(monitoring);
    let r = post(s.to_string().into_bytes()).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("matter"));
    assert!(
        r.body.to_string().contains("is not a matter Polku decides"),
        "{:?}",
        r.body
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

polku_cases::on_every_database!(
    bad_input_of_every_kind_is_a_4xx_problem_and_writes_nothing,
    bad_input_of_every_kind_is_a_4xx_problem_and_writes_nothing,
    with_db
);

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
    assert_eq!(state(&referred).await, polku_cases::CaseState::Referred);
    assert_eq!(state(&granted).await, polku_cases::CaseState::Decided);
    assert_eq!(state(&open).await, polku_cases::CaseState::Received);
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

polku_cases::on_every_database!(
    a_control_character_in_a_reason_is_refused_naming_the_field,
    a_control_character_in_a_reason_is_refused_naming_the_field,
    with_db
);

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
        polku_cases::CaseState::Received,
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

polku_cases::on_every_database!(
    only_json_bodies_are_read,
    only_json_bodies_are_read,
    with_db
);
