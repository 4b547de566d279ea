//! Domain events: every step of a case — filing, each move, the decision, the permit — is
//! one typed event, in order, so a part that follows them with a cursor sees each once;
//! every path that writes a history entry, a decision or a permit publishes it; concurrent
//! writers lose none; a stored event that does not read back is named.

use polku_cases::testing::TestDb;
use polku_cases::{
    Actor, CaseState, Cases, DecisionOutcome, DomainEvent, EventCursor, EventKind, HumanOutcome,
    RecordedEvent,
};
use serde_json::json;

use crate::support::{EXTENSION, applicant, application, pipeline, rules};

/// Waits until every event committed so far can be read (PostgreSQL holds a batch back
/// while an older transaction anywhere in the cluster — another test's — still runs).
async fn settle(store: &Cases) {
    assert!(
        store
            .events_settled(std::time::Duration::from_secs(30))
            .await
            .unwrap()
    );
}

/// Each event after the one before it, none twice.
fn assert_in_order(events: &[RecordedEvent]) {
    assert!(
        events.windows(2).all(|w| w[0].cursor < w[1].cursor),
        "{:?}",
        events.iter().map(|e| e.cursor).collect::<Vec<_>>()
    );
}

async fn every_step_of_a_decided_case_is_one_event_in_order(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    pipeline(store, "w1").run_once().await.unwrap();
    let decision = store.decisions(id).await.unwrap()[0].id;
    let permit = store.permit(id).await.unwrap().unwrap();

    settle(store).await;
    let events = store.events_after(EventCursor::START, 100).await.unwrap();
    assert_in_order(&events);
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
    // A reader that has handled the fourth event gets the rest, and nothing after the last.
    let all = store.events_after(EventCursor::START, 100).await.unwrap();
    let rest = store.events_after(all[3].cursor, 100).await.unwrap();
    assert_eq!(rest, all[4..]);
    assert!(
        store
            .events_after(all[5].cursor, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.events_after(EventCursor::START, 2).await.unwrap(),
        all[..2],
        "the limit"
    );
}
polku_cases::on_every_database!(
    case_story,
    every_step_of_a_decided_case_is_one_event_in_order
);

/// Every path that writes a case's history or a decision publishes it: a person's
/// decision, a withdrawal and a request for rectification as much as the machine's work.
async fn every_history_entry_and_decision_has_its_event(store: &Cases) {
    let low_pay = json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1000}}});
    let referred = store
        .submit(&application(low_pay.clone()), &applicant())
        .await
        .unwrap();
    let withdrawn = store
        .submit(&application(low_pay), &applicant())
        .await
        .unwrap();
    let granted = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let p = pipeline(store, "w1");
    while p.run_once().await.unwrap().is_some() {}
    let hanna = Actor::User(uuid::Uuid::from_u128(0x4a));
    store.claim_case(referred, &hanna).await.unwrap();
    store
        .decide_by_person(
            referred,
            &hanna,
            HumanOutcome::Grant,
            "The pay meets the agreement after all.",
            &rules().into(),
        )
        .await
        .unwrap();
    store
        .withdraw(withdrawn, "applicant-1", "I found other work.")
        .await
        .unwrap();
    store
        .request_rectification(granted, "applicant-1", "The employer's name is wrong.")
        .await
        .unwrap();

    settle(store).await;
    let events = store.events_after(EventCursor::START, 1000).await.unwrap();
    assert_in_order(&events);
    for case in [referred, withdrawn, granted] {
        let of = |kinds: &[&str]| {
            events
                .iter()
                .filter(|e| e.event.case() == case && kinds.contains(&e.event.kind()))
                .count()
        };
        assert_eq!(
            of(&["case_filed", "case_moved"]),
            store.history(case).await.unwrap().len(),
            "{case}: one event per history entry"
        );
        assert_eq!(
            of(&["decided"]),
            store.decisions(case).await.unwrap().len(),
            "{case}: one event per decision"
        );
        assert_eq!(
            of(&["permit_granted"]),
            store.permit_count(case).await.unwrap() as usize,
            "{case}: one event per permit"
        );
    }
    // The person's grant is there, as a person's.
    assert!(events.iter().any(|e| matches!(
        &e.event,
        DomainEvent::Decided { case, automated: false, outcome: DecisionOutcome::Grant, .. }
            if *case == referred
    )));
}
polku_cases::on_every_database!(every_path, every_history_entry_and_decision_has_its_event);

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
    settle(store).await;
    // Read as a follower would, seven at a time.
    let mut events = Vec::new();
    let mut cursor = EventCursor::START;
    loop {
        let page = store.events_after(cursor, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        cursor = last.cursor;
        events.extend(page);
    }
    assert_eq!(events.len(), 40);
    assert_in_order(&events);
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
    settle(store).await;
    let e = store
        .events_after(EventCursor::START, 10)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("domain_events row `"), "{e}");
    assert!(e.contains(".0` holds an unreadable event_json: "), "{e}");
}
polku_cases::on_every_database!(
    corrupt_event,
    an_event_that_does_not_read_back_is_named,
    with_db
);
