//! Rule sets nobody wrote: small ones generated as YAML text (conditions over random schema
//! fields with random comparisons, random exceptions, random automation policies, the
//! forbidden ones among them). Either the loader refuses a rule set, naming the line of the
//! policy that lets a machine refuse or grant past a condition, or, for random
//! applications, it grants only when every condition in force is met or exempt — which a
//! model of the three-valued logic written here, independently of the evaluator, decides.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use jiff::civil::Date;
use polku_rules::schema::{FIELDS, FieldType, FieldValue};
use polku_rules::{Application, LoadErrors, Outcome, Status};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    fn cel(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Lt => o == Less,
            Op::Le => o != Greater,
            Op::Gt => o == Greater,
            Op::Ge => o != Less,
            Op::Eq => o == Equal,
            Op::Ne => o != Equal,
        }
    }
}

/// What a generated condition's expression compares a field with.
#[derive(Debug, Clone)]
enum Lit {
    Num(f64),
    Date(Date),
    Text(String),
}

/// A generated boolean expression.
#[derive(Debug, Clone)]
enum Expr {
    /// A boolean field, or its negation.
    Flag {
        slot: usize,
        negated: bool,
    },
    Cmp {
        slot: usize,
        op: Op,
        lit: Lit,
    },
    Has(usize),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn cel(&self) -> String {
        match self {
            Expr::Flag { slot, negated } => {
                format!("{}{}", if *negated { "!" } else { "" }, FIELDS[*slot].path)
            }
            Expr::Cmp { slot, op, lit } => {
                let lit = match lit {
                    Lit::Num(n) => format!("{n}"),
                    Lit::Date(d) => format!("date(\"{d}\")"),
                    Lit::Text(t) => format!("\"{t}\""),
                };
                format!("{} {} {lit}", FIELDS[*slot].path, op.cel())
            }
            Expr::Has(slot) => format!("has({})", FIELDS[*slot].path),
            Expr::Not(e) => format!("!({})", e.cel()),
            Expr::And(a, b) => format!("({}) && ({})", a.cel(), b.cel()),
            Expr::Or(a, b) => format!("({}) || ({})", a.cel(), b.cel()),
        }
    }

    /// Kleene's logic: `None` is unknown. A comparison with an unknown field is unknown;
    /// `has` is never unknown; a decisive operand of `&&` / `||` wins over an unknown one.
    fn eval(&self, values: &[Option<FieldValue>]) -> Option<bool> {
        match self {
            Expr::Flag { slot, negated } => match &values[*slot] {
                Some(FieldValue::Bool(b)) => Some(*b != *negated),
                _ => None,
            },
            Expr::Cmp { slot, op, lit } => {
                let ordering = match (&values[*slot], lit) {
                    (Some(FieldValue::Number(x)), Lit::Num(y)) => x.partial_cmp(y)?,
                    (Some(FieldValue::Date(x)), Lit::Date(y)) => x.cmp(y),
                    (Some(FieldValue::Text(x)), Lit::Text(y)) => x.as_str().cmp(y.as_str()),
                    _ => return None,
                };
                Some(op.holds(ordering))
            }
            Expr::Has(slot) => Some(values[*slot].is_some()),
            Expr::Not(e) => e.eval(values).map(|b| !b),
            Expr::And(a, b) => match (a.eval(values), b.eval(values)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Expr::Or(a, b) => match (a.eval(values), b.eval(values)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        }
    }
}

fn slots_of(pick: impl Fn(FieldType) -> bool) -> Vec<usize> {
    (0..FIELDS.len()).filter(|s| pick(FIELDS[*s].ty)).collect()
}

/// A comparison of one field of any type with a literal near the values it takes.
fn comparison() -> BoxedStrategy<Expr> {
    let op = prop::sample::select(vec![Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne]);
    let numbers = prop::sample::select(slots_of(|t| t == FieldType::Number));
    let dates = prop::sample::select(slots_of(|t| t == FieldType::Date));
    let texts = prop::sample::select(slots_of(|t| t == FieldType::Text));
    let closed = prop::sample::select(slots_of(|t| matches!(t, FieldType::OneOf(_))));
    let flags = prop::sample::select(slots_of(|t| t == FieldType::Bool));
    prop_oneof![
        (
            numbers,
            op.clone(),
            prop::sample::select(vec![0.0, 1.0, 3.0, 10.0, 1000.0, 50_000.0])
        )
            .prop_map(|(slot, op, n)| Expr::Cmp {
                slot,
                op,
                lit: Lit::Num(n)
            }),
        (
            dates,
            op,
            prop::sample::select(vec![
                Date::constant(1950, 1, 1),
                Date::constant(2000, 6, 15),
                Date::constant(2024, 1, 1),
            ])
        )
            .prop_map(|(slot, op, d)| Expr::Cmp {
                slot,
                op,
                lit: Lit::Date(d)
            }),
        (
            texts,
            any::<bool>(),
            prop::sample::select(common::TEXTS.to_vec())
        )
            .prop_map(|(slot, eq, t)| Expr::Cmp {
                slot,
                op: if eq { Op::Eq } else { Op::Ne },
                lit: Lit::Text(t.to_owned()),
            }),
        (closed, any::<bool>(), any::<prop::sample::Index>()).prop_map(|(slot, eq, i)| {
            let FieldType::OneOf(values) = FIELDS[slot].ty else {
                unreachable!("a closed-list field")
            };
            Expr::Cmp {
                slot,
                op: if eq { Op::Eq } else { Op::Ne },
                lit: Lit::Text(i.get(values).to_string()),
            }
        }),
        (flags.clone(), any::<bool>()).prop_map(|(slot, negated)| Expr::Flag { slot, negated }),
        flags.prop_map(Expr::Has),
    ]
    .boxed()
}

fn expression() -> BoxedStrategy<Expr> {
    comparison()
        .prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
            ]
        })
        .boxed()
}

