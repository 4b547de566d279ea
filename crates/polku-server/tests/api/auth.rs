//! Who gets in: tokens, their lifetime and revocation, roles, another person's case, and
//! an organisation's identity from its credentials.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;

use crate::common::*;

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
    // The matters one files: the monitoring rule sets are published on the web pages.
    assert_eq!(r.body["rule_sets"].as_array().unwrap().len(), 6);
    assert!(!r.body.to_string().contains("fi.monitoring."));
}

polku_cases::on_every_database!(
    nobody_gets_in_without_a_valid_token,
    nobody_gets_in_without_a_valid_token,
    with_db
);

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

polku_cases::on_every_database!(
    someone_elses_case_does_not_exist_for_an_applicant_and_roles_are_checked,
    someone_elses_case_does_not_exist_for_an_applicant_and_roles_are_checked,
    with_db
);

/// Another organisation's identity comes from its credentials: a token issued to an X-Road
/// member and subsystem names the caller in the use log; a header that claims another is
/// refused, and a person's token carries no X-Road identity at all.
async fn an_organisations_identity_is_its_credentials_not_its_headers(db: &TestDb) {
    let api = api(db).await;
    let id = api.file(&api.applicant, example_submission()).await;
    let system = api
        .access()
        .add_user(
            "Police case system",
            polku_access::Role::CaseHandler,
            Some("Poliisi"),
            None,
        )
        .await
        .unwrap();
    let police = api
        .access()
        .create_token_with(
            system,
            "vitja",
            &polku_access::TokenOptions {
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
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Access),
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
        api.audit()
            .count(polku_audit::AuditLog::Access)
            .await
            .unwrap(),
        2
    );
    // An applicant's account cannot be given an X-Road identity.
    let applicant = api
        .access()
        .add_user(
            "Aino",
            polku_access::Role::Applicant,
            None,
            Some("sim-0000001"),
        )
        .await
        .unwrap();
    assert!(matches!(
        api.access()
            .create_token_with(
                applicant,
                "x",
                &polku_access::TokenOptions {
                    days: None,
                    x_road_client: Some("FI/GOV/0245437-2/suomifi".into()),
                },
            )
            .await,
        Err(polku_access::AccessError::ApplicantXRoad)
    ));
}

polku_cases::on_every_database!(
    x_road_identity,
    an_organisations_identity_is_its_credentials_not_its_headers,
    with_db
);

/// A token expires, and a revoked one opens nothing.
async fn tokens_expire_and_can_be_revoked(db: &TestDb) {
    let api = api(db).await;
    let user = api
        .access()
        .add_user(
            "Hanna",
            polku_access::Role::CaseHandler,
            Some("Maahanmuuttovirasto"),
            None,
        )
        .await
        .unwrap();
    let token = api.access().create_token(user, "laptop").await.unwrap();
    let ok = api
        .call("GET", "/api/v1/queue", Some(&token), None, &[])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let listed = api.access().tokens_of(user).await.unwrap();
    assert_eq!(listed.len(), 1);
    let days = (listed[0].expires_at.unwrap() - listed[0].created_at) / 86_400_000_000;
    assert_eq!(days, polku_access::TOKEN_DAYS);
    assert_eq!(
        api.access()
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
    let old = api.access().create_token(user, "old").await.unwrap();
    db.raw("UPDATE api_tokens SET expires_at = 1 WHERE label = 'old'")
        .await;
    let r = api
        .call("GET", "/api/v1/queue", Some(&old), None, &[])
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None);
}

polku_cases::on_every_database!(token_lifetime, tokens_expire_and_can_be_revoked, with_db);
