//! The machine's part: the pipeline decides an application automatically with its
//! history, trace and permit, or refers it or asks for evidence; an invalid transition
//! writes nothing; a register that stays silent is asked again and then a person decides;
//! a case withdrawn while its evidence is fetched is not decided; and concurrent workers
//! decide each case exactly once.

use std::time::Duration;

use polku_cases::testing::TestDb;
use polku_cases::{
    Actor, CaseError, CaseState, Cases, NewApplication, Pipeline, Processed, SuppliedEvidence,
};
use polku_rules::Outcome;
use serde_json::json;

use crate::support::{applicant, application, pipeline, rules};

async fn decides_automatically_with_history_trace_and_permit(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    assert_eq!(store.case(id).await.unwrap().state, CaseState::Received);
    let done = pipeline(store, "w1").run_once().await.unwrap();
    assert!(
        matches!(
            done,
            Some(Processed::Decided {
                outcome: Outcome::Grant,
                ..
            })
        ),
        "{done:?}"
    );
    assert_eq!(store.case(id).await.unwrap().state, CaseState::Decided);
    let history: Vec<(Option<CaseState>, CaseState, Actor)> = store
        .history(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.from_state, e.to_state, e.actor))
        .collect();
    assert_eq!(
        history.iter().map(|(_, to, _)| *to).collect::<Vec<_>>(),
        [
            CaseState::Received,
            CaseState::GatheringEvidence,
            CaseState::Evaluated,
            CaseState::Decided
        ]
    );
    assert_eq!(
        store
            .history(id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [1, 2, 3, 4],
        "the history is numbered without gaps"
    );
    assert_eq!(history[0].2, applicant());
    assert_eq!(history[3].2, Actor::Machine);
    let decisions = store.decisions(id).await.unwrap();
    assert_eq!(decisions.len(), 1);
    let d = &decisions[0];
    assert!(d.automated);
    assert_eq!(
        (d.outcome.code(), d.rule_set_version.as_deref()),
        ("grant", Some("2025.1"))
    );
    assert_eq!(d.input["evidence"]["incomes"]["source"], "Incomes Register");
    for lang in polku_rules::Lang::ALL {
        let trace = d.trace.in_lang(lang).unwrap();
        assert_eq!(
            (trace.outcome, trace.language),
            (polku_rules::Outcome::Grant, lang)
        );
    }
    // The permit the rule set's `grants` describes: a continuous permit for four years.
    let permit = store.permit(id).await.unwrap().unwrap();
    assert_eq!(permit.decision_id, d.id);
    assert_eq!(
        (permit.kind.as_deref(), permit.legal_basis.as_deref()),
        (Some("A"), Some("UlkL 55 §"))
    );
    let from: jiff::civil::Date = permit.valid_from.parse().unwrap();
    assert_eq!(
        permit.valid_until,
        Some(
            polku_cases::valid_until(from, Some(48))
                .unwrap()
                .to_string()
        )
    );
    assert!(permit.monitored.contains(&"pay-meets-minimum".to_owned()));
    let depth = store.queue_depth().await.unwrap();
    assert_eq!((depth.queued, depth.running, depth.done), (0, 0, 1));
    assert_eq!(
        pipeline(store, "w1").run_once().await.unwrap(),
        None,
        "nothing left to do"
    );
}
polku_cases::on_every_database!(
    automatic_grant,
    decides_automatically_with_history_trace_and_permit
);

