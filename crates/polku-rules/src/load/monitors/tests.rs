//! Monitoring rule sets: one test per kind of load error they bring, the test runner on
//! their alerts, and what the book tells of them.

use std::path::{Path, PathBuf};

use crate::load::{LoadErrors, load_library, load_str};
use crate::{Automation, Expected, RegisterEventKind, RuleBook, RuleSet, Status, run_tests};

const LIBRARY: &str = r#"
library: test.lib
law: Testilaki (1/2024)
conditions:
  - id: no-ban
    legal_basis: TL 2 §
    text: { fi: Ei kieltoa., sv: Inget förbud., en: No ban. }
    when: "!evidence.sis.entry_ban"
    explain: { fi: "Kielto {{ evidence.sis.entry_ban }}", sv: "Förbud {{ evidence.sis.entry_ban }}", en: "Ban {{ evidence.sis.entry_ban }}" }
"#;

const DECISION: &str = r#"
id: test.support
title: { fi: Testi, sv: Test, en: Test }
law: Testilaki (1/2024)
versions:
  - version: "1"
    in_force: { from: 2024-01-01 }
conditions:
  - id: income
    legal_basis: TL 1 §
    text: { fi: Tulot riittävät., sv: Inkomsten räcker., en: Income suffices. }
    when: evidence.incomes.monthly_gross_pay_avg_eur >= 1000
    explain: { fi: "Tulot {{ evidence.incomes.monthly_gross_pay_avg_eur }}", sv: "Inkomst {{ evidence.incomes.monthly_gross_pay_avg_eur }}", en: "Income {{ evidence.incomes.monthly_gross_pay_avg_eur }}" }
automation: { all_met: grant, any_not_met: refer, any_unknown: request_evidence }
grants:
  kind: A
  title: { fi: Testilupa, sv: Testtillstånd, en: Test permit }
  validity: { years: 1 }
  legal_basis: TL 3 §
tests:
  - name: enough
    at: 2024-06-01
    input: { evidence: { incomes: { monthly_gross_pay_avg_eur: 1200 } } }
    expect: { outcome: grant }
"#;

const MONITORING: &str = r#"
id: test.monitoring
title: { fi: Valvonta, sv: Kontroll, en: Monitoring }
law: Testilaki (1/2024)
monitors:
  permits_of: [test.support]
  processing_basis: TL 10 §
  reexamination_basis: TL 11 §
versions:
  - version: "1"
    in_force: { from: 2024-01-01 }
parameters:
  income.min:
    title: { fi: Tulojen vähimmäismäärä, sv: Minsta inkomst, en: Minimum income }
    source: Test source
    values:
      2024-01-01: 1000
      2025-01-01: 1100
conditions:
  - id: income
    legal_basis: TL 1 §
    changed_by: [pay_report]
    text: { fi: Tulot eivät alita rajaa kahtena kuukautena., sv: Inkomsten underskrider inte gränsen två månader., en: Pay is not below the limit two months running. }
    when: |
      evidence.incomes.latest_month_gross_pay_eur >= param("income.min")
        || evidence.incomes.previous_month_gross_pay_eur >= param("income.min")
    explain: { fi: "Tulot {{ evidence.incomes.latest_month_gross_pay_eur }}", sv: "Inkomst {{ evidence.incomes.latest_month_gross_pay_eur }}", en: "Pay {{ evidence.incomes.latest_month_gross_pay_eur }}" }
  - use: test.lib#no-ban
    changed_by: [entry_ban, sis_alert]
test_base:
  evidence:
    incomes: { latest_month_gross_pay_eur: 1200, previous_month_gross_pay_eur: 1200 }
    sis: { entry_ban: false }
tests:
  - name: all holds
    at: 2024-06-01
    expect: { alerts: [] }
  - name: two months below
    at: 2024-06-01
    input: { evidence: { incomes: { latest_month_gross_pay_eur: 900, previous_month_gross_pay_eur: 999.99 } } }
    expect: { alerts: [income], conditions: { income: not_met } }
  - name: one month below is tolerated
    at: 2024-06-01
    input: { evidence: { incomes: { latest_month_gross_pay_eur: 900 } } }
    expect: { alerts: [] }
  - name: unknown is no alert
    at: 2024-06-01
    input: { evidence: { incomes: { latest_month_gross_pay_eur: 900, previous_month_gross_pay_eur: null } } }
    expect: { alerts: [], conditions: { income: unknown } }
  - name: two alerts at once
    at: 2025-01-01
    input: { evidence: { incomes: { latest_month_gross_pay_eur: 1050, previous_month_gross_pay_eur: 1050 }, sis: { entry_ban: true } } }
    expect: { alerts: [no-ban, income] }
"#;

