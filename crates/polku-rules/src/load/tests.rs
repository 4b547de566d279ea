//! One test per kind of load error, plus the evaluator's behaviour on small rule sets.

use std::path::Path;

use jiff::civil::Date;
use serde_json::json;

use super::*;
use crate::{Application, Status};

const VALID: &str = r#"
id: test.support
title: { fi: Testi, sv: Test, en: Test }
law: Testilaki (1/2024)
versions:
  - version: "1"
    in_force: { from: 2024-01-01, to: 2024-10-31 }
  - version: "2"
    in_force: { from: 2024-11-01 }
parameters:
  income.min:
    title: { fi: Tulojen vähimmäismäärä, sv: Minsta inkomst, en: Minimum income }
    source: Test source
    values:
      2024-01-01: 1000
      2024-11-01: 1200
  tiers:
    title: { fi: Portaat, sv: Trappsteg, en: Tiers }
    source: Test source
    values:
      2024-01-01: [500, 400, 300]
conditions:
  - id: income
    legal_basis: TL 1 §
    text: { fi: Tulot riittävät., sv: Inkomsten räcker., en: Income suffices. }
    when: evidence.incomes.household_monthly_net_income_eur >= param("income.min") + sum_first(param("tiers"), family.children)
    unless: applicant.family_member_of_finnish_citizen
    unless_text: { fi: Suomen kansalaisen perheenjäsen., sv: Familjemedlem till finsk medborgare., en: "Family member of a Finnish citizen." }
    explain:
      fi: "Tulot {{ evidence.incomes.household_monthly_net_income_eur }} €, vaaditaan {{ param(\"income.min\") + sum_first(param(\"tiers\"), family.children) }} €."
      sv: "Inkomst {{ evidence.incomes.household_monthly_net_income_eur }} €."
      en: "Income {{ evidence.incomes.household_monthly_net_income_eur }} €, required {{ param(\"income.min\") + sum_first(param(\"tiers\"), family.children) }} €."
  - id: no-flag
    legal_basis: TL 2 §
    versions: ["2"]
    text: { fi: Ei merkintää., sv: Ingen markering., en: No flag. }
    when: "!evidence.security.open_flag"
    explain: { fi: "Merkintä {{ evidence.security.open_flag }}", sv: "Markering {{ evidence.security.open_flag }}", en: "Flag {{ evidence.security.open_flag }}" }
automation:
  all_met: grant
  any_not_met: refer
  any_unknown: request_evidence
grants:
  kind: A
  title: { fi: Testilupa, sv: Testtillstånd, en: Test permit }
  validity: { years: 4 }
  legal_basis: TL 3 §
  monitored: [income]
test_base:
  applicant: { family_member_of_finnish_citizen: false }
  family: { children: 1 }
  evidence: { incomes: { household_monthly_net_income_eur: 1800 }, security: { open_flag: false } }
tests:
  - name: enough income
    at: 2024-12-01
    expect: { outcome: grant, version: "2", conditions: { income: met, no-flag: met } }
"#;

fn load(text: &str) -> Result<RuleSet, LoadErrors> {
    load_str(Path::new("rules/test.yaml"), text, None, &[])
}

/// Loads `VALID` with one text replaced, and returns the error messages with their lines.
fn errors_after(from: &str, to: &str) -> Vec<(usize, String)> {
    assert!(VALID.contains(from), "the fixture has no `{from}`");
    match load(&VALID.replacen(from, to, 1)) {
        Ok(_) => panic!("`{from}` → `{to}` should not load"),
        Err(LoadErrors(errors)) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
    }
}

fn assert_error(from: &str, to: &str, needle: &str) -> usize {
    let errors = errors_after(from, to);
    errors
        .iter()
        .find(|(_, m)| m.contains(needle))
        .map(|(line, _)| *line)
        .unwrap_or_else(|| panic!("no error containing `{needle}` in {errors:#?}"))
}

fn app(v: serde_json::Value) -> Application {
    Application::from_json(&v).unwrap()
}

#[test]
fn the_fixture_loads() {
    let rs = load(VALID).unwrap();
    assert_eq!(rs.conditions.len(), 2);
    assert_eq!(
        crate::run_tests(&rs).iter().filter(|r| r.passed()).count(),
        1
    );
}

