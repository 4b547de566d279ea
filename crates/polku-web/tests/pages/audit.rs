//! The auditors' pages: the logs searched by person or official, and the hash chain
//! verified — a tampered row is found.

use axum::http::StatusCode;
use polku_access::Role;
use polku_cases::testing::TestDb;
use polku_simulators::population::person_id;

use crate::support::{decided_case, official, site};

async fn an_auditor_searches_the_logs_and_finds_a_tampered_row(db: &TestDb) {
    let s = site(db);
    let case = decided_case(&s, &person_id(3)).await;
    let me = s.sign_in(&person_id(3)).await;
    s.call("GET", &format!("/my/cases/{case}"), &me, None).await;
    let auditor = official(&s, "aila", Role::Auditor).await;
    let found = s
        .call(
            "GET",
            &format!("/audit?log=access&person={}", person_id(3)),
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found
            .body
            .contains("the applicant reads their own case (e-service)"),
        "{}",
        found.body
    );
    assert!(
        !found
            .body
            .contains("automated processing of an application"),
        "only the use log"
    );
    // The purpose in the reader's language.
    let fi = s
        .call(
            "GET",
            &format!("/audit?log=access&person={}", person_id(3)),
            &format!("{auditor}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(
        fi.body
            .contains("hakija lukee omaa asiaansa (asiointipalvelu)"),
        "{}",
        fi.body
    );
    // Who read it, in words; when, in Finland's time.
    assert!(!found.body.contains("user:"), "{}", found.body);
    assert!(!found.body.contains(" UTC"), "{}", found.body);
    let everything = s
        .call(
            "GET",
            "/audit?log=access",
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        everything.body.contains("aila, Maahanmuuttovirasto"),
        "the auditor's own reading, by name and organisation: {}",
        everything.body
    );
    let verified = s
        .call(
            "GET",
            "/audit?verify=1",
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        verified.body.contains("The chain is intact"),
        "{}",
        verified.body
    );
    db.raw("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 1")
        .await;
    let broken = s
        .call(
            "GET",
            "/audit?verify=1",
            &format!("{auditor}; polku_lang=en"),
            None,
        )
        .await;
    assert!(
        broken.body.contains("The chain is broken at row 1"),
        "{}",
        broken.body
    );
    // Looked at again in Finnish: the same check's finding in Finnish, not the operators'
    // English, with when it was checked.
    let fi = s
        .call(
            "GET",
            "/audit?verify=progress",
            &format!("{auditor}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(
        fi.body
            .contains("Ketju on katki rivillä 1: rivin sisältö ei vastaa sen tiivistettä"),
        "{}",
        fi.body
    );
    assert!(!fi.body.contains("the row was changed"));
    let hanna = official(&s, "hanna", Role::CaseHandler).await;
    assert_eq!(
        s.call("GET", "/audit", &hanna, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.call("GET", "/audit", &me, None).await.status,
        StatusCode::FORBIDDEN
    );
}
polku_cases::on_every_database!(
    audit_views,
    an_auditor_searches_the_logs_and_finds_a_tampered_row,
    with_db
);

/// The auditors' search by who did it takes an actor as the logs name them (`polku-pipeline`,
/// `user:<id>` …); text that names no actor is refused and nothing is searched.
async fn the_auditors_search_by_actor_takes_only_an_actor(db: &TestDb) {
    let s = site(db);
    decided_case(&s, &person_id(4)).await;
    let aila = official(&s, "aila", Role::Auditor).await + "; polku_lang=en";
    let machine = s
        .call(
            "GET",
            "/audit?log=decision&actor=polku-pipeline",
            &aila,
            None,
        )
        .await;
    assert_eq!(machine.status, StatusCode::OK, "{}", machine.body);
    assert!(
        machine
            .body
            .contains("automated processing of an application"),
        "{}",
        machine.body
    );
    for nobody in ["hanna", "user:hanna", "handler:1"] {
        let r = s
            .call("GET", &format!("/audit?actor={nobody}"), &aila, None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{nobody}: {}",
            r.body
        );
    }
}
polku_cases::on_every_database!(
    search_by_actor,
    the_auditors_search_by_actor_takes_only_an_actor,
    with_db
);

/// A disclosure row names its register and its purpose in words, with the matter's title.
async fn a_disclosure_names_its_register(db: &TestDb) {
    let s = site(db);
    s.state
        .audit()
        .append(&polku_audit::AuditEntry {
            log: polku_audit::AuditLog::Disclosure,
            actor: polku_audit::Actor::Machine,
            organisation: Some("Incomes Register".to_owned()),
            person: Some(person_id(3)),
            purpose: "evidence for case 0190f0aa-0000-7000-8000-000000000001 (fi.residence-permit.employed.extension)".to_owned(),
            legal_basis: Some("UlkL 83 §".to_owned()),
            detail: serde_json::json!({"direction": "received"}),
            x_road: Default::default(),
        })
        .await
        .unwrap();
    let auditor = official(&s, "aila", Role::Auditor).await;
    let fi = s
        .call(
            "GET",
            &format!("/audit?log=disclosure&person={}", person_id(3)),
            &format!("{auditor}; polku_lang=fi"),
            None,
        )
        .await;
    assert!(fi.body.contains("tulorekisteri"), "{}", fi.body);
    assert!(
        fi.body.contains(
            "hakemuksen 0190f0aa-0000-7000-8000-000000000001 selvitys (Jatkolupa työntekijälle)"
        ),
        "{}",
        fi.body
    );
    assert!(!fi.body.contains("fi.residence-permit"), "no matter id");
}
polku_cases::on_every_database!(
    disclosure_register,
    a_disclosure_names_its_register,
    with_db
);
