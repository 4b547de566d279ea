//! Flags as the authorities meet them: a security authority raises a flag on a person
//! naming its own contact point; the Immigration Service sees that it exists, its kind,
//! its contact point and its expiry, and nothing of what lies behind it; a flag in force
//! stops every automatic decision about the person until it is cleared or lapses; a flag
//! raised while a case is being decided is never missed; every step is in the audit chain
//! and every read of flags in the disclosure log.

use polku_audit::{Actor, AuditChain};
use polku_cases::{
    Cases, EvidenceError, EvidenceSource, Gathered, PersonId, Pipeline, Processed, Tx,
};
use polku_exchange::{
    Authority, ContactPoint, Exchange, ExchangeError, FlagEvidence, FlagKind, NewFlag, Raiser,
};
use polku_rules::Outcome;

/// Registers that answer with the application's evidence, and an identity register that
/// resolved applicant `applicant-N` to person `PID-N`.
struct Resolved;

fn person_of(applicant: &str) -> PersonId {
    PersonId(applicant.trim_start_matches("applicant-").parse().unwrap())
}

impl EvidenceSource for Resolved {
    async fn gather(&self, case: &polku_cases::Case) -> Result<Gathered, EvidenceError> {
        let mut application = case.application.clone();
        application["evidence"]["security"] =
            serde_json::json!({ "objection": false, "open_flag": false });
        Ok(Gathered {
            application,
            unanswered: Vec::new(),
            subject: None,
            person_ids: vec![person_of(&case.applicant_id)],
        })
    }
}

fn supo() -> Raiser {
    Raiser {
        actor: Actor::Person("supo-liaison".into()),
        authority: Authority::SecurityIntelligenceService,
    }
}

fn contact(id: &str, authority: Authority) -> ContactPoint {
    ContactPoint {
        id: id.to_owned(),
        organisation: authority,
        name_fi: "Lupa-asioiden yhteyspiste".into(),
        name_sv: "Kontaktpunkt för tillståndsärenden".into(),
        name_en: "Permit matters contact point".into(),
        email: format!("{id}@example.invalid"),
        languages: vec!["fi".into(), "sv".into(), "en".into()],
        hours: "Mon–Fri 8–16".into(),
    }
}

fn in_days(n: i64) -> jiff::civil::Date {
    polku_cases::today_in_finland()
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
}

fn flag_on(person: PersonId) -> NewFlag {
    NewFlag {
        person,
        kind: FlagKind::NationalSecurity,
        contact_point: "supo-permits".into(),
        legal_basis: "UlkL 36 § 1 mom.".into(),
        expires_on: in_days(90),
    }
}

async fn file(store: &Cases, applicant: &str) -> uuid::Uuid {
    let new = polku_cases::NewApplication {
        matter: polku_cases::testing::EXTENSION.to_owned(),
        applicant_id: applicant.to_owned(),
        application_date: polku_cases::today_in_finland(),
        application: polku_cases::testing::walkthrough_application(),
        deadline: None,
    };
    store
        .submit(&new, &Actor::Person(applicant.to_owned()))
        .await
        .unwrap()
}

async fn decide<E: EvidenceSource>(store: &Cases, evidence: E, applicant: &str) -> Outcome {
    let id = file(store, applicant).await;
    let pipeline = Pipeline::new(
        store.clone(),
        polku_cases::testing::bundled_rules(),
        evidence,
        "w1",
    );
    let Some(Processed::Decided { outcome, case, .. }) = pipeline.run_once().await.unwrap() else {
        panic!("not decided");
    };
    assert_eq!(case, id);
    outcome
}