#[derive(Debug, Clone)]
struct GenCondition {
    when: Expr,
    unless: Option<Expr>,
    /// In force only in version "2" (from 2025).
    only_v2: bool,
}

#[derive(Debug, Clone)]
struct Policy {
    all_met: &'static str,
    any_not_met: &'static str,
    any_unknown: &'static str,
}

impl Policy {
    /// What the law allows a machine: grant only when everything is met; otherwise a
    /// person decides, or (when something is unknown) the evidence is asked for.
    fn allowed(&self) -> bool {
        matches!(self.all_met, "grant" | "refer")
            && self.any_not_met == "refer"
            && matches!(self.any_unknown, "request_evidence" | "refer")
    }
}

/// Mostly what is allowed, often what is not.
fn outcome(allowed: &'static [&'static str]) -> BoxedStrategy<&'static str> {
    let forbidden: Vec<&'static str> = ["grant", "refer", "request_evidence", "refuse"]
        .into_iter()
        .filter(|o| !allowed.contains(o))
        .collect();
    prop_oneof![
        3 => prop::sample::select(allowed.to_vec()),
        1 => prop::sample::select(forbidden),
    ]
    .boxed()
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        outcome(&["grant", "refer"]),
        outcome(&["refer"]),
        outcome(&["request_evidence", "refer"]),
    )
        .prop_map(|(all_met, any_not_met, any_unknown)| Policy {
            all_met,
            any_not_met,
            any_unknown,
        })
}