fn library() -> crate::load::Library {
    load_library(Path::new("rules/common/lib.yaml"), LIBRARY).unwrap()
}

fn load(text: &str) -> Result<RuleSet, LoadErrors> {
    load_str(Path::new("rules/mon.yaml"), text, None, &[library()])
}

/// The messages and lines of loading `base` with `from` replaced by `to`.
fn errors_after(base: &str, from: &str, to: &str) -> Vec<(usize, String)> {
    assert!(base.contains(from), "the fixture has no `{from}`");
    match load(&base.replacen(from, to, 1)) {
        Ok(_) => panic!("`{from}` → `{to}` should not load"),
        Err(LoadErrors(errors)) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
    }
}

/// The line of the error containing `needle`.
fn error_line(base: &str, from: &str, to: &str, needle: &str) -> usize {
    let errors = errors_after(base, from, to);
    errors
        .iter()
        .find(|(_, m)| m.contains(needle))
        .map(|(line, _)| *line)
        .unwrap_or_else(|| panic!("no error containing `{needle}` in {errors:#?}"))
}

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_monitoring_set_loads_refers_always_and_its_alert_tests_pass() {
    let rs = load(MONITORING).unwrap();
    assert!(rs.is_monitoring());
    assert_eq!(rs.automation, Automation::ALWAYS_REFER);
    assert!(rs.grants.is_none() && rs.processing_time.is_none());
    let m = rs.monitoring.as_ref().unwrap();
    assert_eq!(m.permits_of, ["test.support"]);
    assert_eq!(m.processing_basis, "TL 10 §");
    assert_eq!(m.reexamination_basis, "TL 11 §");
    assert_eq!(rs.conditions[0].changed_by, [RegisterEventKind::PayReport]);
    // A library condition taken with `use:` gets the rule set's `changed_by`.
    assert_eq!(rs.conditions[1].id, "no-ban");
    assert_eq!(
        rs.conditions[1].changed_by,
        [RegisterEventKind::EntryBan, RegisterEventKind::SisAlert]
    );
    // Alerts are compared as a set.
    assert_eq!(
        rs.tests[4].expect.result,
        Expected::Alerts(vec!["income".into(), "no-ban".into()])
    );
    let results = run_tests(&rs);
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|r| r.passed()), "{results:#?}");
    // Whatever the findings, the machine's outcome is a referral.
    for t in &rs.tests {
        let e = rs.evaluate(&t.input, t.at).unwrap();
        assert_eq!(e.outcome, crate::Outcome::Refer);
    }
}

#[test]
fn a_wrong_alert_expectation_fails_naming_both_sets() {
    let text = MONITORING.replace(
        "expect: { alerts: [income], conditions: { income: not_met } }",
        "expect: { alerts: [] }",
    );
    let rs = load(&text).unwrap();
    let failed: Vec<_> = run_tests(&rs).into_iter().filter(|r| !r.passed()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "two months below");
    assert_eq!(failed[0].failures, ["alerts: expected [], got [income]"]);
    // An unknown finding is never an alert.
    let text = MONITORING.replace(
        "expect: { alerts: [], conditions: { income: unknown } }",
        "expect: { alerts: [income] }",
    );
    let failed: Vec<_> = run_tests(&load(&text).unwrap())
        .into_iter()
        .filter(|r| !r.passed())
        .collect();
    assert_eq!(failed[0].failures, ["alerts: expected [income], got []"]);
}

#[test]
fn keys_that_belong_to_deciding_are_errors_at_their_line() {
    for (key, added) in [
        (
            "automation",
            "automation: { all_met: refer, any_not_met: refer, any_unknown: refer }",
        ),
        ("grants", "grants: { kind: A }"),
        (
            "processing_time",
            "processing_time: { months: 4, source: TL 5 § }",
        ),
        ("decides", "decides: application"),
    ] {
        let text = MONITORING.replace("test_base:", &format!("{added}\ntest_base:"));
        let errors = match load(&text) {
            Ok(_) => panic!("`{key}` in a monitoring set should not load"),
            Err(LoadErrors(e)) => e,
        };
        let error = errors
            .iter()
            .find(|e| e.message.contains(&format!("has no `{key}`")))
            .unwrap_or_else(|| panic!("no error for `{key}`: {errors:#?}"));
        assert_eq!(error.line, line_of(&text, added), "{key}");
        assert_eq!(error.file, PathBuf::from("rules/mon.yaml"));
    }
}