#[test]
fn a_parameter_without_a_title_in_each_language() {
    let line = assert_error(
        "    title: { fi: Portaat, sv: Trappsteg, en: Tiers }\n",
        "    title: { fi: Portaat, en: Tiers }\n",
        "`title` has no Swedish (sv) translation",
    );
    assert_eq!(line, 18);
    assert_eq!(
        errors_after(
            "    title: { fi: Portaat, sv: Trappsteg, en: Tiers }\n",
            "    title: { fi: Portaat, en: Tiers }\n",
        )
        .len(),
        1,
        "one error, not one per reader of the parameter"
    );
    assert_error(
        "    title: { fi: Portaat, sv: Trappsteg, en: Tiers }\n",
        "",
        "parameter `tiers`'s title is missing",
    );
    assert_error(
        "    title: { fi: Portaat, sv: Trappsteg, en: Tiers }\n",
        "    title: { fi: Portaat, sv: Trappsteg, en: Tiers }\n    units: kg\n",
        "`units` is not a key of a parameter",
    );
}

#[test]
fn the_published_description_is_in_words() {
    let text = VALID.replacen(
        "    source: Test source\n    values:\n      2024-01-01: 1000",
        "    source: Test source\n    unit: { fi: €/kk, sv: €/mån, en: €/month }\n    values:\n      2024-01-01: 1000",
        1,
    );
    let rs = load(&text).unwrap();
    let sv = crate::describe(&rs, Lang::Sv, &|_| None);
    assert!(
        sv.contains("**Minsta inkomst** (källa Test source)"),
        "{sv}"
    );
    assert!(sv.contains("från 1.11.2024: 1\u{a0}200 €/mån"), "{sv}");
    for code in ["`", "income.min", "test.support"] {
        assert!(!sv.contains(code), "{code} in {sv}");
    }
}

#[test]
fn malformed_yaml() {
    let line = assert_error("law: Testilaki (1/2024)", "law: [unclosed", "malformed");
    assert!(line >= 4, "line {line}");
}

#[test]
fn unknown_input_name_with_its_line() {
    let line = assert_error(
        "!evidence.security.open_flag",
        "!evidence.security.open_flags",
        "not an input",
    );
    assert_eq!(line, 37);
}

#[test]
fn expression_syntax_error() {
    assert_error(
        "\"!evidence.security.open_flag\"",
        "\"!evidence.security.open_flag &&\"",
        "does not parse",
    );
}

#[test]
fn expression_type_error() {
    assert_error(
        "\"!evidence.security.open_flag\"",
        "\"family.children + 1\"",
        "must be true or false",
    );
    assert_error(
        "\"!evidence.security.open_flag\"",
        "\"family.children && true\"",
        "needs a boolean",
    );
}

#[test]
fn missing_translation() {
    let line = assert_error("sv: Ingen markering., ", "", "no Swedish (sv) translation");
    assert_eq!(line, 36);
}

#[test]
fn missing_legal_basis() {
    assert_error("    legal_basis: TL 2 §\n", "", "no legal basis");
}

#[test]
fn overlapping_versions() {
    assert_error("to: 2024-10-31", "to: 2024-11-01", "overlaps version 1");
}

#[test]
fn parameter_without_value_at_version_start() {
    assert_error(
        "      2024-01-01: 1000\n",
        "",
        "has no value on 2024-01-01, when version 1 starts",
    );
}

#[test]
fn unknown_parameter() {
    assert_error(
        "param(\"income.min\") + sum",
        "param(\"income.max\") + sum",
        "no parameter `income.max`",
    );
}

#[test]
fn parameter_without_source() {
    assert_error(
        "    source: Test source\n    values:\n      2024-01-01: 1000",
        "    values:\n      2024-01-01: 1000",
        "source is missing",
    );
}

#[test]
fn policy_that_lets_a_machine_refuse() {
    let line = assert_error(
        "any_not_met: refer",
        "any_not_met: refuse",
        "would let a machine refuse",
    );
    assert_eq!(line, 41);
    assert_error(
        "all_met: grant",
        "all_met: refuse",
        "would let a machine refuse",
    );
}

/// The line of the fixture that holds `text`, counted as the loader counts.
fn line_of(text: &str) -> usize {
    VALID
        .lines()
        .position(|l| l.contains(text))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("the fixture has no `{text}`"))
}

#[test]
fn policy_that_lets_a_machine_grant_past_a_condition_not_met() {
    let line = assert_error(
        "any_not_met: refer",
        "any_not_met: grant",
        "`any_not_met: grant` would let a machine grant when a condition is not met",
    );
    assert_eq!(line, line_of("any_not_met: refer"));
    // Asking for evidence cannot help a condition that is not met: a person decides.
    let line = assert_error(
        "any_not_met: refer",
        "any_not_met: request_evidence",
        "`any_not_met` must be one of refer, not `request_evidence`",
    );
    assert_eq!(line, line_of("any_not_met: refer"));
}

