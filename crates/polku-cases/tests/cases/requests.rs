//! What the authority asks of an applicant and their answers: the machine's request for
//! evidence, a handler's hearing before a refusal (HL 34 §), answers with attachments checked
//! by content, and a deadline that passes without an answer.

use polku_cases::{
    Actor, AnswerError, AttachmentError, CaseState, Cases, HandlingError, HumanOutcome, MediaType,
    NewRequest, QueueFilter, RequestKind, Upload,
};
use serde_json::json;
use uuid::Uuid;

use crate::support::{applicant, application, pipeline, rules};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

fn hanna() -> Actor {
    Actor::User(Uuid::from_u128(0x4a))
}

fn pdf(name: &str) -> Upload {
    Upload {
        file_name: name.to_owned(),
        content: PDF.to_vec(),
    }
}

/// A case the machine asks evidence for (the pay is unknown), and one it refers (low pay).
async fn worked(store: &Cases) -> (Uuid, Uuid) {
    let no_pay = store
        .submit(
            &application(json!({"evidence": {"incomes": null}})),
            &applicant(),
        )
        .await
        .unwrap();
    let low_pay = store
        .submit(
            &application(json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1000}}})),
            &applicant(),
        )
        .await
        .unwrap();
    let p = pipeline(store, "w1");
    while p.run_once().await.unwrap().is_some() {}
    (no_pay, low_pay)
}

fn queue_ids(items: &[polku_cases::QueueItem]) -> Vec<Uuid> {
    items.iter().map(|i| i.case_id).collect()
}

async fn queue(store: &Cases) -> Vec<Uuid> {
    let f = QueueFilter {
        limit: 100,
        ..Default::default()
    };
    queue_ids(&store.handler_queue(&f).await.unwrap())
}

async fn the_machines_request_is_answered_and_goes_to_a_person(store: &Cases) {
    let (no_pay, _) = worked(store).await;
    assert_eq!(
        store.case(no_pay).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    let requests = store.requests(no_pay).await.unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.kind, RequestKind::Evidence);
    assert_eq!(r.asked_by, Actor::Machine);
    assert!(!r.conditions.is_empty(), "it names the unknown conditions");
    assert_eq!(r.what, None);
    let today = polku_cases::today_in_finland();
    assert_eq!(
        r.due,
        today.checked_add(jiff::Span::new().days(14)).unwrap()
    );
    assert!(
        !queue(store).await.contains(&no_pay),
        "waits for the applicant"
    );

    store
        .answer_request(
            no_pay,
            r.id,
            "applicant-1",
            "My pay slips.",
            vec![pdf("../palkka.pdf")],
        )
        .await
        .unwrap();
    let case = store.case(no_pay).await.unwrap();
    assert_eq!(case.state, CaseState::Referred, "a person reads the answer");
    assert_eq!(store.assignee(no_pay).await.unwrap(), None, "to the queue");
    assert!(queue(store).await.contains(&no_pay));
    let answered = store.requests(no_pay).await.unwrap();
    let answer = answered[0].answer.as_ref().expect("answered");
    assert_eq!(answer.text, "My pay slips.");
    assert_eq!(answer.attachments.len(), 1);
    let file = &answer.attachments[0];
    assert_eq!(file.file_name, "palkka.pdf");
    assert_eq!(file.media_type, MediaType::Pdf);
    assert_eq!(file.size, PDF.len() as i64);
    let stored = store.attachment(no_pay, file.id).await.unwrap().unwrap();
    assert_eq!(stored.content, PDF);
    // Another case's id does not reach the file.
    assert!(
        store
            .attachment(Uuid::now_v7(), file.id)
            .await
            .unwrap()
            .is_none()
    );
    // Answered once: a second answer has no open request.
    assert!(matches!(
        store
            .answer_request(no_pay, r.id, "applicant-1", "again", vec![])
            .await,
        Err(AnswerError::NoOpenRequest(..))
    ));
    // The pipeline leaves it to the person.
    assert_eq!(pipeline(store, "w1").run_once().await.unwrap(), None);
}
polku_cases::on_every_database!(
    machine_request_answered,
    the_machines_request_is_answered_and_goes_to_a_person
);

