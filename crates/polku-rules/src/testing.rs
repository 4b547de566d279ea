//! Running a rule set's own test cases.

use crate::eval::{Evaluation, Status};
use crate::model::{Expected, RuleSet, TestCase};

/// The result of one test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub rule_set: String,
    pub name: String,
    /// `file:line` of the test case.
    pub location: String,
    /// Empty when the test passed; otherwise one line per difference.
    pub failures: Vec<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The fewest test cases a rule set may have (a monitoring set too): its own examples are
/// how a change to it is checked before anyone approves it.
pub const MIN_TEST_CASES: usize = 12;

/// Runs every test case of `rule_set`: a decision set's against the outcome expected, a
/// monitoring set's against the alerts expected (the conditions found not met).
pub fn run_tests(rule_set: &RuleSet) -> Vec<TestResult> {
    rule_set
        .tests
        .iter()
        .map(|t| run_test(rule_set, t))
        .collect()
}

fn run_test(rule_set: &RuleSet, test: &TestCase) -> TestResult {
    let mut failures = Vec::new();
    match rule_set.evaluate(&test.input, test.at) {
        Err(e) => failures.push(e.to_string()),
        Ok(eval) => {
            match &test.expect.result {
                Expected::Outcome(want) if eval.outcome != *want => failures.push(format!(
                    "outcome: expected {}, got {}",
                    want.code(),
                    eval.outcome.code()
                )),
                Expected::Alerts(want) => {
                    let got = alerts(&eval);
                    if &got != want {
                        failures.push(format!(
                            "alerts: expected [{}], got [{}]",
                            want.join(", "),
                            got.join(", ")
                        ));
                    }
                }
                Expected::Outcome(_) => {}
            }
            if let Some(v) = &test.expect.version
                && &eval.version.id != v
            {
                failures.push(format!("version: expected {v}, got {}", eval.version.id));
            }
            if let Some(want) = &test.expect.permit {
                match rule_set.grant_terms(&test.input, test.at, test.at) {
                    None => failures.push("permit: the rule set grants nothing".to_owned()),
                    Some(got) => {
                        if let Some(kind) = &want.kind
                            && &got.kind != kind
                        {
                            failures
                                .push(format!("permit kind: expected {kind}, got {}", got.kind));
                        }
                        if let Some(until) = &want.valid_until
                            && &got.valid_until != until
                        {
                            let show = |d: &Option<jiff::civil::Date>| {
                                d.map_or_else(|| "indefinite".to_owned(), |d| d.to_string())
                            };
                            failures.push(format!(
                                "permit valid until: expected {}, got {}",
                                show(until),
                                show(&got.valid_until)
                            ));
                        }
                    }
                }
            }
            for (id, expected) in &test.expect.conditions {
                match eval.status_of(id) {
                    Some(got) if got == *expected => {}
                    Some(got) => failures.push(format!(
                        "condition {id}: expected {}, got {}",
                        expected.code(),
                        got.code()
                    )),
                    None => failures.push(format!(
                        "condition {id}: expected {}, but it is not in force on {}",
                        expected.code(),
                        test.at
                    )),
                }
            }
        }
    }
    TestResult {
        rule_set: rule_set.id.clone(),
        name: test.name.clone(),
        location: format!("{}:{}", test.file.display(), test.line),
        failures,
    }
}

/// The ids of the conditions found not met, sorted: a monitoring set's alerts. Unknown is
/// never an alert.
fn alerts(eval: &Evaluation) -> Vec<String> {
    let mut ids: Vec<String> = eval
        .findings
        .iter()
        .filter(|(_, s)| *s == Status::NotMet)
        .map(|(i, _)| eval.rule_set.conditions[*i].id.clone())
        .collect();
    ids.sort();
    ids
}
