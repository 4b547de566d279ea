//! A loaded, checked rule set: what the loader builds and the evaluator reads.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::explain::Template;
use crate::expr::{Compiled, ParamRef};
pub use crate::lang::Lang;
use crate::monitoring::{Monitoring, RegisterEventKind};

/// A text in Finnish, Swedish and English.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Text {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fi => &self.fi,
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// What the machine does with an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Grant the permit or citizenship, automatically.
    Grant,
    /// A person decides; the trace is the machine's proposal.
    Refer,
    /// Ask the applicant or a register for the evidence that is missing.
    RequestEvidence,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Grant => "grant",
            Outcome::Refer => "refer",
            Outcome::RequestEvidence => "request_evidence",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "grant" => Some(Outcome::Grant),
            "refer" => Some(Outcome::Refer),
            "request_evidence" => Some(Outcome::RequestEvidence),
            _ => None,
        }
    }
}

/// The automation policy: what the machine may do in each situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Automation {
    pub all_met: Outcome,
    pub any_not_met: Outcome,
    pub any_unknown: Outcome,
}

impl Automation {
    /// A person decides whatever the findings: a monitoring rule set's policy, so that
    /// code that reads any rule set's outcome can never grant from one.
    pub const ALWAYS_REFER: Automation = Automation {
        all_met: Outcome::Refer,
        any_not_met: Outcome::Refer,
        any_unknown: Outcome::Refer,
    };
}

/// What an automatic grant creates: the permit (or citizenship), how long it holds and
/// which of its conditions are watched while it does (monitoring, "jälkivalvonta").
#[derive(Debug, Serialize)]
pub struct Grants {
    /// The kind as registers mark it: `A` (continuous), `B` (temporary), `P` (permanent),
    /// `citizenship`; the kind unless a case of `kind_when` holds.
    pub kind: String,
    /// In order, the first whose condition holds sets the kind (a family member's permit
    /// follows the sponsor's).
    #[serde(skip)]
    pub kind_when: Vec<KindCase>,
    /// Dates the permit may not outlast (a fixed-term contract's end, the sponsor's permit):
    /// it ends on the earliest that is known, if that is before `validity` runs out.
    #[serde(skip)]
    pub not_after: Vec<DateLimit>,
    pub title: Text,
    /// Months of validity from the decision; `None`: valid indefinitely.
    pub validity_months: Option<u32>,
    /// The provision that sets the kind and the validity.
    pub legal_basis: String,
    /// Ids of the rule set's conditions re-checked while the permit is valid.
    pub monitored: Vec<String>,
}

/// A case of `grants.kind_when`.
#[derive(Debug)]
pub struct KindCase {
    pub when: Compiled,
    pub source: String,
    pub kind: String,
}

/// A date a permit may not outlast, as an expression.
#[derive(Debug)]
pub struct DateLimit {
    pub date: Compiled,
    pub source: String,
}

/// The terms of a grant for one application: what the permit is and how long it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTerms {
    pub kind: String,
    /// Its last day; `None`: indefinitely.
    pub valid_until: Option<Date>,
}

/// The longest a matter may take from filing to decision, with the provision or
/// published target that sets it. Handlers' queue shows each case's deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessingTime {
    pub days: Option<u32>,
    pub months: Option<u32>,
    pub source: String,
}

impl ProcessingTime {
    /// The last day for a decision on an application filed on `filed`.
    pub fn deadline(&self, filed: Date) -> Option<Date> {
        let span = jiff::Span::new()
            .days(i64::from(self.days.unwrap_or(0)))
            .months(i64::from(self.months.unwrap_or(0)));
        filed.checked_add(span).ok()
    }
}

/// One version of a rule set and the period it is in force.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: String,
    pub from: Date,
    /// Last day in force, inclusive.
    pub to: Option<Date>,
    pub approved_by: Option<String>,
    pub notes: Option<String>,
    pub line: usize,
}

impl Version {
    pub fn covers(&self, at: Date) -> bool {
        self.from <= at && self.to.is_none_or(|to| at <= to)
    }
}

/// A dated parameter value as written in the file.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Number(f64),
    List(Arc<[f64]>),
}

impl ParamValue {
    pub fn as_ref(&self) -> ParamRef {
        match self {
            ParamValue::Number(x) => ParamRef::Number(*x),
            ParamValue::List(l) => ParamRef::List(l.clone()),
        }
    }
}

