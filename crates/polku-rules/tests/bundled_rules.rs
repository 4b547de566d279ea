//! The bundled rule sets: they load, their own cases pass, and no input whatsoever
//! lets a machine refuse or grant past a failing condition.

mod common;

use std::path::PathBuf;

use polku_rules::schema::FIELDS;
use polku_rules::{Application, Automation, Expected, Lang, Outcome, RuleBook, Status, run_tests};
use proptest::prelude::*;

fn book() -> RuleBook {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    RuleBook::load_dir(&dir).unwrap_or_else(|e| panic!("bundled rules do not load:\n{e}"))
}

#[test]
fn every_bundled_rule_set_passes_its_own_cases() {
    let book = book();
    let mut failures = Vec::new();
    for rs in book.iter() {
        assert!(
            rs.tests.len() >= polku_rules::MIN_TEST_CASES,
            "{} has {} test cases; the rule sets need at least {}",
            rs.id,
            rs.tests.len(),
            polku_rules::MIN_TEST_CASES
        );
        for r in run_tests(rs) {
            if !r.passed() {
                failures.push(format!(
                    "{} — {} ({}): {}",
                    r.rule_set,
                    r.name,
                    r.location,
                    r.failures.join("; ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each monitoring set watches permits a decision set grants, refers whatever it finds,
/// names the events that change each condition, and its own cases show each condition's
/// alert as well as a case with none.
#[test]
fn every_monitoring_set_watches_granted_permits_and_only_alerts() {
    let book = book();
    let sets: Vec<_> = book.monitoring_sets().collect();
    assert!(sets.len() >= 3, "only {} monitoring sets", sets.len());
    for rs in sets {
        assert_eq!(rs.automation, Automation::ALWAYS_REFER, "{}", rs.id);
        assert!(
            rs.grants.is_none() && rs.processing_time.is_none(),
            "{}",
            rs.id
        );
        let m = rs.monitoring.as_ref().unwrap();
        for matter in &m.permits_of {
            let watched = book
                .decision_set(matter)
                .unwrap_or_else(|| panic!("{} watches `{matter}`, no decision set", rs.id));
            assert!(
                watched.grants.is_some(),
                "{matter} grants no permit to watch"
            );
            assert_eq!(
                book.monitoring_for(matter).map(|r| r.id.as_str()),
                Some(rs.id.as_str())
            );
        }
        let alerts: Vec<&Vec<String>> = rs
            .tests
            .iter()
            .map(|t| match &t.expect.result {
                Expected::Alerts(a) => a,
                Expected::Outcome(o) => panic!("{} test `{}` expects {o:?}", rs.id, t.name),
            })
            .collect();
        assert!(
            alerts.iter().any(|a| a.is_empty()),
            "{}: no case without an alert",
            rs.id
        );
        for c in &rs.conditions {
            assert!(!c.changed_by.is_empty(), "{} {}", rs.id, c.id);
            assert!(
                alerts.iter().any(|a| a.contains(&c.id)),
                "{}: no case shows the alert of {}",
                rs.id,
                c.id
            );
        }
    }
    for matter in book.matter_ids() {
        assert!(!book.get(matter).unwrap().is_monitoring());
    }
}

#[test]
fn every_condition_explains_itself_in_three_languages() {
    let book = book();
    for rs in book.iter() {
        assert!(!rs.tests.is_empty(), "{} has no test cases", rs.id);
        for t in &rs.tests {
            let e = rs
                .evaluate(&t.input, t.at)
                .unwrap_or_else(|err| panic!("{} — {}: {err}", rs.id, t.name));
            for lang in Lang::ALL {
                let trace = e.trace(&t.input, lang);
                for c in &trace.conditions {
                    assert!(
                        !c.explanation.trim().is_empty(),
                        "{} {} has no {lang:?} explanation",
                        rs.id,
                        c.id
                    );
                    assert!(!c.legal_basis.trim().is_empty());
                }
            }
        }
    }
}

/// Feeds arbitrary applications on arbitrary days to every bundled rule set: wholly
/// random ones, and the rule sets' own test inputs with a few fields changed at random
/// (wholly random applications never meet every condition, so alone they would never
/// reach a grant). Every evaluation must run (the days are those on which every rule set
/// has a version in force) and some must grant, so a test that checks nothing cannot pass.
#[test]
fn no_input_makes_a_machine_refuse() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    const CASES: u32 = 2000;
    let book = book_cached();
    let rule_sets = book.iter().count();
    assert!(rule_sets >= 5, "only {rule_sets} bundled rule sets");
    // The first day on which every rule set has a version in force.
    let start = book
        .iter()
        .filter_map(|rs| rs.versions.iter().map(|v| v.from).min())
        .max()
        .expect("rule sets with versions");
    let (cases, evaluated, grants) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let errors = std::sync::Mutex::new(Vec::new());
    // Each rule set's test inputs, then an empty application.
    let mut bases: Vec<Application> = book
        .iter()
        .flat_map(|rs| rs.tests.iter().map(|t| t.input.clone()))
        .collect();
    bases.push(Application::default());
    let changed = prop::collection::vec(prop::bool::weighted(0.1), FIELDS.len());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(CASES)
    });
    let result = runner.run(
        &(0..bases.len(), changed, common::values(), 0i32..(365 * 4)),
        |(base, changed, values, days)| {
            cases.fetch_add(1, Relaxed);
            let mut app = bases[base].clone();
            let random = base == bases.len() - 1;
            for (slot, value) in values.into_iter().enumerate() {
                if random || changed[slot] {
                    app.set(slot, value);
                }
            }
            let at = start.checked_add(jiff::Span::new().days(days)).unwrap();
            for rs in book.iter() {
                let e = match rs.evaluate(&app, at) {
                    Ok(e) => e,
                    Err(err) => {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("{} on {at}: {err}", rs.id));
                        continue;
                    }
                };
                evaluated.fetch_add(1, Relaxed);
                let json = serde_json::to_value(e.trace(&app, Lang::En)).unwrap();
                prop_assert!(
                    ["grant", "refer", "request_evidence"]
                        .contains(&json["outcome"].as_str().unwrap())
                );
                let statuses: Vec<Status> = e.findings.iter().map(|(_, s)| *s).collect();
                if e.outcome == Outcome::Grant {
                    grants.fetch_add(1, Relaxed);
                    prop_assert!(
                        statuses
                            .iter()
                            .all(|s| matches!(s, Status::Met | Status::Exempt)),
                        "{} granted with {:?}",
                        rs.id,
                        statuses
                    );
                }
                if statuses.contains(&Status::NotMet) {
                    prop_assert_eq!(e.outcome, Outcome::Refer);
                }
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    let errors = errors.into_inner().unwrap();
    assert!(
        errors.is_empty(),
        "{} evaluations failed: {errors:#?}",
        errors.len()
    );
    let (cases, evaluated) = (cases.into_inner(), evaluated.into_inner());
    assert!(cases >= CASES as usize, "{cases} cases ran");
    assert_eq!(
        evaluated,
        cases * rule_sets,
        "every rule set evaluated every case"
    );
    // Random applications rarely meet every condition, but some do: the grant branch ran.
    assert!(grants.into_inner() > 0, "no evaluation granted");
}

fn book_cached() -> &'static RuleBook {
    static BOOK: std::sync::OnceLock<RuleBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(book)
}
