//! Rule administration: a proposed text is checked, backtested against the matter's past
//! decisions, approved by a second legal officer, and decides the applications filed from
//! its effective date — every step in the audit chain. On SQLite and PostgreSQL.

use std::sync::Arc;

use polku_access::{Principal, Role};
use polku_audit::{AuditLog, AuditQuery};
use polku_cases::testing::{EXTENSION, bundled_rules as rules, walkthrough_application as example};
use polku_cases::{Actor, Cases, LiveRules, NewApplication, Pipeline, SuppliedEvidence};
use polku_rule_admin::{NewProposal, ProposalError, ProposalState, RuleAdmin};
use serde_json::json;

/// Users and tokens in the test's database.
fn access(store: &Cases) -> polku_access::Access {
    polku_access::Access::new(store.db().clone())
}

/// The audit chain in the test's database.
fn audit(store: &Cases) -> polku_audit::AuditChain {
    polku_audit::AuditChain::new(store.db().clone())
}

/// Rule administration over the test's database.
fn admin(store: &Cases) -> RuleAdmin {
    RuleAdmin::new(store.clone())
}

/// The live rules of a process on the test's database: the shipped texts with the changes
/// approved there.
fn live_rules(store: &Cases) -> LiveRules {
    LiveRules::new(rules(), Arc::new(admin(store)))
}

/// An extension without a collective agreement (the general minimum pay applies) and
/// with `eur` of average pay in the incomes register, filed on `filed`.
fn application_paying(eur: u32, filed: jiff::civil::Date) -> NewApplication {
    let mut app = example();
    polku_rules::merge_patch(
        &mut app,
        &json!({
            "evidence": {
                "agreements": {"generally_binding": false, "minimum_monthly_pay_eur": null},
                "incomes": {"monthly_gross_pay_avg_eur": eur},
            },
        }),
    );
    NewApplication {
        matter: EXTENSION.to_owned(),
        applicant_id: format!("applicant-{eur}"),
        application_date: filed,
        application: app,
        deadline: None,
    }
}

async fn decide(store: &Cases, rules: &LiveRules, eur: u32, filed: jiff::civil::Date) -> String {
    let id = store
        .submit(
            &application_paying(eur, filed),
            &Actor::Person("applicant".to_owned()),
        )
        .await
        .unwrap();
    let p = Pipeline::new(store.clone(), rules, SuppliedEvidence, "w1");
    while p.run_once().await.unwrap().is_some() {}
    store.decisions(id).await.unwrap()[0]
        .outcome
        .code()
        .to_owned()
}

async fn official(store: &Cases, name: &str, role: Role) -> Principal {
    let id = access(store)
        .add_user(name, role, Some("Maahanmuuttovirasto"), None)
        .await
        .unwrap();
    access(store).principal_of(id).await.unwrap().unwrap()
}

/// The shipped text with the general minimum pay raised to 2,000 € from `from`.
fn raised_minimum(from: jiff::civil::Date) -> String {
    let text = rules().text_of(EXTENSION).unwrap().0.to_owned();
    let line = "      2025-04-01: 1600\n";
    assert!(text.contains(line));
    text.replace(line, &format!("{line}      {from}: 2000\n"))
}

/// The proposal the four-eyes tests make: the general minimum pay rises to 2,000 € from
/// `from`, in `text`.
fn proposal(text: String, from: jiff::civil::Date) -> NewProposal {
    NewProposal {
        rule_set: EXTENSION.to_owned(),
        base: None,
        text,
        tests_text: None,
        summary: "The general minimum pay rises to 2,000 €.".to_owned(),
        effective_from: from.to_string(),
    }
}