/// A parameter: a named figure with dated values and the source that sets it.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// What the figure is, for the published description and the figure form.
    pub title: Text,
    pub source: String,
    pub unit: Option<Text>,
    pub note: Option<String>,
    /// Sorted by date; each value holds from its date until the next.
    pub values: Vec<(Date, ParamValue)>,
}

impl Parameter {
    /// The value in force on `at`, with the date it took effect.
    pub fn value_at(&self, at: Date) -> Option<&(Date, ParamValue)> {
        let i = self.values.partition_point(|(d, _)| *d <= at);
        i.checked_sub(1).and_then(|i| self.values.get(i))
    }
}

/// An exception: the condition does not apply when `when` holds.
#[derive(Debug)]
pub struct Exception {
    pub when: Compiled,
    pub source: String,
    /// fi, sv, en.
    pub text: [Template; 3],
}

/// One condition of the law, encoded.
#[derive(Debug)]
pub struct Condition {
    pub id: String,
    pub legal_basis: String,
    /// The provision's words, as the file quotes them beside the code.
    pub law_text: Option<String>,
    pub text: Text,
    pub when: Compiled,
    pub when_source: String,
    pub unless: Option<Exception>,
    /// fi, sv, en.
    pub explain: [Template; 3],
    /// Indices of the versions the condition belongs to; `None`: all.
    pub versions: Option<Vec<usize>>,
    /// Input slots read by `when`, `unless` and the explanations.
    pub fields: Vec<usize>,
    /// Parameter slots read.
    pub params: Vec<usize>,
    /// In a monitoring rule set, the register events that can change the condition (so a
    /// re-check follows each); empty in a decision rule set.
    pub changed_by: Vec<RegisterEventKind>,
    pub line: usize,
}

impl Condition {
    pub fn in_version(&self, version: usize) -> bool {
        self.versions.as_ref().is_none_or(|v| v.contains(&version))
    }
}

/// What a test case expects of the evaluation as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A decision rule set's outcome (`expect.outcome`).
    Outcome(Outcome),
    /// A monitoring rule set's alerts (`expect.alerts`): exactly the conditions found not
    /// met, by id, sorted; empty when none is.
    Alerts(Vec<String>),
}

/// What a test case expects.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub result: Expected,
    pub version: Option<String>,
    pub conditions: Vec<(String, crate::Status)>,
    /// What a grant creates when granted on the test's day.
    pub permit: Option<ExpectedPermit>,
}

/// A test's expectation of the permit: its kind and its last day (`Some(None)`:
/// indefinitely); what is left out is not checked.
#[derive(Debug, Clone)]
pub struct ExpectedPermit {
    pub kind: Option<String>,
    pub valid_until: Option<Option<Date>>,
}

/// A rule set's own test case.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub at: Date,
    pub input: crate::Application,
    pub expect: Expectation,
    pub file: PathBuf,
    pub line: usize,
}

/// The parameter values in force from `from` until the next segment starts.
#[derive(Debug)]
pub(crate) struct Segment {
    pub from: Date,
    pub params: Vec<ParamRef>,
}

/// A loaded and checked rule set. Evaluation only reads it, so one loaded set
/// serves every thread.
#[derive(Debug)]
pub struct RuleSet {
    pub id: String,
    pub title: Text,
    pub law: String,
    pub description: Option<Text>,
    pub file: PathBuf,
    pub versions: Vec<Version>,
    pub parameters: Vec<Parameter>,
    pub conditions: Vec<Condition>,
    /// For a monitoring rule set always refer, whatever the findings: it never decides.
    pub automation: Automation,
    /// What a grant creates; present whenever the policy lets the machine grant (never in a
    /// monitoring rule set).
    pub grants: Option<Grants>,
    /// The time the matter must be decided in, where a provision or target sets one.
    pub processing_time: Option<ProcessingTime>,
    pub tests: Vec<TestCase>,
    /// What a monitoring rule set watches; `None` for a decision rule set.
    pub monitoring: Option<Monitoring>,
    /// The line of each of `monitoring.permits_of`, for the errors the book finds.
    pub(crate) permits_of_lines: Vec<usize>,
    pub(crate) segments: Vec<Segment>,
}

impl RuleSet {
    /// Whether this is a monitoring rule set: it watches granted permits and raises alerts
    /// for a person; no one can file it as a matter and it decides nothing.
    pub fn is_monitoring(&self) -> bool {
        self.monitoring.is_some()
    }
}