async fn refers_and_requests_evidence_without_a_permit(store: &Cases) {
    let low_pay = store
        .submit(
            &application(json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": 1000}}})),
            &applicant(),
        )
        .await
        .unwrap();
    let no_pay = store
        .submit(
            &application(json!({"evidence": {"incomes": null}})),
            &applicant(),
        )
        .await
        .unwrap();
    let unknown_matter = store
        .submit(
            &NewApplication {
                matter: "fi.no-such-matter".to_owned(),
                ..application(json!({}))
            },
            &applicant(),
        )
        .await
        .unwrap();
    // Filing refuses a monitoring rule set's id; were a case under one in the store all the
    // same, the pipeline would not decide it by the monitoring set.
    let monitoring_matter = store
        .submit(
            &NewApplication {
                matter: "fi.monitoring.residence-permit.employed".to_owned(),
                ..application(json!({}))
            },
            &applicant(),
        )
        .await
        .unwrap();
    let p = pipeline(store, "w1");
    while p.run_once().await.unwrap().is_some() {}
    assert_eq!(
        store.case(low_pay).await.unwrap().state,
        CaseState::Referred
    );
    assert_eq!(
        store.case(no_pay).await.unwrap().state,
        CaseState::EvidenceRequested
    );
    assert_eq!(
        store.case(unknown_matter).await.unwrap().state,
        CaseState::Referred
    );
    let reason = store
        .history(low_pay)
        .await
        .unwrap()
        .last()
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert_eq!(reason, "pay-meets-minimum not_met");
    let reason = store
        .history(unknown_matter)
        .await
        .unwrap()
        .last()
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert!(
        reason.contains("no rule set decides the matter `fi.no-such-matter`"),
        "{reason}"
    );
    let reason = store
        .history(monitoring_matter)
        .await
        .unwrap()
        .last()
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert!(
        reason.contains("no rule set decides the matter `fi.monitoring.residence-permit.employed`"),
        "{reason}"
    );
    for id in [low_pay, no_pay, unknown_matter, monitoring_matter] {
        assert_eq!(store.permit_count(id).await.unwrap(), 0);
        assert_eq!(store.decisions(id).await.unwrap().len(), 1);
    }
}
polku_cases::on_every_database!(
    referral_and_evidence_request,
    refers_and_requests_evidence_without_a_permit
);

async fn refuses_invalid_transitions_and_writes_nothing(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let err = store
        .transition(
            id,
            CaseState::Decided,
            &Actor::User(uuid::Uuid::from_u128(1)),
            Some("skip"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CaseError::InvalidTransition {
                from: CaseState::Received,
                to: CaseState::Decided,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("case {id} cannot go from received to decided")
    );
    assert_eq!(store.history(id).await.unwrap().len(), 1);
    assert_eq!(store.case(id).await.unwrap().state, CaseState::Received);
    store
        .transition(id, CaseState::Withdrawn, &applicant(), Some("moved abroad"))
        .await
        .unwrap();
    assert_eq!(
        pipeline(store, "w1").run_once().await.unwrap(),
        Some(Processed::Skipped {
            case: id,
            state: CaseState::Withdrawn
        })
    );
    let missing = uuid::Uuid::now_v7();
    assert!(matches!(store.case(missing).await, Err(CaseError::NotFound(m)) if m == missing));
}
polku_cases::on_every_database!(
    invalid_transitions,
    refuses_invalid_transitions_and_writes_nothing
);

/// An evidence source that is slow: the applicant withdraws while it fetches.
struct WithdrawnWhileFetching(Cases);

impl polku_cases::EvidenceSource for WithdrawnWhileFetching {
    async fn gather(
        &self,
        case: &polku_cases::Case,
    ) -> Result<polku_cases::Gathered, polku_cases::EvidenceError> {
        self.0
            .transition(
                case.id,
                CaseState::Withdrawn,
                &applicant(),
                Some("changed my mind"),
            )
            .await
            .map_err(|e| polku_cases::EvidenceError::Unavailable(e.to_string()))?;
        SuppliedEvidence.gather(case).await
    }
}

/// An Incomes Register that never answers: the pay is unknown.
struct SilentIncomesRegister;

impl polku_cases::EvidenceSource for SilentIncomesRegister {
    async fn gather(
        &self,
        case: &polku_cases::Case,
    ) -> Result<polku_cases::Gathered, polku_cases::EvidenceError> {
        let mut application = case.application.clone();
        application["evidence"]
            .as_object_mut()
            .unwrap()
            .remove("incomes");
        Ok(polku_cases::Gathered {
            application,
            unanswered: vec!["Incomes Register".to_owned()],
            subject: None,
            person_ids: Vec::new(),
        })
    }
}

async fn a_silent_register_is_asked_again_then_a_person_decides(db: &TestDb) {
    let store = &db.store;
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let p = Pipeline::new(store.clone(), rules(), SilentIncomesRegister, "w1");
    // Asked again with backoff while attempts remain: no decision yet.
    for attempt in 1..polku_cases::EVIDENCE_ATTEMPTS {
        let err = p.run_once().await.unwrap_err();
        assert!(
            err.to_string().contains("Incomes Register"),
            "{attempt}: {err}"
        );
        assert!(store.decisions(id).await.unwrap().is_empty());
        // Skip the backoff: make the job due now.
        db.raw("UPDATE jobs SET run_after = 0").await;
    }
    let done = p.run_once().await.unwrap();
    assert!(
        matches!(
            done,
            Some(Processed::Decided {
                outcome: Outcome::Refer,
                ..
            })
        ),
        "{done:?}"
    );
    let case = store.case(id).await.unwrap();
    assert_eq!(
        case.state,
        CaseState::Referred,
        "never refused, never asked of the applicant"
    );
    let d = &store.decisions(id).await.unwrap()[0];
    assert_eq!(d.unanswered, ["Incomes Register"]);
    assert_eq!(
        d.trace.in_lang(polku_rules::Lang::En).unwrap().outcome,
        polku_rules::Outcome::RequestEvidence,
        "the rules saw an unknown"
    );
    let referral = store.history(id).await.unwrap().pop().unwrap();
    assert!(
        referral
            .reason
            .unwrap()
            .starts_with("registers did not answer: Incomes Register"),
    );
    let replay = store.replay(d.id, &rules().into()).await.unwrap();
    assert!(replay.identical, "{:?}", replay.differences);
}
polku_cases::on_every_database!(
    silent_register,
    a_silent_register_is_asked_again_then_a_person_decides,
    with_db
);

async fn a_case_withdrawn_while_evidence_is_fetched_is_not_decided(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let p = Pipeline::new(
        store.clone(),
        rules(),
        WithdrawnWhileFetching(store.clone()),
        "w1",
    );
    assert_eq!(
        p.run_once().await.unwrap(),
        Some(Processed::Skipped {
            case: id,
            state: CaseState::Withdrawn
        })
    );
    assert!(store.decisions(id).await.unwrap().is_empty());
    assert_eq!(store.permit(id).await.unwrap(), None);
    assert_eq!(store.queue_depth().await.unwrap().done, 1);
}
polku_cases::on_every_database!(
    withdrawn_while_fetching,
    a_case_withdrawn_while_evidence_is_fetched_is_not_decided
);

async fn concurrent_workers_decide_each_case_exactly_once(store: &Cases) {
    let mut ids = Vec::new();
    for _ in 0..24 {
        ids.push(
            store
                .submit(&application(json!({})), &applicant())
                .await
                .unwrap(),
        );
    }
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let p = pipeline(store, &format!("worker-{w}"));
            tokio::spawn(async move {
                let mut n = 0;
                loop {
                    match p.run_once().await {
                        Ok(Some(Processed::Decided { .. })) => n += 1,
                        Ok(Some(_)) => {}
                        Ok(None) => break n,
                        // SQLite may report a busy database under contention; the job is retried.
                        Err(e) => eprintln!("worker-{w}: {e}"),
                    }
                }
            })
        })
        .collect();
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    // Jobs that failed under contention are back in the queue with a backoff: finish them.
    let p = pipeline(store, "sweeper");
    for _ in 0..200 {
        match p.run_once().await {
            Ok(Some(Processed::Decided { .. })) => total += 1,
            Ok(Some(_)) | Err(_) => {}
            Ok(None) if store.queue_depth().await.unwrap().queued == 0 => break,
            Ok(None) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(total, ids.len());
    for id in ids {
        assert_eq!(store.decisions(id).await.unwrap().len(), 1, "case {id}");
        assert_eq!(store.case(id).await.unwrap().state, CaseState::Decided);
    }
}
polku_cases::on_every_database!(
    concurrent_workers,
    concurrent_workers_decide_each_case_exactly_once
);
