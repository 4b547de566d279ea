//! The bundled rule sets: they load, their own cases pass, and no input whatsoever
//! lets a machine refuse or grant past a failing condition.

use std::path::PathBuf;

use jiff::civil::Date;
use polku_rules::schema::{FIELDS, FieldType, FieldValue};
use polku_rules::{Application, Lang, Outcome, RuleBook, Status, run_tests};
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

#[test]
fn every_condition_explains_itself_in_three_languages() {
    let book = book();
    for rs in book.iter() {
        for t in &rs.tests {
            let Ok(e) = rs.evaluate(&t.input, t.at) else {
                continue;
            };
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

/// Any value a field can hold, or nothing.
fn field_value(ty: FieldType) -> BoxedStrategy<Option<FieldValue>> {
    let value: BoxedStrategy<FieldValue> = match ty {
        FieldType::Bool => any::<bool>().prop_map(FieldValue::Bool).boxed(),
        FieldType::Number => prop_oneof![
            (-10.0f64..100_000.0).prop_map(FieldValue::Number),
            (0u32..20).prop_map(|n| FieldValue::Number(n as f64)),
        ]
        .boxed(),
        FieldType::Date => (1900i16..2030, 1i8..=12, 1i8..=28)
            .prop_map(|(y, m, d)| FieldValue::Date(Date::constant(y, m, d)))
            .boxed(),
        FieldType::Text => {
            prop::sample::select(vec!["1234567-1", "7654321-2", "ISCO-2", "ISCO-7", ""])
                .prop_map(|s| FieldValue::Text(s.to_owned()))
                .boxed()
        }
        FieldType::OneOf(values) => prop::sample::select(values.to_vec())
            .prop_map(|s| FieldValue::Text(s.to_owned()))
            .boxed(),
    };
    prop_oneof![1 => Just(None), 3 => value.prop_map(Some)].boxed()
}

fn application() -> impl Strategy<Value = Application> {
    let fields: Vec<_> = FIELDS.iter().map(|f| field_value(f.ty)).collect();
    fields.prop_map(|values| {
        let mut app = Application::default();
        for (slot, v) in values.into_iter().enumerate() {
            app.set(slot, v);
        }
        app
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_input_makes_a_machine_refuse(app in application(), days in 0i32..(365 * 4)) {
        let book = book_cached();
        let at = Date::constant(2024, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
        for rs in book.iter() {
            let Ok(e) = rs.evaluate(&app, at) else { continue };
            let json = serde_json::to_value(e.trace(&app, Lang::En)).unwrap();
            prop_assert!(["grant", "refer", "request_evidence"].contains(&json["outcome"].as_str().unwrap()));
            let statuses: Vec<Status> = e.findings.iter().map(|(_, s)| *s).collect();
            if e.outcome == Outcome::Grant {
                prop_assert!(statuses.iter().all(|s| matches!(s, Status::Met | Status::Exempt)),
                    "{} granted with {:?}", rs.id, statuses);
            }
            if statuses.contains(&Status::NotMet) {
                prop_assert_eq!(e.outcome, Outcome::Refer);
            }
        }
    }
}

fn book_cached() -> &'static RuleBook {
    static BOOK: std::sync::OnceLock<RuleBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(book)
}
