//! A decision stands on its record: replayed under the rules it was made by it comes out
//! the same, and under changed rules the replay names what changed; a backtest shows which
//! past outcomes proposed rules would change.

use std::path::PathBuf;

use polku_cases::{Cases, Processed};
use polku_rules::RuleBook;
use serde_json::json;

use crate::support::{EXTENSION, applicant, application, pipeline, repo_path, rules};

/// The shipped rules for the employed person's extension (the common conditions and the
/// matter's file) with `edit` applied to the matter's file.
fn extension_rules_edited(edit: impl FnOnce(String) -> String) -> RuleBook {
    let dir = repo_path("rules/fi");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
    RuleBook::from_sources(&[
        (
            PathBuf::from("common/residence-permit-conditions.yaml"),
            read("common/residence-permit-conditions.yaml"),
        ),
        (
            PathBuf::from("employed.yaml"),
            edit(read("residence-permit-employed-extension.yaml")),
        ),
    ])
    .unwrap()
}

async fn a_decision_replays_identically_and_a_rule_change_shows(store: &Cases) {
    let id = store
        .submit(&application(json!({})), &applicant())
        .await
        .unwrap();
    let Some(Processed::Decided { decision, .. }) = pipeline(store, "w1").run_once().await.unwrap()
    else {
        panic!("not decided");
    };
    let same = store.replay(decision, &rules().into()).await.unwrap();
    assert!(same.identical, "{:?}", same.differences);
    // The same record under changed rule files: the replay names what changed.
    let changed = extension_rules_edited(|text| {
        text.replace(
            "en: Extended residence permit for an employed person",
            "en: Renamed",
        )
    });
    let replay = store.replay(decision, &changed.into()).await.unwrap();
    assert!(!replay.identical);
    assert_eq!(
        replay.differences,
        [
            "/trace/en/title: stored \"Extended residence permit for an employed person\", replayed \"Renamed\""
        ]
    );
    assert_eq!(store.decisions(id).await.unwrap()[0].id, decision);
    let missing = uuid::Uuid::now_v7();
    assert!(
        matches!(store.replay(missing, &rules().into()).await, Err(polku_cases::ReplayError::NotFound(m)) if m == missing)
    );
}
polku_cases::on_every_database!(
    replay,
    a_decision_replays_identically_and_a_rule_change_shows
);

async fn a_backtest_shows_which_past_outcomes_a_proposal_would_change(store: &Cases) {
    let pay = |eur: u32| json!({"evidence": {"incomes": {"monthly_gross_pay_avg_eur": eur}}});
    let mut ids = Vec::new();
    for eur in [2450, 2600, 1000] {
        ids.push(
            store
                .submit(&application(pay(eur)), &applicant())
                .await
                .unwrap(),
        );
    }
    let p = pipeline(store, "w1");
    while p.run_once().await.unwrap().is_some() {}

    // A proposal that asks 300 € more than the collective agreement's minimum (2,210 €).
    let rule = "when: evidence.incomes.monthly_gross_pay_avg_eur >= pay_required";
    let proposal = extension_rules_edited(|text| {
        assert!(text.contains(rule));
        text.replace(rule, &format!("{rule} + 300.0"))
    });
    let report = store.backtest(EXTENSION, &proposal).await.unwrap();
    assert_eq!(report.evaluated, 3);
    assert_eq!(
        report
            .changed
            .iter()
            .map(|c| (c.case_id, c.before.as_str(), c.after.as_str()))
            .collect::<Vec<_>>(),
        [(ids[0], "grant", "refer")],
        "2,450 € falls below 2,510 €; 2,600 € stays above; 1,000 € was already referred"
    );
    // Why, when both books are evaluated on one day: the pay condition alone, met before
    // and not met under the proposal.
    let on_one_day = store
        .backtest_between(
            EXTENSION,
            &rules(),
            &proposal,
            Some(jiff::civil::date(2025, 5, 1)),
        )
        .await
        .unwrap();
    assert_eq!(on_one_day.changed.len(), 1);
    let why: Vec<_> = on_one_day.changed[0]
        .conditions
        .iter()
        .map(|c| (c.id.as_str(), c.before, c.after))
        .collect();
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(why[0].0.contains("pay"), "{why:?}");
    assert_eq!(
        (why[0].1, why[0].2),
        (
            Some(polku_rules::Status::Met),
            Some(polku_rules::Status::NotMet)
        )
    );
    // The rules in force change nothing.
    let same = store.backtest(EXTENSION, &rules()).await.unwrap();
    assert!(same.changed.is_empty());
}
polku_cases::on_every_database!(
    backtest,
    a_backtest_shows_which_past_outcomes_a_proposal_would_change
);
