//! A job is held under a lease. An expired lease passes the job on, and the old holder
//! can no longer fail it; a failure puts the job back with a backoff, a release (graceful
//! shutdown) at once.
//!
//! A worker that lost its lease commits nothing: worker A claims a job and is held up
//! while gathering evidence, its lease expires, worker B takes the job over and completes
//! it, and then A finishes. A's work must roll back whole — no second decision, no second
//! history entry, no second permit, no second entry in the decision log.

use std::sync::Arc;
use std::time::Duration;

use polku_audit::AuditLog;
use polku_cases::testing::{FixedRegisters, TestDb};
use polku_cases::{
    Case, CaseState, Cases, EvidenceSource, Gathered, NewApplication, Pipeline, Processed,
};
use polku_rules::Outcome;
use serde_json::json;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::support::{EXTENSION, applicant, application, audit, example, rules};

async fn an_expired_lease_passes_the_job_on_and_the_old_holder_cannot_touch_it(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let first = store
        .claim_job("crashed-worker", Duration::from_millis(300))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.case_id, first.attempts), (id, 1));
    assert_eq!(
        store
            .claim_job("other", Duration::from_secs(30))
            .await
            .unwrap(),
        None,
        "held"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = store
        .claim_job("other", Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.id, second.attempts), (first.id, 2));
    // The stale holder's failure report changes nothing.
    store.fail_job(&first, "late report").await.unwrap();
    assert_eq!(store.queue_depth().await.unwrap().running, 1);
    // A failure by the holder puts the job back with a backoff, not ready at once.
    store.fail_job(&second, "register timeout").await.unwrap();
    assert_eq!(store.queue_depth().await.unwrap().queued, 1);
    assert_eq!(
        store
            .claim_job("other", Duration::from_secs(30))
            .await
            .unwrap(),
        None
    );
    // Released (graceful shutdown) jobs are ready again at once.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let third = store
        .claim_job("w", Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    store.release_job(&third).await.unwrap();
    let again = store
        .claim_job("w2", Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (third.id, third.attempts));
}
polku_cases::on_every_database!(
    expired_lease,
    an_expired_lease_passes_the_job_on_and_the_old_holder_cannot_touch_it
);

/// What the registers say of the walk-through's applicant: enough for a grant.
fn registers() -> FixedRegisters {
    let app = example();
    FixedRegisters {
        facts: json!({"evidence": app["evidence"], "applicant": app["applicant"]}),
    }
}

/// The same registers, but the Incomes Register has nothing on the applicant yet: the
/// pay is unknown and the rules ask for evidence.
fn registers_without_pay() -> FixedRegisters {
    let mut r = registers();
    r.facts["evidence"]
        .as_object_mut()
        .unwrap()
        .remove("incomes");
    r
}

/// Registers that answer only when the test says so: the worker asking them is held up.
struct HeldUp {
    inner: FixedRegisters,
    asking: Arc<Notify>,
    answer: Arc<Notify>,
}

impl EvidenceSource for HeldUp {
    async fn gather(&self, case: &Case) -> Result<Gathered, polku_cases::EvidenceError> {
        self.asking.notify_one();
        self.answer.notified().await;
        self.inner.gather(case).await
    }
}

async fn submit(db: &TestDb) -> Uuid {
    let app = example();
    db.store
        .submit(
            &NewApplication {
                matter: EXTENSION.to_owned(),
                applicant_id: "applicant-1".to_owned(),
                application_date: jiff::civil::date(2025, 5, 1),
                application: json!({"application": app["application"]}),
                deadline: None,
            },
            &applicant(),
        )
        .await
        .unwrap()
}

/// Which of the two workers gets its registers' answer first.
#[derive(Clone, Copy)]
enum First {
    A,
    B,
}

fn held_up(inner: FixedRegisters) -> (HeldUp, Arc<Notify>, Arc<Notify>) {
    let (asking, answer) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let held = HeldUp {
        inner,
        asking: asking.clone(),
        answer: answer.clone(),
    };
    (held, asking, answer)
}