fn condition() -> impl Strategy<Value = GenCondition> {
    (
        expression(),
        prop::option::weighted(0.3, expression()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(when, unless, only_v2)| GenCondition {
            when,
            unless,
            only_v2,
        })
}

#[derive(Debug, Clone)]
struct GenRuleSet {
    conditions: Vec<GenCondition>,
    policy: Policy,
}

fn rule_set() -> impl Strategy<Value = GenRuleSet> {
    (prop::collection::vec(condition(), 1..=4), policy())
        .prop_map(|(conditions, policy)| GenRuleSet { conditions, policy })
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl GenRuleSet {
    fn yaml(&self) -> String {
        let mut y = String::from(
            "id: generated.rules\n\
             title: { fi: Testi, sv: Test, en: Test }\n\
             law: Testilaki (1/2024)\n\
             decides: application\n\
             versions:\n\
             \x20 - version: \"1\"\n\
             \x20   in_force: { from: 2024-01-01, to: 2024-12-31 }\n\
             \x20 - version: \"2\"\n\
             \x20   in_force: { from: 2025-01-01 }\n\
             conditions:\n",
        );
        for (i, c) in self.conditions.iter().enumerate() {
            y.push_str(&format!(
                "  - id: c{i}\n    legal_basis: TL {i} §\n    text: {{ fi: Ehto., sv: Villkor., en: Condition. }}\n    when: {}\n",
                quoted(&c.when.cel())
            ));
            if let Some(u) = &c.unless {
                y.push_str(&format!(
                    "    unless: {}\n    unless_text: {{ fi: Poikkeus., sv: Undantag., en: Exception. }}\n",
                    quoted(&u.cel())
                ));
            }
            if c.only_v2 {
                y.push_str("    versions: [\"2\"]\n");
            }
            y.push_str("    explain: { fi: Selitys., sv: Förklaring., en: Explanation. }\n");
        }
        y.push_str(&format!(
            "automation:\n  all_met: {}\n  any_not_met: {}\n  any_unknown: {}\n",
            self.policy.all_met, self.policy.any_not_met, self.policy.any_unknown
        ));
        y.push_str(
            "grants:\n  kind: A\n  title: { fi: Lupa, sv: Tillstånd, en: Permit }\n  validity: { years: 1 }\n  legal_basis: TL 9 §\n",
        );
        y
    }

    /// A condition's status as the law reads it: exempt when its exception holds; met or
    /// not met when known; a failing condition whose exception is unknown is unknown.
    fn status(c: &GenCondition, values: &[Option<FieldValue>]) -> Status {
        let exception = c.unless.as_ref().map(|u| u.eval(values));
        if exception == Some(Some(true)) {
            return Status::Exempt;
        }
        match c.when.eval(values) {
            Some(true) => Status::Met,
            Some(false) if exception == Some(None) => Status::Unknown,
            Some(false) => Status::NotMet,
            None => Status::Unknown,
        }
    }
}

fn application_of(values: &[Option<FieldValue>]) -> Application {
    let mut app = Application::default();
    for (slot, v) in values.iter().enumerate() {
        app.set(slot, v.clone());
    }
    app
}

#[derive(Default)]
struct Seen {
    refused: AtomicUsize,
    loaded: AtomicUsize,
    evaluated: AtomicUsize,
    grants: AtomicUsize,
    refer: AtomicUsize,
    request_evidence: AtomicUsize,
}

#[test]
fn a_generated_rule_set_is_refused_or_grants_only_when_every_condition_holds() {
    const CASES: u32 = 600;
    let seen = Seen::default();
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::with_cases(CASES)
    });
    let applications = prop::collection::vec((common::values(), 0i32..730), 12);
    let result = runner.run(&(rule_set(), applications), |(generated, apps)| {
        let text = generated.yaml();
        let loaded = polku_rules::load_str(Path::new("generated.yaml"), &text, None, &[]);
        let policy_line = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                .map(|i| i + 1)
        };
        let rs = match loaded {
            Err(LoadErrors(errors)) => {
                seen.refused.fetch_add(1, Relaxed);
                prop_assert!(
                    !generated.policy.allowed(),
                    "an allowed rule set was refused:\n{text}\n{errors:#?}"
                );
                // Every forbidden outcome is named on its own line.
                for (key, value, ok) in [
                    ("all_met", generated.policy.all_met, ["grant", "refer"].as_slice()),
                    ("any_not_met", generated.policy.any_not_met, &["refer"]),
                    ("any_unknown", generated.policy.any_unknown, &["request_evidence", "refer"]),
                ] {
                    if !ok.contains(&value) {
                        prop_assert!(
                            errors.iter().any(|e| Some(e.line) == policy_line(key)
                                && e.message.contains(key)),
                            "`{key}: {value}` was not named on its line:\n{text}\n{errors:#?}"
                        );
                    }
                }
                return Ok(());
            }
            Ok(rs) => rs,
        };
        seen.loaded.fetch_add(1, Relaxed);
        prop_assert!(
            generated.policy.allowed(),
            "the loader accepted a policy that lets a machine refuse or grant past a condition:\n{text}"
        );
        for (values, days) in &apps {
            let at = Date::constant(2024, 1, 1)
                .checked_add(jiff::Span::new().days(*days))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let app = application_of(values);
            let e = rs
                .evaluate(&app, at)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            seen.evaluated.fetch_add(1, Relaxed);
            // The conditions in force that day, by the model.
            let expected: Vec<(usize, Status)> = generated
                .conditions
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.only_v2 || at.year() >= 2025)
                .map(|(i, c)| (i, GenRuleSet::status(c, values)))
                .collect();
            prop_assert_eq!(&e.findings, &expected, "{}\n{:?}", text, values);
            match e.outcome {
                Outcome::Grant => {
                    seen.grants.fetch_add(1, Relaxed);
                    prop_assert!(
                        expected
                            .iter()
                            .all(|(_, s)| matches!(s, Status::Met | Status::Exempt)),
                        "granted with {expected:?}:\n{text}"
                    );
                }
                Outcome::Refer => {
                    seen.refer.fetch_add(1, Relaxed);
                }
                Outcome::RequestEvidence => {
                    seen.request_evidence.fetch_add(1, Relaxed);
                }
            }
            if expected.iter().any(|(_, s)| *s == Status::NotMet) {
                prop_assert_eq!(e.outcome, Outcome::Refer, "{}", text);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The test ran what it claims: rule sets refused and loaded, every outcome reached.
    let count = |n: &AtomicUsize| n.load(Relaxed);
    assert_eq!(
        count(&seen.refused) + count(&seen.loaded),
        CASES as usize,
        "every generated rule set was either refused or loaded"
    );
    assert!(
        count(&seen.refused) >= 50,
        "refused {}",
        count(&seen.refused)
    );
    assert!(count(&seen.loaded) >= 50, "loaded {}", count(&seen.loaded));
    assert_eq!(count(&seen.evaluated), count(&seen.loaded) * 12);
    for (what, n) in [
        ("grant", &seen.grants),
        ("refer", &seen.refer),
        ("request_evidence", &seen.request_evidence),
    ] {
        assert!(count(n) >= 20, "only {} {what} outcomes", count(n));
    }
}
