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

/// The population register's search as the binary hands it to the pages, over the
/// simulator (the binary's own adapter, `RegisterLookup`, asks over the exchange layer).
struct SimulatedLookup(polku_simulators::Simulator);

impl polku_web::PersonLookup for SimulatedLookup {
    fn find<'a>(
        &'a self,
        words: &'a str,
        official: &'a str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<polku_web::FoundPersons, polku_web::LookupError>,
                > + Send
                + 'a,
        >,
    > {
        use polku_registers::PersonSearch;
        Box::pin(async move {
            let ask = polku_registers::Ask {
                key: words.to_owned(),
                user_id: official.to_owned(),
                issue: "audit".to_owned(),
            };
            let a = self
                .0
                .find(&ask)
                .await
                .map_err(|e| polku_web::LookupError(e.to_string()))?;
            Ok(polku_web::FoundPersons {
                persons: a
                    .record
                    .persons
                    .into_iter()
                    .map(|p| polku_web::FoundPerson {
                        person: p.person,
                        name: format!("{} {}", p.name.given, p.name.family),
                        native: p.name.native,
                        born: p.date_of_birth,
                        identity_code: p.personal_identity_code,
                    })
                    .collect(),
                more: a.record.more,
                register: a.source,
                request_id: a.request_id,
            })
        })
    }
}

/// An auditor finds a person by name or personal identity code: the population register
/// is searched, the search is in the use log and each person found in the disclosure log;
/// one person found shows their logs, several a choice, none says what to do. Long logs
/// come a page at a time.
async fn an_auditor_finds_a_person_by_name_or_identity_code(db: &TestDb) {
    use polku_registers::PopulationRegister;
    let mut s = site(db);
    let population = crate::support::population();
    let sim = polku_simulators::Simulator::new(population.clone(), Default::default());
    s.state.person_lookup = Some(std::sync::Arc::new(SimulatedLookup(sim.clone())));
    s.app = polku_web::router(s.state.clone());
    // A resident with an identity code, who has read their own case.
    let p = population
        .persons
        .iter()
        .find(|p| population.identity_code(p).is_some())
        .unwrap();
    let id = person_id(p.index);
    let case = decided_case(&s, &id).await;
    let me = s.sign_in(&id).await;
    for _ in 0..3 {
        s.call("GET", &format!("/my/cases/{case}"), &me, None).await;
    }
    let name = sim
        .person(&polku_registers::Ask {
            key: id.clone(),
            user_id: "t".into(),
            issue: "t".into(),
        })
        .await
        .unwrap()
        .record
        .name;
    let auditor = official(&s, "aila", Role::Auditor).await;
    let en = format!("{auditor}; polku_lang=en");
    let query = |words: &str| {
        format!(
            "/audit?log=access&person={}",
            form_urlencoded::byte_serialize(words.as_bytes()).collect::<String>()
        )
    };
    // By the identity code: exactly this person.
    let code = population.identity_code(p).unwrap();
    let by_code = s.call("GET", &query(&code), &en, None).await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.body);
    let full = format!("{} {}", name.given, name.family);
    assert!(
        by_code.body.contains(&format!("The logs of {full}, born")),
        "{}",
        by_code.body
    );
    assert!(
        by_code
            .body
            .contains("the applicant reads their own case (e-service)"),
        "{}",
        by_code.body
    );
    // By the name, family name first: this person among those found.
    let by_name = s
        .call(
            "GET",
            &query(&format!("{} {}", name.family, name.given)),
            &en,
            None,
        )
        .await;
    assert_eq!(by_name.status, StatusCode::OK);
    assert!(
        by_name.body.contains(&format!("The logs of {full}"))
            || by_name.body.contains(&format!("/audit?person={id}")),
        "{}",
        by_name.body
    );
    // In Swedish, a name nobody has: nothing searched in the logs, and what to do.
    let nobody = s
        .call(
            "GET",
            &query("Zzyzx Qwerty"),
            &format!("{auditor}; polku_lang=sv"),
            None,
        )
        .await;
    assert!(
        nobody
            .body
            .contains("Ingen i befolkningsdatasystemet motsvarar sökningen"),
        "{}",
        nobody.body
    );
    assert!(!nobody.body.contains("<td>"), "no rows: {}", nobody.body);
    // The searches are logged: a use with what was searched, a disclosure per person found.
    let rows = s
        .state
        .audit()
        .search(&polku_audit::AuditQuery {
            log: None,
            person: None,
            actor: None,
            limit: 1000,
        })
        .await
        .unwrap();
    let searches: Vec<_> = rows
        .iter()
        .filter(|r| r.purpose == "person search for an audit of the logs")
        .collect();
    assert!(
        searches
            .iter()
            .any(|r| r.log == polku_audit::AuditLog::Access && r.detail.contains(code.as_str())),
        "{searches:?}"
    );
    assert!(
        searches
            .iter()
            .any(|r| r.log == polku_audit::AuditLog::Disclosure
                && r.person.as_deref() == Some(id.as_str())
                && r.organisation.as_deref() == Some("Population Information System")),
        "{searches:?}"
    );
    // A page at a time: the first page of everything has 50 rows and a link to older ones.
    for _ in 0..60 {
        s.call("GET", &format!("/my/cases/{case}"), &me, None).await;
    }
    let first = s.call("GET", "/audit?log=access", &en, None).await;
    assert_eq!(first.body.matches("<tr><td>").count(), 50, "{}", first.body);
    let older = first
        .body
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .find(|h| h.contains("before="))
        .expect("a link to older entries")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let second = s.call("GET", &older, &en, None).await;
    assert_eq!(second.status, StatusCode::OK);
    // A hand-made link that is not an entry's number: a page saying what to do.
    for wrong in ["abc", "-5", "0"] {
        let bad = s
            .call(
                "GET",
                &format!("/audit?log=access&before={wrong}"),
                &en,
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        assert!(
            bad.body.contains("start again from the newest entries"),
            "{}",
            bad.body
        );
    }
    assert!(second.body.contains("Newest entries"), "{}", second.body);
    let first_seqs: Vec<&str> = first
        .body
        .split("<tr><td>")
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .collect();
    let second_seqs: Vec<&str> = second
        .body
        .split("<tr><td>")
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .collect();
    assert!(!second_seqs.is_empty());
    assert!(
        second_seqs.iter().all(|s| !first_seqs.contains(s)),
        "pages overlap"
    );
}
polku_cases::on_every_database!(
    person_lookup,
    an_auditor_finds_a_person_by_name_or_identity_code,
    with_db
);
