//! How an applicant is told, over the API: the choice read and kept (a wrong one a 422
//! naming its field, nothing kept), and the sending log of a case for its applicant and
//! its officials only.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use serde_json::json;

use crate::common::{api, assert_problem, example_submission, pipeline};

async fn an_applicant_chooses_how_to_be_told_over_the_api(db: &TestDb) {
    let api = api(db).await;
    let me = |body: Option<serde_json::Value>| {
        let method = if body.is_some() { "PUT" } else { "GET" };
        api.call(
            method,
            "/api/v1/me/contact",
            Some(&api.applicant),
            body.map(|b| b.to_string().into_bytes()),
            &[],
        )
    };
    let first = me(None).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(
        first.body,
        json!({"channel": "messages", "email": null, "language": "fi", "chosen": false})
    );
    for (body, field) in [
        (json!({"channel": "email", "language": "sv"}), "email"),
        (
            json!({"channel": "email", "email": "aino@localhost", "language": "sv"}),
            "email",
        ),
        (
            json!({"channel": "email", "email": "a@example.fi\r\nBcc: b@example.fi", "language": "sv"}),
            "email",
        ),
        (json!({"channel": "sms", "language": "sv"}), "channel"),
        (json!({"channel": "email", "language": "de"}), "language"),
        (
            json!({"channel": "service", "language": "fi", "fax": "09 123"}),
            "fax",
        ),
    ] {
        let r = me(Some(body.clone())).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert_eq!(me(None).await.body["chosen"], false, "nothing kept: {body}");
    }
    let kept = me(Some(
        json!({"channel": "email", "email": "aino@example.fi", "language": "sv"}),
    ))
    .await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    let expected =
        json!({"channel": "email", "email": "aino@example.fi", "language": "sv", "chosen": true});
    assert_eq!(kept.body, expected);
    assert_eq!(me(None).await.body, expected);
    let handler = api
        .call("GET", "/api/v1/me/contact", Some(&api.handler), None, &[])
        .await;
    assert_problem(&handler, StatusCode::FORBIDDEN, None);
}
polku_cases::on_every_database!(
    choosing,
    an_applicant_chooses_how_to_be_told_over_the_api,
    with_db
);

async fn a_cases_notifications_are_read_by_its_applicant_and_officials(db: &TestDb) {
    let api = api(db).await;
    let case = api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    assert!(
        api.store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    let notifier = polku_notify::Notifier::new(
        api.store.clone(),
        api.rules.clone().into(),
        "https://polku.example",
    );
    notifier.follow_events().await.unwrap();
    // No channel here: the messages service is not connected and no address was given.
    assert_eq!(notifier.deliver_due().await.unwrap().skipped, 1);
    let uri = format!("/api/v1/cases/{case}/notifications");
    for token in [&api.applicant, &api.handler] {
        let r = api.call("GET", &uri, Some(token), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let n = &r.body[0];
        assert_eq!(n["kind"], "decided");
        assert_eq!(n["state"], "skipped");
        assert_eq!(n["detail"], "no_channel");
        assert_eq!(n["language"], "fi");
    }
    let theirs = api
        .call("GET", &uri, Some(&api.other_applicant), None, &[])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let analyst = api.call("GET", &uri, Some(&api.analyst), None, &[]).await;
    assert_eq!(analyst.status, StatusCode::FORBIDDEN);
}
polku_cases::on_every_database!(
    notifications_read,
    a_cases_notifications_are_read_by_its_applicant_and_officials,
    with_db
);