/// Worker A claims the ready job with a lease of a millisecond and is held up in the
/// registers; once its lease has expired worker B takes the job over and is held up in
/// its registers too. Then the registers answer, `first`'s first, and each worker
/// finishes before the other's registers answer. Returns what B and A reported.
async fn a_overtaken_by_b(
    db: &TestDb,
    a_registers: FixedRegisters,
    b_registers: FixedRegisters,
    first: First,
) -> (Processed, Processed) {
    let (held, a_asking, a_answer) = held_up(a_registers);
    let mut a = Pipeline::new(db.store.clone(), rules(), held, "worker-a");
    a.lease = Duration::from_millis(1);
    let a = tokio::spawn(async move { a.run_once().await.unwrap().expect("A had a job") });
    a_asking.notified().await;
    let (held, b_asking, b_answer) = held_up(b_registers);
    let b = Pipeline::new(db.store.clone(), rules(), held, "worker-b");
    // B finds the job as soon as A's lease has run out.
    let b = tokio::spawn(async move {
        for _ in 0..10_000 {
            if let Some(done) = b.run_once().await.unwrap() {
                return done;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("B never took the job over from A, whose lease had expired");
    });
    b_asking.notified().await;
    match first {
        First::B => {
            b_answer.notify_one();
            let by_b = b.await.unwrap();
            a_answer.notify_one();
            (by_b, a.await.unwrap())
        }
        First::A => {
            a_answer.notify_one();
            let by_a = a.await.unwrap();
            b_answer.notify_one();
            (b.await.unwrap(), by_a)
        }
    }
}

async fn a_worker_that_lost_its_lease_commits_nothing(db: &TestDb) {
    let id = submit(db).await;
    let (by_b, by_a) = a_overtaken_by_b(db, registers(), registers(), First::B).await;
    assert!(
        matches!(
            by_b,
            Processed::Decided {
                outcome: Outcome::Grant,
                ..
            }
        ),
        "{by_b:?}"
    );
    assert_eq!(by_a, Processed::LeaseLost { case: id });
    let store = &db.store;
    assert_eq!(store.case(id).await.unwrap().state, CaseState::Decided);
    assert_eq!(store.decisions(id).await.unwrap().len(), 1, "one decision");
    assert_eq!(
        store
            .history(id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.to_state)
            .collect::<Vec<_>>(),
        [
            CaseState::Received,
            CaseState::GatheringEvidence,
            CaseState::Evaluated,
            CaseState::Decided
        ],
        "one pass through the pipeline in the history"
    );
    let permits = format!("SELECT COUNT(*) FROM permits WHERE case_id = '{id}'");
    assert_eq!(db.count(&permits).await, 1, "one permit");
    assert_eq!(audit(store).count(AuditLog::Decision).await.unwrap(), 1);
    assert_eq!(audit(store).verify().await.unwrap().first_break, None);
    let depth = store.queue_depth().await.unwrap();
    assert_eq!((depth.queued, depth.running, depth.done), (0, 0, 1));
}
polku_cases::on_every_database!(
    lease_lost,
    a_worker_that_lost_its_lease_commits_nothing,
    with_db
);

/// A finishes while B holds the job: nobody has moved the case, so only the lease keeps
/// A's stale finding (its registers had no pay yet) from becoming the decision; B's, made
/// on the registers' later answer, is the one recorded.
async fn a_worker_that_lost_its_lease_cannot_decide_while_another_holds_the_job(db: &TestDb) {
    let id = submit(db).await;
    let (by_b, by_a) = a_overtaken_by_b(db, registers_without_pay(), registers(), First::A).await;
    assert_eq!(by_a, Processed::LeaseLost { case: id });
    let Processed::Decided {
        outcome: Outcome::Grant,
        decision,
        ..
    } = by_b
    else {
        panic!("B should have granted: {by_b:?}");
    };
    let store = &db.store;
    assert_eq!(store.case(id).await.unwrap().state, CaseState::Decided);
    let decisions = store.decisions(id).await.unwrap();
    assert_eq!(
        decisions
            .iter()
            .map(|d| (d.id, d.outcome.code()))
            .collect::<Vec<_>>(),
        [(decision, "grant")]
    );
    assert_eq!(store.history(id).await.unwrap().len(), 4);
    assert_eq!(
        store.permit(id).await.unwrap().map(|p| p.decision_id),
        Some(decision)
    );
    assert_eq!(audit(store).count(AuditLog::Decision).await.unwrap(), 1);
    let depth = store.queue_depth().await.unwrap();
    assert_eq!((depth.queued, depth.running, depth.done), (0, 0, 1));
}
polku_cases::on_every_database!(
    lease_lost_while_held,
    a_worker_that_lost_its_lease_cannot_decide_while_another_holds_the_job,
    with_db
);

/// Here only the lease stands between A and a second decision: the case waits for new
/// evidence (`evidence_requested`, a state the pipeline takes cases from), B finds the
/// pay still unknown and asks for evidence again — so the case is back in the state A
/// read it in — and A, whose registers have meanwhile answered, would grant.
async fn a_worker_that_lost_its_lease_commits_nothing_even_when_the_case_looks_untouched(
    db: &TestDb,
) {
    let id = submit(db).await;
    let store = &db.store;
    let first = Pipeline::new(store.clone(), rules(), registers_without_pay(), "worker-0")
        .run_once()
        .await
        .unwrap();
    assert!(
        matches!(
            first,
            Some(Processed::Decided {
                outcome: Outcome::RequestEvidence,
                ..
            })
        ),
        "{first:?}"
    );
    assert_eq!(
        store.case(id).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    // New evidence has come in: the case is decided again. (How a job gets here is
    // another part's concern; the pipeline takes cases waiting for evidence.)
    db.raw(&format!(
        "INSERT INTO jobs (id, case_id, kind, state, attempts, run_after, created_at)
         VALUES ('{}', '{id}', 'decide', 'queued', 0, 0, 0)",
        Uuid::now_v7()
    ))
    .await;
    let (by_b, by_a) = a_overtaken_by_b(db, registers(), registers_without_pay(), First::B).await;
    assert!(
        matches!(
            by_b,
            Processed::Decided {
                outcome: Outcome::RequestEvidence,
                ..
            }
        ),
        "{by_b:?}"
    );
    assert_eq!(
        store.case(id).await.unwrap().state,
        CaseState::EvidenceRequested,
        "A's grant was not committed"
    );
    let outcomes: Vec<polku_cases::DecisionOutcome> = store
        .decisions(id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(outcomes, [polku_cases::DecisionOutcome::RequestEvidence; 2]);
    assert_eq!(
        store.history(id).await.unwrap().len(),
        7,
        "received, then two passes of three steps"
    );
    let permits = format!("SELECT COUNT(*) FROM permits WHERE case_id = '{id}'");
    assert_eq!(db.count(&permits).await, 0, "no permit");
    assert_eq!(store.permit(id).await.unwrap(), None);
    assert_eq!(audit(store).count(AuditLog::Decision).await.unwrap(), 2);
    assert_eq!(audit(store).verify().await.unwrap().first_break, None);
    let depth = store.queue_depth().await.unwrap();
    assert_eq!((depth.queued, depth.running, depth.done), (0, 0, 2));
    assert_eq!(by_a, Processed::LeaseLost { case: id });
}
polku_cases::on_every_database!(
    lease_lost_case_untouched,
    a_worker_that_lost_its_lease_commits_nothing_even_when_the_case_looks_untouched,
    with_db
);