#[test]
fn policy_that_lets_a_machine_grant_on_unknowns() {
    let line = assert_error(
        "any_unknown: request_evidence",
        "any_unknown: grant",
        "`any_unknown: grant` would let a machine grant when a condition is not known to be met",
    );
    assert_eq!(line, line_of("any_unknown: request_evidence"));
    let line = assert_error(
        "any_unknown: request_evidence",
        "any_unknown: approve",
        "`any_unknown` must be one of request_evidence, refer, not `approve`",
    );
    assert_eq!(line, line_of("any_unknown: request_evidence"));
    // The same when the rule set says it decides an application.
    let text = VALID
        .replacen(
            "law: Testilaki (1/2024)",
            "law: Testilaki (1/2024)\ndecides: application",
            1,
        )
        .replacen("any_unknown: request_evidence", "any_unknown: grant", 1);
    let LoadErrors(errors) = load(&text).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.line == line_of("any_unknown: request_evidence") + 1
                && e.message.contains("`any_unknown: grant`")),
        "{errors:#?}"
    );
    // And the policies a machine may have load.
    for (from, to) in [
        ("any_unknown: request_evidence", "any_unknown: refer"),
        ("all_met: grant", "all_met: refer"),
    ] {
        assert!(load(&VALID.replacen(from, to, 1)).is_ok(), "{to}");
    }
}

#[test]
fn rectification_request() {
    assert_error(
        "law: Testilaki (1/2024)",
        "law: Testilaki (1/2024)\ndecides: rectification_request",
        "53 e §",
    );
}

#[test]
fn exception_without_text() {
    assert_error("    unless_text:", "    unless_texts:", "no `unless_text`");
}

#[test]
fn unknown_condition_in_a_test() {
    assert_error(
        "conditions: { income: met, no-flag: met }",
        "conditions: { incme: met }",
        "condition `incme`",
    );
}

#[test]
fn test_input_that_is_not_an_application() {
    assert_error(
        "family: { children: 1 }",
        "family: { children: many }",
        "family.children: must be a number",
    );
}

#[test]
fn every_error_of_a_file_at_once() {
    let text = VALID
        .replacen("    legal_basis: TL 2 §\n", "", 1)
        .replacen("any_not_met: refer", "any_not_met: refuse", 1)
        .replacen("open_flag\"", "open_flagg\"", 1);
    let LoadErrors(errors) = load(&text).unwrap_err();
    assert!(errors.len() >= 3, "{errors:#?}");
    assert!(
        errors
            .iter()
            .all(|e| e.file == Path::new("rules/test.yaml") && e.line > 0)
    );
    let shown = LoadErrors(errors).to_string();
    assert!(shown.starts_with("rules/test.yaml:"), "{shown}");
}

#[test]
fn chooses_the_version_and_figures_in_force() {
    let rs = load(VALID).unwrap();
    let a = app(
        json!({"applicant": {"family_member_of_finnish_citizen": false}, "family": {"children": 1},
        "evidence": {"incomes": {"household_monthly_net_income_eur": 1550}, "security": {"open_flag": false}}}),
    );
    // 1000 + 500 until October, 1200 + 500 from November.
    let before = rs.evaluate(&a, Date::constant(2024, 10, 31)).unwrap();
    assert_eq!(
        (before.version.id.as_str(), before.outcome),
        ("1", Outcome::Grant)
    );
    assert_eq!(
        before.findings.len(),
        1,
        "no-flag is not in force in version 1"
    );
    let after = rs.evaluate(&a, Date::constant(2024, 11, 1)).unwrap();
    assert_eq!(
        (after.version.id.as_str(), after.outcome),
        ("2", Outcome::Refer)
    );
    let err = rs.evaluate(&a, Date::constant(2023, 12, 31)).unwrap_err();
    assert!(
        err.to_string()
            .contains("no version of rule set test.support is in force on 2023-12-31"),
        "{err}"
    );
}

