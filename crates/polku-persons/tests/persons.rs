//! The identity register as its users meet it: records from several sources become one
//! person where the evidence is overwhelming and nothing speaks against it; a doubtful
//! pair waits for a person, whose verdict stands and is never asked again; a person's id
//! survives merges and splits; every change is in the audit chain; and the pipeline never
//! finds an identity established while a link is open or red.

use polku_audit::{Actor, AuditChain, AuditLog};
use polku_cases::{Cases, EvidenceError, EvidenceSource, Gathered, Pipeline, Processed};
use polku_identity::RawRecord;
use polku_identity::links::Colour;
use polku_identity::persons::PersonId;
use polku_persons::{
    Acting, IdentityChange, IdentityEvidence, NewRecord, Persons, PersonsError, Verdict,
};
use polku_rules::Outcome;
use uuid::Uuid;

fn persons(store: &Cases) -> Persons {
    Persons::shipped(store.clone()).unwrap()
}

fn record(id: &str, source: &str, given: &str, family: &str, dob: &str, doc: &str) -> NewRecord {
    NewRecord {
        record: RawRecord {
            record_id: id.to_owned(),
            source: source.to_owned(),
            given_names: given.to_owned(),
            family_name: family.to_owned(),
            date_of_birth: dob.to_owned(),
            sex: "M".to_owned(),
            nationality: "AFG".to_owned(),
            document_type: if doc.is_empty() { "" } else { "P" }.to_owned(),
            document_number: doc.to_owned(),
            ..RawRecord::default()
        }
        .checked()
        .unwrap(),
        subject: None,
    }
}

fn machine() -> Acting {
    Acting {
        actor: Actor::Machine,
        purpose: "test registration".to_owned(),
    }
}

fn reader(official: Uuid) -> Acting {
    Acting {
        actor: Actor::User(official),
        purpose: "identity queue".to_owned(),
    }
}

