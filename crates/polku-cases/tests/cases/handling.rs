//! People's work: the handlers' queue (oldest application first, paged, filtered by matter
//! and by deadline), claiming a case, deciding it with reasons, and the applicant's request
//! to rectify an automated decision, which a person answers.

use polku_cases::{Actor, CaseState, Cases, HandlingError, HumanOutcome, QueueFilter};
use serde_json::json;
use uuid::Uuid;

use crate::support::{applicant, application, audit, pipeline, rules};

/// The cases once the machine has worked them.
struct Worked {
    /// Referred for low pay, filed on 3, 1 and 2 May 2025 (in that order), each due four
    /// months after its filing.
    referred: Vec<Uuid>,
    /// Granted by the machine, filed on 1 May 2025 after the referred ones.
    granted: Uuid,
}

/// Files three applications with too low a pay and one the rules grant, and runs the
/// pipeline until no job is left.
async fn worked(store: &Cases) -> Worked {
    let low_pay = json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1000}}});
    let mut referred = Vec::new();
    for date in [(2025, 5, 3), (2025, 5, 1), (2025, 5, 2)] {
        let mut new = application(low_pay.clone());
        new.application_date = jiff::civil::date(date.0, date.1, date.2);
        new.deadline = Some(
            new.application_date
                .checked_add(jiff::Span::new().months(4))
                .unwrap(),
        );
        referred.push(store.submit(&new, &applicant()).await.unwrap());
    }
    let granted = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let p = pipeline(store, "w1");
    while p.run_once().await.unwrap().is_some() {}
    Worked { referred, granted }
}

fn hanna() -> Actor {
    Actor::User(uuid::Uuid::from_u128(0x4a))
}

fn ville() -> Actor {
    Actor::User(uuid::Uuid::from_u128(0x7e))
}

/// The queue's first `limit` items, unfiltered.
fn first(limit: i64) -> QueueFilter {
    QueueFilter {
        limit,
        ..Default::default()
    }
}

/// Hanna claims `case` and refuses it, with reasons.
async fn refused_by_hanna(store: &Cases, case: Uuid) {
    store.claim_case(case, &hanna()).await.unwrap();
    store
        .decide_by_person(
            case,
            &hanna(),
            HumanOutcome::Refuse,
            "Pay below the collective agreement (UlkL 73 §).",
            &rules().into(),
        )
        .await
        .unwrap();
}

/// The applicant asks for the automated decision on `granted` to be rectified.
async fn rectification_asked(store: &Cases, granted: Uuid) {
    store
        .request_rectification(
            granted,
            "applicant-1",
            "The permit should cover my new employer too.",
        )
        .await
        .unwrap();
}

/// Ville claims the rectification request on `granted` and confirms the grant.
async fn confirmed_by_ville(store: &Cases, granted: Uuid) {
    store.claim_case(granted, &ville()).await.unwrap();
    store
        .decide_by_person(
            granted,
            &ville(),
            HumanOutcome::Grant,
            "The original decision stands.",
            &rules().into(),
        )
        .await
        .unwrap();
}

async fn the_queue_shows_referred_cases_oldest_application_first_with_the_reason(store: &Cases) {
    let w = worked(store).await;
    // Oldest application first; the grant is not in the queue.
    let page = store.handler_queue(&first(2)).await.unwrap();
    assert_eq!(
        page.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [w.referred[1], w.referred[2]]
    );
    assert_eq!(page[0].reason.as_deref(), Some("pay-meets-minimum not_met"));
}
polku_cases::on_every_database!(
    oldest_first,
    the_queue_shows_referred_cases_oldest_application_first_with_the_reason
);