async fn a_flag_stops_automatic_decisions_and_others_see_only_that_it_exists(store: &Cases) {
    let exchange = Exchange::new(store.clone());
    let evidence = || FlagEvidence::new(Resolved, exchange.clone());
    assert_eq!(
        decide(store, evidence(), "applicant-1").await,
        Outcome::Grant
    );

    // Supo keeps its contact point and raises a flag on the person.
    exchange
        .keep_contact_point(
            &contact("supo-permits", Authority::SecurityIntelligenceService),
            &supo().actor,
        )
        .await
        .unwrap();
    let flag = exchange
        .raise(&flag_on(PersonId(1)), &supo())
        .await
        .unwrap();
    assert_eq!(
        decide(store, evidence(), "applicant-1").await,
        Outcome::Refer
    );
    // Another person is not touched.
    assert_eq!(
        decide(store, evidence(), "applicant-2").await,
        Outcome::Grant
    );

    // The Immigration Service sees that it exists, its kind, contact point and expiry.
    let handler = Actor::Person("handler".into());
    let hits = exchange
        .hits(&[PersonId(1)], &handler, Some("migri"), "a case handled")
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let seen = serde_json::to_value(&hits[0]).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "kind": "national_security",
            "organisation": "supo",
            "contact_point": "supo-permits",
            "expires_on": in_days(90).to_string(),
        })
    );
    assert!(
        exchange
            .hits(&[PersonId(2)], &handler, Some("migri"), "a case handled")
            .await
            .unwrap()
            .is_empty()
    );

    // Who may do what.
    let migri = Raiser {
        actor: handler.clone(),
        authority: Authority::ImmigrationService,
    };
    assert!(matches!(
        exchange.raise(&flag_on(PersonId(3)), &migri).await,
        Err(ExchangeError::MayNotFlag(_))
    ));
    let police = Raiser {
        actor: Actor::Person("police-liaison".into()),
        authority: Authority::Police,
    };
    // Supo's contact point is not the police's to name, nor its flag to renew or clear.
    assert!(matches!(
        exchange.raise(&flag_on(PersonId(3)), &police).await,
        Err(ExchangeError::Invalid("contact_point", _))
    ));
    assert!(matches!(
        exchange.renew(flag.id, in_days(100), &police).await,
        Err(ExchangeError::NoSuchFlag(_))
    ));
    assert!(matches!(
        exchange.clear(flag.id, "no longer needed", &police).await,
        Err(ExchangeError::NoSuchFlag(_))
    ));
    assert!(matches!(
        exchange
            .keep_contact_point(&contact("supo-permits", Authority::Police), &police.actor)
            .await,
        Err(ExchangeError::NotYours(_))
    ));
    // A flag lapses unless renewed: at most a year ahead, never in the past.
    let mut too_long = flag_on(PersonId(3));
    too_long.expires_on = in_days(400);
    assert!(matches!(
        exchange.raise(&too_long, &supo()).await,
        Err(ExchangeError::Invalid("expires_on", _))
    ));

    // Renewed, then cleared: the person's next case is decided automatically again.
    let renewed = exchange
        .renew(flag.id, in_days(200), &supo())
        .await
        .unwrap();
    assert_eq!(renewed.expires_on, in_days(200));
    exchange
        .clear(flag.id, "the matter is closed", &supo())
        .await
        .unwrap();
    assert!(matches!(
        exchange.clear(flag.id, "again", &supo()).await,
        Err(ExchangeError::Cleared(_))
    ));
    assert_eq!(
        decide(store, evidence(), "applicant-1").await,
        Outcome::Grant
    );

    // A flag past its last day no longer counts (time moved on: its day set back).
    exchange
        .raise(&flag_on(PersonId(4)), &supo())
        .await
        .unwrap();
    assert_eq!(
        decide(store, evidence(), "applicant-4").await,
        Outcome::Refer
    );
    sqlx::query("UPDATE flags SET expires_on = $1 WHERE person_id = 'PID-0000004'")
        .bind(in_days(-1).to_string())
        .execute(store.db().pool())
        .await
        .unwrap();
    assert_eq!(
        decide(store, evidence(), "applicant-4").await,
        Outcome::Grant
    );

    // Every step in the audit chain, every read of flags in the disclosure log, intact.
    let chain = AuditChain::new(store.db().clone());
    let purposes: Vec<(String, String)> = sqlx::query_as(
        "SELECT log, purpose FROM audit_log WHERE log IN ('exchange', 'disclosure') ORDER BY seq",
    )
    .fetch_all(store.db().pool())
    .await
    .unwrap();
    for expected in [
        ("exchange", "contact point kept"),
        ("exchange", "flag raised"),
        ("exchange", "flag renewed"),
        ("exchange", "flag cleared"),
        ("disclosure", "a case handled"),
        ("disclosure", polku_exchange::PIPELINE_PURPOSE),
    ] {
        assert!(
            purposes
                .iter()
                .any(|(l, p)| (l.as_str(), p.as_str()) == expected),
            "no {expected:?} in {purposes:?}"
        );
    }
    assert!(chain.verify().await.unwrap().first_break.is_none());
}
polku_cases::on_every_database!(
    flags,
    a_flag_stops_automatic_decisions_and_others_see_only_that_it_exists
);

/// Gathers with the flags, then — once — a flag is raised before the decision is
/// recorded: the race the pipeline must not lose.
struct RaisedMeanwhile {
    inner: FlagEvidence<Resolved>,
    exchange: Exchange,
    raised: std::sync::atomic::AtomicBool,
}

