//! Polku's rules as code.
//!
//! A rule set is a YAML file that encodes one matter of law: its versions and their
//! in-force periods, dated parameters with their sources, conditions with their legal
//! basis, explanations in Finnish, Swedish and English, the automation policy and its
//! own test cases. This crate loads and checks rule files ([`RuleBook::load_dir`]),
//! evaluates them three-valued against an [`Application`] ([`RuleSet::evaluate`]),
//! renders the explanation ([`Evaluation::trace`]) and runs the test cases
//! ([`run_tests`]). It does no I/O beyond reading rule files.
//!
//! The file format is documented in `docs/rule-format.md`; the input in
//! `docs/input-schema.md`.

mod describe;
pub mod disclosure;
mod eval;
mod explain;
pub mod expr;
mod lang;
mod load;
mod model;
mod monitoring;
/// The input schema, a crate of its own (`polku-schema`); here under its old path.
pub use polku_schema as schema;
mod testing;
mod yaml;

use std::path::{Path, PathBuf};

pub use describe::describe;
pub use eval::{
    ConditionTrace, EvalError, Evaluation, InputUsed, ParameterUsed, Status, Trace, outcome_text,
    status_text,
};
/// Numbers and dates as a reader of each language expects them (traces and pages alike).
pub use explain::{write_date, write_moment, write_number};
pub use load::{Library, LoadError, LoadErrors, TESTS_SUFFIX, load_library, load_str, merge_patch};
pub use model::{
    Automation, Condition, Expected, GrantTerms, Grants, Lang, Outcome, ParamValue, Parameter,
    ProcessingTime, RuleSet, TestCase, Text, Version,
};
pub use monitoring::{Monitoring, RegisterEventKind};
pub use schema::{Application, InputError, json_schema};
pub use testing::{MIN_TEST_CASES, TestResult, run_tests};

/// Every rule set of a directory tree, by id, with the texts it was loaded from (so a
/// proposed change to one file can be loaded beside the others: [`RuleBook::with_text`]).
#[derive(Debug, Default)]
pub struct RuleBook {
    rule_sets: Vec<RuleSet>,
    sources: Vec<(PathBuf, String)>,
}

/// Why a proposed text cannot replace a rule set's file.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    #[error("no rule set has the id `{0}`")]
    NoSuchRuleSet(String),
    #[error("the proposed text has errors:\n{0}")]
    Load(LoadErrors),
    #[error(
        "the proposed text is the rule set `{found}`, not `{expected}`: a proposal keeps its id"
    )]
    OtherId { expected: String, found: String },
}

impl RuleBook {
    /// Loads every `*.yaml` under `dir` (tests files excepted), reporting the problems of
    /// all files together.
    pub fn load_dir(dir: &Path) -> Result<RuleBook, LoadErrors> {
        RuleBook::from_sources(&read_dir_sources(dir)?)
    }

