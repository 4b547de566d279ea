//! Monitoring alerts through the API: a handler lists them and reads one with its trace
//! (each read in the use log), confirms one (one re-examination case, however often) or
//! dismisses one with reasons; nobody else may.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use polku_cases::{Actor, LiveRules, today_in_finland};
use polku_monitoring::{EventBody, Monitor, RegisterEvent};
use serde_json::{Value, json};

use crate::common::*;

/// The API with the example granted to person-1 and two monthly pay reports below the
/// agreement's minimum: one open alert. Returns it.
async fn alerted(db: &TestDb) -> (Api, Value) {
    let api = api(db).await;
    api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    let monitor = Monitor::new(api.store.clone(), LiveRules::from(api.rules.clone()));
    assert!(
        api.store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert_eq!(monitor.follow_grants().await.unwrap(), 1);
    let today = today_in_finland();
    let pay = |id: &str, back: i64| RegisterEvent {
        id: id.into(),
        occurred_on: today,
        body: EventBody::PayReport {
            person: "person-1".into(),
            month: today
                .first_of_month()
                .checked_sub(jiff::Span::new().months(back))
                .unwrap(),
            gross_pay_eur: 1500.0,
            employer_id: "1234567-1".into(),
            occupational_field: None,
        },
    };
    let report = monitor
        .ingest(
            &[pay("ir-1", 2), pay("ir-2", 1)],
            &Actor::Operator("test".into()),
            "monitoring test",
        )
        .await
        .unwrap();
    assert_eq!(report.alerts_opened, 1);
    let list = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let alert = list.body["items"][0].clone();
    (api, alert)
}

async fn a_handler_reads_an_alert_with_its_trace_and_the_read_is_logged(db: &TestDb) {
    let (api, alert) = alerted(db).await;
    assert_eq!(alert["person"], "person-1");
    assert_eq!(alert["state"], "open");
    let id = alert["id"].as_str().unwrap();
    let read = api
        .call(
            "GET",
            &format!("/api/v1/monitoring/alerts/{id}"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let finding = &read.body["trace"]["fi"]["conditions"][0];
    assert_eq!(finding["id"], alert["condition"]);
    assert!(finding["legal_basis"].as_str().unwrap().contains("58 §"));
    let logged = db
        .rows("SELECT person, purpose FROM audit_log WHERE log = 'access' AND person = 'person-1'")
        .await;
    assert!(
        logged
            .iter()
            .any(|r| r[1] == "monitoring alert read for handling"),
        "{logged:?}"
    );
    // Nobody but handlers and legal officers: not the holder, not an analyst.
    for token in [&api.applicant, &api.analyst] {
        let r = api
            .call(
                "GET",
                &format!("/api/v1/monitoring/alerts/{id}"),
                Some(token),
                None,
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, None);
    }
    let unknown = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts/not-an-id",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, None);
    let bad_state = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts?state=maybe",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&bad_state, StatusCode::UNPROCESSABLE_ENTITY, Some("state"));
}
polku_cases::on_every_database!(
    read_alert,
    a_handler_reads_an_alert_with_its_trace_and_the_read_is_logged,
    with_db
);

async fn a_confirmation_opens_one_reexamination_and_a_confirmed_alert_cannot_be_dismissed(
    db: &TestDb,
) {
    let (api, alert) = alerted(db).await;
    let id = alert["id"].as_str().unwrap();
    let post = async |what: &str, body: Value| {
        api.call(
            "POST",
            &format!("/api/v1/monitoring/alerts/{id}/{what}"),
            Some(&api.handler),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    let empty = post("confirmation", json!({"reasons": "  "})).await;
    assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY, Some("reasons"));
    let first = post(
        "confirmation",
        json!({"reasons": "Pay below the minimum twice."}),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let again = post("confirmation", json!({"reasons": "Again."})).await;
    assert_eq!(
        again.body["case"], first.body["case"],
        "one case, however often"
    );
    let case = first.body["case"].as_str().unwrap();
    let queue = api
        .call("GET", "/api/v1/queue", Some(&api.handler), None, &[])
        .await;
    assert!(
        queue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["case_id"] == case && i["purpose"] == "reexamination"),
        "the re-examination waits in the queue: {:?}",
        queue.body
    );
    let dismissed = post("dismissal", json!({"reasons": "No."})).await;
    assert_problem(&dismissed, StatusCode::CONFLICT, None);
}
polku_cases::on_every_database!(
    confirm_alert,
    a_confirmation_opens_one_reexamination_and_a_confirmed_alert_cannot_be_dismissed,
    with_db
);

async fn a_dismissal_keeps_the_reasons(db: &TestDb) {
    let (api, alert) = alerted(db).await;
    let id = alert["id"].as_str().unwrap();
    let r = api
        .call(
            "POST",
            &format!("/api/v1/monitoring/alerts/{id}/dismissal"),
            Some(&api.handler),
            Some(
                json!({"reasons": "Sick leave; the pay was reported late."})
                    .to_string()
                    .into_bytes(),
            ),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let list = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts?state=dismissed",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    let item = &list.body["items"][0];
    assert_eq!(
        item["close_reason"],
        "Sick leave; the pay was reported late."
    );
    assert!(item["closed_by"].as_str().unwrap().starts_with("user:"));
}
polku_cases::on_every_database!(dismiss_alert, a_dismissal_keeps_the_reasons, with_db);

/// A token for a register's system that reports events.
async fn register_feed(api: &Api) -> String {
    let access = api.access();
    let user = access
        .add_user(
            "Tulorekisteri",
            polku_access::Role::RegisterFeed,
            Some("Verohallinto"),
            None,
        )
        .await
        .unwrap();
    access.create_token(user, "events").await.unwrap()
}

async fn a_registers_system_reports_events_and_the_permit_is_rechecked(db: &TestDb) {
    let api = api(db).await;
    api.file(&api.applicant, example_submission()).await;
    let p = pipeline(&api);
    while p.run_once().await.unwrap().is_some() {}
    assert!(
        api.store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
    let feed = register_feed(&api).await;
    let today = today_in_finland();
    let month = |back: i64| {
        today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(back))
            .unwrap()
            .to_string()
    };
    let pay = |id: &str, back: i64, eur: f64| {
        json!({"id": id, "occurred_on": today.to_string(), "kind": "pay_report", "person": "person-1",
               "month": month(back), "gross_pay_eur": eur, "employer_id": "1234567-1"})
    };
    let post = async |token: &str, events: Value| {
        api.call(
            "POST",
            "/api/v1/monitoring/events",
            Some(token),
            Some(json!({ "events": events }).to_string().into_bytes()),
            &[],
        )
        .await
    };
    // A value out of range refuses the whole call, naming the event and the field.
    let bad = post(&feed, json!([pay("ir-1", 2, 1500.0), pay("ir-2", 1, -5.0)])).await;
    assert_problem(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("events[1].gross_pay_eur"),
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM register_events").await, 0);
    // Only a register's system reports events.
    let handler = post(&api.handler, json!([pay("ir-1", 2, 1500.0)])).await;
    assert_problem(&handler, StatusCode::FORBIDDEN, None);

    let events = json!([pay("ir-1", 2, 1500.0), pay("ir-2", 1, 1500.0)]);
    let taken = post(&feed, events.clone()).await;
    assert_eq!(taken.status, StatusCode::OK, "{:?}", taken.body);
    assert_eq!(taken.body["new"], 2);
    assert_eq!(taken.body["alerts_opened"], 1);
    let again = post(&feed, events).await;
    assert_eq!(
        (
            again.body["new"].clone(),
            again.body["alerts_opened"].clone()
        ),
        (json!(0), json!(0))
    );
    let list = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}
polku_cases::on_every_database!(
    events_in,
    a_registers_system_reports_events_and_the_permit_is_rechecked,
    with_db
);

/// The labour-exploitation indicators are for labour inspectors only: an employer's
/// indicators, each stated with its threshold and basis; a bad business ID is a 422; a
/// case handler gets a 403.
async fn a_labour_inspector_reads_an_employers_indicators(db: &TestDb) {
    let (api, _) = alerted(db).await;
    let access = api.access();
    let user = access
        .add_user(
            "Tarkastaja",
            polku_access::Role::LabourInspector,
            Some("Aluehallintovirasto"),
            None,
        )
        .await
        .unwrap();
    let inspector = access.create_token(user, "indicators").await.unwrap();
    // This month's reading, kept: nothing found (one worker).
    let today = today_in_finland();
    Monitor::new(api.store.clone(), LiveRules::from(api.rules.clone()))
        .record_indicators(today, &polku_audit::Actor::Machine)
        .await
        .unwrap();
    let one = api
        .call(
            "GET",
            "/api/v1/monitoring/employers/1234567-1/indicators",
            Some(&inspector),
            None,
            &[],
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["employer"], "1234567-1");
    assert_eq!(one.body["workers"], 1);
    let indicators = one.body["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), 5);
    let below = indicators
        .iter()
        .find(|i| i["kind"] == "pay_below_minimum")
        .unwrap();
    assert_eq!(
        (below["count"].clone(), below["found"].clone()),
        (json!(1), json!(false)),
        "one worker is below a threshold of three"
    );
    assert!(below["legal_basis"].as_str().unwrap().contains("86"));
    assert_eq!(
        one.body["history"],
        json!([{
            "month": format!("{:04}-{:02}", today.year(), today.month()),
            "read_on": today.to_string(),
            "workers": null,
            "found": [],
        }]),
        "this month read, nothing found"
    );
    let list = api
        .call(
            "GET",
            "/api/v1/monitoring/employers",
            Some(&inspector),
            None,
            &[],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["items"], json!([]));
    let bad = api
        .call(
            "GET",
            "/api/v1/monitoring/employers/Nokia/indicators",
            Some(&inspector),
            None,
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for path in [
        "/api/v1/monitoring/employers",
        "/api/v1/monitoring/employers/1234567-1/indicators",
    ] {
        let refused = api.call("GET", path, Some(&api.handler), None, &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let inspectors_alerts = api
        .call(
            "GET",
            "/api/v1/monitoring/alerts",
            Some(&inspector),
            None,
            &[],
        )
        .await;
    assert_eq!(inspectors_alerts.status, StatusCode::FORBIDDEN);
}
polku_cases::on_every_database!(
    labour_indicators,
    a_labour_inspector_reads_an_employers_indicators,
    with_db
);