#[test]
fn missing_input_is_unknown_and_exceptions_exempt() {
    let rs = load(VALID).unwrap();
    let at = Date::constant(2024, 12, 1);
    let unknown = app(json!({"evidence": {"security": {"open_flag": false}}}));
    let e = rs.evaluate(&unknown, at).unwrap();
    assert_eq!(
        (e.status_of("income"), e.outcome),
        (Some(Status::Unknown), Outcome::RequestEvidence)
    );
    let exempt = app(
        json!({"applicant": {"family_member_of_finnish_citizen": true}, "evidence": {"security": {"open_flag": false}}}),
    );
    assert_eq!(
        rs.evaluate(&exempt, at).unwrap().status_of("income"),
        Some(Status::Exempt)
    );
    // Failing, and the exception not known: unknown, not a refusal proposal.
    let failing = app(
        json!({"family": {"children": 0}, "evidence": {"incomes": {"household_monthly_net_income_eur": 10}, "security": {"open_flag": false}}}),
    );
    assert_eq!(
        rs.evaluate(&failing, at).unwrap().status_of("income"),
        Some(Status::Unknown)
    );
    let refused = app(
        json!({"applicant": {"family_member_of_finnish_citizen": false}, "family": {"children": 0},
        "evidence": {"incomes": {"household_monthly_net_income_eur": 10}, "security": {"open_flag": true}}}),
    );
    let e = rs.evaluate(&refused, at).unwrap();
    assert_eq!(
        (e.status_of("income"), e.outcome),
        (Some(Status::NotMet), Outcome::Refer)
    );
}

#[test]
fn not_met_outweighs_unknown() {
    let rs = load(VALID).unwrap();
    let a = app(json!({"evidence": {"security": {"open_flag": true}}}));
    assert_eq!(
        rs.evaluate(&a, Date::constant(2024, 12, 1))
            .unwrap()
            .outcome,
        Outcome::Refer
    );
}

#[test]
fn trace_cites_basis_values_and_explains_in_each_language() {
    let rs = load(VALID).unwrap();
    let a = app(
        json!({"family": {"children": 2}, "applicant": {"family_member_of_finnish_citizen": false},
        "evidence": {"incomes": {"source": "Incomes Register", "fetched_at": "2024-12-01T09:00:00Z", "household_monthly_net_income_eur": 2000},
                     "security": {"open_flag": false}}}),
    );
    let e = rs.evaluate(&a, Date::constant(2024, 12, 1)).unwrap();
    let en = e.trace(&a, Lang::En);
    assert_eq!(en.conditions[0].status, Status::NotMet);
    assert_eq!(en.conditions[0].legal_basis, "TL 1 §");
    assert_eq!(
        en.conditions[0].explanation,
        "Income 2,000 €, required 2,100 €."
    );
    assert_eq!(
        en.conditions[0].inputs[0].source.as_deref(),
        Some("Incomes Register")
    );
    assert_eq!(
        en.parameters
            .iter()
            .map(|p| p.name.as_ref())
            .collect::<Vec<_>>(),
        ["income.min", "tiers"]
    );
    assert_eq!(en.parameters[0].value, json!(1200));
    let fi = e.trace(&a, Lang::Fi);
    assert_eq!(
        fi.conditions[0].explanation,
        "Tulot 2\u{a0}000 €, vaaditaan 2\u{a0}100 €."
    );
    let missing = app(json!({"evidence": {"security": {"open_flag": false}}}));
    let e = rs.evaluate(&missing, Date::constant(2024, 12, 1)).unwrap();
    let t = e.trace(&missing, Lang::En);
    assert!(
        t.conditions[0]
            .explanation
            .contains("Missing information: evidence.incomes.household_monthly_net_income_eur"),
        "{}",
        t.conditions[0].explanation
    );
}

#[test]
fn same_input_gives_the_same_bytes() {
    let rs = load(VALID).unwrap();
    let a = app(
        json!({"family": {"children": 1}, "evidence": {"incomes": {"household_monthly_net_income_eur": 1700.0}, "security": {"open_flag": false}}}),
    );
    let b = app(
        json!({"evidence": {"security": {"open_flag": false}, "incomes": {"household_monthly_net_income_eur": 1700}}, "family": {"children": 1}}),
    );
    let at = Date::constant(2024, 12, 1);
    let x = serde_json::to_vec(&rs.evaluate(&a, at).unwrap().trace(&a, Lang::Sv)).unwrap();
    let y = serde_json::to_vec(&rs.evaluate(&b, at).unwrap().trace(&b, Lang::Sv)).unwrap();
    assert_eq!(x, y);
}