#[test]
fn the_monitors_block_is_checked() {
    let line = error_line(
        MONITORING,
        "  permits_of: [test.support]\n",
        "",
        "has no `permits_of`",
    );
    // At the block's first line, as for every key missing from a block.
    assert_eq!(line, line_of(MONITORING, "monitors:") + 1);
    error_line(
        MONITORING,
        "permits_of: [test.support]",
        "permits_of: []",
        "non-empty list",
    );
    let line = error_line(
        MONITORING,
        "permits_of: [test.support]",
        "permits_of: [test.support, test.support]",
        "named twice",
    );
    assert_eq!(line, line_of(MONITORING, "permits_of"));
    error_line(
        MONITORING,
        "  processing_basis: TL 10 §\n",
        "",
        "processing the permit holder's data",
    );
    error_line(
        MONITORING,
        "reexamination_basis: TL 11 §",
        "reexamination_basis: \"\"",
        "`reexamination_basis` must be a non-empty text",
    );
    let line = error_line(
        MONITORING,
        "  reexamination_basis: TL 11 §\n",
        "  reexamination_basis: TL 11 §\n  alerts_to: officials\n",
        "`alerts_to` is not a key of `monitors`",
    );
    assert_eq!(line, line_of(MONITORING, "reexamination_basis") + 1);
    error_line(
        MONITORING,
        "monitors:\n",
        "monitors: yes\nx:\n",
        "must be a mapping",
    );
}

#[test]
fn changed_by_is_required_in_a_monitoring_set_and_checked() {
    let line = error_line(
        MONITORING,
        "    changed_by: [pay_report]\n",
        "",
        "has no `changed_by`",
    );
    assert_eq!(line, line_of(MONITORING, "- id: income"));
    let line = error_line(
        MONITORING,
        "    changed_by: [entry_ban, sis_alert]\n",
        "",
        "condition `no-ban` has no `changed_by`",
    );
    assert_eq!(line, line_of(MONITORING, "- use: test.lib#no-ban"));
    error_line(
        MONITORING,
        "changed_by: [pay_report]",
        "changed_by: []",
        "must be a non-empty list of register events",
    );
    let line = error_line(
        MONITORING,
        "changed_by: [pay_report]",
        "changed_by: [pay_reports]",
        "`pay_reports` is not a register event",
    );
    assert_eq!(line, line_of(MONITORING, "changed_by: [pay_report]"));
    error_line(
        MONITORING,
        "changed_by: [pay_report]",
        "changed_by: [pay_report, pay_report]",
        "names `pay_report` twice",
    );
    // Beside `use:` only `changed_by`.
    error_line(
        MONITORING,
        "    changed_by: [entry_ban, sis_alert]\n",
        "    changed_by: [entry_ban, sis_alert]\n    legal_basis: TL 9 §\n",
        "`legal_basis` is not a key of a `use:` entry",
    );
}

#[test]
fn changed_by_is_refused_in_a_decision_set_and_a_library() {
    let text = DECISION.replace(
        "    legal_basis: TL 1 §\n",
        "    legal_basis: TL 1 §\n    changed_by: [pay_report]\n",
    );
    let errors = load(&text).unwrap_err().0;
    let e = errors
        .iter()
        .find(|e| {
            e.message
                .contains("`changed_by` belongs to monitoring rule sets")
        })
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert_eq!(e.line, line_of(&text, "changed_by"));
    let lib = LIBRARY.replace(
        "    legal_basis: TL 2 §\n",
        "    legal_basis: TL 2 §\n    changed_by: [entry_ban]\n",
    );
    let errors = load_library(Path::new("rules/common/lib.yaml"), &lib)
        .unwrap_err()
        .0;
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("library condition `no-ban` cannot name `changed_by`")),
        "{errors:#?}"
    );
}

#[test]
fn monitoring_tests_expect_alerts_and_decision_tests_an_outcome() {
    let line = error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { outcome: refer }",
        "not `outcome`",
    );
    assert_eq!(line, line_of(MONITORING, "expect: { alerts: [] }"));
    error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { version: \"1\" }",
        "expects no `alerts`",
    );
    error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { alerts: [], permit: { kind: A } }",
        "not `permit`",
    );
    error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { alerts: [no-such-condition] }",
        "expects an alert of `no-such-condition`",
    );
    error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { alerts: [income, income] }",
        "names the alert `income` twice",
    );
    error_line(
        MONITORING,
        "expect: { alerts: [] }",
        "expect: { alerts: income }",
        "must be a list of condition ids",
    );
    let text = DECISION.replace(
        "expect: { outcome: grant }",
        "expect: { outcome: grant, alerts: [] }",
    );
    let errors = load(&text).unwrap_err().0;
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("`alerts` belong to the tests of a monitoring rule set")),
        "{errors:#?}"
    );
}

fn sources(extra: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    let mut s = vec![
        (PathBuf::from("rules/common/lib.yaml"), LIBRARY.to_owned()),
        (PathBuf::from("rules/support.yaml"), DECISION.to_owned()),
        (
            PathBuf::from("rules/monitoring/mon.yaml"),
            MONITORING.to_owned(),
        ),
    ];
    s.extend(
        extra
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned())),
    );
    s
}

