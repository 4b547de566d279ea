//! Domain events: every step of a case — filing, each move, the decision, the permit — is
//! one typed event, numbered in commit order without gaps, so a part that follows them
//! with a cursor sees each once; concurrent writers keep the numbering whole; a stored
//! event that does not read back is named.

use polku_cases::testing::TestDb;
use polku_cases::{CaseState, Cases, DecisionOutcome, DomainEvent, EventKind};
use serde_json::json;

use crate::support::{EXTENSION, applicant, application, pipeline};

async fn every_step_of_a_decided_case_is_one_event_in_order(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    pipeline(store, "w1").run_once().await.unwrap();
    let decision = store.decisions(id).await.unwrap()[0].id;
    let permit = store.permit(id).await.unwrap().unwrap();

    let events = store.events_after(0, 100).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "numbered without gaps"
    );
    assert!(events.iter().all(|e| e.event.case() == id));
    assert!(events.iter().all(|e| e.event.person() == "applicant-1"));
    let moved = |from, to, kind| DomainEvent::CaseMoved {
        case: id,
        person: "applicant-1".into(),
        from,
        to,
        kind,
    };
    assert_eq!(
        events.into_iter().map(|e| e.event).collect::<Vec<_>>(),
        [
            DomainEvent::CaseFiled {
                case: id,
                person: "applicant-1".into(),
                matter: EXTENSION.into(),
            },
            moved(
                CaseState::Received,
                CaseState::GatheringEvidence,
                EventKind::GatheringEvidence
            ),
            moved(
                CaseState::GatheringEvidence,
                CaseState::Evaluated,
                EventKind::Evaluated
            ),
            moved(
                CaseState::Evaluated,
                CaseState::Decided,
                EventKind::DecidedAutomatically
            ),
            DomainEvent::Decided {
                case: id,
                person: "applicant-1".into(),
                decision,
                outcome: DecisionOutcome::Grant,
                automated: true,
            },
            DomainEvent::PermitGranted {
                case: id,
                person: "applicant-1".into(),
                permit: permit.id,
                kind: permit.kind.clone(),
                valid_until: permit.valid_until.clone(),
            },
        ]
    );
    // A reader that has handled event 4 gets the rest, and nothing after the last.
    let rest = store.events_after(4, 100).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 6]);
    assert!(store.events_after(6, 100).await.unwrap().is_empty());
    assert_eq!(
        store.events_after(0, 2).await.unwrap().len(),
        2,
        "the limit"
    );
}
polku_cases::on_every_database!(
    case_story,
    every_step_of_a_decided_case_is_one_event_in_order
);

async fn concurrent_filings_are_numbered_in_one_unbroken_order(store: &Cases) {
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..5 {
                    let mut new = application(json!({}));
                    new.applicant_id = format!("person-{t}-{i}");
                    store.submit(&new, &applicant()).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let events = store.events_after(0, 1000).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>()
    );
    let mut people: Vec<_> = events.iter().map(|e| e.event.person().to_owned()).collect();
    people.sort();
    people.dedup();
    assert_eq!(people.len(), 40, "one filing each");
}
polku_cases::on_every_database!(
    concurrent_filings,
    concurrent_filings_are_numbered_in_one_unbroken_order
);

async fn an_event_that_does_not_read_back_is_named(db: &TestDb) {
    let store = &db.store;
    store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    db.raw("UPDATE domain_events SET event_json = '{\"type\": \"case_exploded\"}'")
        .await;
    let e = store.events_after(0, 10).await.unwrap_err().to_string();
    assert!(
        e.starts_with("domain_events row `1` holds an unreadable event_json: "),
        "{e}"
    );
}
polku_cases::on_every_database!(
    corrupt_event,
    an_event_that_does_not_read_back_is_named,
    with_db
);