async fn what_cannot_be_proposed_is_refused_and_nothing_is_stored(store: &Cases) {
    let live = live_rules(store);
    let today = jiff::Zoned::now().date();
    let from = today.checked_add(jiff::Span::new().days(7)).unwrap();
    let hanna = official(store, "Hanna Handler", Role::CaseHandler).await;
    // Each refusal names why.
    let broken = raised_minimum(from).replace("when: evidence", "when: evidense");
    match admin(store)
        .propose_rules(&proposal(broken, from), &hanna, &live)
        .await
    {
        Err(ProposalError::Check(errors)) => {
            assert!(errors.iter().any(|e| e.contains("evidense")), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        admin(store)
            .propose_rules(&proposal(raised_minimum(today), today), &hanna, &live)
            .await,
        Err(ProposalError::NotInFuture { .. })
    ));
    // A text without its test cases could not be checked, so it is not accepted.
    let untested = raised_minimum(from);
    let untested = &untested[..untested.find("\ntests:").unwrap()];
    match admin(store)
        .propose_rules(&proposal(untested.to_owned(), from), &hanna, &live)
        .await
    {
        Err(ProposalError::Check(errors)) => {
            assert!(errors[0].contains("0 test cases"), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let applicant = Principal {
        role: Role::Applicant,
        ..hanna.clone()
    };
    assert!(matches!(
        admin(store)
            .propose_rules(&proposal(raised_minimum(from), from), &applicant, &live)
            .await,
        Err(ProposalError::Forbidden(Role::Applicant, _))
    ));
    assert!(admin(store).rule_proposals().await.unwrap().is_empty());
}
polku_cases::on_every_database!(
    refused_proposals,
    what_cannot_be_proposed_is_refused_and_nothing_is_stored
);

/// Two past grants (pays of 1,700 € and 2,600 € both meet today's 1,600 €), three
/// officials, and a handler's proposal to raise the minimum to 2,000 € from a week today.
struct Proposed {
    live: LiveRules,
    today: jiff::civil::Date,
    from: jiff::civil::Date,
    hanna: Principal,
    lauri: Principal,
    liisa: Principal,
    p: polku_rule_admin::RuleProposal,
}

async fn proposed(store: &Cases) -> Proposed {
    let live = live_rules(store);
    let today = jiff::Zoned::now().date();
    let from = today.checked_add(jiff::Span::new().days(7)).unwrap();
    assert_eq!(decide(store, &live, 1700, today).await, "grant");
    assert_eq!(decide(store, &live, 2600, today).await, "grant");
    let hanna = official(store, "Hanna Handler", Role::CaseHandler).await;
    let lauri = official(store, "Lauri Legal", Role::LegalOfficer).await;
    let liisa = official(store, "Liisa Legal", Role::LegalOfficer).await;
    let p = admin(store)
        .propose_rules(&proposal(raised_minimum(from), from), &hanna, &live)
        .await
        .unwrap();
    assert_eq!((p.state, p.base), (ProposalState::Proposed, None));
    Proposed {
        live,
        today,
        from,
        hanna,
        lauri,
        liisa,
        p,
    }
}

/// The purposes of the rule-administration log, oldest first.
async fn rule_steps(store: &Cases) -> Vec<String> {
    audit(store)
        .search(&AuditQuery {
            log: Some(AuditLog::Rules),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| r.purpose)
        .collect()
}

async fn neither_a_handler_nor_the_proposer_may_approve(store: &Cases) {
    let Proposed {
        live,
        from,
        hanna,
        lauri,
        p,
        ..
    } = proposed(store).await;
    assert!(matches!(
        admin(store).approve_proposal(p.id, &hanna, "", &live).await,
        Err(ProposalError::Forbidden(Role::CaseHandler, _))
    ));
    let own = admin(store)
        .propose_rules(&proposal(raised_minimum(from), from), &lauri, &live)
        .await
        .unwrap();
    assert!(matches!(
        admin(store)
            .approve_proposal(own.id, &lauri, "", &live)
            .await,
        Err(ProposalError::OwnProposal)
    ));
    assert!(matches!(
        admin(store).reject_proposal(own.id, &lauri, "no").await,
        Err(ProposalError::OwnProposal)
    ));
    assert_eq!(
        admin(store)
            .rule_proposal(p.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        ProposalState::Proposed
    );
}
polku_cases::on_every_database!(four_eyes, neither_a_handler_nor_the_proposer_may_approve);

async fn a_backtest_shows_what_would_change_is_reused_and_each_read_logged(store: &Cases) {
    let Proposed {
        live,
        hanna,
        liisa,
        p,
        ..
    } = proposed(store).await;
    // The 1,700 € grant would be a referral under the proposal.
    let cache = polku_rule_admin::BacktestCache::default();
    let backtest = admin(store)
        .backtest_proposal(p.id, &liisa, &live, &cache)
        .await
        .unwrap();
    assert_eq!(backtest.evaluated, 2);
    assert_eq!(
        backtest
            .changed
            .iter()
            .map(|c| (c.before.as_str(), c.after.as_str()))
            .collect::<Vec<_>>(),
        [("grant", "refer")]
    );
    // Seen again, the backtest is reused, and the read logged again.
    let again = admin(store)
        .backtest_proposal(p.id, &hanna, &live, &cache)
        .await
        .unwrap();
    assert!(Arc::ptr_eq(&backtest, &again));
    assert_eq!(
        rule_steps(store).await,
        [
            "rule administration: proposal",
            "rule administration: backtest (reads past applications of the matter)",
            "rule administration: backtest (reads past applications of the matter)",
        ]
    );
}
polku_cases::on_every_database!(
    backtest,
    a_backtest_shows_what_would_change_is_reused_and_each_read_logged
);

async fn an_approved_change_decides_from_its_date_in_every_process(store: &Cases) {
    let Proposed {
        live,
        today,
        from,
        lauri,
        liisa,
        p,
        ..
    } = proposed(store).await;
    // Another process's rules, read before the approval and not told about it.
    let elsewhere = live_rules(store);
    assert!(!elsewhere.refresh().await.unwrap());

    // A second legal officer approves: it decides applications filed from its date only.
    let approved = admin(store)
        .approve_proposal(p.id, &liisa, "Checked against the decree.", &live)
        .await
        .unwrap();
    assert_eq!(approved.state, ProposalState::Approved);
    assert_eq!(approved.decided_by, Some(liisa.user_id));
    assert_eq!(
        (approved.backtest_evaluated, approved.backtest_changed),
        (Some(2), Some(1))
    );
    assert_eq!(decide(store, &live, 1700, today).await, "grant");
    assert_eq!(decide(store, &live, 1700, from).await, "refer");
    assert!(matches!(
        admin(store).approve_proposal(p.id, &lauri, "", &live).await,
        Err(ProposalError::NotOpen(ProposalState::Approved))
    ));
    // The other process decides today's filings as before, and re-reads the approved
    // changes before deciding a filing of a day that began after it last looked.
    assert_eq!(decide(store, &elsewhere, 1700, today).await, "grant");
    assert_eq!(decide(store, &elsewhere, 1700, from).await, "refer");
    // A process started later picks the change up once.
    let other = live_rules(store);
    assert!(other.refresh().await.unwrap());
    assert!(!other.refresh().await.unwrap());
    assert_eq!(other.shelf().layers().len(), 2);
    assert_eq!(decide(store, &other, 1700, from).await, "refer");
    assert_eq!(
        rule_steps(store).await,
        [
            "rule administration: proposal",
            "rule administration: approval",
        ]
    );
    assert_eq!(audit(store).verify().await.unwrap().first_break, None);
}
polku_cases::on_every_database!(
    approval,
    an_approved_change_decides_from_its_date_in_every_process
);

/// A monitoring rule set changes by the same four-eyes path: checked and tested, approved
/// by a second legal officer; it has no past decisions, so its backtest reads nothing.
async fn a_monitoring_rule_set_changes_by_four_eyes_with_nothing_to_backtest(store: &Cases) {
    const MONITORING: &str = "fi.monitoring.residence-permit.employed";
    let live = live_rules(store);
    let today = jiff::Zoned::now().date();
    let from = today.checked_add(jiff::Span::new().days(7)).unwrap();
    let text = rules().text_of(MONITORING).unwrap().0.to_owned();
    let line = "      2025-04-01: 1600\n";
    assert!(text.contains(line));
    let raised = text.replacen(line, &format!("{line}      {from}: 2000\n"), 1);
    let hanna = official(store, "Hanna Handler", Role::CaseHandler).await;
    let liisa = official(store, "Liisa Legal", Role::LegalOfficer).await;
    let p = admin(store)
        .propose_rules(
            &NewProposal {
                rule_set: MONITORING.to_owned(),
                ..proposal(raised, from)
            },
            &hanna,
            &live,
        )
        .await
        .unwrap();
    let backtest = admin(store)
        .backtest_proposal(
            p.id,
            &liisa,
            &live,
            &polku_rule_admin::BacktestCache::default(),
        )
        .await
        .unwrap();
    assert_eq!((backtest.evaluated, backtest.changed.len()), (0, 0));
    let approved = admin(store)
        .approve_proposal(p.id, &liisa, "Checked against the decree.", &live)
        .await
        .unwrap();
    assert_eq!(approved.state, ProposalState::Approved);
    assert_eq!(
        (approved.backtest_evaluated, approved.backtest_changed),
        (Some(0), Some(0))
    );
    // From its date the raised figure is the monitoring set's, and it still watches the
    // same matter; a monitoring set is never a matter one files.
    let book = live.on(from);
    let rs = book.monitoring_for(EXTENSION).unwrap();
    assert_eq!(rs.id, MONITORING);
    let minimum = rs
        .parameters
        .iter()
        .find(|p| p.name == "pay.general_minimum_eur_month")
        .unwrap();
    assert_eq!(
        minimum.value_at(from).map(|(_, v)| v.clone()),
        Some(polku_rules::ParamValue::Number(2000.0))
    );
    assert!(book.decision_set(MONITORING).is_none());
    assert_eq!(
        rule_steps(store).await,
        [
            "rule administration: proposal",
            "rule administration: approval",
        ]
    );
}
polku_cases::on_every_database!(
    monitoring_change,
    a_monitoring_rule_set_changes_by_four_eyes_with_nothing_to_backtest
);

async fn a_proposal_written_before_an_approval_must_be_made_again(store: &Cases) {
    let Proposed {
        live,
        from,
        lauri,
        liisa,
        p,
        ..
    } = proposed(store).await;
    let own = admin(store)
        .propose_rules(&proposal(raised_minimum(from), from), &lauri, &live)
        .await
        .unwrap();
    admin(store)
        .approve_proposal(p.id, &liisa, "", &live)
        .await
        .unwrap();
    // Lauri's proposal was written before that approval: it must be made again.
    assert!(matches!(
        admin(store)
            .approve_proposal(own.id, &liisa, "", &live)
            .await,
        Err(ProposalError::Stale)
    ));
    admin(store)
        .withdraw_proposal(own.id, &lauri)
        .await
        .unwrap();
    // A proposal written against the text before that approval is refused: it would undo
    // the approved change from its own date.
    assert!(matches!(
        admin(store)
            .propose_rules(&proposal(raised_minimum(from), from), &lauri, &live)
            .await,
        Err(ProposalError::Stale)
    ));
    let written_against_it = NewProposal {
        base: Some(p.id),
        ..proposal(raised_minimum(from), from)
    };
    let next = admin(store)
        .propose_rules(&written_against_it, &lauri, &live)
        .await
        .unwrap();
    assert_eq!(next.base, Some(p.id));
    admin(store)
        .withdraw_proposal(next.id, &lauri)
        .await
        .unwrap();
    assert!(matches!(
        admin(store).withdraw_proposal(next.id, &lauri).await,
        Err(ProposalError::NotOpen(ProposalState::Withdrawn))
    ));
    // Every step is in the audit chain, and the chain holds.
    assert_eq!(
        rule_steps(store).await,
        [
            "rule administration: proposal",
            "rule administration: proposal",
            "rule administration: approval",
            "rule administration: withdrawal",
            "rule administration: proposal",
            "rule administration: withdrawal",
        ]
    );
    assert_eq!(audit(store).verify().await.unwrap().first_break, None);
}
polku_cases::on_every_database!(
    stale_proposals,
    a_proposal_written_before_an_approval_must_be_made_again
);

/// A case handler proposes raising the minimum pay from three days from now: the live
/// rules, the effective day and the stored proposal.
async fn raise_proposed_in_three_days(
    store: &Cases,
) -> (LiveRules, jiff::civil::Date, polku_rule_admin::RuleProposal) {
    let live = live_rules(store);
    let from = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(3))
        .unwrap();
    let hanna = official(store, "Hanna Handler", Role::CaseHandler).await;
    let p = admin(store)
        .propose_rules(
            &NewProposal {
                rule_set: EXTENSION.to_owned(),
                base: None,
                text: raised_minimum(from),
                tests_text: None,
                summary: "Raise the minimum.".to_owned(),
                effective_from: from.to_string(),
            },
            &hanna,
            &live,
        )
        .await
        .unwrap();
    (live, from, p)
}

async fn a_rejection_says_why_and_changes_nothing(store: &Cases) {
    let (live, from, p) = raise_proposed_in_three_days(store).await;
    let liisa = official(store, "Liisa Legal", Role::LegalOfficer).await;
    assert!(matches!(
        admin(store).reject_proposal(p.id, &liisa, "  ").await,
        Err(ProposalError::NoNote)
    ));
    assert!(matches!(
        admin(store).withdraw_proposal(p.id, &liisa).await,
        Err(ProposalError::NotProposer)
    ));
    let rejected = admin(store)
        .reject_proposal(p.id, &liisa, "No decree yet.")
        .await
        .unwrap();
    assert_eq!(rejected.state, ProposalState::Rejected);
    assert_eq!(rejected.decision_note.as_deref(), Some("No decree yet."));
    assert!(!live.refresh().await.unwrap());
    assert_eq!(decide(store, &live, 1700, from).await, "grant");
}
polku_cases::on_every_database!(rejection, a_rejection_says_why_and_changes_nothing);

/// A stored row that does not read back is named by its table, its key and its column, so
/// an operator can find it — not passed off as a database protocol error (ADR 0010 T6/T7).
async fn a_corrupt_proposal_is_named_by_table_row_and_column(db: &polku_cases::testing::TestDb) {
    let store = &db.store;
    let (_, _, p) = raise_proposed_in_three_days(store).await;
    db.raw("UPDATE rule_proposals SET proposed_by = 'not-a-user-id'")
        .await;
    let e = admin(store).rule_proposals().await.unwrap_err();
    let ProposalError::Store(polku_cases::StoreError::Corrupt(row)) = &e else {
        panic!("not a corrupt row: {e:?}");
    };
    assert_eq!(
        (row.table, row.key.as_str(), row.column),
        ("rule_proposals", p.id.to_string().as_str(), "proposed_by")
    );
    assert!(
        e.to_string().starts_with(&format!(
            "rule_proposals row `{}` holds an unreadable proposed_by: ",
            p.id
        )),
        "{e}"
    );
}
polku_cases::on_every_database!(
    corrupt_proposal,
    a_corrupt_proposal_is_named_by_table_row_and_column,
    with_db
);