async fn a_hostile_answer_writes_nothing(store: &Cases) {
    let (no_pay, _) = worked(store).await;
    let r = store.requests(no_pay).await.unwrap()[0].id;
    let html = Upload {
        file_name: "contract.pdf".to_owned(),
        content: b"<html><script>alert(1)</script></html>".to_vec(),
    };
    assert!(matches!(
        store
            .answer_request(no_pay, r, "applicant-1", "see file", vec![html])
            .await,
        Err(AnswerError::Attachment(
            AttachmentError::NotAllowedType { .. }
        ))
    ));
    assert!(matches!(
        store
            .answer_request(no_pay, r, "someone-else", "mine", vec![])
            .await,
        Err(AnswerError::NotTheApplicant(_))
    ));
    assert!(matches!(
        store
            .answer_request(no_pay, r, "applicant-1", "   ", vec![])
            .await,
        Err(AnswerError::Empty)
    ));
    let six = (0..6).map(|i| pdf(&format!("{i}.pdf"))).collect();
    assert!(matches!(
        store
            .answer_request(no_pay, r, "applicant-1", "files", six)
            .await,
        Err(AnswerError::Attachment(AttachmentError::TooMany))
    ));
    assert!(matches!(
        store
            .answer_request(no_pay, Uuid::now_v7(), "applicant-1", "x", vec![])
            .await,
        Err(AnswerError::NoOpenRequest(..))
    ));
    assert_eq!(
        store.case(no_pay).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    assert!(store.requests(no_pay).await.unwrap()[0].answer.is_none());
}
polku_cases::on_every_database!(hostile_answer, a_hostile_answer_writes_nothing);

fn hearing(days: i16) -> NewRequest<'static> {
    NewRequest {
        kind: RequestKind::Hearing,
        what: "The pay is below the collective agreement's minimum (UlkL 73 §).",
        conditions: &[],
        days,
    }
}

async fn a_refusal_waits_for_the_hearing_and_records_it(store: &Cases) {
    let (_, low_pay) = worked(store).await;
    assert!(matches!(
        store.ask_applicant(low_pay, &hanna(), &hearing(14)).await,
        Err(HandlingError::NotClaimed(_))
    ));
    store.claim_case(low_pay, &hanna()).await.unwrap();
    assert!(matches!(
        store.ask_applicant(low_pay, &hanna(), &hearing(3)).await,
        Err(HandlingError::BadRequest)
    ));
    store
        .ask_applicant(low_pay, &hanna(), &hearing(14))
        .await
        .unwrap();
    assert_eq!(store.case(low_pay).await.unwrap().state, CaseState::Hearing);
    // Within the deadline, no decision.
    let live: polku_cases::LiveRules = rules().into();
    let handler = hanna();
    let refuse = || {
        store.decide_by_person(
            low_pay,
            &handler,
            HumanOutcome::Refuse,
            "Pay below the minimum.",
            &live,
        )
    };
    assert!(matches!(
        refuse().await,
        Err(HandlingError::AwaitingAnswer(..))
    ));
    let r = store.requests(low_pay).await.unwrap()[0].clone();
    assert_eq!(r.kind, RequestKind::Hearing);
    assert_eq!(r.asked_by, hanna());
    store
        .answer_request(
            low_pay,
            r.id,
            "applicant-1",
            "My new contract raises the pay.",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        store.case(low_pay).await.unwrap().state,
        CaseState::Referred
    );
    assert_eq!(
        store.assignee(low_pay).await.unwrap(),
        Some(hanna()),
        "back to the handler who asked"
    );
    refuse().await.unwrap();
    let decision = store.decisions(low_pay).await.unwrap().pop().unwrap();
    let trace = serde_json::to_value(&decision.trace).unwrap();
    let heard = trace.pointer("/hearing").expect("the hearing is recorded");
    assert_eq!(heard["request"], r.id.to_string());
    assert!(heard["answered_at"].is_i64());
}
polku_cases::on_every_database!(
    hearing_answered,
    a_refusal_waits_for_the_hearing_and_records_it
);

async fn after_the_deadline_the_case_returns_to_the_queue(store: &Cases) {
    let (no_pay, low_pay) = worked(store).await;
    store.claim_case(low_pay, &hanna()).await.unwrap();
    store
        .ask_applicant(low_pay, &hanna(), &hearing(7))
        .await
        .unwrap();
    assert!(!queue(store).await.contains(&low_pay));
    // Both deadlines pass (set back as a clock would move them).
    sqlx::query("UPDATE cases SET answer_due = '2020-01-01'")
        .execute(store.db().pool())
        .await
        .unwrap();
    let q = queue(store).await;
    assert!(q.contains(&low_pay) && q.contains(&no_pay), "{q:?}");
    store
        .decide_by_person(
            low_pay,
            &hanna(),
            HumanOutcome::Refuse,
            "No answer; pay below the minimum.",
            &rules().into(),
        )
        .await
        .unwrap();
    assert_eq!(store.case(low_pay).await.unwrap().state, CaseState::Decided);
    let decision = store.decisions(low_pay).await.unwrap().pop().unwrap();
    let trace = serde_json::to_value(&decision.trace).unwrap();
    assert!(trace["hearing"]["answered_at"].is_null());
    // The machine's request, unanswered: a person claims and decides it.
    store.claim_case(no_pay, &hanna()).await.unwrap();
    store
        .decide_by_person(
            no_pay,
            &hanna(),
            HumanOutcome::Refuse,
            "No evidence of pay.",
            &rules().into(),
        )
        .await
        .unwrap();
    assert_eq!(store.case(no_pay).await.unwrap().state, CaseState::Decided);
}
polku_cases::on_every_database!(
    deadline_passed,
    after_the_deadline_the_case_returns_to_the_queue
);
