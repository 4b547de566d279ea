//! Flags and contact points over the API: a security authority's liaison keeps its
//! contact point and raises a flag on a person (its authority the credential's, never a
//! field); a handler sees hit / no hit and nothing of what lies behind; nobody else may do
//! either; bad input is named.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_persons::{Acting, NewRecord, Persons};
use polku_server::{AppState, router};
use serde_json::{Value, json};

use crate::common::*;

async fn with_register(db: &TestDb) -> (Api, Persons) {
    let mut api = api(db).await;
    let p = Persons::shipped(api.store.clone()).unwrap();
    let mut state = AppState::new(api.store.clone(), api.rules.clone().into(), None);
    state.persons = Some(p.clone());
    api.app = router(state);
    (api, p)
}

async fn token(api: &Api, role: Role, organisation: &str) -> String {
    let access = api.access();
    let user = access
        .add_user("Yhteyshenkilö", role, Some(organisation), None)
        .await
        .unwrap();
    access.create_token(user, "exchange").await.unwrap()
}

fn in_days(n: i64) -> String {
    polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
        .to_string()
}

async fn a_liaison_raises_a_flag_and_a_handler_sees_only_that_it_exists(db: &TestDb) {
    let (api, persons) = with_register(db).await;
    let record = polku_identity::RawRecord {
        record_id: "as-1".into(),
        source: "asylum-registration".into(),
        given_names: "Ahmad Shah".into(),
        family_name: "Karimi".into(),
        date_of_birth: "1990-03-14".into(),
        nationality: "AFG".into(),
        ..Default::default()
    }
    .checked()
    .unwrap();
    let machine = Acting {
        actor: polku_audit::Actor::Machine,
        purpose: "test".into(),
    };
    let person = persons
        .register(
            &NewRecord {
                record,
                subject: None,
            },
            &machine,
        )
        .await
        .unwrap()
        .person
        .to_string();
    let supo = token(&api, Role::SecurityLiaison, "Suojelupoliisi").await;
    let police = token(&api, Role::SecurityLiaison, "Poliisi").await;
    let post = async |token: &str, path: &str, body: Value| {
        api.call(
            "POST",
            path,
            Some(token),
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    };
    let get = async |token: &str, path: &str| api.call("GET", path, Some(token), None, &[]).await;

    let point = json!({"id": "supo-permits", "name_fi": "Lupa-asiat", "name_sv": "Tillstånd",
        "name_en": "Permits", "email": "permits@supo.example.invalid",
        "languages": ["fi", "sv"], "hours": "Mon–Fri 8–16"});
    let kept = post(&supo, "/api/v1/contact-points", point.clone()).await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);
    assert_eq!(kept.body["organisation"], "supo");
    // The police cannot take Supo's contact point, nor name it in a flag.
    let taken = post(&police, "/api/v1/contact-points", point.clone()).await;
    assert_problem(&taken, StatusCode::CONFLICT, None);
    let listed = get(&api.handler, "/api/v1/contact-points").await;
    assert_eq!(listed.body[0]["email"], "permits@supo.example.invalid");
    assert_problem(
        &get(&api.applicant, "/api/v1/contact-points").await,
        StatusCode::FORBIDDEN,
        None,
    );

    let flag = json!({"person": person, "kind": "national_security", "contact_point": "supo-permits",
        "legal_basis": "UlkL 36 § 1 mom.", "expires_on": in_days(90)});
    for (field, bad) in [
        ("kind", json!({"kind": "terror"})),
        ("expires_on", json!({"expires_on": "2020-01-01"})),
        ("expires_on", json!({"expires_on": "tomorrow"})),
        ("person", json!({"person": "PID-9999999"})),
        ("legal_basis", json!({"legal_basis": " "})),
    ] {
        let mut body = flag.clone();
        polku_rules::merge_patch(&mut body, &bad);
        assert_problem(
            &post(&supo, "/api/v1/flags", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(field),
        );
    }
    assert_problem(
        &post(&police, "/api/v1/flags", flag.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("contact_point"),
    );
    assert_problem(
        &post(&api.handler, "/api/v1/flags", flag.clone()).await,
        StatusCode::FORBIDDEN,
        None,
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM flags").await, 0);
    let raised = post(&supo, "/api/v1/flags", flag.clone()).await;
    assert_eq!(raised.status, StatusCode::OK, "{:?}", raised.body);
    let id = raised.body["id"].as_str().unwrap().to_owned();
    assert_eq!(raised.body["in_force"], true);

    // The handler: hit, with kind, authority, contact point and last day, nothing more.
    let path = format!("/api/v1/identity/persons/{person}/flags");
    let hits = get(&api.handler, &path).await;
    assert_eq!(hits.status, StatusCode::OK, "{:?}", hits.body);
    assert_eq!(
        hits.body,
        json!([{"kind": "national_security", "organisation": "supo",
                "contact_point": "supo-permits", "expires_on": in_days(90)}])
    );
    assert_problem(&get(&api.analyst, &path).await, StatusCode::FORBIDDEN, None);
    assert_problem(
        &get(&api.handler, "/api/v1/identity/persons/PID-9999999/flags").await,
        StatusCode::NOT_FOUND,
        None,
    );
    // Only Supo sees its flag in full; the police neither see nor clear it.
    assert_eq!(
        get(&supo, "/api/v1/flags").await.body[0]["legal_basis"],
        "UlkL 36 § 1 mom."
    );
    assert_eq!(get(&police, "/api/v1/flags").await.body, json!([]));
    let clear = format!("/api/v1/flags/{id}/clear");
    assert_problem(
        &post(&police, &clear, json!({"reason": "not ours"})).await,
        StatusCode::NOT_FOUND,
        None,
    );
    let renewed = post(
        &supo,
        &format!("/api/v1/flags/{id}/renew"),
        json!({"expires_on": in_days(120)}),
    )
    .await;
    assert_eq!(renewed.body["expires_on"], in_days(120));
    let cleared = post(&supo, &clear, json!({"reason": "the matter is closed"})).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{:?}", cleared.body);
    assert_problem(
        &post(&supo, &clear, json!({"reason": "again"})).await,
        StatusCode::CONFLICT,
        None,
    );
    // No hit now, and every read of flags is in the disclosure log.
    assert_eq!(get(&api.handler, &path).await.body, json!([]));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM audit_log WHERE log = 'disclosure' AND purpose = 'a person''s flags read (hit / no hit)'")
            .await,
        2
    );
}
polku_cases::on_every_database!(
    flags,
    a_liaison_raises_a_flag_and_a_handler_sees_only_that_it_exists,
    with_db
);