#[test]
fn the_book_finds_the_monitoring_set_of_a_matter() {
    let book = RuleBook::from_sources(&sources(&[])).unwrap();
    assert_eq!(
        book.monitoring_for("test.support").map(|r| r.id.as_str()),
        Some("test.monitoring")
    );
    assert!(book.monitoring_for("test.monitoring").is_none());
    assert!(book.monitoring_for("test.unknown").is_none());
    let decision: Vec<&str> = book.decision_sets().map(|r| r.id.as_str()).collect();
    let monitoring: Vec<&str> = book.monitoring_sets().map(|r| r.id.as_str()).collect();
    assert_eq!(decision, ["test.support"]);
    assert_eq!(monitoring, ["test.monitoring"]);
    assert_eq!(book.matter_ids(), ["test.support"]);
    // A monitoring set is published and checked like any rule set, but never a matter.
    assert!(book.get("test.monitoring").is_some());
    assert!(book.decision_set("test.monitoring").is_none());
    assert!(book.decision_set("test.support").is_some());
    // A proposal may change a monitoring set's text.
    let changed = book
        .with_text(
            "test.monitoring",
            &MONITORING.replace("2025-01-01: 1100", "2025-01-01: 1150"),
            None,
        )
        .unwrap();
    assert!(changed.monitoring_for("test.support").is_some());
}

#[test]
fn the_book_refuses_watching_what_is_not_a_decision_set_or_is_watched_already() {
    let line = line_of(MONITORING, "permits_of");
    let errors = RuleBook::from_sources(
        &sources(&[])
            .into_iter()
            .map(|(p, t)| {
                (
                    p,
                    t.replace("permits_of: [test.support]", "permits_of: [test.supprt]"),
                )
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_err()
    .0;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, PathBuf::from("rules/monitoring/mon.yaml"));
    assert_eq!(errors[0].line, line);
    assert!(
        errors[0]
            .message
            .contains("`test.supprt`, which is not a rule set of the book")
    );
    assert!(
        errors[0].message.contains("test.support"),
        "lists the decision sets"
    );

    let watching_itself = MONITORING
        .replace("id: test.monitoring", "id: test.monitoring2")
        .replace(
            "permits_of: [test.support]",
            "permits_of: [test.monitoring]",
        );
    let errors =
        RuleBook::from_sources(&sources(&[("rules/monitoring/m2.yaml", &watching_itself)]))
            .unwrap_err()
            .0;
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("`test.monitoring`, a monitoring rule set")),
        "{errors:#?}"
    );

    let second = MONITORING.replace("id: test.monitoring", "id: test.monitoring2");
    let errors = RuleBook::from_sources(&sources(&[("rules/monitoring/m2.yaml", &second)]))
        .unwrap_err()
        .0;
    // The second in file order is refused, naming the first.
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, PathBuf::from("rules/monitoring/mon.yaml"));
    assert!(
        errors[0]
            .message
            .contains("already watched by `test.monitoring2` (rules/monitoring/m2.yaml)"),
        "{errors:#?}"
    );
}

#[test]
fn a_monitoring_condition_is_three_valued_like_any_other() {
    let rs = load(MONITORING).unwrap();
    let app = crate::Application::from_json(&serde_json::json!({
        "evidence": {"incomes": {"latest_month_gross_pay_eur": 1000}}
    }))
    .unwrap();
    let e = rs
        .evaluate(&app, jiff::civil::Date::constant(2024, 6, 1))
        .unwrap();
    assert_eq!(e.findings, [(0, Status::Met), (1, Status::Unknown)]);
}

#[test]
fn the_description_says_what_is_watched_and_that_nothing_is_decided() {
    let rs = load(MONITORING).unwrap();
    let en = crate::describe(&rs, crate::Lang::En, &|id| {
        (id == "test.support").then(|| "Support test".to_owned())
    });
    assert!(
        en.contains("Watches the permits granted in the matters: Support test"),
        "{en}"
    );
    assert!(en.contains("raises an alert for a case handler"), "{en}");
    assert!(en.contains("never cancels a permit"), "{en}");
    assert!(
        en.contains("Legal basis for re-examining the permit: TL 11 §"),
        "{en}"
    );
    assert!(
        en.contains("Checked again on: entry ban, SIS alert"),
        "{en}"
    );
    assert!(!en.contains("What the machine may do"), "{en}");
    let fi = crate::describe(&rs, crate::Lang::Fi, &|_| None);
    assert!(
        fi.contains("Tarkistetaan uudelleen, kun tulee: palkkailmoitus (tulorekisteri)"),
        "{fi}"
    );
    assert!(fi.contains("eikä koskaan peruuta lupaa"), "{fi}");
}