    /// Loads rule sets from (path, text) pairs, such as files embedded in a binary. A
    /// `NAME.tests.yaml` beside `NAME.yaml` holds more test cases for it; a file with
    /// `library:` holds conditions that rule sets share.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<RuleBook, LoadErrors> {
        let mut sorted: Vec<&(PathBuf, String)> = sources
            .iter()
            .filter(|(p, _)| {
                let name = p.to_string_lossy();
                name.ends_with(".yaml") && !name.ends_with(TESTS_SUFFIX)
            })
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let (library_files, rule_files): (Vec<_>, Vec<_>) = sorted
            .into_iter()
            .partition(|(_, text)| load::is_library(text));
        let mut errors = Vec::new();
        let mut libraries: Vec<Library> = Vec::new();
        for (file, text) in library_files {
            match load_library(file, text) {
                Ok(lib) if libraries.iter().any(|l| l.id == lib.id) => errors.push(LoadError {
                    file: file.clone(),
                    line: 1,
                    message: format!("the library id `{}` is used twice", lib.id),
                }),
                Ok(lib) => libraries.push(lib),
                Err(LoadErrors(mut e)) => errors.append(&mut e),
            }
        }
        let mut rule_sets: Vec<RuleSet> = Vec::new();
        for (file, text) in rule_files {
            let tests_path = tests_path_of(file);
            let tests = sources
                .iter()
                .find(|(p, _)| *p == tests_path)
                .map(|(p, t)| (p.as_path(), t.as_str()));
            match load_str(file, text, tests, &libraries) {
                Ok(rs) => {
                    if let Some(other) = rule_sets.iter().find(|o| o.id == rs.id) {
                        errors.push(LoadError {
                            file: file.clone(),
                            line: 1,
                            message: format!(
                                "the id `{}` is already used by {}",
                                rs.id,
                                other.file.display()
                            ),
                        });
                    } else {
                        rule_sets.push(rs);
                    }
                }
                Err(LoadErrors(mut e)) => errors.append(&mut e),
            }
        }
        check_monitoring_sets(&rule_sets, &mut errors);
        if errors.is_empty() {
            Ok(RuleBook {
                rule_sets,
                sources: sources.to_vec(),
            })
        } else {
            Err(LoadErrors(errors))
        }
    }

    /// The rule set `id`, a decision or a monitoring set alike (what rule administration
    /// and the published descriptions need). What can be filed is [`RuleBook::decision_set`].
    pub fn get(&self, id: &str) -> Option<&RuleSet> {
        self.rule_sets.iter().find(|r| r.id == id)
    }

    /// Every rule set, decision and monitoring sets alike, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleSet> {
        self.rule_sets.iter()
    }

    /// The decision rule set `matter`: a matter one can file and the machine decides.
    /// `None` for a monitoring set's id, as for an unknown one.
    pub fn decision_set(&self, matter: &str) -> Option<&RuleSet> {
        self.get(matter).filter(|r| !r.is_monitoring())
    }

    /// The decision rule sets: the matters one can file.
    pub fn decision_sets(&self) -> impl Iterator<Item = &RuleSet> {
        self.rule_sets.iter().filter(|r| !r.is_monitoring())
    }

    /// The monitoring rule sets: they watch granted permits and decide nothing.
    pub fn monitoring_sets(&self) -> impl Iterator<Item = &RuleSet> {
        self.rule_sets.iter().filter(|r| r.is_monitoring())
    }

    /// The monitoring rule set that watches the permits granted in `matter` (at most one:
    /// two claiming the same matter do not load).
    pub fn monitoring_for(&self, matter: &str) -> Option<&RuleSet> {
        self.monitoring_sets().find(|r| {
            r.monitoring
                .as_ref()
                .is_some_and(|m| m.permits_of.iter().any(|p| p == matter))
        })
    }

    /// The (path, text) pairs the book was loaded from.
    pub fn sources(&self) -> &[(PathBuf, String)] {
        &self.sources
    }

    /// The text of the file that holds rule set `id`, and of its tests file if it has one.
    pub fn text_of(&self, id: &str) -> Option<(&str, Option<&str>)> {
        let rs = self.get(id)?;
        let tests_path = tests_path_of(&rs.file);
        let find = |path: &Path| {
            self.sources
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, t)| t.as_str())
        };
        Some((find(&rs.file)?, find(&tests_path)))
    }

    /// This book with rule set `id`'s file replaced by `text` (and its tests file by
    /// `tests`, when given; an empty `tests` removes it), loaded and checked as a whole:
    /// how a proposed version is checked before anyone may approve it.
    pub fn with_text(
        &self,
        id: &str,
        text: &str,
        tests: Option<&str>,
    ) -> Result<RuleBook, ReplaceError> {
        let rs = self
            .get(id)
            .ok_or_else(|| ReplaceError::NoSuchRuleSet(id.to_owned()))?;
        let file = rs.file.clone();
        let tests_path = tests_path_of(&file);
        let mut sources: Vec<(PathBuf, String)> = self
            .sources
            .iter()
            .filter(|(p, _)| *p != file && (tests.is_none() || *p != tests_path))
            .cloned()
            .collect();
        sources.push((file, text.to_owned()));
        if let Some(t) = tests.filter(|t| !t.trim().is_empty()) {
            sources.push((tests_path, t.to_owned()));
        }
        let book = RuleBook::from_sources(&sources).map_err(ReplaceError::Load)?;
        if book.get(id).is_none() {
            let found = book
                .rule_sets
                .iter()
                .find(|r| self.get(&r.id).is_none())
                .map_or_else(String::new, |r| r.id.clone());
            return Err(ReplaceError::OtherId {
                expected: id.to_owned(),
                found,
            });
        }
        Ok(book)
    }

    /// The ids of every rule set, monitoring sets included.
    pub fn ids(&self) -> Vec<&str> {
        self.rule_sets.iter().map(|r| r.id.as_str()).collect()
    }

    /// The ids of the decision rule sets: the matters one can file.
    pub fn matter_ids(&self) -> Vec<&str> {
        self.decision_sets().map(|r| r.id.as_str()).collect()
    }
}