async fn the_queue_pages_on_after_the_last_item_seen(store: &Cases) {
    let w = worked(store).await;
    let page = store.handler_queue(&first(2)).await.unwrap();
    let last = &page[1];
    let next = store
        .handler_queue(&QueueFilter {
            limit: 2,
            after: Some((
                last.application_date.clone(),
                last.created_at,
                last.case_id.to_string(),
            )),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        next.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [w.referred[0]]
    );
}
polku_cases::on_every_database!(next_page, the_queue_pages_on_after_the_last_item_seen);

async fn the_queue_shows_only_the_matter_asked_for(store: &Cases) {
    worked(store).await;
    let other_matter = QueueFilter {
        matter: Some("fi.citizenship.application".into()),
        limit: 10,
        ..Default::default()
    };
    assert!(store.handler_queue(&other_matter).await.unwrap().is_empty());
}
polku_cases::on_every_database!(by_matter, the_queue_shows_only_the_matter_asked_for);

async fn the_queue_shows_the_cases_due_by_a_day(store: &Cases) {
    let w = worked(store).await;
    // The cases due by 2 September: those filed on 1 and 2 May.
    let due = store
        .handler_queue(&QueueFilter {
            deadline_on_or_before: Some("2025-09-02".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [w.referred[1], w.referred[2]]
    );
    assert_eq!(due[0].deadline.as_deref(), Some("2025-09-01"));
}
polku_cases::on_every_database!(by_deadline, the_queue_shows_the_cases_due_by_a_day);

async fn a_case_is_decided_only_once_claimed(store: &Cases) {
    let case = worked(store).await.referred[1];
    assert!(matches!(
        store
            .decide_by_person(
                case,
                &hanna(),
                HumanOutcome::Refuse,
                "pay too low",
                &rules().into()
            )
            .await,
        Err(HandlingError::NotClaimed(_))
    ));
}
polku_cases::on_every_database!(unclaimed, a_case_is_decided_only_once_claimed);

async fn a_case_claimed_by_one_handler_is_not_claimed_by_another(store: &Cases) {
    let case = worked(store).await.referred[1];
    store.claim_case(case, &hanna()).await.unwrap();
    assert!(matches!(
        store.claim_case(case, &ville()).await,
        Err(HandlingError::AssignedToOther { .. })
    ));
}
polku_cases::on_every_database!(
    claimed_by_another,
    a_case_claimed_by_one_handler_is_not_claimed_by_another
);

async fn a_person_decides_only_with_reasons(store: &Cases) {
    let case = worked(store).await.referred[1];
    store.claim_case(case, &hanna()).await.unwrap();
    assert!(matches!(
        store
            .decide_by_person(case, &hanna(), HumanOutcome::Refuse, " ", &rules().into())
            .await,
        Err(HandlingError::NoReasons)
    ));
}
polku_cases::on_every_database!(no_reasons, a_person_decides_only_with_reasons);

async fn a_persons_refusal_decides_the_case_in_their_name_without_a_permit(store: &Cases) {
    let case = worked(store).await.referred[1];
    refused_by_hanna(store, case).await;
    assert_eq!(store.case(case).await.unwrap().state, CaseState::Decided);
    let decisions = store.decisions(case).await.unwrap();
    assert_eq!(
        (
            decisions[1].outcome.code(),
            decisions[1].automated,
            &decisions[1].decided_by
        ),
        ("refuse", false, &hanna())
    );
    assert_eq!(store.permit_count(case).await.unwrap(), 0);
}
polku_cases::on_every_database!(
    refusal,
    a_persons_refusal_decides_the_case_in_their_name_without_a_permit
);

async fn a_persons_decision_is_not_rectified_by_this_route(store: &Cases) {
    let case = worked(store).await.referred[1];
    refused_by_hanna(store, case).await;
    // A person's decision is not rectified by this route; an automated one is.
    assert!(matches!(
        store.request_rectification(case, "applicant-1", "x").await,
        Err(HandlingError::NoAutomatedDecision(_))
    ));
}
polku_cases::on_every_database!(
    not_automated,
    a_persons_decision_is_not_rectified_by_this_route
);

async fn only_the_applicant_asks_for_a_rectification(store: &Cases) {
    let granted = worked(store).await.granted;
    assert!(matches!(
        store
            .request_rectification(granted, "someone-else", "x")
            .await,
        Err(HandlingError::NotTheApplicant(_))
    ));
}
polku_cases::on_every_database!(
    not_the_applicant,
    only_the_applicant_asks_for_a_rectification
);

async fn a_rectification_request_reaches_the_queue_in_the_applicants_words(store: &Cases) {
    let granted = worked(store).await.granted;
    rectification_asked(store, granted).await;
    assert_eq!(
        store.case(granted).await.unwrap().state,
        CaseState::RectificationRequested
    );
    let queue = store.handler_queue(&first(10)).await.unwrap();
    let asked = queue.iter().find(|i| i.case_id == granted).unwrap();
    assert_eq!(asked.state, CaseState::RectificationRequested);
    assert_eq!(
        asked.reason.as_deref(),
        Some("The permit should cover my new employer too."),
        "the handler sees what the applicant asks"
    );
}
polku_cases::on_every_database!(
    rectification_queued,
    a_rectification_request_reaches_the_queue_in_the_applicants_words
);

async fn the_machine_leaves_a_rectification_request_to_a_person(store: &Cases) {
    let granted = worked(store).await.granted;
    rectification_asked(store, granted).await;
    // The machine never touches it: no job, and a person decides.
    assert_eq!(pipeline(store, "w1").run_once().await.unwrap(), None);
}
polku_cases::on_every_database!(
    rectification_not_automated,
    the_machine_leaves_a_rectification_request_to_a_person
);

async fn a_rectification_request_is_not_answered_by_asking_for_evidence(store: &Cases) {
    let granted = worked(store).await.granted;
    rectification_asked(store, granted).await;
    store.claim_case(granted, &ville()).await.unwrap();
    assert!(matches!(
        store
            .decide_by_person(
                granted,
                &ville(),
                HumanOutcome::RequestEvidence,
                "need more",
                &rules().into()
            )
            .await,
        Err(HandlingError::NotWaiting(_))
    ));
}
polku_cases::on_every_database!(
    rectification_not_evidence,
    a_rectification_request_is_not_answered_by_asking_for_evidence
);

async fn a_confirmed_decision_keeps_its_one_permit(store: &Cases) {
    let granted = worked(store).await.granted;
    rectification_asked(store, granted).await;
    confirmed_by_ville(store, granted).await;
    assert_eq!(store.case(granted).await.unwrap().state, CaseState::Decided);
    assert_eq!(
        store.permit_count(granted).await.unwrap(),
        1,
        "the confirmed permit, not a second one"
    );
}
polku_cases::on_every_database!(confirmed, a_confirmed_decision_keeps_its_one_permit);

async fn peoples_decisions_keep_the_audit_chain_whole(store: &Cases) {
    let w = worked(store).await;
    refused_by_hanna(store, w.referred[1]).await;
    rectification_asked(store, w.granted).await;
    confirmed_by_ville(store, w.granted).await;
    assert_eq!(audit(store).verify().await.unwrap().first_break, None);
}
polku_cases::on_every_database!(audit_chain, peoples_decisions_keep_the_audit_chain_whole);
