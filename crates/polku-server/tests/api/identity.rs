//! The identity register over the API: another authority's system sends identity records
//! under its own organisation's name (never a source it writes), each checked before any
//! is stored, a record sent again taken as sent; a handler reads a person's identity (the
//! read in the use log); no one else may do either.

use axum::http::StatusCode;
use polku_cases::testing::TestDb;
use polku_persons::Persons;
use polku_server::{AppState, router};
use serde_json::{Value, json};

use crate::common::*;

fn persons(api: &Api) -> Persons {
    Persons::shipped(api.store.clone()).unwrap()
}

async fn with_register(db: &TestDb) -> (Api, Persons) {
    let mut api = api(db).await;
    let p = persons(&api);
    let mut state = AppState::new(api.store.clone(), api.rules.clone().into(), None);
    state.persons = Some(p.clone());
    api.app = router(state);
    (api, p)
}

async fn police_feed(api: &Api) -> String {
    let access = api.access();
    let user = access
        .add_user(
            "Poliisin järjestelmä",
            polku_access::Role::RegisterFeed,
            Some("Poliisi"),
            None,
        )
        .await
        .unwrap();
    access.create_token(user, "identity").await.unwrap()
}

fn record(id: &str, dob: &str) -> Value {
    json!({"record_id": id, "given_names": "Ahmad Shah", "family_name": "Karimi",
           "date_of_birth": dob, "sex": "M", "nationality": "AFG",
           "document_type": "P", "document_number": "P1234567"})
}