/// What only the whole book can tell of its monitoring sets: each matter a set watches is
/// a decision rule set of the book, and no two sets watch the same matter.
fn check_monitoring_sets(rule_sets: &[RuleSet], errors: &mut Vec<LoadError>) {
    let mut claimed: Vec<(&str, &RuleSet)> = Vec::new();
    for rs in rule_sets {
        let Some(m) = &rs.monitoring else { continue };
        for (matter, line) in m.permits_of.iter().zip(&rs.permits_of_lines) {
            let error = |message: String| LoadError {
                file: rs.file.clone(),
                line: *line,
                message,
            };
            match rule_sets.iter().find(|r| r.id == *matter) {
                None => errors.push(error(format!(
                    "`permits_of` names `{matter}`, which is not a rule set of the book (decision rule sets: {})",
                    rule_sets
                        .iter()
                        .filter(|r| !r.is_monitoring())
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Some(r) if r.is_monitoring() => errors.push(error(format!(
                    "`permits_of` names `{matter}`, a monitoring rule set: a monitoring set watches the \
                     permits of decision rule sets"
                ))),
                Some(_) => {}
            }
            if let Some((_, other)) = claimed.iter().find(|(m, _)| m == matter) {
                errors.push(error(format!(
                    "the permits of `{matter}` are already watched by `{}` ({}): one monitoring rule set \
                     per matter",
                    other.id,
                    other.file.display()
                )));
            } else {
                claimed.push((matter, rs));
            }
        }
    }
}

/// The rule files under `dir` (`*.yaml`, tests files included) as (path, text) pairs.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<(PathBuf, String)>, LoadErrors> {
    let mut files = Vec::new();
    collect_rule_files(dir, &mut files).map_err(|e| {
        LoadErrors(vec![LoadError {
            file: dir.to_owned(),
            line: 0,
            message: format!("cannot read the rules directory: {e}"),
        }])
    })?;
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => sources.push((file, text)),
            Err(e) => errors.push(LoadError {
                file,
                line: 0,
                message: format!("cannot read the file: {e}"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    if sources.is_empty() {
        return Err(LoadErrors(vec![LoadError {
            file: dir.to_owned(),
            line: 0,
            message: "holds no rule files (*.yaml)".to_owned(),
        }]));
    }
    Ok(sources)
}

fn tests_path_of(file: &Path) -> PathBuf {
    PathBuf::from(format!(
        "{}{TESTS_SUFFIX}",
        file.to_string_lossy().trim_end_matches(".yaml")
    ))
}

fn collect_rule_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rule_files(&path, out)?;
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str())
            && name.ends_with(".yaml")
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod sibling_tests {
    use std::path::PathBuf;

    #[test]
    fn tests_file_beside_a_rule_file_adds_its_cases() {
        let rule = include_str!("../../../rules/fi/residence-permit-employed-extension.yaml");
        let library = (
            PathBuf::from("rules/common.yaml"),
            include_str!("../../../rules/fi/common/residence-permit-conditions.yaml").to_owned(),
        );
        let inline = rule.matches("- name:").count();
        let extra = "tests:\n  - name: extra case from the sibling file\n    at: 2025-05-01\n    input: { evidence: { sis: { entry_ban: true } } }\n    expect: { outcome: refer, conditions: { no-entry-ban-or-alert: not_met } }\n";
        let sources = vec![
            library.clone(),
            (PathBuf::from("rules/x.yaml"), rule.to_owned()),
            (PathBuf::from("rules/x.tests.yaml"), extra.to_owned()),
        ];
        let book = super::RuleBook::from_sources(&sources).unwrap();
        let rs = book.get("fi.residence-permit.employed.extension").unwrap();
        assert_eq!(rs.tests.len(), inline + 1);
        assert!(super::run_tests(rs).iter().all(|r| r.passed()));
        let broken = vec![
            library,
            (PathBuf::from("rules/x.yaml"), rule.to_owned()),
            (
                PathBuf::from("rules/x.tests.yaml"),
                extra.replace("no-entry-ban-or-alert", "no-such-condition"),
            ),
        ];
        let errors = super::RuleBook::from_sources(&broken).unwrap_err();
        assert_eq!(errors.0[0].file, PathBuf::from("rules/x.tests.yaml"));
    }
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn a_loaded_rule_set_serves_all_threads() {
        assert_send_sync::<super::RuleSet>();
        assert_send_sync::<super::RuleBook>();
    }
}