impl EvidenceSource for RaisedMeanwhile {
    async fn gather(&self, case: &polku_cases::Case) -> Result<Gathered, EvidenceError> {
        let gathered = self.inner.gather(case).await?;
        if !self.raised.swap(true, std::sync::atomic::Ordering::SeqCst) {
            self.exchange
                .raise(&flag_on(person_of(&case.applicant_id)), &supo())
                .await
                .unwrap();
        }
        Ok(gathered)
    }

    async fn still_holds(
        &self,
        tx: &mut Tx,
        case: &polku_cases::Case,
        gathered: &Gathered,
    ) -> Result<bool, EvidenceError> {
        self.inner.still_holds(tx, case, gathered).await
    }
}

async fn a_flag_raised_while_deciding_is_never_missed(store: &Cases) {
    let exchange = Exchange::new(store.clone());
    exchange
        .keep_contact_point(
            &contact("supo-permits", Authority::SecurityIntelligenceService),
            &supo().actor,
        )
        .await
        .unwrap();
    let evidence = RaisedMeanwhile {
        inner: FlagEvidence::new(Resolved, exchange.clone()),
        exchange: exchange.clone(),
        raised: false.into(),
    };
    // The gathering saw no flag; one was raised before the decision was recorded.
    assert_eq!(decide(store, evidence, "applicant-7").await, Outcome::Refer);

    // Many cases decided while flags are raised at the same time: every grant's line in
    // the audit chain comes before its person's flag.
    let n = 12;
    for i in 100..100 + n {
        file(store, &format!("applicant-{i}")).await;
    }
    let deciding = {
        let store = store.clone();
        let exchange = exchange.clone();
        tokio::spawn(async move {
            let pipeline = Pipeline::new(
                store,
                polku_cases::testing::bundled_rules(),
                FlagEvidence::new(Resolved, exchange),
                "w2",
            );
            while pipeline.run_once().await.unwrap().is_some() {}
        })
    };
    for i in (100..100 + n).rev() {
        exchange
            .raise(&flag_on(PersonId(i)), &supo())
            .await
            .unwrap();
        tokio::task::yield_now().await;
    }
    deciding.await.unwrap();
    let mut granted = 0;
    for i in 100..100 + n {
        let (decided_at, outcome): (i64, String) = sqlx::query_as(
            "SELECT seq, detail FROM audit_log WHERE log = 'decision' AND person = $1",
        )
        .bind(format!("applicant-{i}"))
        .fetch_one(store.db().pool())
        .await
        .unwrap();
        let (flagged_at,): (i64,) = sqlx::query_as(
            "SELECT seq FROM audit_log WHERE log = 'exchange' AND purpose = 'flag raised' AND person = $1",
        )
        .bind(PersonId(i).to_string())
        .fetch_one(store.db().pool())
        .await
        .unwrap();
        if outcome.contains("\"grant\"") {
            granted += 1;
            assert!(
                decided_at < flagged_at,
                "applicant-{i} granted after their flag was raised"
            );
        } else {
            assert!(outcome.contains("\"refer\""), "{outcome}");
        }
    }
    // Whichever way the race went, nothing was missed; say how it went.
    eprintln!("{granted} of {n} decided before their flag");
}
polku_cases::on_every_database!(race, a_flag_raised_while_deciding_is_never_missed);

async fn a_preview_never_tells_an_applicant_of_a_flag(store: &Cases) {
    let exchange = Exchange::new(store.clone());
    exchange
        .keep_contact_point(
            &contact("supo-permits", Authority::SecurityIntelligenceService),
            &supo().actor,
        )
        .await
        .unwrap();
    exchange
        .raise(&flag_on(PersonId(5)), &supo())
        .await
        .unwrap();
    let today = polku_cases::today_in_finland();
    let case = |purpose| polku_cases::Case {
        id: uuid::Uuid::now_v7(),
        matter: polku_cases::testing::EXTENSION.to_owned(),
        purpose,
        applicant_id: "applicant-5".to_owned(),
        person_id: None,
        state: polku_cases::CaseState::Received,
        application_date: today,
        application: polku_cases::testing::walkthrough_application(),
        created_at: 0,
        updated_at: 0,
    };
    let evidence = FlagEvidence::new(Resolved, exchange.clone());
    let preview = evidence
        .gather(&case(polku_cases::CasePurpose::Preview))
        .await
        .unwrap();
    assert_eq!(
        preview.application["evidence"]["security"]["open_flag"],
        false
    );
    let filed = evidence
        .gather(&case(polku_cases::CasePurpose::Application))
        .await
        .unwrap();
    assert_eq!(filed.application["evidence"]["security"]["open_flag"], true);
}
polku_cases::on_every_database!(preview, a_preview_never_tells_an_applicant_of_a_flag);