async fn another_authority_sends_records_and_a_handler_reads_the_person(db: &TestDb) {
    let (api, persons) = with_register(db).await;
    let feed = police_feed(&api).await;
    let post = async |token: &str, body: Value| {
        api.call(
            "POST",
            "/api/v1/identity/records",
            Some(token),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    // One record that does not fit refuses the call, naming it and its field.
    let bad = post(
        &feed,
        json!({"records": [record("r1", "1990-03-14"), record("r2", "1990-13-14")]}),
    )
    .await;
    assert_problem(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("records[1].date_of_birth"),
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM identity_records").await, 0);
    // The source is the credential's, not the body's.
    let forged = post(
        &feed,
        json!({"records": [{"record_id": "r1", "source": "asylum-registration", "given_names": "Ahmad"}]}),
    )
    .await;
    assert_problem(&forged, StatusCode::UNPROCESSABLE_ENTITY, None);
    // Only a register's system sends records.
    let handler = post(
        &api.handler,
        json!({"records": [record("r1", "1990-03-14")]}),
    )
    .await;
    assert_problem(&handler, StatusCode::FORBIDDEN, None);
    let none = post(&feed, json!({"records": []})).await;
    assert_problem(&none, StatusCode::UNPROCESSABLE_ENTITY, Some("records"));

    let batch = json!({"records": [record("r1", "1990-03-14"), record("r2", "1990-03-14")]});
    let taken = post(&feed, batch.clone()).await;
    assert_eq!(taken.status, StatusCode::OK, "{:?}", taken.body);
    assert_eq!(
        taken.body,
        json!({"source": "poliisi", "received": 2, "new": 2, "already": 0})
    );
    let again = post(&feed, batch).await;
    assert_eq!(
        (again.body["new"].clone(), again.body["already"].clone()),
        (json!(0), json!(2))
    );
    let changed = post(&feed, json!({"records": [record("r1", "1991-01-01")]})).await;
    assert_problem(&changed, StatusCode::CONFLICT, None);

    // The two records are one person; a handler reads them.
    let person = persons.person_of_subject("nobody").await.unwrap();
    assert!(person.is_none());
    let (rows,): (i64,) = sqlx::query_as("SELECT MIN(person_id) FROM identity_records")
        .fetch_one(api.store.db().pool())
        .await
        .unwrap();
    let id = format!("PID-{rows:07}");
    let read = api
        .call(
            "GET",
            &format!("/api/v1/identity/persons/{id}"),
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["person"], id);
    let records = read.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["record_id"], "poliisi.r1");
    assert_eq!(records[0]["source"], "poliisi");
    assert_eq!(read.body["links"][0]["colour"], "white");
    let logged = api
        .audit()
        .search(&polku_audit::AuditQuery {
            log: Some(polku_audit::AuditLog::Access),
            person: Some(id.clone()),
            actor: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(
        logged
            .iter()
            .any(|r| r.purpose == "a person's identity read")
    );
    let analyst = api
        .call(
            "GET",
            &format!("/api/v1/identity/persons/{id}"),
            Some(&api.analyst),
            None,
            &[],
        )
        .await;
    assert_problem(&analyst, StatusCode::FORBIDDEN, None);
    let missing = api
        .call(
            "GET",
            "/api/v1/identity/persons/PID-9999999",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&missing, StatusCode::NOT_FOUND, None);
    let nonsense = api
        .call(
            "GET",
            "/api/v1/identity/persons/nobody",
            Some(&api.handler),
            None,
            &[],
        )
        .await;
    assert_problem(&nonsense, StatusCode::NOT_FOUND, None);
}
polku_cases::on_every_database!(
    identity_records,
    another_authority_sends_records_and_a_handler_reads_the_person,
    with_db
);

async fn without_the_register_the_routes_say_so(db: &TestDb) {
    let api = api(db).await;
    let feed = police_feed(&api).await;
    let r = api
        .call(
            "POST",
            "/api/v1/identity/records",
            Some(&feed),
            Some(
                json!({"records": [record("r1", "1990-03-14")]})
                    .to_string()
                    .into_bytes(),
            ),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::SERVICE_UNAVAILABLE, None);
}
polku_cases::on_every_database!(no_register, without_the_register_the_routes_say_so, with_db);

async fn a_handler_works_the_identity_queue_over_the_api(db: &TestDb) {
    let (api, _) = with_register(db).await;
    let feed = police_feed(&api).await;
    let mut doubtful = record("r2", "1990-03-15");
    doubtful["given_names"] = json!("Ahmad");
    doubtful["document_type"] = json!("");
    doubtful["document_number"] = json!("");
    let batch = json!({"records": [record("r1", "1990-03-14"), doubtful]});
    let taken = api
        .call(
            "POST",
            "/api/v1/identity/records",
            Some(&feed),
            Some(batch.to_string().into_bytes()),
            &[],
        )
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{:?}", taken.body);
    let get = async |token: &str, path: &str| api.call("GET", path, Some(token), None, &[]).await;

    // The queue: the doubtful pair, with both records and the evidence.
    let queue = get(&api.handler, "/api/v1/identity/links").await;
    assert_eq!(queue.status, StatusCode::OK, "{:?}", queue.body);
    assert_eq!(queue.body["total"], 1, "{:?}", queue.body);
    let link = &queue.body["links"][0];
    assert_eq!(link["colour"], "yellow");
    assert_eq!(link["left"]["record_id"], "poliisi.r1");
    assert_eq!(link["right"]["record_id"], "poliisi.r2");
    let date = link["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "date_of_birth")
        .unwrap();
    assert_eq!(date["level"], "one_digit_differs", "{date}");
    let (l, r) = (link["left"]["seq"].clone(), link["right"]["seq"].clone());
    let path = format!("/api/v1/identity/links/{l}/{r}");
    assert_eq!(get(&api.handler, &path).await.body["colour"], "yellow");
    assert_problem(
        &get(&api.analyst, "/api/v1/identity/links").await,
        StatusCode::FORBIDDEN,
        None,
    );
    assert_problem(
        &get(&api.handler, "/api/v1/identity/links?limit=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("limit"),
    );
    for missing in [
        "/api/v1/identity/links/999999/1",
        "/api/v1/identity/links/x/y",
    ] {
        assert_problem(
            &get(&api.handler, missing).await,
            StatusCode::NOT_FOUND,
            None,
        );
    }

    // A verdict: named and with reasons, or refused with the field named.
    let post = async |body: Value| {
        api.call(
            "POST",
            &format!("{path}/verdict"),
            Some(&api.handler),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    assert_problem(
        &post(json!({"verdict": "yellow", "reasons": "unsure"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("verdict"),
    );
    assert_problem(
        &post(json!({"verdict": "green", "reasons": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("reasons"),
    );
    assert_problem(
        &post(json!({"verdict": "green", "reasons": "x\u{7}"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("reasons"),
    );
    let judged = post(
        json!({"verdict": "green", "reasons": "different fathers' names in the registration"}),
    )
    .await;
    assert_eq!(judged.status, StatusCode::OK, "{:?}", judged.body);
    assert_eq!(judged.body["colour"], "green");
    // A verdict stands: never asked again, never judged twice.
    let again = post(json!({"verdict": "white", "reasons": "changed my mind"})).await;
    assert_problem(&again, StatusCode::CONFLICT, None);
    let queue = get(&api.handler, "/api/v1/identity/links").await;
    assert_eq!(queue.body["total"], 0, "{:?}", queue.body);
    let read = get(&api.handler, &path).await;
    assert_eq!(read.body["colour"], "green");
    assert_eq!(read.body["judged"], true);
    assert_eq!(
        read.body["reason"],
        "different fathers' names in the registration"
    );
}
polku_cases::on_every_database!(
    identity_queue,
    a_handler_works_the_identity_queue_over_the_api,
    with_db
);