async fn overwhelming_evidence_makes_one_person_and_doubt_waits_for_a_person(store: &Cases) {
    let p = persons(store);
    let asylum = p
        .register(
            &record(
                "as-1",
                "asylum-registration",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    // The same person at the border: the same name, date and passport.
    let border = p
        .register(
            &record(
                "bc-1",
                "border-check",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert_eq!(border.links, vec![(asylum.seq, Colour::White)]);
    assert_eq!(border.person, asylum.person, "one person");
    // The police: the same name and passport, but another date of birth: the evidence
    // is strong, and something speaks against it.
    let police = p
        .register(
            &record(
                "po-1",
                "police",
                "Ahmad Shah",
                "Karimi",
                "1992-11-02",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert!(
        police.links.iter().all(|(_, c)| *c == Colour::Yellow) && !police.links.is_empty(),
        "{:?}",
        police.links
    );
    assert_ne!(police.person, asylum.person, "a doubtful link joins no one");
    let standing = p.standing(asylum.person).await.unwrap();
    assert!(standing.conflict() && standing.red == 0);

    // Someone else entirely: no link.
    let other = p
        .register(
            &record("po-2", "police", "Zahra", "Ahmadi", "1979-01-20", ""),
            &machine(),
        )
        .await
        .unwrap();
    assert!(other.links.is_empty());
    assert!(!p.standing(other.person).await.unwrap().conflict());

    // The same record again answers with what it became; other contents are refused.
    let again = p
        .register(
            &record(
                "bc-1",
                "border-check",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert!(!again.new && again.person == asylum.person);
    assert!(matches!(
        p.register(
            &record("bc-1", "border-check", "Ahmad", "Karimi", "1990-03-14", ""),
            &machine()
        )
        .await,
        Err(PersonsError::RecordIdTaken(_))
    ));

    // The queue holds the doubtful links, with their evidence field by field.
    let (queue, open) = p.open_links(50).await.unwrap();
    assert_eq!(open as usize, police.links.len());
    let first = &queue[0];
    let official = Uuid::now_v7();
    let (link, left, right) = p
        .link(first.left, first.right, &reader(official))
        .await
        .unwrap();
    assert_eq!(link.colour, Colour::Yellow);
    assert_eq!(right.record.record_id, "po-1");
    assert!(left.record.record_id == "as-1" || left.record.record_id == "bc-1");
    let date = link
        .explanation
        .fields
        .iter()
        .find(|f| f.field == "date_of_birth")
        .unwrap();
    assert!(date.weight < 0.0, "the dates speak against: {date:?}");
    // The read is use-logged for both persons.
    let logged = AuditChain::new(store.db().clone())
        .search(&polku_audit::AuditQuery {
            log: Some(AuditLog::Access),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        logged
            .iter()
            .any(|e| e.person.as_deref() == Some(&police.person.to_string()))
    );
}
polku_cases::on_every_database!(
    links,
    overwhelming_evidence_makes_one_person_and_doubt_waits_for_a_person
);

async fn a_verdict_stands_and_the_oldest_id_survives_a_merge(store: &Cases) {
    let p = persons(store);
    let first = p
        .register(
            &record(
                "as-1",
                "asylum-registration",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "",
            ),
            &machine(),
        )
        .await
        .unwrap();
    // One given name, a day later: likely, not certain.
    let second = p
        .register(
            &record("po-1", "police", "Ahmad", "Karimi", "1990-03-15", ""),
            &machine(),
        )
        .await
        .unwrap();
    assert_eq!(second.links, vec![(first.seq, Colour::Yellow)]);
    let official = Uuid::now_v7();
    // A reason is required.
    assert!(matches!(
        p.decide(first.seq, second.seq, Verdict::White, official, " ")
            .await,
        Err(PersonsError::NoReason)
    ));
    let after = p
        .decide(
            first.seq,
            second.seq,
            Verdict::White,
            official,
            "the 1990 date is from the asylum interview's documents; the police wrote the date he gave",
        )
        .await
        .unwrap();
    assert_eq!(after, vec![first.person], "the older id survives");
    let view = p.person(second.person, &reader(official)).await.unwrap();
    assert_eq!(view.person, first.person);
    assert_eq!(view.asked_as, Some(second.person));
    assert_eq!(view.records.len(), 2);
    assert!(!view.standing.conflict());
    assert!(view.history.iter().any(|h| h.change
        == IdentityChange::Absorbed {
            alias: second.person
        }));
    // Judged once, never asked again: not in the queue, and a second verdict is refused.
    assert_eq!(p.open_links(10).await.unwrap().1, 0);
    assert!(matches!(
        p.decide(first.seq, second.seq, Verdict::Green, official, "no")
            .await,
        Err(PersonsError::AlreadyDecided(..))
    ));
    // Every change is in the audit chain, and the chain holds.
    let chain = AuditChain::new(store.db().clone());
    let identity = chain
        .search(&polku_audit::AuditQuery {
            log: Some(AuditLog::Identity),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(identity.iter().any(|e| e.actor == Actor::User(official)));
    assert!(chain.verify().await.unwrap().first_break.is_none());
}
polku_cases::on_every_database!(
    verdicts,
    a_verdict_stands_and_the_oldest_id_survives_a_merge
);

async fn a_split_leaves_the_id_with_the_earliest_record(store: &Cases) {
    let p = persons(store);
    let mut seqs = Vec::new();
    let mut person = PersonId(0);
    for (id, source) in [
        ("a", "asylum-registration"),
        ("b", "police"),
        ("c", "border-check"),
    ] {
        let r = p
            .register(
                &record(id, source, "Ahmad Shah", "Karimi", "1990-03-14", "P1234567"),
                &machine(),
            )
            .await
            .unwrap();
        seqs.push(r.seq);
        person = r.person;
    }
    let official = Uuid::now_v7();
    // An official finds the police's record is of another man (a stolen passport): the
    // machine's white links that join them are opened for a person again.
    let after = p
        .decide(
            seqs[0],
            seqs[1],
            Verdict::Green,
            official,
            "fingerprints differ",
        )
        .await
        .unwrap();
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(after[0], person, "the earliest record keeps the id");
    let view = p.person(person, &reader(official)).await.unwrap();
    assert_eq!(
        view.records
            .iter()
            .map(|r| r.record.record_id.as_str())
            .collect::<Vec<_>>(),
        ["a"]
    );
    assert!(
        view.history
            .iter()
            .any(|h| matches!(h.change, IdentityChange::MovedOut { .. }))
    );
    // The reopened links wait in the queue; the judged pair does not.
    let (queue, open) = p.open_links(10).await.unwrap();
    assert_eq!(open, 2);
    assert!(
        queue
            .iter()
            .all(|l| (l.left, l.right) != (seqs[0], seqs[1]))
    );
    // The border's record is his: joined again.
    let joined = p
        .decide(
            seqs[0],
            seqs[2],
            Verdict::White,
            official,
            "same passport photo",
        )
        .await
        .unwrap();
    assert_eq!(joined, vec![person]);
    // A verdict that people's own verdicts contradict is refused, and changes nothing:
    // the police's record would join him through the border's.
    assert!(matches!(
        p.decide(
            seqs[1],
            seqs[2],
            Verdict::White,
            official,
            "same fingerprints"
        )
        .await,
        Err(PersonsError::Contradicts(..))
    ));
    assert_eq!(p.open_links(10).await.unwrap().1, 1);
    let view = p.person(person, &reader(official)).await.unwrap();
    assert_eq!(view.records.len(), 2);
    assert_eq!(view.standing.open, 1, "the police's link is still open");
}
polku_cases::on_every_database!(splits, a_split_leaves_the_id_with_the_earliest_record);

/// Registers that answer with the application's own evidence and the population
/// register's identity data of the applicant.
struct Registers {
    subject: polku_cases::SubjectIdentity,
}

impl EvidenceSource for Registers {
    async fn gather(&self, case: &polku_cases::Case) -> Result<Gathered, EvidenceError> {
        Ok(Gathered {
            application: case.application.clone(),
            unanswered: Vec::new(),
            subject: Some(self.subject.clone()),
            person_ids: Vec::new(),
        })
    }
}

fn subject(date_of_birth: &str) -> polku_cases::SubjectIdentity {
    polku_cases::SubjectIdentity {
        register: "Population Information System (VTJ)".to_owned(),
        given_names: "Ahmad Shah".to_owned(),
        family_name: "Karimi".to_owned(),
        name_native: None,
        date_of_birth: date_of_birth.to_owned(),
        nationality: "AFG".to_owned(),
    }
}

async fn decide_one(store: &Cases, p: &Persons, applicant: &str) -> (Outcome, serde_json::Value) {
    let mut application = polku_cases::testing::walkthrough_application();
    application["evidence"]["identity"] =
        serde_json::json!({ "established": true, "unresolved_conflict": false });
    let today = polku_cases::today_in_finland();
    let new = polku_cases::NewApplication {
        matter: polku_cases::testing::EXTENSION.to_owned(),
        applicant_id: applicant.to_owned(),
        application_date: today,
        application,
        deadline: None,
    };
    let id = store
        .submit(&new, &Actor::Person(applicant.to_owned()))
        .await
        .unwrap();
    let pipeline = Pipeline::new(
        store.clone(),
        polku_cases::testing::bundled_rules(),
        IdentityEvidence::new(
            Registers {
                subject: subject("1990-03-14"),
            },
            p.clone(),
        ),
        "w1",
    );
    let Some(Processed::Decided { outcome, .. }) = pipeline.run_once().await.unwrap() else {
        panic!("not decided");
    };
    let decision = store.decisions(id).await.unwrap().remove(0);
    (outcome, decision.input["evidence"]["identity"].clone())
}

async fn identity_is_never_established_while_a_link_is_open_or_red(store: &Cases) {
    let p = persons(store);
    // Clean: the applicant's record is registered, alone, and the case is granted.
    let (outcome, identity) = decide_one(store, &p, "applicant-1").await;
    assert_eq!(outcome, Outcome::Grant, "{identity}");
    let person = p.person_of_subject("applicant-1").await.unwrap().unwrap();

    // An asylum registration under another date of birth arrives: a yellow link is open,
    // and the applicant's next case goes to a person.
    let asylum = p
        .register(
            &record(
                "as-9",
                "asylum-registration",
                "Ahmad",
                "Karimi",
                "1990-03-15",
                "",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert_eq!(asylum.links.len(), 1, "{:?}", asylum.links);
    assert_eq!(asylum.links[0].1, Colour::Yellow);
    let (outcome, identity) = decide_one(store, &p, "applicant-1").await;
    assert_eq!(outcome, Outcome::Refer, "{identity}");
    assert_eq!(identity["unresolved_conflict"], true);
    assert_eq!(identity["source"], "identity");
    assert_eq!(identity["request_id"], person.to_string());

    // An official finds it a multiple identity: red. Identity is not established.
    let official = Uuid::now_v7();
    let applicant_seq = asylum.links[0].0;
    p.decide(
        applicant_seq,
        asylum.seq,
        Verdict::Red,
        official,
        "the same fingerprints under two dates of birth",
    )
    .await
    .unwrap();
    let (outcome, identity) = decide_one(store, &p, "applicant-1").await;
    assert_eq!(outcome, Outcome::Refer);
    assert_eq!(identity["established"], false);
    assert_eq!(identity["unresolved_conflict"], true);
    let standing = p.standing_of_subject("applicant-1").await.unwrap().unwrap();
    assert_eq!((standing.open, standing.red), (0, 1));
}
polku_cases::on_every_database!(
    pipeline,
    identity_is_never_established_while_a_link_is_open_or_red
);

/// The cases of `applicant`, newest first.
async fn cases_of(store: &Cases, applicant: &str) -> Vec<Uuid> {
    let cases = store.cases_of(applicant, None, 10).await.unwrap();
    cases.into_iter().map(|c| c.id).collect()
}

async fn every_part_names_the_person_by_their_id(store: &Cases) {
    let p = persons(store);
    let (outcome, _) = decide_one(store, &p, "applicant-1").await;
    assert_eq!(outcome, Outcome::Grant);
    let person = p.person_of_subject("applicant-1").await.unwrap().unwrap();
    let first = cases_of(store, "applicant-1").await[0];
    // The case and its permit are the person's.
    assert_eq!(store.case(first).await.unwrap().person_id, Some(person));
    let permit = store.permit(first).await.unwrap().unwrap();
    assert_eq!(permit.person_id, Some(person));

    // The applicant's next case is the person's from filing.
    decide_one(store, &p, "applicant-1").await;
    let second = cases_of(store, "applicant-1").await[0];
    assert_ne!(second, first);

    // Another applicant id whose registers' data are the same person's joins them: the
    // applicant ids are the person's aliases, and the person's cases are all three.
    decide_one(store, &p, "applicant-2").await;
    let third = cases_of(store, "applicant-2").await[0];
    assert_eq!(
        p.person_of_subject("applicant-2").await.unwrap(),
        Some(person)
    );
    assert_eq!(store.case(third).await.unwrap().person_id, Some(person));
    let ids = p.ids_of(person).await.unwrap();
    assert_eq!(ids[0], person);
    let theirs = store.cases_of_person(&ids, 10).await.unwrap();
    let theirs: Vec<Uuid> = theirs.into_iter().map(|c| c.id).collect();
    assert_eq!(theirs, vec![third, second, first]);

    // Every event names the person by id once the register has resolved the applicant:
    // each applicant's first filing came before, the second case's after.
    assert!(
        store
            .events_settled(std::time::Duration::from_secs(5))
            .await
            .unwrap()
    );
    let events = store
        .events_after(polku_cases::EventCursor::START, 100)
        .await
        .unwrap();
    for e in &events {
        let filed = matches!(e.event, polku_cases::DomainEvent::CaseFiled { .. });
        let expected = if filed && e.event.case() != second {
            None
        } else {
            Some(person)
        };
        assert_eq!(e.person_id, expected, "{e:?}");
    }
    assert!(events.len() >= 9, "{events:?}");
}
polku_cases::on_every_database!(person_ids, every_part_names_the_person_by_their_id);

async fn two_instances_over_one_database_see_each_others_records(store: &Cases) {
    let (one, two) = (persons(store), persons(store));
    let first = one
        .register(
            &record(
                "as-1",
                "asylum-registration",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    let second = two
        .register(
            &record(
                "bc-1",
                "border-check",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert_eq!(second.links, vec![(first.seq, Colour::White)]);
    assert_eq!(second.person, first.person);
    assert_eq!(second.seq, first.seq + 1);
}
polku_cases::on_every_database!(
    instances,
    two_instances_over_one_database_see_each_others_records
);

async fn a_warmed_register_holds_every_record_and_links_as_before(store: &Cases) {
    let first = persons(store);
    first
        .register(
            &record(
                "as-1",
                "asylum-registration",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    // Another instance, as after a restart: loaded before its first registration.
    let second = persons(store);
    assert_eq!(second.warm().await.unwrap(), 1);
    let again = second
        .register(
            &record(
                "bc-1",
                "border-check",
                "Ahmad Shah",
                "Karimi",
                "1990-03-14",
                "P1234567",
            ),
            &machine(),
        )
        .await
        .unwrap();
    assert_eq!(again.links.len(), 1, "{:?}", again.links);
    assert_eq!(again.links[0].1, Colour::White);
    assert_eq!(second.warm().await.unwrap(), 2);
}
polku_cases::on_every_database!(
    warm,
    a_warmed_register_holds_every_record_and_links_as_before
);