#[test]
fn library_conditions_are_checked_on_their_own() {
    let lib = "library: test.lib\nlaw: L\nconditions:\n  - id: flag\n    legal_basis: L 1 §\n    text: { fi: a, sv: b, en: c }\n    when: param(\"x\") > 1\n    explain: { fi: a, sv: b, en: c }\n";
    let LoadErrors(errors) = load_library(Path::new("rules/lib.yaml"), lib).unwrap_err();
    assert!(errors[0].message.contains("no parameter `x`"), "{errors:?}");
    assert_eq!(errors[0].line, 7);
    let good = lib.replace("param(\"x\") > 1", "\"!evidence.security.open_flag\"");
    let library = load_library(Path::new("rules/lib.yaml"), &good).unwrap();
    let using = VALID.replacen(
        "  - id: no-flag\n    legal_basis: TL 2 §\n    versions: [\"2\"]",
        "  - use: test.lib#flag\n  - id: no-flag\n    legal_basis: TL 2 §\n    versions: [\"2\"]",
        1,
    );
    let rs = load_str(
        Path::new("rules/test.yaml"),
        &using,
        None,
        std::slice::from_ref(&library),
    )
    .unwrap();
    assert_eq!(rs.conditions[1].id, "flag");
    let missing = using.replace("test.lib#flag", "test.lib#nope");
    let LoadErrors(errors) =
        load_str(Path::new("rules/test.yaml"), &missing, None, &[library]).unwrap_err();
    assert!(
        errors[0].message.contains("has no condition `nope`"),
        "{errors:?}"
    );
}

#[test]
fn an_unquoted_leading_bang_gets_a_hint() {
    let text = VALID.replacen(
        "when: \"!evidence.security.open_flag\"",
        "when: !evidence.security.open_flag",
        1,
    );
    let LoadErrors(errors) = load(&text).unwrap_err();
    assert!(errors[0].message.contains("must be quoted"), "{errors:?}");
}

#[test]
fn definitions_name_expressions_and_count_their_inputs() {
    let text = VALID
        .replacen("conditions:\n", "definitions:\n  flagged: evidence.security.open_flag || evidence.sis.alert\n  clean: \"!flagged\"\nconditions:\n", 1)
        .replacen("when: \"!evidence.security.open_flag\"", "when: clean", 1);
    let rs = load(&text).unwrap();
    let a = app(json!({"evidence": {"security": {"open_flag": false}, "sis": {"alert": true}}}));
    let e = rs.evaluate(&a, Date::constant(2024, 12, 1)).unwrap();
    assert_eq!(e.status_of("no-flag"), Some(Status::NotMet));
    let trace = e.trace(&a, Lang::En);
    let inputs: Vec<&str> = trace.conditions[1].inputs.iter().map(|i| i.path).collect();
    assert_eq!(
        inputs,
        ["evidence.security.open_flag", "evidence.sis.alert"]
    );
    let looped = VALID.replacen(
        "conditions:\n",
        "definitions:\n  a: \"!a\"\nconditions:\n",
        1,
    );
    let LoadErrors(errors) = load(&looped).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("definition `a`") && e.line == 23),
        "{errors:?}"
    );
}

#[test]
fn a_grant_says_what_it_creates() {
    let rs = load(VALID).unwrap();
    let grants = rs.grants.as_ref().unwrap();
    assert_eq!(grants.kind, "A");
    assert_eq!(grants.validity_months, Some(48));
    assert_eq!(grants.monitored, ["income"]);

    assert_error(
        "grants:\n  kind: A",
        "grantz:\n  kind: A",
        "does not say what a grant creates",
    );
    assert_error(
        "validity: { years: 4 }",
        "validity: { years: 0 }",
        "`validity` must be",
    );
    assert_error(
        "validity: { years: 4 }",
        "validity: forever",
        "`validity` must be",
    );
    assert_error(
        "monitored: [income]",
        "monitored: [incomes]",
        "`incomes` is not a condition",
    );
    let indefinite =
        load(&VALID.replace("validity: { years: 4 }", "validity: indefinite")).unwrap();
    assert_eq!(indefinite.grants.unwrap().validity_months, None);
}

#[test]
fn a_processing_time_gives_each_case_its_deadline() {
    let with = VALID.replace(
        "test_base:\n  applicant:",
        "processing_time: { months: 4, source: Test source }\ntest_base:\n  applicant:",
    );
    let rs = load(&with).unwrap();
    let pt = rs.processing_time.unwrap();
    assert_eq!(
        pt.deadline(jiff::civil::date(2025, 5, 1)),
        Some(jiff::civil::date(2025, 9, 1))
    );
    let both = with.replace("{ months: 4,", "{ months: 4, days: 3,");
    assert!(
        load(&both)
            .unwrap_err()
            .0
            .iter()
            .any(|e| e.message.contains("exactly one of"))
    );
    assert!(load(VALID).unwrap().processing_time.is_none());
}
